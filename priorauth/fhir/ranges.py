"""Range checks over the values of one raw resource (issue 15).

Every date, duration, count, dose, number, code and free text a resource holds is held to the
bounds of :mod:`priorauth.limits` and :mod:`priorauth.dates`. What lies outside becomes a
:class:`Finding` naming its JSON path inside the resource (never its value: a date of birth or
a name is patient data). The store turns findings into data-quality notes; the facts that
depended on such a value read it as unknown (``parse_date``, ``duration_days``, the dose
readers apply the same bounds). An *absurd* finding is a value no chart can hold; a chart that
has one is refused when loading with ``refuse_absurd`` (the HTTP service).

>>> [(f.code, f.path) for f in findings({"resourceType": "MedicationRequest",
...     "authoredOn": "9999-12-31", "dispenseRequest": {"numberOfRepeatsAllowed": 10**9,
...     "expectedSupplyDuration": {"value": 10**9, "unit": "days"}},
...     "dosageInstruction": [{"text": "take " + "9" * 20 + " mg"}]})]
... # doctest: +NORMALIZE_WHITESPACE
[('date-out-of-range', 'authoredOn'), ('refills-implausible',
  'dispenseRequest.numberOfRepeatsAllowed'), ('duration-implausible',
  'dispenseRequest.expectedSupplyDuration.value'), ('number-too-long', 'dosageInstruction[0].text')]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeGuard

from priorauth.dates import MAX_DATE, MIN_DATE
from priorauth.fhir.datatypes import date_out_of_range, days_of
from priorauth.limits import (
    MAX_CODE_CHARS,
    MAX_DOSE_VALUE,
    MAX_NUMBER_DIGITS,
    MAX_REFILLS,
    MAX_SUPPLY_DAYS,
    MAX_TEXT_CHARS,
)

__all__ = ["Finding", "findings"]

_MAX_DEPTH = 100
"""Containers deeper than this are not walked (validation refuses such a resource anyway)."""
_DATE_KEYS = frozenset(
    "date issued start end authored authoredOn recorded detected lastUpdated created "
    "whenHandedOver whenPrepared dateAsserted dateWritten".split()
)
_DATE_SUFFIXES = ("DateTime", "Date", "Instant")
_SUPPLY_KEYS = frozenset({"expectedSupplyDuration", "daysSupply"})
_DOSE_KEYS = frozenset({"doseQuantity", "dose", "low", "high"})
_DOSAGE_KEYS = frozenset({"dosageInstruction", "dosage"})
_SIG_KEYS = frozenset({"text", "patientInstruction"})
_UNREAD_TEXT_KEYS = frozenset({"data", "div"})
"""Long strings that no matcher reads: base64 attachments and narrative XHTML."""
_LONG_DIGITS = re.compile(rf"\d{{{MAX_NUMBER_DIGITS + 1}}}")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_LARGEST_NUMBER = 10**MAX_NUMBER_DIGITS
_WINDOW = f"{MIN_DATE}..{MAX_DATE}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One value out of bounds: a note code, the JSON path in the resource, and what it means."""

    code: str
    path: str
    message: str
    absurd: bool = False
    """A value no chart can hold (refused by the HTTP service), not merely implausible."""


_Path = tuple[Any, str | int] | None
"""A JSON path as a chain ``(parent, key)``, turned into text only for a finding."""


def _add(found: list[Finding], code: str, path: _Path, message: str, absurd: bool = False) -> None:
    found.append(Finding(code, _path_text(path), message, absurd))


def _path_text(path: _Path) -> str:
    parts: list[str] = []
    while path is not None:
        path, key = path
        if isinstance(key, int):
            parts.append(f"[{key}]")
        else:
            parts.append(
                ("." if path is not None else "") + (key if _KEY.fullmatch(key) else "<key>")
            )
    return "".join(reversed(parts))


def _keys(path: _Path, count: int) -> list[str | int]:
    """The last ``count`` keys of a path, innermost last (list indexes included)."""
    keys: list[str | int] = []
    while path is not None and len(keys) < count:
        path, key = path
        keys.append(key)
    return keys[::-1]


def _named(path: _Path, names: frozenset[str]) -> bool:
    while path is not None:
        path, key = path
        if key in names:
            return True
    return False


