"""A plain-text summary of a PatientRecord (what ``priorauth facts`` prints).

Only formatting: every value comes from the record as it stands. The trial table has one row per
trial: drug, class, start-end, weeks, peak mg/day, adequate?, outcome and augments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from priorauth.facts.models import MedicationTrial, PatientRecord, PriorCourse

__all__ = ["TRIAL_COLUMNS", "format_summary"]

TRIAL_COLUMNS = ("drug", "class", "start", "end", "weeks", "peak mg/d", "adequate", "outcome",
                 "augments")  # fmt: skip


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    rows = [list(header), *(list(r) for r in rows)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]


def _end(trial: MedicationTrial) -> str:
    if trial.ongoing:
        return "ongoing"
    return _text(trial.end) if trial.end_known else "unknown"


def _trial_row(trial: MedicationTrial) -> list[str]:
    outcome = trial.outcome.replace("_", " ")
    if trial.outcome_detail:
        outcome += f" ({trial.outcome_detail})"
    drug = trial.ingredient + (f" [{trial.indication}]" if trial.indication else "")
    weeks = f"{trial.weeks:.1f}" if trial.weeks is not None else "-"
    return [drug, trial.drug_class, _text(trial.start), _end(trial), weeks,
            _text(trial.peak_daily_dose_mg), _text(trial.adequate_dose), outcome,
            ", ".join(trial.augments) or "-"]  # fmt: skip


def _patient_lines(record: PatientRecord) -> list[str]:
    patient = record.patient
    age = f"{patient.age} y" if patient.age is not None else "age unknown"
    died = f", deceased {_text(patient.deceased_date)}" if patient.deceased else ""
    lines = [f"Patient: {patient.ref or '-'} ({age}, {patient.sex or 'sex unknown'}{died})"]
    for coverage in record.coverages[:1]:
        extra = ", ".join(
            f"{label} {value}"
            for label, value in (
                ("member", coverage.member_id),
                ("group", coverage.group),
                ("plan", coverage.plan),
            )
            if value
        )
        lapsed = "" if coverage.in_force else " [not in force]"
        lines.append(
            f"Coverage: {coverage.payer_name or '-'}" + (f" ({extra})" if extra else "") + lapsed
        )
    if not record.coverages:
        lines.append("Coverage: none recorded")
    return lines


def _diagnosis_lines(record: PatientRecord) -> list[str]:
    rows = [
        [d.code, d.category, ", ".join(x for x in (d.episode, d.severity) if x) or "-",
         _text(d.onset), "active" if d.active else "inactive"]
        for d in record.diagnoses
    ]  # fmt: skip
    head = f"Diagnoses ({len(rows)}), current episode onset {_text(record.current_episode_onset)}"
    return [
        head,
        *(_table(("code", "category", "details", "onset", "status"), rows) if rows else []),
    ]


def _score_lines(record: PatientRecord) -> list[str]:
    rows = [[_text(s.date), s.instrument, _text(s.value), s.band or "-"] for s in record.scores]
    return [
        f"Scores ({len(rows)})",
        *(_table(("date", "instrument", "score", "band"), rows) if rows else []),
    ]


def _severity_lines(record: PatientRecord) -> list[str]:
    lines = [f"Current severity ({len(record.current_severity)})"]
    for c in record.current_severity:
        previous = f", previous {_text(c.previous_value)} on {_text(c.previous_date)}, {c.trend}"
        lines.append(
            f"  {c.instrument} {_text(c.value)} on {_text(c.date)}: {c.band or '-'} "
            f"({c.range.replace('_', ' ')})" + (previous if c.previous_value is not None else "")
        )
    return lines


def _suicide_lines(record: PatientRecord) -> list[str]:
    risk = record.suicide_risk
    positive = sum(1 for r in risk if r.positive)
    lines = [f"Suicide risk ({len(risk)} records, {positive} positive)"]
    for r in risk:
        answer = f" (answer {_text(r.value)})" if r.value is not None else ""
        status = ("positive" if r.positive else "negative") + ("" if r.active else ", inactive")
        lines.append(f"  {_text(r.date)} {r.kind} {status}: {r.description}{answer}")
    return lines


def _course_line(course: PriorCourse) -> str:
    pct = f" ({course.improvement_pct:g} %)" if course.improvement_pct is not None else ""
    sessions = f", {course.sessions} sessions" if course.sessions is not None else ""
    return (
        f"  prior {course.modality.upper()}: {_text(course.start)} to {_text(course.end)}"
        f"{sessions}, {course.response.replace('_', ' ')}{pct}"
    )


def _therapy_lines(record: PatientRecord) -> list[str]:
    summary = record.psychotherapy
    span = f"{_text(summary.first)} to {_text(summary.last)}" if summary.first else "none recorded"
    types = f" ({', '.join(summary.types)})" if summary.types else ""
    lines = [f"Psychotherapy: {summary.sessions} sessions, {span}{types}"]
    for therapy in record.therapies:
        if therapy.category != "psychotherapy":
            lines.append(
                f"  {therapy.category}: {_text(therapy.start)} {therapy.status}"
                + (f" ({therapy.reason})" if therapy.reason else "")
            )
    lines += [_course_line(c) for c in (*record.prior_tms, *record.prior_ect)]
    return lines


def _safety_lines(record: PatientRecord) -> list[str]:
    safety = record.safety
    found = [f"{f.category}: {f.description}{'' if f.active else ' (inactive)'}"
             for f in safety.findings]  # fmt: skip
    negative = ", ".join(safety.screened_negative)
    lines = ["Safety: " + ("; ".join(found) if found else "no findings recorded")]
    if negative:
        lines.append(f"  screened negative: {negative}")
    lines += [f"  contradiction: {c.description}" for c in safety.contradictions]
    return lines


def format_summary(record: PatientRecord) -> str:
    """The readable summary: patient, coverage, diagnoses, trials, scores, current severity,
    suicide risk, therapy and prior courses, safety and contradictions."""
    trials = [_trial_row(t) for t in record.trials]
    lines = [
        f"{record.source} as of {record.as_of.isoformat()}",
        *_patient_lines(record),
        *_diagnosis_lines(record),
        f"Trials ({len(trials)})",
        *(_table(TRIAL_COLUMNS, trials) if trials else ["  none recorded"]),
        *_score_lines(record),
        *_severity_lines(record),
        *_suicide_lines(record),
        *_therapy_lines(record),
        *_safety_lines(record),
        f"Data-quality notes: {len(record.notes)}",
    ]
    return "\n".join(lines)
