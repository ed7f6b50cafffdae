"""View builder for continuation / retreatment letters: prior courses and relapse."""

from __future__ import annotations

from priorauth.facts.models import PatientRecord, PriorTmsCourse, ScoreFact
from priorauth.render import _format as f
from priorauth.render.citations import Citations
from priorauth.render.view_models import ContinuationView, PriorCourseRow


def _course_row(c: PriorTmsCourse, notes: Citations) -> PriorCourseRow:
    dates = f.date_range(c.start, c.end)
    pct = (
        f"{f.number(c.improvement_pct, digits=0)}%"
        if c.improvement_pct is not None
        else f.NOT_DOCUMENTED
    )
    return PriorCourseRow(
        dates=dates,
        sessions=str(c.sessions) if c.sessions else f.NOT_DOCUMENTED,
        instrument=f.instrument(c.instrument),
        baseline=f.number(c.baseline_score),
        best=f.number(c.best_score),
        improvement=pct,
        cites=notes.cite(c.evidence, f"prior TMS course, {dates}"),
    )


def _current(record: PatientRecord, course: PriorTmsCourse) -> ScoreFact | None:
    after = course.end or course.start
    same = [
        s
        for s in record.scores
        if s.date >= after and (course.instrument is None or s.instrument == course.instrument)
    ]
    return max(same, key=lambda s: s.date) if same else None


def _worsening(course: PriorTmsCourse, current: ScoreFact | None) -> str:
    if current is None or course.best_score is None:
        return f.NOT_DOCUMENTED
    rise = current.value - course.best_score
    text = f"{'+' if rise >= 0 else f.MINUS}{f.number(abs(rise))} points from the best score"
    gained = (course.baseline_score or 0) - course.best_score
    if course.baseline_score is not None and gained > 0 and rise >= gained:
        text += " (all of the improvement lost)"
    elif course.baseline_score is not None and gained > 0:
        text += f" ({f.number(max(rise, 0) / gained * 100, digits=0)}% of the improvement lost)"
    return text


def continuation(record: PatientRecord, notes: Citations) -> ContinuationView:
    """Prior courses (oldest first) and the relapse since the most recent one."""
    courses = sorted(record.prior_tms, key=lambda c: c.start)
    rows = tuple(_course_row(c, notes) for c in courses)
    if not courses:
        return ContinuationView(
            courses=rows,
            best_score=f.NOT_DOCUMENTED,
            current_score=f.NOT_DOCUMENTED,
            worsening=f.NOT_DOCUMENTED,
            relapse_summary=f.NOT_DOCUMENTED,
        )
    last = courses[-1]
    current = _current(record, last)
    name = f.instrument(last.instrument or (current.instrument if current else None))
    current_text = (
        f"{name} {f.number(current.value)} on {f.date_short(current.date)}"
        if current
        else f.NOT_DOCUMENTED
    )
    worsening = _worsening(last, current)
    summary = (
        f"After the course ending {f.date_short(last.end)}, symptoms returned: "
        f"{current_text}, {worsening}."
        if current
        else f.NOT_DOCUMENTED
    )
    cites = (
        notes.cite(
            current.evidence, f"{name} {f.number(current.value)}, {f.date_short(current.date)}"
        )
        if current
        else ()
    )
    return ContinuationView(
        courses=rows,
        best_score=f"{name} {f.number(last.best_score)}",
        current_score=current_text,
        worsening=worsening,
        relapse_summary=summary,
        relapse_cites=cites,
    )
