"""Small helpers for FHIR datatypes: codings, dates, periods, quantities, patient references.

Every helper takes an ``fhir.resources.R4B`` model *or* the raw JSON dict of the same element, so
the same call works on validated resources and inside the cheap ``where`` predicates of
``ResourceIndex.resources``. Missing or malformed input gives ``None`` (or an empty result), never
an exception: the caller decides what a missing value means.

>>> from fhir.resources.R4B.codeableconcept import CodeableConcept
>>> cc = CodeableConcept(coding=[{"system": "http://loinc.org", "code": "44261-6"}], text="PHQ-9")
>>> codings(cc)
[('http://loinc.org', '44261-6', None)]
>>> codings({"coding": [{"system": "http://snomed.info/sct", "code": "720433000"}]})
[('http://snomed.info/sct', '720433000', None)]
>>> cc_text(cc)
'PHQ-9'
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from priorauth.dates import MAX_DATE, MIN_DATE, in_date_range

__all__ = [
    "Concept",
    "cc_text",
    "codings",
    "concept",
    "date_out_of_range",
    "date_precision",
    "days_of",
    "field",
    "parse_date",
    "period_bounds",
    "quantity_mg",
    "references_to",
]

Coded = tuple[str | None, str | None, str | None]
Precision = Literal["year", "month", "day"]

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?$")

_MG_PER_UNIT: dict[str, float] = {
    "mg": 1.0,
    "milligram": 1.0,
    "milligrams": 1.0,
    "g": 1000.0,
    "gm": 1000.0,
    "gram": 1000.0,
    "grams": 1000.0,
    "kg": 1_000_000.0,
    "mcg": 0.001,
    "ug": 0.001,
    "\u00b5g": 0.001,  # micro sign
    "\u03bcg": 0.001,  # Greek small letter mu
    "microgram": 0.001,
    "micrograms": 0.001,
    "ng": 0.000_001,
}

_PATIENT_FIELDS = ("subject", "patient", "beneficiary")
_DAYS_PER_UNIT = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "weeks": 7, "mo": 30,
                  "month": 30, "months": 30, "a": 365, "year": 365, "h": 1 / 24}  # fmt: skip


def field(element: Any, name: str) -> Any:
    """Read ``name`` from a model (attribute) or a raw dict (key); ``None`` when absent.

    >>> field({"text": "x"}, "text"), field(None, "text"), field({"text": "x"}, "coding")
    ('x', None, None)
    """
    if element is None:
        return None
    if isinstance(element, dict):
        return element.get(name)
    return getattr(element, name, None)


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _coding(coding: Any) -> Coded:
    if type(coding) is dict:  # raw JSON, the common case: plain lookups
        system, code, display = coding.get("system"), coding.get("code"), coding.get("display")
    else:
        system, code, display = (field(coding, name) for name in ("system", "code", "display"))
    return _text_or_none(system), _text_or_none(code), _text_or_none(display)


class Concept(NamedTuple):
    """A CodeableConcept, Coding or list of them frozen into a hashable value.

    ``codings`` and ``cc_text`` read a Concept exactly as they read the element it came from, so
    a lookup written against those two can be memoised on the Concept (``functools.lru_cache``):
    a chart repeats the same few codes hundreds of times.
    """

    text: str | None
    """The element's own ``text`` (``None`` for a Coding, a list, or a missing text)."""
    codings: tuple[Coded, ...]


def concept(element: Any) -> Concept:
    """Freeze a CodeableConcept (model or raw dict), a Coding or a list of them.

    >>> concept({"coding": [{"system": "http://loinc.org", "code": "44261-6"}], "text": "PHQ-9"})
    Concept(text='PHQ-9', codings=(('http://loinc.org', '44261-6', None),))
    >>> concept(None), cc_text(concept({"coding": [{"code": "1", "display": "One"}]}))
    (Concept(text=None, codings=()), 'One')
    """
    if type(element) is Concept:
        return element
    text = field(element, "text") if not isinstance(element, list) else None
    return Concept(_text_or_none(text), tuple(codings(element)))


def codings(concept: Any) -> list[Coded]:
    """``(system, code, display)`` of each coding in a CodeableConcept, a Coding, or a list of them.

    >>> codings({"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "406022"})
    [('http://www.nlm.nih.gov/research/umls/rxnorm', '406022', None)]
    >>> codings([{"coding": [{"code": "a"}]}, {"coding": [{"code": "b"}]}])
    [(None, 'a', None), (None, 'b', None)]
    >>> codings(None), codings({"text": "only text"})
    ([], [])
    """
    if concept is None:
        return []
    if type(concept) is Concept:
        return list(concept.codings)
    if isinstance(concept, list):
        return [coded for item in concept for coded in codings(item)]
    inner = field(concept, "coding")
    if isinstance(inner, list):
        return [_coding(item) for item in inner if item is not None]
    if field(concept, "code") is not None or field(concept, "system") is not None:
        return [_coding(concept)]
    return []


def cc_text(concept: Any) -> str:
    """The ``text`` of a CodeableConcept, else its first coding display, else ``""``.

    >>> cc_text({"coding": [{"code": "1"}, {"code": "2", "display": "Sertraline 100MG"}]})
    'Sertraline 100MG'
    >>> cc_text({"code": "F32.9"}), cc_text(None)
    ('', '')
    """
    text = field(concept, "text")
    if isinstance(text, str) and text.strip():
        return text
    for _system, _code, display in codings(concept):
        if display:
            return display
    return ""


