"""What one criterion evaluation returns, and three-valued logic.

A :class:`Verdict` is the outcome of one leaf criterion before it becomes a
:class:`~priorauth.determination.CriterionResult`: outcome, explanation, evidence, gap actions
and any attestations the criterion adds. :class:`Context` is everything a criterion may look at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from priorauth.determination import Attestation, CriterionOutcome, Evidence
from priorauth.facts.models import PatientRecord

__all__ = [
    "MET",
    "NOT_MET",
    "UNKNOWN",
    "Context",
    "Verdict",
    "all_of",
    "any_of",
    "at_least",
    "count_outcome",
    "fmt_date",
    "plural",
]

MET: CriterionOutcome = "met"
NOT_MET: CriterionOutcome = "not_met"
UNKNOWN: CriterionOutcome = "unknown"


@dataclass(frozen=True)
class Context:
    """The inputs of one evaluation: the record, the as-of date, confirmed attestations."""

    record: PatientRecord
    as_of: dt.date
    attested: frozenset[str] = frozenset()
    """The ids of the attestation criteria the signer has confirmed (none by default)."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of one leaf criterion with its explanation, evidence and gaps."""

    outcome: CriterionOutcome
    explanation: str
    evidence: tuple[Evidence, ...] = ()
    gaps: tuple[str, ...] = ()
    attestations: tuple[Attestation, ...] = field(default=())


def all_of(outcomes: Iterable[CriterionOutcome]) -> CriterionOutcome:
    """Tri-state AND: any not met -> not met; else any unknown -> unknown; else met."""
    values = set(outcomes)
    if NOT_MET in values:
        return NOT_MET
    return UNKNOWN if UNKNOWN in values else MET


def any_of(outcomes: Iterable[CriterionOutcome]) -> CriterionOutcome:
    """Tri-state OR: any met -> met; else any unknown -> unknown; else not met."""
    values = set(outcomes)
    if MET in values:
        return MET
    return UNKNOWN if UNKNOWN in values else NOT_MET


def at_least(n: int, outcomes: Collection[CriterionOutcome]) -> CriterionOutcome:
    """Met when ``n`` are met; not met when fewer than ``n`` could be; otherwise unknown."""
    met = sum(1 for o in outcomes if o == MET)
    possible = met + sum(1 for o in outcomes if o == UNKNOWN)
    return count_outcome(met, possible, n)


def count_outcome(definite: int, possible: int, needed: int) -> CriterionOutcome:
    """Met when ``definite`` reaches ``needed``; unknown when only ``possible`` does."""
    if definite >= needed:
        return MET
    return UNKNOWN if possible >= needed else NOT_MET


def fmt_date(day: dt.date | None) -> str:
    """ISO date, or 'an unknown date'."""
    return day.isoformat() if day is not None else "an unknown date"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 trial``, ``2 trials``."""
    return f"{n} {word if n == 1 else (many or word + 's')}"
