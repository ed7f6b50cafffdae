"""The antidepressant_trials and intolerance criteria."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from itertools import product

from priorauth.determination import CriterionOutcome
from priorauth.evaluate._verdict import MET, NOT_MET, UNKNOWN, Context, Verdict, all_of, plural
from priorauth.evaluate.criteria._response import ScoreResponse, trial_response
from priorauth.evaluate.criteria._trials import (
    Check,
    TrialCheck,
    combine,
    duration_check,
    in_window,
    regimen_of,
    tally,
    trial_evidence,
    trial_label,
)
from priorauth.facts.models import MedicationTrial, PatientRecord
from priorauth.rules.criteria import (
    AntidepressantTrialsCriterion,
    IntoleranceCriterion,
    IntoleranceMinWeeks,
)
from priorauth.terminology import ingredient

__all__ = ["evaluate_antidepressant_trials", "evaluate_intolerance", "is_augmentation"]

_NO_HISTORY = "Document the antidepressant history: drug, daily dose, start and stop dates, outcome"


def is_augmentation(trial: MedicationTrial, record: PatientRecord) -> bool:
    """An augmenting agent held together with an antidepressant, or an antidepressant added to
    one of a different class (a deliberate combination, not a cross-taper: see
    docs/trial-conventions.md)."""
    if trial.role == "augmentation":
        return bool(trial.augments)
    augmented = {t.drug_class for t in record.trials if t.ingredient in trial.augments}
    return bool(augmented) and trial.drug_class not in augmented


def _outcome_check(c: AntidepressantTrialsCriterion, trial: MedicationTrial) -> Check:
    if trial.outcome in c.outcomes:
        return MET, ""
    if trial.outcome == "unknown":
        what = (
            "the response so far" if trial.ongoing else "the outcome (no response, or side effects)"
        )
        return UNKNOWN, what
    return NOT_MET, f"outcome {trial.outcome.replace('_', ' ')} does not count"


def _dose_check(trial: MedicationTrial) -> Check:
    if trial.adequate_dose is None:
        if trial.peak_daily_dose_mg is not None and trial.adequate_dose_mg is None:
            return (
                UNKNOWN,
                f"evidence the {trial.ingredient} dose was adequate (e.g. a serum level)",
            )
        return UNKNOWN, "the daily dose reached"
    return (MET, "") if trial.adequate_dose else (NOT_MET, "dose below the adequate dose")


def _label_max(trial: MedicationTrial) -> float | None:
    """The ingredient's maximum daily dose from the terminology table (None: not known)."""
    try:
        return ingredient(trial.ingredient).usual_max_mg_per_day
    except KeyError:
        return None


def _max_dose_check(trial: MedicationTrial) -> Check:
    """Maximal label dose reached, or the dose was limited by side effects (intolerance)."""
    if trial.outcome == "intolerance":
        return MET, ""
    peak, top = trial.peak_daily_dose_mg, _label_max(trial)
    if peak is None:
        return UNKNOWN, "the daily dose reached (maximal or maximal tolerated dose)"
    if top is None:
        return UNKNOWN, f"evidence {peak:g} mg/day was the maximal {trial.ingredient} dose"
    if peak + 1e-9 >= top:
        return MET, ""
    below = f"peak {peak:g} mg/day below the maximum {top:g} mg/day"
    if trial.outcome == "unknown":
        return UNKNOWN, f"whether side effects limited the dose ({below})"
    return NOT_MET, f"{below} and not stopped for intolerance"


def _adherence_check(trial: MedicationTrial, minimum: float) -> Check:
    if trial.adherence_pdc is None:
        return UNKNOWN, f"adherence (pharmacy fills; {minimum:.0%} of days covered needed)"
    ok = trial.adherence_pdc + 1e-9 >= minimum
    return (MET, "") if ok else (NOT_MET, f"adherence {trial.adherence_pdc:.0%} < {minimum:.0%}")


def _adequacy(
    c: AntidepressantTrialsCriterion, trial: MedicationTrial, ctx: Context
) -> list[Check]:
    """Dose, weeks (at an adequate dose, unless the rule counts calendar weeks) and adherence."""
    checks: list[Check] = []
    if c.adequate_dose == "max_label_or_tolerated":
        checks.append(_max_dose_check(trial))
    elif c.adequate_dose:
        checks.append(_dose_check(trial))
    weeks = c.weeks_required
    if weeks is not None:
        checks.append(duration_check(trial, weeks, c.weeks_at_adequate_dose, ctx.as_of))
    if c.min_adherence_pdc is not None:
        checks.append(_adherence_check(trial, c.min_adherence_pdc))
    return checks


