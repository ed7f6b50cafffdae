"""Serum drug levels that decide adequacy where a dose cannot (lithium; issue 17).

A lithium trial is adequate when a serum lithium level (LOINC 14334-7, "Lithium [Moles/volume]
in Serum or Plasma") dated within the trial is in the augmentation range
:data:`LITHIUM_RANGE_MMOL_L` (mmol/L = mEq/L). See docs/trial-conventions.md.

>>> in_range(Level("lithium", dt.date(2025, 3, 1), 0.7, "Observation/x"))
True
>>> in_range(Level("lithium", dt.date(2025, 3, 1), 0.3, "Observation/x"))
False
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from priorauth.facts.notes import Notes
from priorauth.fhir.datatypes import Concept, field, parse_date
from priorauth.fhir.index import ResourceIndex

__all__ = ["LITHIUM_LOINC", "LITHIUM_RANGE_MMOL_L", "Level", "drug_levels", "in_range"]

LITHIUM_LOINC = "14334-7"
LITHIUM_RANGE_MMOL_L = (0.5, 1.2)
"""Augmentation range: 0.5 (the lower bound of the 0.5-0.8 mEq/L most sources give; eTG accepts
0.4) to 1.2 mmol/L (above it is toxic range, not a treatment level)."""

_UNITS = {"mmol/l", "meq/l", "mmol/liter", "meq/liter"}


@dataclass(frozen=True)
class Level:
    """One dated serum level of an ingredient, in mmol/L."""

    ingredient: str
    date: dt.date
    value: float
    ref: str


def in_range(level: Level) -> bool:
    """Whether a level is in the ingredient's treatment range."""
    low, high = LITHIUM_RANGE_MMOL_L
    return level.ingredient == "lithium" and low <= level.value <= high


def _is_lithium(code: Concept) -> bool:
    """Code test: a lithium level's LOINC. Run by the index once per distinct Observation code
    (which the score and pregnancy extractors have already frozen), not once per Observation."""
    return any(coded == LITHIUM_LOINC for _s, coded, _d in code.codings)


def drug_levels(index: ResourceIndex, notes: Notes) -> list[Level]:
    """Every dated serum lithium level of the chart (final/amended/corrected results only)."""
    found = []
    for obs in index.resources("Observation", code=_is_lithium):
        if field(obs, "status") not in {"final", "amended", "corrected"}:
            continue
        ref = index.ref_of(obs)
        quantity = field(obs, "valueQuantity")
        unit = str(field(quantity, "code") or field(quantity, "unit") or "").strip().lower()
        value = field(quantity, "value")
        day = parse_date(field(obs, "effectiveDateTime") or field(obs, "issued"))
        if value is None or unit not in _UNITS or day is None:
            notes.add(
                "level-unreadable",
                f"{ref}: a lithium level without a dated value in mmol/L or mEq/L; not used",
                resource=ref,
            )
            continue
        found.append(Level("lithium", day, float(value), ref))
    return found
