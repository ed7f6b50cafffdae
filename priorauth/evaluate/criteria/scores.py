"""The severity_score criterion: rating-scale scores with thresholds and recency."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable

from priorauth.determination import Attestation, Evidence
from priorauth.evaluate._verdict import MET, NOT_MET, UNKNOWN, Context, Verdict
from priorauth.facts.models import ScoreFact
from priorauth.rules.criteria import SeverityScoreCriterion

__all__ = ["INSTRUMENT_NAMES", "evaluate_severity_score", "passes", "threshold_text"]

INSTRUMENT_NAMES = {
    "phq9": "PHQ-9",
    "phq2": "PHQ-2",
    "phqa": "PHQ-A",
    "hamd": "HAM-D",
    "madrs": "MADRS",
    "bdi2": "BDI-II",
    "qids_sr": "QIDS-SR",
    "gad7": "GAD-7",
}
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def _name(instrument: str) -> str:
    return INSTRUMENT_NAMES.get(instrument, instrument)


def _fmt(value: float) -> str:
    return f"{value:g}"


def passes(c: SeverityScoreCriterion, value: float) -> bool:
    """Whether one score value meets the criterion's threshold (none: any value)."""
    if c.op is not None and c.value is not None:
        return _OPS[c.op](value, c.value)
    if c.range is not None:
        return c.range[0] <= value <= c.range[1]
    return True


def threshold_text(c: SeverityScoreCriterion) -> str:
    """``>= 15``, ``in 30-63``, or empty."""
    if c.op is not None and c.value is not None:
        return f"{c.op} {_fmt(c.value)}"
    if c.range is not None:
        return f"in {_fmt(c.range[0])}-{_fmt(c.range[1])}"
    return ""


def _earliest(c: SeverityScoreCriterion, ctx: Context) -> dt.date | None:
    starts = []
    if c.within_days is not None:
        starts.append(ctx.as_of - dt.timedelta(days=c.within_days))
    if c.since_episode_onset and ctx.record.current_episode_onset is not None:
        starts.append(ctx.record.current_episode_onset)
    return max(starts) if starts else None


def _counted(c: SeverityScoreCriterion, ctx: Context) -> list[tuple[int, ScoreFact]]:
    earliest = _earliest(c, ctx)
    return sorted(
        (
            (i, s)
            for i, s in enumerate(ctx.record.scores)
            if s.instrument in c.instruments
            and s.date <= ctx.as_of
            and (earliest is None or s.date >= earliest)
        ),
        key=lambda item: (item[1].date, item[0]),
    )


def _evidence(index: int, s: ScoreFact) -> Evidence:
    summary = f"{_name(s.instrument)} {_fmt(s.value)} on {s.date.isoformat()}"
    return Evidence(fact=f"scores[{index}]", summary=summary, resources=s.evidence)


def _window_text(c: SeverityScoreCriterion, ctx: Context) -> str:
    parts = []
    if c.within_days is not None:
        parts.append(f"within {c.within_days} days before {ctx.as_of.isoformat()}")
    if c.since_episode_onset:
        parts.append("since the current episode began")
    return " ".join(parts) or f"on or before {ctx.as_of.isoformat()}"


def evaluate_severity_score(c: SeverityScoreCriterion, ctx: Context) -> Verdict:
    """The latest / any / every counted score passes the threshold."""
    names = " or ".join(_name(i) for i in c.instruments)
    if c.since_episode_onset and ctx.record.current_episode_onset is None:
        return Verdict(
            UNKNOWN,
            "The chart does not date the current episode's onset.",
            gaps=("Document the onset date of the current depressive episode",),
        )
    counted = _counted(c, ctx)
    if not counted:
        first = _name(c.instruments[0])
        gap = f"No {names} {_window_text(c, ctx)}: document a current {first}"
        return Verdict(UNKNOWN, f"No {names} score {_window_text(c, ctx)}.", gaps=(gap,))
    chosen = counted[-1:] if c.which == "latest" else counted
    evidence = tuple(_evidence(i, s) for i, s in chosen)
    results = [passes(c, s.value) for _, s in chosen]
    ok = any(results) if c.which == "any" else all(results)
    return Verdict(
        MET if ok else NOT_MET,
        _explain(c, chosen, ok),
        evidence,
        attestations=_same_instrument(c, chosen, ok),
    )


def _explain(c: SeverityScoreCriterion, chosen: list[tuple[int, ScoreFact]], ok: bool) -> str:
    listed = ", ".join(
        f"{_name(s.instrument)} {_fmt(s.value)} on {s.date.isoformat()}" for _, s in chosen
    )
    threshold = threshold_text(c)
    if not threshold:
        return f"Documented: {listed}."
    scope = {"latest": "Latest score", "any": "Scores", "all": "Scores"}[c.which]
    verdict = "meets" if ok else "does not meet"
    quantifier = {"latest": "", "any": " (one must pass)", "all": " (every one must pass)"}[c.which]
    return f"{scope} {listed} {verdict} the threshold {threshold}{quantifier}."


def _same_instrument(
    c: SeverityScoreCriterion, chosen: list[tuple[int, ScoreFact]], ok: bool
) -> tuple[Attestation, ...]:
    if not (c.same_instrument_at_baseline and ok):
        return ()
    instrument = _name(chosen[-1][1].instrument)
    text = f"Response to treatment will be measured with the baseline instrument ({instrument})."
    return (
        Attestation(
            id=f"{c.id}.same-instrument",
            text=text,
            quote=c.quote,
            quote_kind=c.quote_kind or "paraphrase",
        ),
    )