def _intolerance_rule(
    c: AntidepressantTrialsCriterion, trial: MedicationTrial, ctx: Context
) -> list[Check]:
    """What a trial stopped for intolerance needs, as the rule file says (``intolerance``)."""
    rule = c.intolerance
    if rule == "any_duration":
        return []
    if isinstance(rule, IntoleranceMinWeeks):
        return [duration_check(trial, rule.min_weeks, False, ctx.as_of)]
    return _adequacy(c, trial, ctx)


_RANK = {NOT_MET: 0, UNKNOWN: 1, MET: 2}


def _weakest(*paths: list[Check]) -> list[Check]:
    """The path whose conditions are most nearly met (three-valued OR of the paths)."""
    return max(paths, key=lambda checks: _RANK[all_of(o for o, _ in checks)])


Responses = dict[int, ScoreResponse]


def _score_responses(c: AntidepressantTrialsCriterion, ctx: Context) -> Responses:
    """The score-based response of every trial whose outcome is undocumented (rule permitting)."""
    rule = c.response_from_scores
    if rule is None or "inadequate_response" not in c.outcomes:
        return {}
    scores = ctx.record.scores
    found = (
        (
            i,
            trial_response(
                t,
                scores,
                baseline_days=rule.baseline_days,
                followup_days=rule.followup_days,
                as_of=ctx.as_of,
            ),
        )
        for i, t in enumerate(ctx.record.trials)
        if t.outcome == "unknown"
    )
    return {i: r for i, r in found if r is not None}


def _judged_from_scores(limit: float, response: ScoreResponse) -> Check:
    """An inadequate response when the reduction is below ``limit`` percent."""
    if response.reduction_pct < limit:
        return MET, ""
    return NOT_MET, f"responded on scores ({response.text()}; >= {limit:g}% reduction)"


def _check(
    c: AntidepressantTrialsCriterion,
    index: int,
    trial: MedicationTrial,
    ctx: Context,
    responses: Responses | None = None,
) -> TrialCheck:
    checks: list[Check] = [in_window(trial, c.window, c.lookback_days, ctx)]
    if trial.indication:
        checks.append((NOT_MET, f"prescribed for {trial.indication}"))
    response = (responses or {}).get(index)
    if response is not None and c.response_from_scores is not None:
        checks.append(_judged_from_scores(c.response_from_scores.max_reduction_pct, response))
        checks.extend(_adequacy(c, trial, ctx))
        return combine(index, trial, checks)
    checks.append(_outcome_check(c, trial))
    counts_intolerance = "intolerance" in c.outcomes
    if trial.outcome == "intolerance" and counts_intolerance:
        checks.extend(_intolerance_rule(c, trial, ctx))
    elif trial.outcome == "unknown" and counts_intolerance:
        # either a failed adequate trial or an intolerance that counts: the easier path decides
        checks.extend(_weakest(_adequacy(c, trial, ctx), _intolerance_rule(c, trial, ctx)))
    else:
        checks.extend(_adequacy(c, trial, ctx))
    return combine(index, trial, checks)


def _regimens(c: AntidepressantTrialsCriterion, ctx: Context) -> dict[str, str] | None:
    """Ingredient -> regimen when the criterion counts regimens (``count: regimens``)."""
    return regimen_of(ctx.record.trials) if c.count == "regimens" else None


def _main_pool(c: AntidepressantTrialsCriterion, ctx: Context) -> list[tuple[int, MedicationTrial]]:
    return [
        (i, t)
        for i, t in enumerate(ctx.record.trials)
        if (t.role == "antidepressant" or c.include_augmentation)
        and (not c.classes or t.drug_class in c.classes)
    ]


def _augmentation_pool(ctx: Context) -> list[tuple[int, MedicationTrial]]:
    return [(i, t) for i, t in enumerate(ctx.record.trials) if is_augmentation(t, ctx.record)]


def _longer(
    c: AntidepressantTrialsCriterion, weeks: float, checks: list[TrialCheck], ctx: Context
) -> list[TrialCheck]:
    """The counted trials that also last ``weeks`` (``longer.min_weeks``)."""
    at_dose = c.weeks_at_adequate_dose
    return [
        combine(
            k.index, k.trial, [(k.outcome, ""), duration_check(k.trial, weeks, at_dose, ctx.as_of)]
        )
        for k in checks
    ]


