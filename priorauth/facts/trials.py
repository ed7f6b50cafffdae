"""Exposure records → antidepressant and augmentation trials (docs/trial-conventions.md).

Records of one ingredient are sorted by start and merged into one trial while the next record
starts no more than ``gap_days`` after the end covered so far (a record whose end is unknown
covers nothing past its start). Each trial then gets its span, weeks (rounded down), peak daily
dose, adequacy, weeks at an adequate dose, adherence (dispenses only), outcome, and the
antidepressants it augments or is combined with (held together for 4 weeks; a shorter overlap is a
cross-taper and gives neither).

>>> weeks_from_days(41)
5.8
>>> weeks_from_days(56)
8.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from priorauth.facts.levels import Level, in_range
from priorauth.facts.models import MedicationTrial
from priorauth.facts.outcomes import Stated, strongest
from priorauth.facts.records import Exposure, Reaction
from priorauth.fhir.notes import DataQualityNote

__all__ = [
    "COMBINATION_MIN_DAYS",
    "NON_ANTIDEPRESSANT_USES",
    "PER_SESSION",
    "SESSION_COURSE",
    "build_trials",
    "held_days",
    "split_episodes",
    "weeks_from_days",
    "with_combinations",
]

NON_ANTIDEPRESSANT_USES = frozenset(
    {"insomnia", "pain", "smoking cessation", "hot flashes", "enuresis", "weight loss", "agitation"}
)
"""Indications for which a drug is given below antidepressant doses: never an adequate trial."""

PER_SESSION = frozenset({"esketamine"})
"""Ingredients given per session in a clinic (each session an administration), not per day."""

SESSION_COURSE: dict[str, tuple[float, int]] = {"esketamine": (56.0, 8)}
"""Per-session agents: (minimum mg per session, minimum sessions) of an adequate course. Spravato
label (TRD): induction 56 or 84 mg twice weekly for weeks 1-4 = 8 sessions of at least 56 mg."""

COMBINATION_MIN_DAYS = 28
"""Days two drugs must be held together to be a combination or an augmentation (4 weeks); a
shorter overlap is a cross-taper (docs/trial-conventions.md, "Augmentation and combination")."""


def weeks_from_days(days: int) -> float:
    """``days / 7`` rounded down to one decimal (41 days → 5.8, never 5.9 or 6.0)."""
    return (days * 10 // 7) / 10


def split_episodes(records: Sequence[Exposure], gap_days: int) -> list[list[Exposure]]:
    """Group one ingredient's records into episodes: a gap of more than ``gap_days`` splits.

    The gap is the days between the end covered so far (exclusive) and the next start, so a
    record starting 30 days after the previous end merges at ``gap_days=30``; 31 days splits.
    """
    episodes: list[list[Exposure]] = []
    covered: dt.date | None = None
    for record in sorted(records, key=lambda r: (r.start, r.known_until, r.ref)):
        if covered is None or (record.start - covered).days > gap_days:
            episodes.append([record])
            covered = record.known_until
        else:
            episodes[-1].append(record)
            covered = max(covered, record.known_until)
    return episodes


def _span(records: Sequence[Exposure]) -> tuple[dt.date | None, bool, bool]:
    """``(end, ongoing, end_known)`` of one episode."""
    if any(r.ongoing for r in records):
        return None, True, True
    last = max(records, key=lambda r: (r.known_until, r.end is not None))
    if last.end is None:
        return None, False, False
    return last.end, False, True


def _covered_days(intervals: Iterable[tuple[dt.date, dt.date]]) -> int:
    """Days in the union of ``[start, end)`` intervals."""
    total, cursor = 0, dt.date.min
    for start, end in sorted(intervals):
        start = max(start, cursor)
        if end > start:
            total += (end - start).days
            cursor = end
    return total


def _interval(record: Exposure, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    if record.ongoing:
        return record.start, as_of
    return (record.start, record.end) if record.end is not None else None


def _weeks_at_adequate(
    records: Sequence[Exposure], minimum: float | None, as_of: dt.date
) -> float | None:
    doses = [r for r in records if r.daily_mg is not None]
    if minimum is None or not doses:
        return None
    adequate = [_interval(r, as_of) for r in doses if (r.daily_mg or 0.0) >= minimum]
    return weeks_from_days(_covered_days(i for i in adequate if i is not None))


def proportion_of_days_covered(fills: Sequence[Exposure], episode_end: dt.date) -> float | None:
    """PDC of dispenses: supply days (overlaps shifted forward, capped at the episode end) over
    the days from the first fill to the episode end, to two decimals.

    >>> from priorauth.terminology import ingredient
    >>> fill = lambda day, supply: Exposure(ingredient("sertraline"), "MedicationDispense/x",
    ...     "MedicationDispense", dt.date(2024, 1, day), None, supply_days=supply)
    >>> proportion_of_days_covered([fill(1, 30), fill(21, 30)], dt.date(2024, 3, 1))
    1.0
    >>> proportion_of_days_covered([fill(1, 30)], dt.date(2024, 3, 1))
    0.5
    """
    ordered = sorted((f for f in fills if f.supply_days), key=lambda f: f.start)
    if not ordered or episode_end <= ordered[0].start:
        return None
    covered, cursor = 0, ordered[0].start
    for fill in ordered:
        begin = max(fill.start, cursor)
        finish = begin + dt.timedelta(days=fill.supply_days or 0)
        covered += max(0, (min(finish, episode_end) - begin).days)
        cursor = max(cursor, finish)
    return round(covered / (episode_end - ordered[0].start).days, 2)


def _peak(records: Sequence[Exposure]) -> Exposure | None:
    dosed = [r for r in records if r.daily_mg is not None]
    return max(dosed, key=lambda r: r.daily_mg or 0.0) if dosed else None


def _adequate(peak: float | None, minimum: float | None, indication: str | None) -> bool | None:
    if indication in NON_ANTIDEPRESSANT_USES:
        return False
    if peak is None or minimum is None:
        return None
    return peak >= minimum


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def _indication(records: Sequence[Exposure]) -> str | None:
    return next((r.indication for r in records if r.indication), None)


def _trial(
    records: Sequence[Exposure],
    reactions: Sequence[Reaction],
    *,
    as_of: dt.date,
    minimum: float | None,
) -> MedicationTrial:
    first = records[0]
    start = min(r.start for r in records)
    end, ongoing, end_known = _span(records)
    effective_end = as_of if ongoing else end
    days = (effective_end - start).days if effective_end is not None else None
    peak = _peak(records)
    indication = _indication(records)
    fills = [r for r in records if r.is_dispense]
    pdc_end = effective_end or max(r.known_until for r in records)
    stated = [r.stated for r in records]
    stated += [Stated("intolerance", x.detail) for x in reactions]
    outcome = strongest(stated)
    return MedicationTrial(
        ingredient=first.ingredient.name,
        drug_class=first.ingredient.drug_class,
        role=first.ingredient.role,
        start=start,
        end=end,
        ongoing=ongoing,
        end_known=end_known,
        days=days,
        weeks=weeks_from_days(days) if days is not None else None,
        peak_daily_dose_mg=peak.daily_mg if peak else None,
        adequate_dose_mg=minimum,
        adequate_dose=_adequate(peak.daily_mg if peak else None, minimum, indication),
        weeks_at_adequate_dose=_weeks_at_adequate(records, minimum, as_of) if end_known else None,
        adherence_pdc=proportion_of_days_covered(fills, pdc_end) if fills else None,
        outcome=outcome.outcome,
        outcome_detail=outcome.detail,
        indication=indication,
        how=_unique(r.how for r in records),
        evidence=_unique([*(r.ref for r in records), *(x.ref for x in reactions)]),
    )


def _per_session(trial: MedicationTrial, records: Sequence[Exposure]) -> MedicationTrial:
    """Adequacy of a per-session agent's course from its administrations: at least the minimum
    sessions at the minimum mg per session; weeks at an adequate dose from the first such session
    to the trial end (docs/trial-conventions.md). Orders alone (no administration) stay unknown."""
    course = SESSION_COURSE.get(trial.ingredient)
    sessions = [r for r in records if r.resource_type == "MedicationAdministration"]
    if course is None or not sessions:
        return trial
    min_mg, min_sessions = course
    full = sorted({r.start for r in sessions if r.daily_mg is not None and r.daily_mg >= min_mg})
    adequate = len(full) >= min_sessions
    end = trial.end if trial.end_known and not trial.ongoing else None
    weeks = weeks_from_days((end - full[0]).days) if adequate and end is not None else None
    return trial.model_copy(
        update={
            "adequate_dose": adequate,
            "weeks_at_adequate_dose": weeks if adequate else (0.0 if end is not None else None),
        }
    )


def _session_days(trial: MedicationTrial, as_of: dt.date) -> frozenset[int]:
    """A per-session course is held from its first session to the day after its last (sessions
    are days apart by design), not only on session days."""
    end = _effective_end(trial, as_of)
    return frozenset(range(trial.start.toordinal(), end.toordinal()))


def _with_levels(
    trial: MedicationTrial, levels: Sequence[Level], as_of: dt.date
) -> MedicationTrial:
    """Adequacy of a lithium trial from its serum levels (docs/trial-conventions.md): adequate
    when a level dated within the trial is in range, its weeks at an adequate dose counted from
    the first such level; not adequate (0.0 weeks) when the trial's levels are all out of range."""
    if trial.ingredient != "lithium":
        return trial
    end = _effective_end(trial, as_of)
    mine = sorted(
        (x for x in levels if x.ingredient == "lithium" and trial.start <= x.date < end),
        key=lambda x: x.date,
    )
    if not mine:
        return trial
    good = [x for x in mine if in_range(x)]
    weeks = weeks_from_days((end - good[0].date).days) if good and trial.end_known else None
    return trial.model_copy(
        update={
            "adequate_dose": bool(good),
            "weeks_at_adequate_dose": weeks if good else (0.0 if trial.end_known else None),
            "evidence": _unique([*trial.evidence, *(x.ref for x in mine)]),
        }
    )