def findings(resource: dict[str, Any]) -> list[Finding]:
    """Every value of ``resource`` outside its bounds, in document order; walks iteratively."""
    found: list[Finding] = []
    stack: list[tuple[Any, _Path, int]] = [(resource, None, 0)]
    while stack:
        value, path, depth = stack.pop()
        if type(value) is dict:
            if depth < _MAX_DEPTH:
                items = list(value.items())
                stack.extend((child, (path, key), depth + 1) for key, child in reversed(items))
                _check_object(value, path, found)
        elif type(value) is list:
            if depth < _MAX_DEPTH:
                stack.extend(
                    (child, (path, i), depth + 1) for i, child in reversed(list(enumerate(value)))
                )
        elif path is not None:
            _check_value(value, path, found)
    return found


def _check_object(value: dict[str, Any], path: _Path, found: list[Finding]) -> None:
    """Checks that need a whole object: a supply duration and a dose quantity."""
    key = path[1] if path is not None else None
    number = value.get("value")
    if key in _SUPPLY_KEYS:
        days = days_of(value)
        if days is not None and not 0 <= days <= MAX_SUPPLY_DAYS:
            _add(
                found,
                "duration-implausible",
                (path, "value"),
                f"duration implausible "
                f"(over {MAX_SUPPLY_DAYS:,} days or negative); read as unknown",
            )
    elif key in _DOSE_KEYS and _named(path, _DOSAGE_KEYS) and _is_number(number):
        if not 0 <= number <= MAX_DOSE_VALUE:
            _add(
                found,
                "dose-implausible",
                (path, "value"),
                f"dose implausible (over {MAX_DOSE_VALUE:,} or negative); read as unknown",
            )


def _is_number(value: Any) -> TypeGuard[int | float | Decimal]:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _check_value(value: Any, path: tuple[Any, str | int], found: list[Finding]) -> None:
    key = path[1]
    if isinstance(value, str):
        _check_string(value, path, key, found)
    elif _is_number(value):
        _check_number(value, path, key, found)


def _check_string(value: str, path: tuple[Any, str | int], key: Any, found: list[Finding]) -> None:
    if isinstance(key, str) and (key in _DATE_KEYS or key.endswith(_DATE_SUFFIXES)):
        if date_out_of_range(value):
            _add(
                found,
                "date-out-of-range",
                path,
                f"date out of range (outside {_WINDOW}); read as no date",
            )
        return
    if len(value) > MAX_CODE_CHARS and _is_code(path, key):
        _add(
            found,
            "code-too-long",
            path,
            f"a code of {len(value):,} characters (over {MAX_CODE_CHARS}) is no code",
            absurd=True,
        )
        return
    if key in _SIG_KEYS and _named(path, _DOSAGE_KEYS) and _LONG_DIGITS.search(value):
        _add(
            found,
            "number-too-long",
            path,
            f"a number of more than {MAX_NUMBER_DIGITS} digits is no dose, duration or count",
            absurd=True,
        )
        return
    if len(value) > MAX_TEXT_CHARS and key not in _UNREAD_TEXT_KEYS:
        _add(
            found,
            "text-too-long",
            path,
            f"text of {len(value):,} characters; only the first {MAX_TEXT_CHARS:,} are read",
        )


def _is_code(path: tuple[Any, str | int], key: Any) -> bool:
    """A ``code`` (Coding, Quantity) or the value of an identifier."""
    if key == "code":
        return True
    return key == "value" and "identifier" in _keys(path, 3)


def _check_number(
    value: float | Decimal, path: tuple[Any, str | int], key: Any, found: list[Finding]
) -> None:
    if key == "numberOfRepeatsAllowed":
        if not 0 <= value <= MAX_REFILLS:
            _add(
                found,
                "refills-implausible",
                path,
                f"refills implausible "
                f"(over {MAX_REFILLS} or negative); counted as at most "
                f"{MAX_REFILLS}",
            )
        return
    parent = path[0][1] if key == "value" and path[0] is not None else None
    if parent in _SUPPLY_KEYS or (parent in _DOSE_KEYS and _named(path, _DOSAGE_KEYS)):
        return  # judged with its unit by _check_object
    if (isinstance(value, float) and not math.isfinite(value)) or abs(value) >= _LARGEST_NUMBER:
        _add(
            found,
            "number-out-of-range",
            path,
            f"a number of more than {MAX_NUMBER_DIGITS} digits is implausible",
        )
