"""Daily doses from FHIR Dosage elements and dose text (see docs/trial-conventions.md).

A daily dose is *dose per administration* (mg) x *administrations per day*. Each half comes from
structured data first and from text second; when neither is known the result is ``None``, never a
guess.

Dose per administration:

* a mass quantity (mg, g, mcg): ``{"value": 150, "unit": "mg"}`` → 150.0
* a count of units (tablets, capsules, mL, or unitless) x the product strength:
  2 tablets of a 50 mg product → 100.0
* a strength written in the dose text: ``"take 100 mg by mouth"`` → 100.0;
  ``"2 x 50 mg tablets"`` → 100.0; ``"take 2 tablets"`` x strength

Administrations per day:

>>> frequency_in_text("Take 1 tablet by mouth twice daily")
2.0
>>> frequency_in_text("one at bedtime")
1.0
>>> frequency_from_code("Q8H")
3.0
>>> frequency_from_repeat(frequency=1, period=12, period_unit="h")
2.0
>>> mass_in_text("sertraline 50 mg: take 2 tablets daily")
50.0
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from priorauth.limits import MAX_DOSE_VALUE

__all__ = [
    "DailyDose",
    "administration_dose",
    "administrations_per_day",
    "count_in_text",
    "daily_dose",
    "dispense_daily_dose",
    "dosage_daily_dose",
    "dose_in_text",
    "frequency_from_code",
    "frequency_from_repeat",
    "frequency_in_text",
    "mass_in_text",
    "quantity_to_mg",
]

_MASS_UNITS: dict[str, float] = {
    "mg": 1.0,
    "milligram": 1.0,
    "milligrams": 1.0,
    "g": 1000.0,
    "gram": 1000.0,
    "grams": 1000.0,
    "mcg": 0.001,
    "ug": 0.001,
    "µg": 0.001,
    "microgram": 0.001,
    "micrograms": 0.001,
}
_COUNT_UNITS = (
    "tab", "tabs", "tablet", "tablets", "{tbl}", "{tablet}", "cap", "caps", "capsule", "capsules",
    "{cap}", "{capsule}", "1", "{each}", "each", "ea", "unit", "units", "{unit}", "ml", "mL",
    "patch", "{patch}", "dose", "{dose}", "puff", "",
)  # fmt: skip
_COUNT_UNIT_SET = {u.lower() for u in _COUNT_UNITS}

FREQUENCY_CODES: dict[str, float] = {
    "QD": 1, "DAILY": 1, "OD": 1, "Q24H": 1, "QAM": 1, "QPM": 1, "QHS": 1, "HS": 1, "AM": 1,
    "PM": 1, "QN": 1, "QOD": 0.5, "Q48H": 0.5, "BID": 2, "Q12H": 2, "TID": 3, "Q8H": 3,
    "QID": 4, "Q6H": 4, "Q4H": 6, "Q3H": 8, "Q2H": 12, "Q1H": 24, "WK": 1 / 7, "QW": 1 / 7,
    "QWK": 1 / 7,
}  # fmt: skip
"""Administrations per day for timing abbreviations (HL7 GTSAbbreviation and common Latin)."""

_PERIOD_DAYS: dict[str, float] = {
    "s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1, "wk": 7, "mo": 30, "a": 365,
}  # fmt: skip

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "half": 0.5}
# Digit runs are possessive and start only at a run's first digit, so a matcher's work stays
# linear in the text; runs longer than 7 digits are no dose (issue 15).
_INT = r"(?<!\d)\d{1,7}+(?!\d)"
_DECIMAL = _INT + r"(?:\.\d{1,7}+)?"
_MAX_TEXT = 2_000
"""Dosage text beyond this many characters is not read (real sigs are under 300)."""
_NUM = r"(" + _DECIMAL + r"|one|two|three|four|five|six|half|1/2)"

_TEXT_FREQUENCIES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), value)
    for pattern, value in (
        (r"\bevery\s+other\s+day\b|\bq\.?o\.?d\b|\bon\s+alternate\s+days\b", 0.5),
        (r"\b(?:four|4)\s+times\s+(?:a\s+|per\s+|each\s+)?da(?:y|ily)\b|\bq\.?i\.?d\b", 4),
        (r"\b(?:three|3)\s+times\s+(?:a\s+|per\s+|each\s+)?da(?:y|ily)\b|\bt\.?i\.?d\b", 3),
        (r"\b(?:twice|two\s+times|2\s+times)\s+(?:a\s+|per\s+|each\s+)?da(?:y|ily)\b", 2),
        (r"\bb\.?i\.?d\b|\bevery\s+12\s+h(?:ours?|rs?)?\b|\bq12h\b", 2),
        (r"\bevery\s+8\s+h(?:ours?|rs?)?\b|\bq8h\b", 3),
        (r"\bevery\s+6\s+h(?:ours?|rs?)?\b|\bq6h\b", 4),
        (r"\b(?:once\s+(?:a\s+|per\s+|each\s+)?week|weekly)\b", 1 / 7),
        (
            r"\b(?:at\s+bedtime|nightly|every\s+(?:night|evening|morning)|q\.?h\.?s|q\.?am|q\.?pm)\b",
            1,
        ),
        (r"\b(?:in\s+the\s+(?:morning|evening)|before\s+bed|at\s+night)\b", 1),
        (
            r"\b(?:once\s+(?:a\s+|per\s+|each\s+)?day|once\s+daily|daily|every\s+day|each\s+day)\b",
            1,
        ),
        (r"\b(?:q\.?d|every\s+24\s+h(?:ours?|rs?)?|q24h)\b", 1),
    )
)
_TIMES_PER_DAY = re.compile(
    r"\b(" + _INT + r")\s++times\s+(?:a\s+|per\s+|each\s+)?da(?:y|ily)\b", re.IGNORECASE
)
_EVERY_N_HOURS = re.compile(r"\b(?:every|q)\s*+(" + _INT + r")\s*+h(?:ours?|rs?)?\b", re.IGNORECASE)
_MASS = re.compile(
    r"(" + _DECIMAL + r")\s*+(mg|mcg|µg|ug|g|milligrams?|micrograms?)\b", re.IGNORECASE
)
_COUNT = re.compile(
    _NUM + r"\s*(?:\(\w+\)\s*)?(?:tab(?:let)?s?|cap(?:sule)?s?|pills?)\b"
    r"|" + _NUM + r"\s*[xx]\s*(?=\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DailyDose:
    """A daily dose in mg (``None`` when unknown) and how it was worked out."""

    mg: float | None
    how: str


def quantity_to_mg(value: Any, unit: str | None) -> float | None:
    """A mass quantity in mg; ``None`` when the unit is not a mass.

    >>> quantity_to_mg(Decimal("0.5"), "g")
    500.0
    >>> quantity_to_mg(25, "mcg")
    0.025
    >>> quantity_to_mg(2, "tablet") is None
    True
    """
    factor = _MASS_UNITS.get((unit or "").strip().lower())
    if factor is None or value is None:
        return None
    return round(float(value) * factor, 6)


def is_count_unit(unit: str | None) -> bool:
    """True for a unit that counts dose units (tablet, capsule, mL) or no unit at all."""
    return (unit or "").strip().lower() in _COUNT_UNIT_SET


def _number(word: str) -> float:
    word = word.lower()
    if word == "1/2":
        return 0.5
    return float(_WORDS[word]) if word in _WORDS else float(word)


def frequency_from_code(code: str | None) -> float | None:
    """Administrations per day for a timing code such as ``BID`` or ``QHS``; None if unknown."""
    if not code:
        return None
    key = code.strip().upper().replace(".", "").replace(" ", "")
    value = FREQUENCY_CODES.get(key)
    return float(value) if value is not None else None


def frequency_from_repeat(
    *, frequency: Any, period: Any, period_unit: str | None, when: Sequence[str] = ()
) -> float | None:
    """Administrations per day from ``timing.repeat`` (frequency per period in period units).

    >>> frequency_from_repeat(frequency=3, period=1, period_unit="d")
    3.0
    >>> frequency_from_repeat(frequency=None, period=None, period_unit=None, when=["MORN", "HS"])
    2.0
    """
    if period is not None and period_unit in _PERIOD_DAYS and float(period) > 0:
        count = float(frequency) if frequency is not None else 1.0
        return round(count / (float(period) * _PERIOD_DAYS[period_unit]), 6)
    if when:
        return float(len(when))
    return None


def frequency_in_text(text: str | None) -> float | None:
    """Administrations per day stated in dosage text; None when the text does not say."""
    if not text:
        return None
    text = text[:_MAX_TEXT]
    match = _TIMES_PER_DAY.search(text)
    if match:
        return float(match.group(1))
    for pattern, value in _TEXT_FREQUENCIES:
        if pattern.search(text):
            return float(value)
    hours = _EVERY_N_HOURS.search(text)
    if hours and 0 < int(hours.group(1)) <= 24:
        return round(24 / int(hours.group(1)), 6)
    return None


def mass_in_text(text: str | None) -> float | None:
    """The first mass (in mg) written in a text, e.g. a strength or a dose."""
    if not text:
        return None
    match = _MASS.search(text[:_MAX_TEXT])
    if not match:
        return None
    unit = match.group(2).lower()
    unit = {"milligram": "mg", "milligrams": "mg", "microgram": "mcg", "micrograms": "mcg"}.get(
        unit, unit
    )
    return quantity_to_mg(Decimal(match.group(1)), unit)


def count_in_text(text: str | None) -> float | None:
    """The number of tablets/capsules per administration written in a text."""
    found = _count_match((text or "")[:_MAX_TEXT])
    return found[0] if found else None


def _count_match(text: str) -> tuple[float, int] | None:
    match = _COUNT.search(text)
    if not match:
        return None
    return _number(match.group(1) or match.group(2)), match.start()


def dose_in_text(text: str | None, strength_mg: float | None) -> tuple[float | None, str]:
    """Dose per administration from free text, with how it was read.

    A mass written before the unit count (``"sertraline 50 mg: take 2 tablets"``), written as
    ``"2 x 50 mg"``, or equal to the product strength is a strength; a mass after the count is
    the dose itself (``"take 2 tablets (100 mg total)"``).

    >>> dose_in_text("Take 2 tablets (100 mg) daily", None)
    (100.0, 'text dose 100 mg')
    >>> dose_in_text("take 2 x 50 mg tablets", None)
    (100.0, 'text 2 x 50 mg')
    >>> dose_in_text("sertraline 50 mg: take 2 tablets daily", None)
    (100.0, 'text 2 x 50 mg')
    >>> dose_in_text("take 2 tablets", 25.0)
    (50.0, 'text 2 unit(s) x 25 mg')
    """
    text = (text or "")[:_MAX_TEXT]
    counted = _count_match(text)
    mass_match = _MASS.search(text)
    mass = mass_in_text(text)
    if mass is None or mass_match is None:
        if counted is None or strength_mg is None:
            return None, ""
        return counted[0] * strength_mg, f"text {_fmt(counted[0])} unit(s) x {_fmt(strength_mg)} mg"
    if counted is None:
        return mass, f"text dose {_fmt(mass)} mg"
    count, at = counted
    is_strength = mass_match.start() < at or mass == strength_mg or _is_times(text, at)
    if is_strength:
        return count * mass, f"text {_fmt(count)} x {_fmt(mass)} mg"
    return mass, f"text dose {_fmt(mass)} mg"


def _is_times(text: str, at: int) -> bool:
    match = _COUNT.match(text, at)
    return bool(match and match.group(2))


def _fmt(value: float) -> str:
    return f"{value:g}"


def _quantity_dose(
    quantity: Any, strength_mg: float | None, mass_ok: bool = True
) -> tuple[float | None, str]:
    """Dose per administration from a doseQuantity (or a doseRange's low bound)."""
    if quantity is None or quantity.value is None:
        return None, ""
    if not 0 <= quantity.value <= MAX_DOSE_VALUE:  # noted as dose-implausible (fhir.ranges)
        return None, ""
    unit = quantity.code or quantity.unit
    mass = quantity_to_mg(quantity.value, unit)
    if mass is not None and mass_ok:
        return mass, f"dose {_fmt(mass)} mg"
    if is_count_unit(unit) and strength_mg is not None:
        count = float(quantity.value)
        return count * strength_mg, f"{_fmt(count)} unit(s) x {_fmt(strength_mg)} mg"
    return None, ""


def _structured_dose(
    dosage: Any, strength_mg: float | None, mass_ok: bool
) -> tuple[float | None, str]:
    """The first usable mass (preferred) or count dose among ``doseAndRate`` entries."""
    if hasattr(dosage, "dose"):  # MedicationAdministration.dosage
        return _quantity_dose(dosage.dose, strength_mg, mass_ok)
    entries = list(dosage.doseAndRate or [])
    quantities = [e.doseQuantity or (e.doseRange.low if e.doseRange else None) for e in entries]
    by_mass = [q for q in quantities if q is not None and quantity_to_mg(q.value, q.code or q.unit)]
    for quantity in by_mass + [q for q in quantities if q is not None]:
        value, how = _quantity_dose(quantity, strength_mg, mass_ok)
        if value is not None:
            return value, how
    return None, ""


def _dosage_texts(dosage: Any) -> str:
    parts = [dosage.text, getattr(dosage, "patientInstruction", None)]
    parts += [i.text for i in getattr(dosage, "additionalInstruction", None) or []]
    return " ".join(p for p in parts if p)


def administrations_per_day(dosage: Any) -> tuple[float | None, str]:
    """Administrations per day from ``timing.repeat``, ``timing.code`` or the dosage text."""
    timing = getattr(dosage, "timing", None)
    repeat = timing.repeat if timing is not None else None
    if repeat is not None:
        value = frequency_from_repeat(
            frequency=repeat.frequency,
            period=repeat.period,
            period_unit=repeat.periodUnit,
            when=list(repeat.when or []),
        )
        if value is not None:
            return value, "timing.repeat"
    for code in _timing_codes(timing):
        value = frequency_from_code(code)
        if value is not None:
            return value, f"timing code {code.upper()}"
    value = frequency_in_text(_dosage_texts(dosage))
    return (value, "dosage text") if value is not None else (None, "")


def _timing_codes(timing: Any) -> Iterable[str]:
    if timing is None or timing.code is None:
        return []
    codes = [c.code for c in timing.code.coding or [] if c.code]
    return [*codes, *([timing.code.text] if timing.code.text else [])]


def dosage_daily_dose(dosage: Any, strength_mg: float | None, mass_ok: bool = True) -> DailyDose:
    """Daily dose (mg) of one Dosage element; unknown when either half is unknown.

    ``mass_ok=False`` (combination products) accepts only unit counts x the ingredient strength,
    since a bare mass does not say which ingredient it measures.
    """
    dose, dose_how = _structured_dose(dosage, strength_mg, mass_ok)
    if dose is None:
        text = _dosage_texts(dosage)
        dose, dose_how = (
            dose_in_text(text, strength_mg) if mass_ok else _count_dose(text, strength_mg)
        )
    per_day, freq_how = administrations_per_day(dosage)
    if dose is None or per_day is None:
        return DailyDose(None, "")
    return DailyDose(round(dose * per_day, 3), f"{dose_how} x {_fmt(per_day)}/day ({freq_how})")


def _count_dose(text: str, strength_mg: float | None) -> tuple[float | None, str]:
    count = count_in_text(text)
    if count is None or strength_mg is None:
        return None, ""
    return count * strength_mg, f"text {_fmt(count)} unit(s) x {_fmt(strength_mg)} mg"


def daily_dose(
    dosages: Sequence[Any], strength_mg: float | None, mass_ok: bool = True
) -> DailyDose:
    """The peak daily dose over Dosage elements.

    Elements with the same ``sequence`` run concurrently and add up; different sequences run one
    after the other, and the largest daily dose wins.
    """
    groups: dict[int | None, list[DailyDose]] = {}
    for dosage in dosages:
        dose = dosage_daily_dose(dosage, strength_mg, mass_ok)
        groups.setdefault(getattr(dosage, "sequence", None), []).append(dose)
    best = DailyDose(None, "")
    for doses in groups.values():
        if any(d.mg is None for d in doses):
            continue
        total = DailyDose(sum(d.mg or 0.0 for d in doses), " + ".join(d.how for d in doses))
        if best.mg is None or (total.mg or 0.0) > best.mg:
            best = total
    return best


def dispense_daily_dose(
    quantity: Any, days_supply: float | None, strength_mg: float | None, mass_ok: bool = True
) -> DailyDose:
    """quantity x strength ÷ daysSupply, for a dispense without dosage instructions."""
    if quantity is None or quantity.value is None or not days_supply:
        return DailyDose(None, "")
    dose, how = _quantity_dose(quantity, strength_mg, mass_ok)
    if dose is None:
        return DailyDose(None, "")
    return DailyDose(round(dose / days_supply, 3), f"{how} ÷ {_fmt(days_supply)} days supply")


def administration_dose(dosage: Any, strength_mg: float | None, mass_ok: bool = True) -> DailyDose:
    """The dose of one MedicationAdministration (one administration on its day)."""
    if dosage is None:
        return DailyDose(None, "")
    dose, how = _structured_dose(dosage, strength_mg, mass_ok)
    if dose is None and mass_ok:
        dose, how = dose_in_text(dosage.text, strength_mg)
    return (
        DailyDose(round(dose, 3), f"{how} (one administration)")
        if dose is not None
        else DailyDose(None, "")
    )
