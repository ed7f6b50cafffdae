"""Formatting for the staff pages: labels, the criteria tree as rows, a resource as fields.
Presentation only; the values come from the Determination and the chart as they are."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from priorauth.determination import CriterionResult
from priorauth.service.web.store import QueueRow

__all__ = [
    "STATUS_LABELS",
    "CriterionRow",
    "criterion_rows",
    "filter_rows",
    "resource_fields",
    "resource_link",
]

STATUS_LABELS = {
    "meets": "Meets policy",
    "needs_documentation": "Needs documentation",
    "does_not_meet": "Does not meet",
    "clinician_review": "Clinician review",
    "safety_hold": "Safety hold",
    "no_policy": "No policy selected",
}
OUTCOME_LABELS = {"met": "Met", "not_met": "Not met", "unknown": "Unknown"}
_REF = re.compile(r"([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})")
SortKey = Literal["patient", "payer", "status", "gaps", "alert", "updated"]
SORT_KEYS: tuple[SortKey, ...] = ("updated", "patient", "payer", "status", "gaps", "alert")


@dataclass(frozen=True)
class CriterionRow:
    """One criterion of the checklist, with its depth in the tree."""

    result: CriterionResult
    depth: int
    label: str


def criterion_rows(results: tuple[CriterionResult, ...], depth: int = 0) -> Iterator[CriterionRow]:
    """The criteria tree depth first, each with its outcome label."""
    for result in results:
        yield CriterionRow(result, depth, OUTCOME_LABELS[result.outcome])
        yield from criterion_rows(result.children, depth + 1)


def resource_link(request_id: str, ref: str) -> str | None:
    """The page of a cited resource (``Type/id``), or None for a reference of another form."""
    match = _REF.fullmatch(ref)
    if match is None:
        return None
    return f"/web/requests/{request_id}/resources/{match.group(1)}/{match.group(2)}"


def resource_fields(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """A resource's JSON as (path, value) pairs: ``code.coding[0].code``, ``F33.2``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from resource_fields(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from resource_fields(item, f"{path}[{index}]")
    else:
        yield path, "null" if value is None else str(value)


def filter_rows(
    rows: list[QueueRow], *, text: str, status: str, sort: str, descending: bool
) -> list[QueueRow]:
    """The queue rows matching ``text`` (patient or payer) and ``status``, sorted; whatever the
    sort, safety holds come first and clinician reviews next (a safety finding is shown first on
    every surface), each group in the chosen order."""
    needle = text.strip().lower()
    kept = [
        r
        for r in rows
        if (not needle or needle in r.patient.lower() or needle in r.payer.lower())
        and (not status or r.status == status)
    ]
    chosen = sorted(kept, key=lambda r: _sort_value(r, sort), reverse=descending)
    return sorted(chosen, key=lambda r: _SAFETY_FIRST.get(r.status, len(_SAFETY_FIRST)))


_SAFETY_FIRST = {"safety_hold": 0, "clinician_review": 1}


def _sort_value(row: QueueRow, sort: str) -> tuple[Any, ...]:
    if sort == "gaps":
        return (row.gaps,)
    if sort == "updated":
        return (row.updated_at,)
    if sort == "alert":
        return (row.alert is not None, row.alert or "")
    value = getattr(row, sort if sort in SORT_KEYS else "patient")
    return (str(value).lower(),)


def when(value: dt.datetime) -> str:
    """A UTC time as ``2026-11-25 14:03 UTC``."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
