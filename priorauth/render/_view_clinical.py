"""View builders for the clinical sections: diagnoses, scores, trials, therapies, safety."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from priorauth.facts.models import (
    DiagnosisFact,
    MedicationTrial,
    PatientRecord,
    SafetyScreen,
    ScoreFact,
    TherapyFact,
)
from priorauth.render import _format as f
from priorauth.render.chart import trend_chart
from priorauth.render.citations import Citations
from priorauth.render.view_models import (
    DiagnosisRow,
    SafetyRow,
    ScoreRow,
    SeverityView,
    TherapyRow,
    TrialRow,
)

FAILED = ("inadequate_response", "intolerance")
SAFETY_ITEMS = (
    ("seizure", "Seizure history or seizure disorder"),
    ("implanted_device", "Implanted electronic or magnetically sensitive device"),
    ("retained_metal", "Ferromagnetic metal in or near the head"),
    ("other", "Other contraindication"),
)


def primary_diagnosis(record: PatientRecord) -> DiagnosisFact | None:
    """The active major-depression diagnosis the letter is about (severe and recent first)."""
    mdd = [d for d in record.diagnoses if d.category == "mdd" and d.active]
    mdd.sort(key=lambda d: (d.severity != "severe", d.episode != "recurrent"))
    return mdd[0] if mdd else None


def diagnosis_rows(record: PatientRecord, notes: Citations) -> tuple[DiagnosisRow, ...]:
    """MDD diagnoses first, then the other categories the chart holds."""
    ordered = sorted(record.diagnoses, key=lambda d: d.category != "mdd")
    return tuple(_diagnosis_row(d, notes) for d in ordered)


def _diagnosis_row(d: DiagnosisFact, notes: Citations) -> DiagnosisRow:
    when = d.onset or d.recorded
    status = d.clinical_status or ("active" if d.active else "inactive")
    return DiagnosisRow(
        code=d.code,
        display=f.text(d.display),
        status=status,
        onset=f.date_short(when),
        cites=notes.cite(d.evidence, f"diagnosis {d.code}, {f.date_short(when)}"),
    )


def episode_onset(record: PatientRecord, notes: Citations) -> tuple[str, tuple[int, ...]]:
    """The current episode's onset date and the diagnosis that records it."""
    onset = record.current_episode_onset
    source = next((d for d in record.diagnoses if onset and d.onset == onset), None)
    cites = (
        notes.cite(source.evidence, f"diagnosis {source.code}, onset {f.date_short(onset)}")
        if source
        else ()
    )
    return f.date_short(onset), cites


def _score_row(s: ScoreFact, notes: Citations) -> ScoreRow:
    detail = f"{f.instrument(s.instrument)} {f.number(s.value)}, {f.date_short(s.date)}"
    return ScoreRow(
        date=f.date_short(s.date),
        instrument=f.instrument(s.instrument),
        value=f.number(s.value),
        band=f.text(s.band),
        cites=notes.cite(s.evidence, detail),
    )


def _main_instrument(scores: Sequence[ScoreFact]) -> list[ScoreFact]:
    counts = Counter(s.instrument for s in scores)
    main = max(sorted(counts), key=lambda i: counts[i])
    return [s for s in scores if s.instrument == main]


def severity(record: PatientRecord, notes: Citations) -> SeverityView:
    """Dated scores (oldest first), the trend chart of the main instrument and a summary line."""
    scores = sorted(record.scores, key=lambda s: (s.date, s.instrument))
    rows = tuple(_score_row(s, notes) for s in scores)
    if not scores:
        return SeverityView(rows=rows, chart=None, summary=f.NOT_DOCUMENTED)
    series = _main_instrument(scores)
    first, last = series[0], series[-1]
    summary = (
        f"Most recent {f.instrument(last.instrument)}: {f.number(last.value)}"
        f"{' (' + last.band + ')' if last.band else ''} on {f.date_short(last.date)}"
    )
    if len(series) > 1:
        summary += f"; first in the record: {f.number(first.value)} on {f.date_short(first.date)}"
    cites = notes.cite(
        last.evidence,
        f"{f.instrument(last.instrument)} {f.number(last.value)}, {f.date_short(last.date)}",
    )
    return SeverityView(
        rows=rows, chart=trend_chart(series), summary=summary + ".", summary_cites=cites
    )


