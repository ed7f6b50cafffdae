"""The prior_tms_response and retreatment criteria."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from priorauth.determination import Attestation, Evidence
from priorauth.evaluate._verdict import MET, NOT_MET, UNKNOWN, Context, Verdict, all_of
from priorauth.evaluate.criteria._trials import Check
from priorauth.evaluate.criteria.scores import INSTRUMENT_NAMES
from priorauth.facts.models import PriorTmsCourse, ScoreFact
from priorauth.rules.criteria import (
    FirstCourseCriterion,
    PriorTmsResponseCriterion,
    RetreatmentCriterion,
)

__all__ = [
    "evaluate_first_course",
    "evaluate_prior_tms_response",
    "evaluate_retreatment",
    "improvement_pct",
]


def improvement_pct(course: PriorTmsCourse) -> float | None:
    """The recorded improvement, else (baseline - best) / baseline x 100; None when unknown."""
    if course.improvement_pct is not None:
        return course.improvement_pct
    if course.baseline_score is None or course.best_score is None or course.baseline_score <= 0:
        return None
    return (course.baseline_score - course.best_score) / course.baseline_score * 100


def _pct(course: PriorTmsCourse) -> str:
    pct = improvement_pct(course)
    return f"{pct:.0f}%" if pct is not None else "an unknown %"


def _latest(ctx: Context) -> tuple[int, PriorTmsCourse] | None:
    courses = [(i, c) for i, c in enumerate(ctx.record.prior_tms) if c.start <= ctx.as_of]
    return max(courses, key=lambda item: (item[1].start, item[0])) if courses else None


def _course_evidence(i: int, course: PriorTmsCourse) -> Evidence:
    pct = improvement_pct(course)
    response = f"{pct:.0f}% improvement" if pct is not None else "response not recorded"
    end = course.end.isoformat() if course.end else "end not recorded"
    summary = f"TMS course {course.start.isoformat()} to {end}, {response}"
    return Evidence(fact=f"prior_tms[{i}]", summary=summary, resources=course.evidence)


def _response(course: PriorTmsCourse, minimum: float, op: str) -> Check:
    pct = improvement_pct(course)
    if pct is None:
        return UNKNOWN, "the baseline and best scores of the last TMS course"
    ok = pct > minimum if op == ">" else pct >= minimum
    return (MET, "") if ok else (NOT_MET, f"improvement {pct:.0f}% is not {op} {minimum:g}%")


def _since(
    course: PriorTmsCourse, as_of: dt.date, least: int | None, most: int | None
) -> Iterator[Check]:
    if least is None and most is None:
        return
    if course.end is None:
        yield UNKNOWN, "the end date of the last TMS course"
        return
    days = (as_of - course.end).days
    if least is not None and days < least:
        yield NOT_MET, f"only {days} days since the last course (needs {least})"
    if most is not None and days > most:
        yield NOT_MET, f"{days} days since the last course (at most {most})"


def _verdict_from(checks: list[Check], ok_text: str, evidence: tuple[Evidence, ...]) -> Verdict:
    outcome = all_of(o for o, _ in checks)
    if outcome == MET:
        return Verdict(MET, ok_text, evidence)
    if outcome == NOT_MET:
        return Verdict(
            NOT_MET, "; ".join(w for o, w in checks if o == NOT_MET).capitalize() + ".", evidence
        )
    missing = [w for o, w in checks if o == UNKNOWN]
    gaps = tuple(f"Document {w}" for w in missing)
    return Verdict(UNKNOWN, f"Unknown: {'; '.join(missing)}.", evidence, gaps)


def evaluate_prior_tms_response(c: PriorTmsResponseCriterion, ctx: Context) -> Verdict:
    """The most recent prior TMS course improved by the required percentage."""
    latest = _latest(ctx)
    if latest is None:
        return Verdict(NOT_MET, "The chart records no previous TMS course.")
    i, course = latest
    checks = [
        _response(course, c.min_improvement_pct, c.op),
        *_since(course, ctx.as_of, c.min_days_since_last_course, c.max_days_since_last_course),
    ]
    ok = f"The last TMS course improved by {_pct(course)}."
    return _verdict_from(checks, ok, (_course_evidence(i, course),))


def _current_score(
    c: RetreatmentCriterion, course: PriorTmsCourse, ctx: Context
) -> tuple[int, ScoreFact] | None:
    earliest = ctx.as_of - dt.timedelta(days=c.within_days)
    scores = [
        (i, s)
        for i, s in enumerate(ctx.record.scores)
        if earliest <= s.date <= ctx.as_of
        and (course.instrument is None or s.instrument == course.instrument)
    ]
    return max(scores, key=lambda item: (item[1].date, item[0])) if scores else None


def _relapse(c: RetreatmentCriterion, course: PriorTmsCourse, score: ScoreFact | None) -> Check:
    if c.relapse == "not_required":
        return MET, ""
    name = INSTRUMENT_NAMES.get(course.instrument or "", "rating-scale")
    if score is None:
        return UNKNOWN, f"a current {name} score showing relapse"
    if course.best_score is None:
        return UNKNOWN, "the best score reached in the last TMS course"
    worse = score.value - course.best_score
    checks = [(c.min_worsening_points is None or worse + 1e-9 >= c.min_worsening_points)]
    if c.min_worsening_pct is not None:
        gain = (course.baseline_score or 0) - course.best_score
        checks.append(gain > 0 and worse / gain * 100 + 1e-9 >= c.min_worsening_pct)
    if c.min_worsening_pct_of_best is not None:
        floor = course.best_score * (1 + c.min_worsening_pct_of_best / 100)
        checks.append(course.best_score > 0 and score.value + 1e-9 >= floor)
    if all(checks):
        return MET, ""
    return (
        NOT_MET,
        f"current score {score.value:g} is {worse:g} points from the best "
        f"{course.best_score:g}: no relapse",
    )


def _improvement_of(course: PriorTmsCourse, value: float) -> float | None:
    """The improvement of a later score over the course's baseline, in %."""
    if course.baseline_score is None or course.baseline_score <= 0:
        return None
    return (course.baseline_score - value) / course.baseline_score * 100