def _effective_end(trial: MedicationTrial, as_of: dt.date) -> dt.date:
    if trial.ongoing:
        return as_of
    if trial.end is not None:
        return trial.end
    return trial.start + dt.timedelta(days=1)


def held_days(
    records: Sequence[Exposure], minimum: float | None, as_of: dt.date, *, any_dose: bool = False
) -> frozenset[int]:
    """The days (ordinals) an episode's drug was held at a treatment dose.

    A record counts unless its daily dose is known and below ``minimum`` (``any_dose`` counts
    every record: used for augmenting agents, whose dose the criteria judge). A record whose end
    is unknown covers its start day only; a drug prescribed for a non-antidepressant use (trazodone
    for sleep) is never held as a treatment.

    >>> from priorauth.terminology import ingredient
    >>> rec = lambda day, end, mg: Exposure(ingredient("sertraline"), "MedicationRequest/x",
    ...     "MedicationRequest", dt.date(2024, 1, day), dt.date(2024, 1, end), daily_mg=mg)
    >>> len(held_days([rec(1, 11, 25.0), rec(11, 31, 100.0)], 50.0, dt.date(2025, 1, 1)))
    20
    """
    if _indication(records) in NON_ANTIDEPRESSANT_USES:
        return frozenset()
    days: set[int] = set()
    for record in records:
        dose = record.daily_mg
        if not any_dose and minimum is not None and dose is not None and dose < minimum:
            continue
        start, end = _interval(record, as_of) or (record.start, record.start)
        end = max(end, start + dt.timedelta(days=1))
        days.update(range(start.toordinal(), end.toordinal()))
    return frozenset(days)


