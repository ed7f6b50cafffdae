"""The psychotherapy criterion."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from priorauth.determination import Evidence
from priorauth.evaluate._verdict import MET, NOT_MET, UNKNOWN, Context, Verdict, plural
from priorauth.evaluate.criteria._trials import window_start
from priorauth.facts.models import TherapyFact
from priorauth.rules.criteria import PsychotherapyCriterion

__all__ = ["evaluate_psychotherapy"]

_DONE = ("completed", "in_progress")
_UNSTATED = (None, "", "unspecified")


def _stated_type(t: TherapyFact) -> str | None:
    """The psychotherapy type, or None when the chart does not state it (``unspecified``)."""
    return None if t.therapy_type in _UNSTATED else (t.therapy_type or "").lower()


@dataclass(frozen=True)
class _Span:
    """Sessions and the weeks they span."""

    sessions: int
    first: dt.date | None
    last: dt.date | None
    types: int = 0
    """Distinct psychotherapy types (an untyped record may be one more)."""

    @property
    def weeks(self) -> float:
        if self.first is None or self.last is None:
            return 0.0
        return (self.last - self.first).days / 7


def _span(therapies: list[TherapyFact]) -> _Span:
    if not therapies:
        return _Span(0, None, None)
    first = min(t.start for t in therapies)
    last = max(t.end or t.start for t in therapies)
    named = {kind for t in therapies if (kind := _stated_type(t)) is not None}
    untyped = sum(1 for t in therapies if _stated_type(t) is None)
    return _Span(sum(t.sessions for t in therapies), first, last, len(named) + untyped)


def _enough(c: PsychotherapyCriterion, span: _Span) -> bool:
    weeks_ok = c.min_weeks is None or span.weeks + 1e-9 >= c.min_weeks
    types_ok = span.types >= c.min_types
    return span.sessions >= max(c.min_sessions, 1) and weeks_ok and types_ok


def _relevant(c: PsychotherapyCriterion, ctx: Context) -> list[tuple[int, TherapyFact]]:
    start = window_start(c.window, c.lookback_days, ctx)
    return [
        (i, t)
        for i, t in enumerate(ctx.record.therapies)
        if t.category == "psychotherapy"
        and t.status in _DONE
        and t.start <= ctx.as_of
        and (start is None or (t.end or t.start) >= start)
    ]


def _typed(c: PsychotherapyCriterion, t: TherapyFact) -> str:
    """``yes``, ``no`` or ``unknown``: whether the therapy is of an accepted type."""
    if not c.types:
        return "yes"
    kind = _stated_type(t)
    if kind is None:
        return "unknown"
    return "yes" if kind in c.types else "no"


def _evidence(i: int, t: TherapyFact) -> Evidence:
    kind = _stated_type(t) or "psychotherapy (type not stated)"
    end = f" to {t.end.isoformat()}" if t.end else ""
    summary = f"{kind}, {plural(t.sessions, 'session')}, {t.start.isoformat()}{end}"
    return Evidence(fact=f"therapies[{i}]", summary=summary, resources=t.evidence)


def _needs(c: PsychotherapyCriterion) -> str:
    kinds = "/".join(c.types) if c.types else "psychotherapy"
    weeks = f" over {c.min_weeks:g}+ weeks" if c.min_weeks else ""
    distinct = f", {c.min_types} different types" if c.min_types > 1 else ""
    return f"{kinds}: {plural(max(c.min_sessions, 1), 'session')}{weeks}{distinct}"


def evaluate_psychotherapy(c: PsychotherapyCriterion, ctx: Context) -> Verdict:
    """Enough sessions (and weeks) of an accepted type within the window."""
    if c.window == "current_episode" and ctx.record.current_episode_onset is None:
        return Verdict(
            UNKNOWN,
            "The chart does not date the current episode's onset.",
            gaps=("Document the onset date of the current depressive episode",),
        )
    relevant = _relevant(c, ctx)
    if not relevant:
        return _summary_only(c, ctx)
    evidence = tuple(_evidence(i, t) for i, t in relevant)
    sure = _span([t for _, t in relevant if _typed(c, t) == "yes" and _stated_type(t)])
    if not c.types and not c.min_types:
        sure = _span([t for _, t in relevant])
    maybe = _span([t for _, t in relevant if _typed(c, t) != "no"])
    if _enough(c, sure):
        return Verdict(
            MET, f"{_describe(sure)} of accepted psychotherapy; needs {_needs(c)}.", evidence
        )
    if _enough(c, maybe):
        accepted = f" (accepted: {', '.join(c.types)})" if c.types else ""
        gap = f"Document the type of each psychotherapy{accepted}"
        return Verdict(
            UNKNOWN,
            "Enough only if the psychotherapy of unstated type qualifies.",
            evidence,
            (gap,),
        )
    return Verdict(NOT_MET, f"{_describe(maybe)} recorded; needs {_needs(c)}.", evidence)


def _describe(span: _Span) -> str:
    return f"{plural(span.sessions, 'session')} over {span.weeks:.1f} weeks"


def _summary_only(c: PsychotherapyCriterion, ctx: Context) -> Verdict:
    """Fall back to the record's psychotherapy summary when no session facts are listed."""
    summary = ctx.record.psychotherapy
    if summary.sessions == 0:
        return Verdict(
            UNKNOWN,
            "The chart records no psychotherapy in the period.",
            gaps=(f"Document psychotherapy ({_needs(c)}): type, dates, sessions",),
        )
    evidence = (
        Evidence(
            fact="psychotherapy",
            summary=f"{plural(summary.sessions, 'session')}",
            resources=summary.evidence,
        ),
    )
    stated = set(summary.types) - {"unspecified"}
    span = _Span(summary.sessions, summary.first, summary.last, len(stated))
    if _enough(c, span):
        if not c.types or stated & set(c.types):
            return Verdict(MET, f"Summary: {_describe(span)}.", evidence)
        gap = f"Document the type of psychotherapy ({_needs(c)})"
        return Verdict(
            UNKNOWN,
            f"Summary: {_describe(span)}, type not accepted or not stated.",
            evidence,
            (gap,),
        )
    return Verdict(NOT_MET, f"Summary: {_describe(span)}; needs {_needs(c)}.", evidence)