def _main_outcome(
    c: AntidepressantTrialsCriterion, main: list[TrialCheck], ctx: Context
) -> CriterionOutcome:
    regimens = _regimens(c, ctx)
    outcomes = [tally(main, regimens).outcome(c.min_trials, c.min_classes)]
    if c.longer is not None:
        longer = _longer(c, c.longer.min_weeks, main, ctx)
        outcomes.append(tally(longer, regimens).outcome(c.longer.n, 0))
    return all_of(outcomes)


def _aug_outcome(c: AntidepressantTrialsCriterion, aug: list[TrialCheck]) -> CriterionOutcome:
    return tally(aug).outcome(c.min_augmentation_trials, c.min_augmentation_classes)


_MAX_SHARED = 10
_COUNTED = {"ingredients": "failed trial", "regimens": "failed regimen"}


def _split(
    c: AntidepressantTrialsCriterion,
    main: list[TrialCheck],
    aug: list[TrialCheck],
    ctx: Context,
) -> tuple[list[TrialCheck], list[TrialCheck]]:
    """Give each drug that could count both ways to one side only: the class trials or the
    augmentation trials, whichever assignment best meets both minimums (never both)."""
    in_main = {k.trial.ingredient for k in main if k.outcome != NOT_MET}
    shared = sorted(in_main & {k.trial.ingredient for k in aug if k.outcome != NOT_MET})
    if not shared:
        return main, aug
    choices = list(product((True, False), repeat=min(len(shared), _MAX_SHARED)))
    options = []
    for to_main in choices:  # drugs past the first _MAX_SHARED stay with the class trials
        gone = {name for name, m in zip(shared, to_main, strict=False) if not m}
        m = [k for k in main if k.trial.ingredient not in gone]
        a = [k for k in aug if k.trial.ingredient not in set(shared) - gone]
        ranks = (_RANK[_main_outcome(c, m, ctx)], _RANK[_aug_outcome(c, a)])
        options.append(((min(ranks), sum(ranks)), m, a))
    _, best_main, best_aug = max(options, key=lambda o: o[0])
    return best_main, best_aug


def _parts(
    c: AntidepressantTrialsCriterion, ctx: Context, responses: Responses
) -> Iterator[tuple[str, CriterionOutcome, list[TrialCheck]]]:
    main = [_check(c, i, t, ctx, responses) for i, t in _main_pool(c, ctx)]
    wants_main = bool(c.min_trials or c.min_classes or c.longer)
    wants_aug = bool(c.min_augmentation_trials or c.min_augmentation_classes)
    aug = [_check(c, i, t, ctx, responses) for i, t in _augmentation_pool(ctx)] if wants_aug else []
    if wants_main and wants_aug:
        main, aug = _split(c, main, aug, ctx)
    regimens = _regimens(c, ctx)
    if wants_main:
        t = tally(main, regimens)
        text = (
            f"{plural(len(t.ingredients), _COUNTED[c.count])} ({c.min_trials} required), "
            f"{plural(len(t.classes), 'class', 'classes')} ({c.min_classes} required)"
        )
        yield text, t.outcome(c.min_trials, c.min_classes), main
    if c.longer is not None:
        longer = _longer(c, c.longer.min_weeks, main, ctx)
        n = len(tally(longer, regimens).ingredients)
        yield (
            f"{plural(n, 'trial')} lasting {c.longer.min_weeks:g}+ weeks ({c.longer.n} required)",
            tally(longer, regimens).outcome(c.longer.n, 0),
            longer,
        )
    if wants_aug:
        t = tally(aug)
        yield (
            f"{plural(len(t.ingredients), 'augmentation trial')} "
            f"({c.min_augmentation_trials} required)",
            _aug_outcome(c, aug),
            aug,
        )


def evaluate_antidepressant_trials(c: AntidepressantTrialsCriterion, ctx: Context) -> Verdict:
    """Distinct failed trials and classes (and augmentation trials) meeting the adequacy rules."""
    if not ctx.record.trials:
        return Verdict(UNKNOWN, "The chart has no medication trials.", gaps=(_NO_HISTORY,))
    responses = _score_responses(c, ctx)
    parts = list(_parts(c, ctx, responses))
    outcome = all_of(o for _, o, _ in parts)
    checks = _unique(k for _, _, ks in parts for k in ks)
    summary = "; ".join(text for text, _, _ in parts)
    return _with_scores(_verdict(outcome, summary, checks), checks, responses)