def parse_date(value: Any) -> date | None:
    """The calendar date of a FHIR date, dateTime or instant; partial dates map to the first day.

    A timezone-aware dateTime gives the date in its own offset (what the clinician saw), not UTC.
    Use :func:`date_precision` to know whether ``2024-01-01`` really meant "some time in 2024".

    >>> parse_date("2024"), parse_date("2024-03"), parse_date("2024-03-05")
    (datetime.date(2024, 1, 1), datetime.date(2024, 3, 1), datetime.date(2024, 3, 5))
    >>> parse_date("2024-03-05T23:30:00-05:00")
    datetime.date(2024, 3, 5)
    >>> from datetime import datetime, timezone
    >>> parse_date(datetime(2024, 3, 6, 4, 30, tzinfo=timezone.utc))
    datetime.date(2024, 3, 6)
    >>> parse_date("not a date"), parse_date("2024-13"), parse_date(None)
    (None, None, None)
    >>> parse_date("9999-12-31"), parse_date("0001-01-01")   # out of range: see in_date_range
    (None, None)
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value if in_date_range(value) else None
    if not isinstance(value, str):
        return None
    match = _DATE.match(value.strip())
    if match is None:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        parsed = date(year, month, day)
    except ValueError:
        return None
    return parsed if in_date_range(parsed) else None


def date_out_of_range(value: Any) -> bool:
    """Whether ``value`` is written as a FHIR date whose year lies outside the window of
    :mod:`priorauth.dates` (:func:`parse_date` reads it as no date).

    >>> date_out_of_range("9999-12-31"), date_out_of_range("0000"), date_out_of_range("2024-02")
    (True, True, False)
    >>> date_out_of_range("2024-02-30"), date_out_of_range("not a date")   # malformed, not range
    (False, False)
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return not in_date_range(value)
    match = _DATE.match(value.strip()) if isinstance(value, str) else None
    return match is not None and not MIN_DATE.year <= int(match.group(1)) <= MAX_DATE.year


def date_precision(value: Any) -> Precision:
    """How much of a date was given: ``"year"``, ``"month"`` or ``"day"`` (dates and dateTimes).

    >>> date_precision("2024"), date_precision("2024-03"), date_precision("2024-03-05T10:00:00Z")
    ('year', 'month', 'day')

    Raises ``ValueError`` for a value :func:`parse_date` cannot read.
    """
    if parse_date(value) is None:
        raise ValueError("not a FHIR date")
    if isinstance(value, str):
        digits = len(value.strip().split("T", 1)[0])
        if digits == len("2024"):
            return "year"
        if digits == len("2024-03"):
            return "month"
    return "day"


def period_bounds(period: Any) -> tuple[date | None, date | None]:
    """``(start, end)`` dates of a Period; either is ``None`` when missing or unreadable.

    >>> period_bounds({"start": "2024-01-15", "end": "2024-02"})
    (datetime.date(2024, 1, 15), datetime.date(2024, 2, 1))
    >>> period_bounds(None)
    (None, None)
    """
    return parse_date(field(period, "start")), parse_date(field(period, "end"))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            return float(value)
        except OverflowError:  # an int past float's range (JSON allows any length)
            return math.inf if value > 0 else -math.inf
    return None


def quantity_mg(quantity: Any) -> float | None:
    """A mass Quantity in milligrams (g, mg, mcg/ug/µg, kg, ng); ``None`` for any other unit.

    The UCUM ``code`` wins over the free-text ``unit``. A unitless dose (Synthea's
    ``doseQuantity {value: 1}``) is not a mass, so it gives ``None``.

    >>> quantity_mg({"value": 0.5, "unit": "g"}), quantity_mg({"value": 50, "code": "mg"})
    (500.0, 50.0)
    >>> quantity_mg({"value": 250, "unit": "mcg"})
    0.25
    >>> quantity_mg({"value": 1}), quantity_mg({"value": 2, "unit": "tablet"}), quantity_mg(None)
    (None, None, None)
    """
    value = _number(field(quantity, "value"))
    if value is None:
        return None
    for unit in (field(quantity, "code"), field(quantity, "unit")):
        if isinstance(unit, str) and unit.strip().lower() in _MG_PER_UNIT:
            return value * _MG_PER_UNIT[unit.strip().lower()]
    return None


def days_of(duration: Any) -> float | None:
    """A Duration / Quantity of time in days; ``None`` for another unit or no number.

    >>> days_of({"value": 30, "unit": "days"}), days_of({"value": 2, "code": "wk"})
    (30.0, 14.0)
    >>> days_of({"value": 1, "unit": "mg"}), days_of(None)
    (None, None)
    """
    value = _number(field(duration, "value"))
    unit = field(duration, "code") or field(duration, "unit") or "d"
    factor = _DAYS_PER_UNIT.get(str(unit).strip().lower())
    if value is None or factor is None:
        return None
    return value * factor


def references_to(resource: Any) -> str | None:
    """The patient reference string of a resource: ``subject``, else ``patient``, else
    ``beneficiary`` (Coverage). ``None`` when the resource names no patient.

    >>> references_to({"resourceType": "Condition", "subject": {"reference": "Patient/1"}})
    'Patient/1'
    >>> references_to({"resourceType": "Coverage", "beneficiary": {"reference": "urn:uuid:9"}})
    'urn:uuid:9'
    >>> references_to({"resourceType": "Organization"}) is None
    True
    """
    for name in _PATIENT_FIELDS:
        reference = field(field(resource, name), "reference")
        if isinstance(reference, str):
            return reference
    return None
