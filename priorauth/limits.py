"""The bounds priorauth holds chart values to (issue 15), in one place.

A value past a *plausibility* bound (a supply of more than ten years, a dose of more than 100,000
units) is read as unknown and leaves a data-quality note. A value past an *absurdity* bound (a
code longer than any terminology issues, a number of more than 15 digits in a dosage text) is
not data a chart can hold: the HTTP service refuses the chart (422 naming the JSON path), the
CLI notes it and reads on. Free text longer than :data:`MAX_TEXT_CHARS` is read only up to that
length by every text matcher, so no matcher's work grows with an attacker's text.

>>> bounded("x" * 20_000) == "x" * MAX_TEXT_CHARS, bounded(None)
(True, '')
"""

from __future__ import annotations

__all__ = [
    "MAX_CODE_CHARS",
    "MAX_DOSE_VALUE",
    "MAX_FACT_TEXT_CHARS",
    "MAX_NUMBER_DIGITS",
    "MAX_REFILLS",
    "MAX_SUPPLY_DAYS",
    "MAX_TEXT_CHARS",
    "bounded",
    "shortened",
]

MAX_SUPPLY_DAYS = 3_650
"""A supply duration over ten years (or negative) is implausible and read as unknown."""
MAX_REFILLS = 100
"""More refills than this (or fewer than none) is implausible: counted as 100."""
MAX_DOSE_VALUE = 100_000
"""A dose quantity over this many units of any kind (or negative) is implausible: unknown."""
MAX_TEXT_CHARS = 10_000
"""Free text (a code's text, a display, a sig, a note) is read up to this many characters."""
MAX_FACT_TEXT_CHARS = 1_000
"""Chart text carried into a fact (and so into the letter: a display, a reason, a name) keeps
at most this many characters, the last one an ellipsis when cut."""
MAX_CODE_CHARS = 256
"""A code (``Coding.code``) longer than this is issued by no terminology: absurd."""
MAX_NUMBER_DIGITS = 15
"""A run of more digits than this in a dosage text is no dose, duration or count: absurd."""


def shortened(text: str) -> str:
    """``text``, or its first :data:`MAX_FACT_TEXT_CHARS` characters ending in an ellipsis.

    >>> shortened("sertraline"), len(shortened("x" * 5_000)), shortened("x" * 5_000)[-1]
    ('sertraline', 1000, '…')
    """
    if len(text) <= MAX_FACT_TEXT_CHARS:
        return text
    return text[: MAX_FACT_TEXT_CHARS - 1] + "\u2026"


def bounded(text: str | None) -> str:
    """The part of a free text the matchers read: at most :data:`MAX_TEXT_CHARS` characters."""
    return (text or "")[:MAX_TEXT_CHARS]