def _adequacy(t: MedicationTrial) -> str:
    if t.adequate_dose is None:
        return f.NOT_DOCUMENTED
    if not t.adequate_dose:
        return f"No (below {f.number(t.adequate_dose_mg)} mg/day)" if t.adequate_dose_mg else "No"
    weeks = f", {f.number(t.weeks_at_adequate_dose)} wk" if t.weeks_at_adequate_dose else ""
    floor = f"≥ {f.number(t.adequate_dose_mg)} mg/day" if t.adequate_dose_mg else "adequate dose"
    return f"Yes ({floor}{weeks})"


def _outcome(t: MedicationTrial) -> str:
    if t.outcome == "unknown" and t.ongoing:
        return "Ongoing; response not documented"
    label = f.OUTCOMES[t.outcome]
    return f"{label} ({t.outcome_detail})" if t.outcome_detail else label


def _augmentation(t: MedicationTrial, trials: Sequence[MedicationTrial]) -> str:
    """Real augmentation only (``augments`` is set for recognised augmenting agents held 4+ weeks
    with the antidepressant); antidepressants held together are a combination, not augmentation.
    """
    if t.role == "augmentation":
        if t.augments:
            return "Augments " + f.join(f.drug_name(a) for a in t.augments)
        return "None (not held with an antidepressant for 4+ weeks)"
    by = [a.ingredient for a in trials if a.role == "augmentation" and t.ingredient in a.augments]
    combined = [
        *t.combination_with,
        *(t.augments if t.role == "antidepressant" else ()),
        *(
            a.ingredient
            for a in trials
            if a.role == "antidepressant"
            and (t.ingredient in a.augments or t.ingredient in a.combination_with)
        ),
    ]
    parts = []
    if by:
        parts.append("Augmented by " + f.join(f.drug_name(x) for x in dict.fromkeys(by)))
    if combined:
        parts.append("Combined with " + f.join(f.drug_name(x) for x in dict.fromkeys(combined)))
    return "; ".join(parts) or "None"


def trial_rows(record: PatientRecord, notes: Citations) -> tuple[TrialRow, ...]:
    """One row per trial episode, oldest first."""
    trials = sorted(record.trials, key=lambda t: (t.start, t.ingredient))
    return tuple(_trial_row(t, trials, notes) for t in trials)


def last_day(t: MedicationTrial) -> dt.date | None:
    """The last day taken: ``end`` is exclusive (the first day not covered), so one day before.

    None when the trial is ongoing or its end is not known.
    """
    if t.ongoing or not t.end_known or t.end is None:
        return None
    return max(t.start, t.end - dt.timedelta(days=1))


def _trial_row(t: MedicationTrial, trials: Sequence[MedicationTrial], notes: Citations) -> TrialRow:
    dates = f.date_range(t.start, last_day(t), ongoing=t.ongoing)
    return TrialRow(
        drug=f.drug_name(t.ingredient),
        drug_class=f.DRUG_CLASSES.get(t.drug_class, t.drug_class),
        role="Augmentation" if t.role == "augmentation" else "Antidepressant",
        peak_dose=f"{f.number(t.peak_daily_dose_mg)} mg/day"
        if t.peak_daily_dose_mg
        else f.NOT_DOCUMENTED,
        dates=dates,
        weeks=f.number(t.weeks),
        adequate=_adequacy(t),
        outcome=_outcome(t),
        augmentation=_augmentation(t, trials),
        cites=notes.cite(t.evidence, f"{t.ingredient}, {dates}"),
    )


def trials_summary(record: PatientRecord) -> str:
    """``4 antidepressant trials from 3 classes; 3 ended ... ; 1 augmentation trial.``"""
    anti = [t for t in record.trials if t.role == "antidepressant"]
    if not anti:
        return "No antidepressant trial is documented in the record."
    failed = [t for t in anti if t.outcome in FAILED]
    adequate = [t for t in failed if t.adequate_dose]
    classes = {t.drug_class for t in failed}
    aug = sum(1 for t in record.trials if t.role == "augmentation")
    text = (
        f"{f.plural(len(anti), 'antidepressant trial')} documented; {len(failed)} ended with "
        f"inadequate response or intolerance, across {f.plural(len(classes), 'drug class')} "
        f"({len(adequate)} at a documented adequate dose)"
    )
    return text + (f"; {f.plural(aug, 'augmentation trial')}." if aug else ".")


def therapy_rows(record: PatientRecord, notes: Citations) -> tuple[TherapyRow, ...]:
    """ECT and TMS records (psychotherapy is summarised), oldest first."""
    rows = [t for t in record.therapies if t.category != "psychotherapy"]
    return tuple(_therapy_row(t, notes) for t in sorted(rows, key=lambda t: t.start))


