"""Small formatting helpers for the view model: dates, numbers and labels as printed.

Everything missing becomes ``NOT_DOCUMENTED``, so a template never sees ``None``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

NOT_DOCUMENTED = "not documented"
EN_DASH = "\u2013"
MINUS = "\u2212"

INSTRUMENTS = {
    "phq9": ("PHQ-9", 27),
    "phq2": ("PHQ-2", 6),
    "phqa": ("PHQ-A", 27),
    "hamd": ("HAM-D", 52),
    "madrs": ("MADRS", 60),
    "bdi2": ("BDI-II", 63),
    "qids_sr": ("QIDS-SR", 27),
    "bdi1": ("BDI-I", 63),
    "ids_c": ("IDS-C", 84),
    "ids_sr": ("IDS-SR", 84),
    "zung_sds": ("Zung SDS", 100),
}
"""Instrument id -> (printed name, maximum score)."""

DRUG_CLASSES = {
    "ssri": "SSRI",
    "snri": "SNRI",
    "tca": "Tricyclic (TCA)",
    "maoi": "MAOI",
    "bupropion": "NDRI (bupropion)",
    "mirtazapine": "NaSSA (mirtazapine)",
    "serotonin_modulator": "Serotonin modulator",
    "other": "Other antidepressant",
    "sga": "Atypical antipsychotic",
    "lithium": "Lithium",
    "thyroid": "Thyroid hormone",
    "esketamine": "Esketamine",
    "augmentation_other": "Augmenting agent",
}

OUTCOMES = {
    "inadequate_response": "Inadequate response",
    "intolerance": "Stopped: intolerance",
    "other": "Stopped: other reason",
    "unknown": NOT_DOCUMENTED,
}

CRITERION_OUTCOMES = {
    "met": "Met",
    "not_met": "Not met",
    "unknown": "Needs documentation",
}


def date_short(value: dt.date | None) -> str:
    """``01/05/2025`` (US), or "not documented"."""
    return value.strftime("%m/%d/%Y") if value else NOT_DOCUMENTED


_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def us_dates(text: str) -> str:
    """ISO dates inside a sentence in the letter's one format.

    >>> us_dates("PHQ-9 23 on 2026-11-10 (born 1981-06-22)")
    'PHQ-9 23 on 11/10/2026 (born 06/22/1981)'
    """
    return _ISO.sub(lambda m: f"{m[2]}/{m[3]}/{m[1]}", text)


_CATEGORIES = {
    "implanted_device": "implanted device",
    "retained_metal": "retained metal",
    "suicide_risk": "suicide risk",
    "substance_use": "substance use",
}
_CLASS_TOKEN = re.compile(
    r"([\[(])(" + "|".join(sorted(DRUG_CLASSES, key=len, reverse=True)) + r")([\]),])"
)


def human(text: str) -> str:
    """Internal tokens in human words, ISO dates in the letter's format.

    >>> human("sertraline [ssri] 200 mg; bupropion (bupropion, from 2025-08-18); implanted_device")
    'sertraline (SSRI) 200 mg; bupropion (NDRI, from 08/18/2025); implanted device'
    """
    text = _CLASS_TOKEN.sub(
        lambda m: f"({DRUG_CLASSES[m[2]].split(' (')[0]}{')' if m[3] == ']' else m[3]}", text
    )
    for token, words in _CATEGORIES.items():
        text = text.replace(token, words)
    return us_dates(text)


def date_long(value: dt.date | None) -> str:
    """``January 5, 2025``, or "not documented"."""
    return f"{value:%B} {value.day}, {value.year}" if value else NOT_DOCUMENTED


def date_range(start: dt.date | None, end: dt.date | None, *, ongoing: bool = False) -> str:
    """``01/05/2025 - 03/20/2025`` (en dash); an open end: "ongoing" or "end not documented"."""
    tail = "ongoing" if ongoing else (date_short(end) if end else "end not documented")
    return f"{date_short(start)} {EN_DASH} {tail}"


def number(value: float | None, *, digits: int = 1) -> str:
    """``10`` or ``10.5``: trailing zeros dropped; "not documented" for ``None``."""
    if value is None:
        return NOT_DOCUMENTED
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


def text(value: str | None) -> str:
    """The value, or "not documented" when empty."""
    return value.strip() if value and value.strip() else NOT_DOCUMENTED


def instrument(value: str | None) -> str:
    """``PHQ-9`` for ``phq9``."""
    if value is None:
        return NOT_DOCUMENTED
    return INSTRUMENTS.get(value, (value.upper(), 0))[0]


def drug_name(ingredient: str) -> str:
    """``Sertraline`` for ``sertraline``; keeps multi-word names readable."""
    return ingredient[:1].upper() + ingredient[1:]


def join(values: Iterable[str], *, empty: str = NOT_DOCUMENTED) -> str:
    """Comma-joined non-empty values, or ``empty``."""
    items = [v for v in values if v]
    return ", ".join(items) if items else empty


def plural(count: int, word: str) -> str:
    """``1 trial`` / ``3 trials`` / ``2 classes``."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word}es" if word.endswith("s") else f"{count} {word}s"
