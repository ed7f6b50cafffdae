"""The severity_score criterion: rating-scale scores with thresholds and recency."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable

from priorauth.determination import Attestation, Evidence
from priorauth.evaluate._verdict import MET, NOT_MET, UNKNOWN, Context, Verdict
from priorauth.facts.models import ScoreFact
from priorauth.rules.criteria import SeverityScoreCriterion, Threshold

__all__ = ["INSTRUMENT_NAMES", "evaluate_severity_score", "passes", "threshold_text"]

INSTRUMENT_NAMES = {
    "phq9": "PHQ-9",
    "phq2": "PHQ-2",
    "phqa": "PHQ-A",
    "hamd": "HAM-D",
    "madrs": "MADRS",
    "bdi2": "BDI-II",
    "qids_sr": "QIDS-SR",
    "bdi1": "BDI-I",
    "ids_c": "IDS-C",
    "ids_sr": "IDS-SR",
    "zung_sds": "Zung SDS",
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


def passes(t: Threshold, value: float) -> bool:
    """Whether one score value meets a threshold (none: any value)."""
    if t.op is not None and t.value is not None:
        return _OPS[t.op](value, t.value)
    if t.range is not None:
        return t.range[0] <= value <= t.range[1]
    return True


def threshold_text(t: Threshold) -> str:
    """``>= 15``, ``in 30-63``, or empty."""
    if t.op is not None and t.value is not None:
        return f"{t.op} {_fmt(t.value)}"
    if t.range is not None:
        return f"in {_fmt(t.range[0])}-{_fmt(t.range[1])}"
    return ""


def _earliest(c: SeverityScoreCriterion, ctx: Context) -> dt.date | None:
    starts = []
    if c.within_days is not None:
        starts.append(ctx.as_of - dt.timedelta(days=c.within_days))
    if c.since_episode_onset and ctx.record.current_episode_onset is not None:
        starts.append(ctx.record.current_episode_onset)
    return max(starts) if starts else None


Counted = list[tuple[int, ScoreFact]]


def _counted(c: SeverityScoreCriterion, ctx: Context) -> Counted:
    earliest = _earliest(c, ctx)
    scales = c.thresholds()
    return sorted(
        (
            (i, s)
            for i, s in enumerate(ctx.record.scores)
            if s.instrument in scales
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
    """Met when one documented scale passes its threshold; not met when every documented scale
    fails; unknown only when no listed scale is documented in the window.

    Each scale is judged on its own scores: the most recent (``which: latest``), any one or
    every one. With ``same_scale`` only the scale of the most recent counted score is judged.
    """
    names = " or ".join(_name(i) for i in c.thresholds())
    if c.since_episode_onset and ctx.record.current_episode_onset is None:
        return Verdict(
            UNKNOWN,
            "The chart does not date the current episode's onset.",
            gaps=("Document the onset date of the current depressive episode",),
        )
    counted = _counted(c, ctx)
    if not counted:
        first = _name(next(iter(c.thresholds())))
        gap = f"No {names} {_window_text(c, ctx)}: document a current {first}"
        return Verdict(UNKNOWN, f"No {names} score {_window_text(c, ctx)}.", gaps=(gap,))
    judged = _judged_scales(c, counted)
    results = {scale: _scale_passes(c, scale, chosen) for scale, chosen in judged.items()}
    ok = any(results.values())
    chosen_all = [item for chosen in judged.values() for item in chosen]
    return Verdict(
        MET if ok else NOT_MET,
        " ".join(_explain(c, scale, judged[scale], results[scale]) for scale in judged),
        tuple(_evidence(i, s) for i, s in chosen_all),
        attestations=_same_instrument(c, judged, results),
    )


def _judged_scales(c: SeverityScoreCriterion, counted: Counted) -> dict[str, Counted]:
    """The scores judged, per documented scale (latest first scale when ``same_scale``)."""
    by_scale: dict[str, Counted] = {}
    for item in counted:
        by_scale.setdefault(item[1].instrument, []).append(item)
    if c.same_scale:
        latest = counted[-1][1].instrument
        by_scale = {latest: by_scale[latest]}
    if c.which == "latest":
        return {scale: items[-1:] for scale, items in by_scale.items()}
    return by_scale


def _scale_passes(c: SeverityScoreCriterion, scale: str, chosen: Counted) -> bool:
    threshold = c.thresholds()[scale]
    results = [passes(threshold, s.value) for _, s in chosen]
    return any(results) if c.which == "any" else all(results)


def _explain(c: SeverityScoreCriterion, scale: str, chosen: Counted, ok: bool) -> str:
    listed = ", ".join(
        f"{_name(s.instrument)} {_fmt(s.value)} on {s.date.isoformat()}" for _, s in chosen
    )
    threshold = threshold_text(c.thresholds()[scale])
    if not threshold:
        return f"Documented: {listed}."
    scope = {"latest": "Latest score", "any": "Scores", "all": "Scores"}[c.which]
    verdict = "meets" if ok else "does not meet"
    quantifier = {"latest": "", "any": " (one must pass)", "all": " (every one must pass)"}[c.which]
    return f"{scope} {listed} {verdict} the threshold {threshold}{quantifier}."


def _same_instrument(
    c: SeverityScoreCriterion, judged: dict[str, Counted], results: dict[str, bool]
) -> tuple[Attestation, ...]:
    if not (c.same_instrument_at_baseline or c.same_scale) or not any(results.values()):
        return ()
    passing = [chosen[-1][1] for scale, chosen in judged.items() if results[scale]]
    instrument = _name(max(passing, key=lambda s: s.date).instrument)
    text = f"Response to treatment will be measured with the baseline instrument ({instrument})."
    return (
        Attestation(
            id=f"{c.id}.same-instrument",
            text=text,
            quote=c.quote,
            quote_kind=c.quote_kind or "paraphrase",
        ),
    )