def with_combinations(
    trials: Sequence[MedicationTrial], held: Sequence[frozenset[int]], *, min_days: int
) -> list[MedicationTrial]:
    """Fill ``augments`` and ``combination_with`` from the days each trial's drug was held.

    Two drugs are *held together* when both were held (``held_days``) on at least ``min_days``
    common days. An augmenting agent held together with antidepressants ``augments`` them. An
    antidepressant held together with other antidepressants is a deliberate combination
    (``combination_with``, both ways) and ``augments`` those that started strictly earlier. A
    shorter overlap is a cross-taper (one drug being switched for the other): neither.
    """
    result = []
    for i, trial in enumerate(trials):
        partners = [
            other
            for j, other in enumerate(trials)
            if other.role == "antidepressant"
            and other.ingredient != trial.ingredient
            and len(held[i] & held[j]) >= min_days
        ]
        if trial.role == "augmentation":
            update = {"augments": _unique(sorted(o.ingredient for o in partners))}
        else:
            earlier = [o.ingredient for o in partners if o.start < trial.start]
            update = {
                "augments": _unique(sorted(earlier)),
                "combination_with": _unique(sorted(o.ingredient for o in partners)),
            }
        result.append(trial.model_copy(update=update))
    return result


def _reaction_trial(
    reaction: Reaction,
    candidates: Sequence[tuple[int, MedicationTrial]],
    as_of: dt.date,
    gap_days: int,
) -> int | None:
    """Index of the trial a reaction belongs to: the latest one running on (or ending within the
    gap tolerance before) its date; the latest one before it; or the latest one when undated."""
    if not candidates:
        return None
    if reaction.date is None:
        return candidates[-1][0]
    grace = dt.timedelta(days=gap_days)
    running = [
        i for i, t in candidates if t.start <= reaction.date <= _effective_end(t, as_of) + grace
    ]
    before = [i for i, t in candidates if t.start <= reaction.date]
    return (running or before or [candidates[0][0]])[-1]