def _therapy_row(t: TherapyFact, notes: Citations) -> TherapyRow:
    status = t.status.replace("_", " ")
    dates = f.date_range(t.start, t.end) if t.end and t.end != t.start else f.date_short(t.start)
    return TherapyRow(
        category=t.category.upper(),
        therapy_type=f.text(t.therapy_type),
        dates=dates,
        sessions=str(t.sessions),
        status=f"{status} ({t.reason})" if t.reason else status,
        cites=notes.cite(t.evidence, f"{t.category} {status}, {dates}"),
    )


def psychotherapy(record: PatientRecord, notes: Citations) -> tuple[str, tuple[int, ...]]:
    """``18 sessions of CBT, 01/10/2025 - 06/20/2025 (23 weeks).`` with its citation."""
    p = record.psychotherapy
    if not p.sessions:
        return f.NOT_DOCUMENTED, ()
    named = (t.upper() if len(t) <= 4 else t for t in p.types if t.lower() != "unspecified")
    kinds = f.join(named, empty="psychotherapy")
    weeks = f" ({f.number(p.weeks)} weeks)" if p.weeks else ""
    text = f"{f.plural(p.sessions, 'session')} of {kinds}, {f.date_range(p.first, p.last)}{weeks}."
    return text, notes.cite(p.evidence, f"psychotherapy, {f.date_range(p.first, p.last)}")


def ect_summary(record: PatientRecord) -> str:
    """One line on ECT: declined, completed, or not documented."""
    ect = [t for t in record.therapies if t.category == "ect"]
    if not ect:
        return f.NOT_DOCUMENTED
    last = max(ect, key=lambda t: t.start)
    reason = f" ({last.reason})" if last.reason else ""
    return f"ECT {last.status.replace('_', ' ')}{reason}, {f.date_short(last.start)}."


def safety_rows(record: PatientRecord, notes: Citations) -> tuple[SafetyRow, ...]:
    """Contraindication screen item by item, then exclusion diagnoses and pregnancy."""
    rows = [_safety_row(cat, label, record.safety, notes) for cat, label in SAFETY_ITEMS]
    rows += _exclusion_rows(record, notes)
    if _pregnancy_applies(record):
        pregnant = {True: "Pregnant", False: "Not pregnant", None: f.NOT_DOCUMENTED}
        rows.append(
            SafetyRow(
                item="Pregnancy",
                finding=pregnant[record.pregnant],
                concern=record.pregnant is True,
            )
        )
    return tuple(rows)


def _pregnancy_applies(record: PatientRecord) -> bool:
    """A pregnancy row only where it can apply: recorded, or not a male patient under 60."""
    if record.pregnant is not None:
        return True
    p = record.patient
    return (p.sex or "").lower() != "male" and (p.age is None or p.age < 60)


def _safety_row(category: str, label: str, screen: SafetyScreen, notes: Citations) -> SafetyRow:
    found = [x for x in screen.findings if x.category == category]
    if found:
        text = "; ".join(
            f"{x.description} ({f.date_short(x.date)}{'' if x.active else ', inactive'})"
            for x in found
        )
        refs = [r for x in found for r in x.evidence]
        return SafetyRow(
            item=label,
            finding=text,
            concern=any(x.active for x in found),
            cites=notes.cite(refs, f"{label.lower()}: finding"),
        )
    if category in screen.screened_negative:
        return SafetyRow(
            item=label,
            finding="None (screened negative)",
            cites=notes.cite(screen.screen_evidence, "TMS safety screen"),
        )
    return SafetyRow(item=label, finding=f.NOT_DOCUMENTED)


def _exclusion_rows(record: PatientRecord, notes: Citations) -> list[SafetyRow]:
    items = (
        ("bipolar", "Bipolar disorder"),
        ("psychotic", "Psychotic disorder or features"),
        ("substance_use", "Active substance use disorder"),
    )
    rows = []
    for category, label in items:
        found = [
            d
            for d in record.diagnoses
            if d.active
            and (d.category == category or (category == "psychotic" and d.psychotic_features))
        ]
        finding = (
            f.join(f"{d.code} {d.display or ''}".strip() for d in found)
            if found
            else "None recorded in the chart"
        )
        refs = [r for d in found for r in d.evidence]
        rows.append(
            SafetyRow(
                item=label,
                finding=finding,
                concern=bool(found),
                cites=notes.cite(refs, f"{label.lower()} diagnosis"),
            )
        )
    return rows
