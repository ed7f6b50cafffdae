"""Current severity: per instrument, the latest score on or before the as-of date.

* ``range`` comes from the instrument's bands (``terminology/data/instruments.yaml``): the lowest
  band (minimal / none / normal / negative screen) is ``remission``, a band named ``mild`` is
  ``mild``, anything above is ``moderate_or_worse``.
* ``trend`` compares the latest score with the previous one on the same instrument. A change is
  meaningful when it is at least 5 PHQ-9 points (the PHQ-9's minimal clinically important
  difference, Löwe et al. 2004), scaled to the instrument's score range and rounded:
  PHQ-9/PHQ-A/QIDS-SR 5, PHQ-2 1, HAM-D 10, MADRS 11, BDI-II 12. Lower is better on every
  instrument here, so a drop of that size is ``improving``, a rise ``worsening``, anything smaller
  ``stable``; None with only one score.

Scores after the as-of date are ignored. Two scores on the latest day: the later one in the
chart wins (scores keep chart order within a day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from priorauth.facts.models import CurrentSeverity, ScoreFact
from priorauth.terminology import instrument

__all__ = ["current_severity", "meaningful_change", "severity_range"]

Range = Literal["remission", "mild", "moderate_or_worse"]
Trend = Literal["improving", "worsening", "stable"]
_PHQ9_MCID = 5
_PHQ9_RANGE = 27


def severity_range(instrument_id: str, value: float) -> Range:
    """``remission`` in the lowest band, ``mild`` in a band named mild, else moderate_or_worse.

    >>> severity_range("phq9", 4), severity_range("phq9", 7), severity_range("phq9", 15)
    ('remission', 'mild', 'moderate_or_worse')
    """
    bands = instrument(instrument_id).bands
    if value <= bands[0][1]:
        return "remission"
    band = next((label for low, high, label in bands if low <= value <= high), None)
    return "mild" if band == "mild" else "moderate_or_worse"


def meaningful_change(instrument_id: str) -> int:
    """The smallest change in points that counts as a trend (module docstring).

    >>> meaningful_change("phq9"), meaningful_change("madrs"), meaningful_change("phq2")
    (5, 11, 1)
    """
    inst = instrument(instrument_id)
    return max(1, round(_PHQ9_MCID * (inst.max_score - inst.min_score) / _PHQ9_RANGE))


def _trend(instrument_id: str, latest: float, previous: float) -> Trend:
    change = latest - previous
    if abs(change) < meaningful_change(instrument_id):
        return "stable"
    return "improving" if change < 0 else "worsening"


def _current(scores: Sequence[ScoreFact]) -> CurrentSeverity:
    latest = scores[-1]
    previous = scores[-2] if len(scores) > 1 else None
    evidence = [*latest.evidence, *(previous.evidence if previous else ())]
    return CurrentSeverity(
        instrument=latest.instrument, date=latest.date, value=latest.value, band=latest.band,
        range=severity_range(latest.instrument, latest.value),
        previous_value=previous.value if previous else None,
        previous_date=previous.date if previous else None,
        trend=_trend(latest.instrument, latest.value, previous.value) if previous else None,
        evidence=tuple(dict.fromkeys(evidence)),
    )  # fmt: skip


def current_severity(scores: Sequence[ScoreFact], *, as_of: dt.date) -> tuple[CurrentSeverity, ...]:
    """One entry per instrument with a score on or before ``as_of``, latest date first."""
    by_instrument: dict[str, list[ScoreFact]] = {}
    for score in sorted(scores, key=lambda s: s.date):  # stable: chart order within a day
        if score.date <= as_of:
            by_instrument.setdefault(score.instrument, []).append(score)
    found = [_current(mine) for mine in by_instrument.values()]
    return tuple(sorted(found, key=lambda c: (-c.date.toordinal(), c.instrument)))