def build_trials(
    exposures: Sequence[Exposure],
    reactions: Sequence[Reaction],
    *,
    as_of: dt.date,
    gap_days: int,
    dose_table: Mapping[str, float],
    combination_days: int = COMBINATION_MIN_DAYS,
    levels: Sequence[Level] = (),
) -> tuple[tuple[MedicationTrial, ...], tuple[DataQualityNote, ...]]:
    """All trials of a chart, ordered by start then ingredient, plus notes on unplaced reactions."""
    episodes: list[list[Exposure]] = []
    for name in sorted({e.ingredient.name for e in exposures}):
        mine = [e for e in exposures if e.ingredient.name == name]
        episodes.extend(split_episodes(mine, gap_days))
    episodes.sort(key=lambda ep: (min(r.start for r in ep), ep[0].ingredient.name))
    single = [ep for ep in episodes if _single_administration(ep)]
    episodes = [ep for ep in episodes if not _single_administration(ep)]
    placed, notes = _place_reactions(episodes, reactions, as_of=as_of, gap_days=gap_days)
    notes = tuple(_single_dose_note(ep) for ep in single) + notes
    minimums = [dose_table.get(ep[0].ingredient.name) for ep in episodes]
    trials = [
        _per_session(
            _with_levels(
                _trial(ep, placed.get(i, []), as_of=as_of, minimum=minimums[i]), levels, as_of
            ),
            ep,
        )
        for i, ep in enumerate(episodes)
    ]
    held = [
        _session_days(trial, as_of)
        if trial.ingredient in PER_SESSION
        else held_days(ep, minimum, as_of, any_dose=ep[0].ingredient.role == "augmentation")
        for ep, minimum, trial in zip(episodes, minimums, trials, strict=True)
    ]
    return tuple(with_combinations(trials, held, min_days=combination_days)), notes


def _single_administration(records: Sequence[Exposure]) -> bool:
    """An episode of one day's MedicationAdministration records only (one dose on an inpatient
    stay): an exposure, never a trial (docs/trial-conventions.md). Per-session agents
    (esketamine) are exempt: every session is an administration, judged by the session count."""
    if records[0].ingredient.name in PER_SESSION or any(
        r.resource_type != "MedicationAdministration" for r in records
    ):
        return False
    return len({r.start for r in records}) == 1 and all(
        r.end is None or (r.end - r.start).days <= 1 for r in records
    )


def _single_dose_note(records: Sequence[Exposure]) -> DataQualityNote:
    refs = ", ".join(_unique(r.ref for r in records))
    return DataQualityNote(
        severity="info",
        code="single-dose",
        message=(
            f"{refs}: a single administration of {records[0].ingredient.name} on "
            f"{records[0].start.isoformat()}; recorded as exposure, never counted as a trial"
        ),
        resource=records[0].ref,
    )


def _place_reactions(
    episodes: Sequence[Sequence[Exposure]],
    reactions: Sequence[Reaction],
    *,
    as_of: dt.date,
    gap_days: int,
) -> tuple[dict[int, list[Reaction]], tuple[DataQualityNote, ...]]:
    # A provisional trial per episode gives the span used to place each reaction.
    spans = [_trial(ep, [], as_of=as_of, minimum=None) for ep in episodes]
    placed: dict[int, list[Reaction]] = {}
    notes: list[DataQualityNote] = []
    for reaction in reactions:
        candidates = [(i, t) for i, t in enumerate(spans) if t.ingredient == reaction.ingredient]
        index = _reaction_trial(reaction, candidates, as_of, gap_days)
        if index is None:
            notes.append(_unplaced(reaction))
        else:
            placed.setdefault(index, []).append(reaction)
    return placed, tuple(notes)


def _unplaced(reaction: Reaction) -> DataQualityNote:
    return DataQualityNote(
        severity="info",
        code="reaction-without-trial",
        message=(
            f"{reaction.ref} records an intolerance to {reaction.ingredient}, but the chart has "
            "no dated medication record of it, so no trial carries it"
        ),
        resource=reaction.ref,
    )