def _responding(pct: float, minimum: float, op: str) -> bool:
    return pct > minimum if op == ">" else pct + 1e-9 >= minimum


def _sustained(
    c: RetreatmentCriterion, course: PriorTmsCourse, ctx: Context
) -> tuple[Check, list[tuple[int, ScoreFact]]]:
    """A score at least ``min_sustained_days`` after the course still shows the response.

    Not met when a score before that day has already lost the response; unknown when no score
    says either way.
    """
    days = c.min_sustained_days
    if days is None:
        return (MET, ""), []
    name = INSTRUMENT_NAMES.get(course.instrument or "", "rating-scale")
    wanted = f"a {name} score from {days}+ days after the last TMS course showing the response held"
    if course.end is None:
        return (UNKNOWN, "the end date of the last TMS course"), []
    if course.instrument is None or course.baseline_score is None:
        return (UNKNOWN, f"the course's instrument and baseline score, and {wanted}"), []
    held_until = course.end + dt.timedelta(days=days)
    after = sorted(
        (
            (i, s)
            for i, s in enumerate(ctx.record.scores)
            if s.instrument == course.instrument and course.end <= s.date <= ctx.as_of
        ),
        key=lambda item: (item[1].date, item[0]),
    )
    for i, s in after:
        pct = _improvement_of(course, s.value)
        if (
            s.date >= held_until
            and pct is not None
            and _responding(pct, c.min_improvement_pct, c.op)
        ):
            return (MET, ""), [(i, s)]
    for i, s in after:
        pct = _improvement_of(course, s.value)
        if (
            s.date < held_until
            and pct is not None
            and not _responding(pct, c.min_improvement_pct, c.op)
        ):
            lost = (s.date - course.end).days
            return (
                NOT_MET,
                f"the response was lost {lost} days after the last course "
                f"({name} {s.value:g} on {s.date.isoformat()}; needs {days} days)",
            ), [(i, s)]
    return (UNKNOWN, wanted), []