def _with_scores(verdict: Verdict, checks: list[TrialCheck], responses: Responses) -> Verdict:
    """Say which trials were judged from their scores, citing the scores."""
    judged = [(k, responses[k.index]) for k in checks if k.index in responses]
    if not judged:
        return verdict
    listed = "; ".join(f"{k.trial.ingredient}: {r.text()}" for k, r in judged)
    evidence = tuple(e for _, r in judged for e in r.evidence())
    return replace(
        verdict,
        explanation=f"{verdict.explanation} Response judged from scores: {listed}.",
        evidence=verdict.evidence + evidence,
    )


def _unique(checks: Iterator[TrialCheck]) -> list[TrialCheck]:
    """One check per trial: the first of its best outcome (a trial counted as an augmentation
    trial is listed as counted even when the class count does not use it)."""
    seen: dict[int, TrialCheck] = {}
    for check in checks:
        old = seen.get(check.index)
        if old is None or _RANK[check.outcome] > _RANK[old.outcome]:
            seen[check.index] = check
    return [seen[i] for i in sorted(seen)]


def _verdict(outcome: CriterionOutcome, summary: str, checks: list[TrialCheck]) -> Verdict:
    counted = [trial_label(k.trial) for k in checks if k.outcome == MET]
    unclear = [
        f"{trial_label(k.trial)}: {', '.join(k.missing)} unknown"
        for k in checks
        if k.outcome == UNKNOWN
    ]
    excluded = [
        f"{trial_label(k.trial)}: {'; '.join(k.reasons)}" for k in checks if k.outcome == NOT_MET
    ]
    lines = [f"{summary}."]
    lines += [f"Counted: {', '.join(counted)}."] if counted else []
    lines += [f"Unclear: {'; '.join(unclear)}."] if unclear else []
    lines += [f"Not counted: {'; '.join(excluded)}."] if excluded else []
    gaps = _gaps(checks) if outcome == UNKNOWN else ()
    evidence = tuple(trial_evidence(k.index, k.trial) for k in checks)
    return Verdict(outcome, " ".join(lines), evidence, gaps)


def _gaps(checks: list[TrialCheck]) -> tuple[str, ...]:
    return tuple(
        f"{k.trial.ingredient} (started {k.trial.start.isoformat()}): "
        f"document {', '.join(k.missing)}"
        for k in checks
        if k.outcome == UNKNOWN
    )


def _intolerance_check(
    c: IntoleranceCriterion, index: int, trial: MedicationTrial, ctx: Context
) -> TrialCheck:
    checks: list[Check] = [in_window(trial, c.window, c.lookback_days, ctx)]
    if trial.outcome == "intolerance":
        if c.distinct_side_effects and not trial.outcome_detail:
            checks.append((UNKNOWN, "the side effect"))
    elif trial.outcome == "unknown" and not trial.ongoing:
        checks.append((UNKNOWN, "whether it was stopped for side effects"))
    else:
        checks.append((NOT_MET, "not stopped for intolerance"))
    if c.adequate_dose:
        checks.append(_dose_check(trial))
    return combine(index, trial, checks)


def evaluate_intolerance(c: IntoleranceCriterion, ctx: Context) -> Verdict:
    """Distinct trials stopped for intolerance (and distinct side effects when required)."""
    pool = [
        (i, t)
        for i, t in enumerate(ctx.record.trials)
        if (t.role == "antidepressant" or c.include_augmentation)
        and (not c.classes or t.drug_class in c.classes)
    ]
    if not pool:
        return Verdict(UNKNOWN, "The chart has no medication trials.", gaps=(_NO_HISTORY,))
    checks = [_intolerance_check(c, i, t, ctx) for i, t in pool]
    t = tally(checks)
    outcome = t.outcome(c.min_trials, c.min_classes)
    if c.distinct_side_effects:
        outcome = all_of([outcome, _distinct_effects(checks, c.min_trials)])
    summary = (
        f"{plural(len(t.ingredients), 'trial')} stopped for intolerance ({c.min_trials} "
        f"required), {plural(len(t.classes), 'class', 'classes')} ({c.min_classes} required)"
    )
    return _verdict(outcome, summary, checks)


def _distinct_effects(checks: list[TrialCheck], needed: int) -> CriterionOutcome:
    named = {(k.trial.outcome_detail or "").strip().lower() for k in checks if k.outcome == MET}
    unnamed = sum(1 for k in checks if k.outcome == UNKNOWN)
    definite = len(named - {""})
    if definite >= needed:
        return MET
    return UNKNOWN if definite + unnamed >= needed else NOT_MET
