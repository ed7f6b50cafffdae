"""View builder for appeal letters: the denial as the practice gives it, the tally of the
criteria, and the peer-to-peer summary page.

Nothing here claims more than the Determination: the strongest points are drawn only from met
criteria, and the tally counts not-met and undocumented criteria as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from priorauth.determination import CriterionResult, Determination
from priorauth.render import _format as f
from priorauth.render.options import LetterOptions
from priorauth.render.view_models import (
    AppealPoint,
    AppealView,
    CriterionRow,
    RequestView,
    SafetyRow,
    TrialRow,
)

__all__ = ["appeal"]

STRENGTH = (
    "antidepressant_trials",
    "severity_score",
    "score",
    "diagnosis",
    "psychotherapy",
    "intolerance",
    "ect",
    "contraindication",
    "safety",
    "prior_tms_response",
    "retreatment",
)
"""Kinds of criterion that make a point, in the order an appeal leads with them. A met exclusion
(no substance use, no psychosis, a first course) is an absence, not a point: it stays in the
criteria section and never pads this list."""
MAX_POINTS = 5
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)%])\. (?=[A-Z])")
SCREEN_ITEMS = (
    "Seizure history or seizure disorder",
    "Implanted electronic or magnetically sensitive device",
    "Ferromagnetic metal in or near the head",
)
_FAILED_OUTCOMES = ("Inadequate response", "Stopped: intolerance")


def _leaves(results: tuple[CriterionResult, ...]) -> Iterator[CriterionResult]:
    for c in results:
        if c.children:
            yield from _leaves(c.children)
        else:
            yield c


def _tally(d: Determination) -> str:
    """The top-level criteria by outcome (a group counts once, by its own outcome)."""
    outcomes = [c.outcome for c in d.criteria]
    total, met = len(outcomes), outcomes.count("met")
    if total and met == total:
        return f"all {total} criteria are met" if total > 1 else "its one criterion is met"
    parts = [f"{met} of {total} criteria {'is' if met == 1 else 'are'} met"]
    if n := outcomes.count("not_met"):
        parts.append(f"{n} {'is' if n == 1 else 'are'} not met")
    if n := outcomes.count("unknown"):
        parts.append(f"{n} {'needs' if n == 1 else 'need'} documentation")
    return "; ".join(parts)


def _rows_by_id(rows: tuple[CriterionRow, ...]) -> dict[str, CriterionRow]:
    out: dict[str, CriterionRow] = {}
    for r in rows:
        out[r.id] = r
        out.update(_rows_by_id(r.children))
    return out


def _points(d: Determination, rows: tuple[CriterionRow, ...]) -> tuple[AppealPoint, ...]:
    """The strongest points: met leaf criteria (inside met groups), strongest kinds first."""
    by_id = _rows_by_id(rows)
    rank = {k: i for i, k in enumerate(STRENGTH)}
    met = [
        c for c in _leaves(d.criteria) if c.outcome == "met" and c.id in by_id and c.kind in rank
    ]
    met.sort(key=lambda c: rank[c.kind])
    points = []
    for c in met[:MAX_POINTS]:
        row = by_id[c.id]
        first = _SENTENCE_END.split(row.explanation.strip(), maxsplit=1)[0].rstrip(".")
        text = first or "; ".join(e.summary for e in row.evidence) or "Met"
        cites = tuple(sorted({n for e in row.evidence for n in e.cites}))
        points.append(AppealPoint(title=row.title, text=text + ".", cites=cites))
    return tuple(points)


def _safety(d: Determination, rows: tuple[SafetyRow, ...]) -> str:
    """The screen in one line: findings first; else the TMS screen and what is undocumented."""
    concerns = [f"{r.item}: {r.finding}" for r in rows if r.concern]
    alerts = [a.title for a in d.alerts]
    if concerns or alerts:
        return "Findings recorded: " + "; ".join(dict.fromkeys([*alerts, *concerns])) + "."
    screen = [r for r in rows if r.item in SCREEN_ITEMS]
    missing = [r.item.lower() for r in screen if r.finding == f.NOT_DOCUMENTED]
    others = [
        r.item.lower()
        for r in rows
        if r.item not in SCREEN_ITEMS
        and r.item != "Other contraindication"
        and r.finding == f.NOT_DOCUMENTED
    ]
    if len(missing) == len(screen):
        text = "No TMS safety screen is documented"
    elif missing:
        text = "Screen incomplete: not documented for " + "; ".join(missing)
    else:
        text = (
            "Negative for seizure history, implanted devices and ferromagnetic metal near the "
            "coil (documented screen); no finding recorded"
        )
    if others:
        text += "; not documented: " + "; ".join(others)
    return text + "."


def _scores(d: Determination) -> tuple[str, ...]:
    current = sorted(d.record.current_severity, key=lambda c: (c.date, c.instrument), reverse=True)
    return tuple(
        f"{f.instrument(c.instrument)} {f.number(c.value)}"
        f"{' (' + c.band + ')' if c.band else ''} on {f.date_short(c.date)}"
        for c in current
    )


def appeal(
    d: Determination,
    options: LetterOptions,
    *,
    criteria: tuple[CriterionRow, ...],
    trials: tuple[TrialRow, ...],
    trials_summary: str,
    safety: tuple[SafetyRow, ...],
    request: RequestView,
) -> AppealView:
    """The appeal's own parts; the rest of the letter is the same as any other."""
    failed = tuple(t for t in trials if t.outcome.startswith(_FAILED_OUTCOMES))
    return AppealView(
        denial_date=f.date_short(options.denial_date),
        denial_ref=(options.denial_ref or "").strip(),
        reason=" ".join((options.denial_reason or "").split()),
        tally=_tally(d),
        diagnosis=request.icd10,
        trials=failed,
        trials_note=trials_summary,
        scores=_scores(d),
        safety=_safety(d, safety),
        request=f"{request.course}, to start {request.planned_start_phrase}",
        points=_points(d, criteria),
    )