def _score_evidence(j: int, score: ScoreFact) -> Evidence:
    name = INSTRUMENT_NAMES.get(score.instrument, score.instrument)
    return Evidence(
        fact=f"scores[{j}]",
        summary=f"{name} {score.value:g} on {score.date.isoformat()}",
        resources=score.evidence,
    )


def evaluate_retreatment(c: RetreatmentCriterion, ctx: Context) -> Verdict:
    """Prior response (sustained), enough time since the last course, then relapse."""
    latest = _latest(ctx)
    if latest is None:
        return Verdict(NOT_MET, "The chart records no previous TMS course to repeat.")
    i, course = latest
    current = _current_score(c, course, ctx) if c.relapse == "measured" else None
    sustained, held = _sustained(c, course, ctx)
    evidence = [_course_evidence(i, course)]
    evidence += [_score_evidence(j, s) for j, s in held]
    if current is not None and current[0] not in {j for j, _ in held}:
        evidence.append(_score_evidence(*current))
    checks = [
        _response(course, c.min_improvement_pct, c.op),
        *_since(course, ctx.as_of, c.min_days_since_last_course, None),
        sustained,
    ]
    if c.relapse == "measured":
        checks.append(_relapse(c, course, current[1] if current else None))
    verdict = _verdict_from(checks, _ok_text(c, course), tuple(evidence))
    if c.relapse != "attested" or verdict.outcome == NOT_MET:
        return verdict
    return _attested_relapse(c, ctx, verdict)


def _ok_text(c: RetreatmentCriterion, course: PriorTmsCourse) -> str:
    text = f"Responded to the last TMS course ({_pct(course)})"
    if c.min_sustained_days:
        text += f", the response held for {c.min_sustained_days}+ days"
    return (
        text
        + {
            "measured": " and has since relapsed.",
            "attested": "; the signer confirms the relapse.",
            "not_required": ".",
        }[c.relapse]
    )


_RELAPSE_TEXT = "The patient relapsed after responding to the last course of TMS."


def _attested_relapse(c: RetreatmentCriterion, ctx: Context, chart: Verdict) -> Verdict:
    """Combine the chart part with the relapse the policy leaves to the signer."""
    if c.id in ctx.attested:
        attestation = Attestation(
            id=c.id, text=_RELAPSE_TEXT, quote=c.quote, quote_kind=c.quote_kind or "paraphrase"
        )
        return Verdict(chart.outcome, chart.explanation, chart.evidence, chart.gaps, (attestation,))
    gaps = (*chart.gaps, f"Signer to confirm: {_RELAPSE_TEXT}")
    explanation = chart.explanation if chart.outcome == UNKNOWN else ""
    explanation = " ".join(
        filter(
            None, [explanation, "Relapse (no measure in the policy) not confirmed by the signer."]
        )
    )
    return Verdict(UNKNOWN, explanation, chart.evidence, gaps)


def evaluate_first_course(c: FirstCourseCriterion, ctx: Context) -> Verdict:
    """Met when the chart records no previous TMS course or session before the as-of date."""
    courses = [
        _course_evidence(i, course)
        for i, course in enumerate(ctx.record.prior_tms)
        if course.start <= ctx.as_of
    ]
    sessions = [
        Evidence(
            fact=f"therapies[{i}]", summary=f"TMS on {t.start.isoformat()}", resources=t.evidence
        )
        for i, t in enumerate(ctx.record.therapies)
        if t.category == "tms" and t.status in ("completed", "in_progress") and t.start <= ctx.as_of
    ]
    if courses or sessions:
        return Verdict(NOT_MET, "The chart records a previous TMS course.", (*courses, *sessions))
    return Verdict(MET, "The chart records no previous TMS course: this is a first course.")
