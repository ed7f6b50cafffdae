"""Shared pieces of the trial criteria: windows, per-trial checks, distinct counting, wording."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from priorauth.determination import CriterionOutcome, Evidence
from priorauth.evaluate._verdict import MET, NOT_MET, UNKNOWN, Context, all_of, count_outcome
from priorauth.facts.models import MedicationTrial

__all__ = [
    "Check",
    "Tally",
    "TrialCheck",
    "combine",
    "days_of",
    "duration_check",
    "in_window",
    "regimen_of",
    "tally",
    "trial_evidence",
    "trial_label",
    "window_start",
]

Check = tuple[CriterionOutcome, str]
"""One condition on one trial: outcome, and what is wrong or missing (empty when met)."""


@dataclass(frozen=True)
class TrialCheck:
    """Whether one trial counts: outcome, with what is missing (unknown) or wrong (not met)."""

    index: int
    trial: MedicationTrial
    outcome: CriterionOutcome
    missing: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tally:
    """Distinct ingredients and classes among trials that count (definite) or might (possible)."""

    ingredients: frozenset[str]
    possible_ingredients: frozenset[str]
    classes: frozenset[str]
    possible_classes: frozenset[str]

    def outcome(self, min_trials: int, min_classes: int) -> CriterionOutcome:
        """Both minimums, three-valued."""
        return all_of(
            [
                count_outcome(len(self.ingredients), len(self.possible_ingredients), min_trials),
                count_outcome(len(self.classes), len(self.possible_classes), min_classes),
            ]
        )


def combine(index: int, trial: MedicationTrial, checks: Iterable[Check]) -> TrialCheck:
    """One TrialCheck from its conditions (three-valued AND)."""
    listed = list(checks)
    outcome = all_of(o for o, _ in listed)
    missing = tuple(why for o, why in listed if o == UNKNOWN and why)
    reasons = tuple(why for o, why in listed if o == NOT_MET and why)
    return TrialCheck(index, trial, outcome, missing, reasons)


def tally(checks: Iterable[TrialCheck], regimens: Mapping[str, str] | None = None) -> Tally:
    """Count distinct ingredients and classes (two SSRIs are one class).

    With ``regimens`` (ingredient -> regimen name, see :func:`regimen_of`) trials are counted by
    regimen: a base antidepressant and the drug held with it are one trial.
    """
    listed = list(checks)
    met = [c.trial for c in listed if c.outcome == MET]
    possible = [c.trial for c in listed if c.outcome != NOT_MET]

    def name(trial: MedicationTrial) -> str:
        return (regimens or {}).get(trial.ingredient, trial.ingredient)

    return Tally(
        frozenset(name(t) for t in met),
        frozenset(name(t) for t in possible),
        frozenset(t.drug_class for t in met),
        frozenset(t.drug_class for t in possible),
    )


def regimen_of(trials: Iterable[MedicationTrial]) -> dict[str, str]:
    """Ingredient -> its regimen: the drugs held together with it (``augments`` and
    ``combination_with``, set by the facts stage: 4+ weeks together, not a cross-taper), joined
    with ``+`` in name order (``bupropion+citalopram``). A drug held with none is its own."""
    listed = list(trials)
    parent = {t.ingredient: t.ingredient for t in listed}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    for t in listed:
        for other in (*t.augments, *t.combination_with):
            if other in parent:
                parent[root(other)] = root(t.ingredient)
    members: dict[str, set[str]] = {}
    for name in parent:
        members.setdefault(root(name), set()).add(name)
    return {name: "+".join(sorted(members[root(name)])) for name in parent}


def window_start(window: str, lookback_days: int | None, ctx: Context) -> dt.date | None:
    """The first day of the window (None: no lower bound, or the episode onset is unknown)."""
    if window == "lookback" and lookback_days is not None:
        return ctx.as_of - dt.timedelta(days=lookback_days)
    if window == "current_episode":
        return ctx.record.current_episode_onset
    return None


def _last_day(trial: MedicationTrial, as_of: dt.date) -> dt.date | None:
    if trial.ongoing:
        return as_of
    return trial.end - dt.timedelta(days=1) if trial.end is not None else None


def in_window(
    trial: MedicationTrial, window: str, lookback_days: int | None, ctx: Context
) -> Check:
    """Whether the trial overlaps the window (current episode, lookback, or lifetime)."""
    if trial.start > ctx.as_of:
        return NOT_MET, f"starts after {ctx.as_of.isoformat()}"
    if window == "lifetime":
        return MET, ""
    start = window_start(window, lookback_days, ctx)
    if start is None:
        return UNKNOWN, "the onset date of the current episode"
    last = _last_day(trial, ctx.as_of)
    if trial.start >= start or (last is not None and last >= start):
        return MET, ""
    if last is None:
        return UNKNOWN, "the end date"
    scope = (
        "the current episode" if window == "current_episode" else f"the last {lookback_days} days"
    )
    return NOT_MET, f"ended before {scope}"


def days_of(trial: MedicationTrial, as_of: dt.date) -> int | None:
    """The trial's length in days (to the as-of date when ongoing); None when unknown."""
    if trial.days is not None:
        return trial.days
    if trial.ongoing:
        return (as_of - trial.start).days
    return (trial.end - trial.start).days if trial.end is not None else None


def duration_check(
    trial: MedicationTrial, min_weeks: float, at_adequate_dose: bool, as_of: dt.date
) -> Check:
    """At least ``min_weeks``: days >= ceil(weeks x 7) (41 days < 6 weeks <= 42 days)."""
    if at_adequate_dose:
        weeks = trial.weeks_at_adequate_dose
        if weeks is None:
            return UNKNOWN, "the weeks at an adequate dose"
        ok = weeks + 1e-9 >= min_weeks
        return (
            (MET, "") if ok else (NOT_MET, f"{weeks:g} weeks at an adequate dose < {min_weeks:g}")
        )
    days = days_of(trial, as_of)
    if days is None:
        return UNKNOWN, "the end date (duration)"
    needed = math.ceil(min_weeks * 7 - 1e-9)
    return (
        (MET, "")
        if days >= needed
        else (NOT_MET, f"{days} days < {min_weeks:g} weeks ({needed} days)")
    )


def trial_label(trial: MedicationTrial) -> str:
    """``sertraline (ssri, from 2025-01-06)``."""
    return f"{trial.ingredient} ({trial.drug_class}, from {trial.start.isoformat()})"


def _dose_text(trial: MedicationTrial) -> str:
    if trial.peak_daily_dose_mg is None:
        return "dose unknown"
    adequacy = {True: "adequate", False: "below adequate", None: "adequacy unknown"}
    return f"{trial.peak_daily_dose_mg:g} mg/day ({adequacy[trial.adequate_dose]})"


def trial_evidence(index: int, trial: MedicationTrial) -> Evidence:
    """One trial as evidence: drug, class, dose, duration, outcome, resources."""
    length = f"{trial.weeks:g} weeks" if trial.weeks is not None else "duration unknown"
    outcome = trial.outcome.replace("_", " ")
    if trial.outcome_detail:
        outcome += f" ({trial.outcome_detail})"
    summary = f"{trial.ingredient} [{trial.drug_class}] {_dose_text(trial)}, {length}, {outcome}"
    return Evidence(fact=f"trials[{index}]", summary=summary, resources=trial.evidence)
