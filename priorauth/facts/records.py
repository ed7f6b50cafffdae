"""Internal records passed between the extractors: medication exposures and drug reactions.

These never leave ``priorauth.facts``; ``trials.py`` turns them into ``MedicationTrial`` facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from priorauth.facts.outcomes import UNKNOWN, Stated
from priorauth.terminology.models import Ingredient

__all__ = ["Exposure", "Reaction"]


@dataclass(frozen=True)
class Exposure:
    """One medication resource's exposure to one ingredient (docs/trial-conventions.md).

    ``end`` is exclusive (the first day not covered) and ``None`` when unknown; an ongoing record
    ends on the as-of date with ``ongoing=True``.
    """

    ingredient: Ingredient
    ref: str
    resource_type: str
    start: dt.date
    end: dt.date | None
    ongoing: bool = False
    daily_mg: float | None = None
    dose_how: str = ""
    how: str = ""
    supply_days: float | None = None
    stated: Stated = field(default=UNKNOWN)
    indication: str | None = None
    taken_with_mg: float | None = None
    """The sig says this record's dose is taken together with another record's (e.g. "with the
    75 mg capsule"): the mg of that other record, to add on the days both run."""

    @property
    def is_dispense(self) -> bool:
        """True for a MedicationDispense (the only source of adherence)."""
        return self.resource_type == "MedicationDispense"

    @property
    def known_until(self) -> dt.date:
        """The last covered day + 1 when the end is known, else the start (nothing is known)."""
        return self.end if self.end is not None else self.start


@dataclass(frozen=True)
class Reaction:
    """An AllergyIntolerance or AdverseEvent naming a drug ingredient."""

    ingredient: str
    ref: str
    date: dt.date | None
    detail: str
    how: str
