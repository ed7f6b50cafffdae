"""The view model: every value a letter template prints, already formatted.

Templates receive one ``LetterView``; they loop and branch over it and never compute. Fields that
the chart does not hold carry "not documented" (see ``_format.NOT_DOCUMENTED``). ``cites`` holds
the endnote numbers of the source records behind a value (see ``citations.Citations``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AlertRow",
    "AlertsView",
    "AppealPoint",
    "AppealView",
    "AttestationRow",
    "ChartPoint",
    "ChartView",
    "CodeRow",
    "ContinuationView",
    "CriterionRow",
    "DiagnosisRow",
    "DraftView",
    "EvidenceRow",
    "LetterView",
    "PatientView",
    "PayerView",
    "PolicyView",
    "PracticeView",
    "PriorCourseRow",
    "RationaleParagraph",
    "RationaleSentence",
    "ReferenceRow",
    "RequestView",
    "SafetyRow",
    "ScoreRow",
    "SeverityView",
    "SignerView",
    "SourceGroup",
    "SourceNote",
    "TherapyRow",
    "TrialRow",
]


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Cited(_View):
    cites: tuple[int, ...] = ()


class PracticeView(_Cited):
    name: str
    address_lines: tuple[str, ...]
    phone: str
    fax: str
    npi: str
    tin: str


class PayerView(_Cited):
    name: str
    department: str = "Utilization Management"
    attention: str = "Prior Authorization, Behavioral Health"
    plan: str


class PatientView(_Cited):
    name: str
    subject: str
    """The name, or "The patient": the form used to start a sentence."""
    birth_date: str
    age: str
    sex: str
    member_id: str
    group: str
    coverage_cites: tuple[int, ...] = ()


class CodeRow(_View):
    code: str
    description: str
    units: str


class RequestView(_View):
    kind_label: str
    codes: tuple[CodeRow, ...]
    icd10: str
    icd10_cites: tuple[int, ...] = ()
    planned_start: str
    planned_start_phrase: str
    sessions: str
    taper: str
    total_sessions: str
    policy_allows: str
    """The policy's session and week limits (the request never exceeds them)."""
    course: str
    """The request in one phrase, e.g. ``36 sessions (30 sessions, 5 per week, then ...)``."""
    device: str
    protocol: str


class DiagnosisRow(_Cited):
    code: str
    display: str
    status: str
    onset: str


class ScoreRow(_Cited):
    date: str
    instrument: str
    value: str
    band: str


class ChartPoint(_View):
    x: float
    y: float
    label: str
    date: str
    show_date: bool = True


class ChartBand(_View):
    y: float
    height: float
    label: str
    label_y: float
    shade: Literal["a", "b"]


class ChartView(_View):
    """Geometry of the score trend chart, computed in ``chart.py``; drawn by ``_chart.html``."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    title: str
    description: str
    polyline: str
    points: tuple[ChartPoint, ...]
    y_ticks: tuple[tuple[float, str], ...]
    bands: tuple[ChartBand, ...] = ()


class SeverityView(_View):
    rows: tuple[ScoreRow, ...]
    chart: ChartView | None
    summary: str
    summary_cites: tuple[int, ...] = ()


class TrialRow(_Cited):
    drug: str
    drug_class: str
    role: str
    peak_dose: str
    dates: str
    weeks: str
    adequate: str
    outcome: str
    augmentation: str


class TherapyRow(_Cited):
    category: str
    therapy_type: str
    dates: str
    sessions: str
    status: str


class SafetyRow(_Cited):
    item: str
    finding: str
    concern: bool = False


class EvidenceRow(_Cited):
    summary: str


class CriterionRow(_Cited):
    id: str
    title: str
    outcome: Literal["met", "not_met", "unknown"]
    outcome_label: str
    explanation: str
    quote: str
    quote_kind: Literal["verbatim", "paraphrase"]
    """A verbatim quote is printed in quotation marks; a paraphrase is labelled, never quoted."""
    evidence: tuple[EvidenceRow, ...]
    gaps: tuple[str, ...]
    children: tuple[CriterionRow, ...]
    review_flag: str


class PolicyView(_View):
    payer: str
    title: str
    number: str
    label: str
    """The number, else the title: how the letter refers to the policy."""
    version: str
    effective: str
    """The policy's own window, e.g. ``February 27, 2026`` or ``... through ...``."""
    dates_note: str
    """``dates unverified: <why>`` when the rule file says so, else empty."""
    source_urls: tuple[str, ...]
    status_label: str


class AlertRow(_View):
    """One safety alert as printed (``alerts.py`` decides which block and in what order)."""

    id: str
    level: Literal["absolute", "relative"]
    level_label: str
    title: str
    message: str
    urgent: bool
    urgent_action: str
    """``alerts.URGENT_ACTION`` for an urgent alert, else empty."""
    evidence: str
    """The FHIR resources behind the alert (``Type/id, ...``), or "not documented"."""
    reviewed_by: str
    """Empty until a clinician reviewed a relative alert."""
    review_note: str
    """``Reviewed by X``, or what a review can still do (nothing, for an absolute alert)."""
    blocking: bool


class AlertsView(_View):
    """The block printed first on page 1, above the letterhead, while any alert blocks."""

    heading: str
    kind: Literal["hold", "review"]
    intro: str
    urgent: bool
    rows: tuple[AlertRow, ...]


class DraftView(_View):
    status: str
    """The Determination status, e.g. ``safety_hold``."""
    status_label: str
    reason: str
    """Why the letter is not ready, in one sentence."""
    mark: str
    """Printed in the running header of pages 2 and later, e.g. ``DRAFT: SAFETY HOLD ...``."""
    alerts: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    gaps: tuple[str, ...]
    unmet: tuple[str, ...]


class AttestationRow(_View):
    text: str
    quote: str
    quote_kind: Literal["verbatim", "paraphrase"]


class SignerView(_View):
    name: str
    credentials: str
    npi: str
    block: tuple[str, ...] = ()


class SourceNote(_View):
    number: int
    resources: str
    detail: str


class RationaleSentence(_Cited):
    """One sentence of the rationale, present only when its facts are (``_view_rationale``)."""

    id: str
    """Stable key, e.g. ``remission`` or ``safety`` (tests and ``data-sentence``)."""
    text: str
    """Without its final period: the template adds the literature markers, then the period."""
    refs: tuple[str, ...] = ()
    """Author-year markers of the literature cited (never bracketed numbers)."""


class RationaleParagraph(_View):
    id: str
    heading: str
    sentences: tuple[RationaleSentence, ...]


class ReferenceRow(_View):
    marker: str
    citation: str
    identifier: str
    """``doi:10.1176/...`` and/or ``PMID n``."""


class SourceGroup(_View):
    label: str
    notes: tuple[SourceNote, ...]


class PriorCourseRow(_Cited):
    dates: str
    sessions: str
    instrument: str
    baseline: str
    best: str
    improvement: str


class ContinuationView(_View):
    courses: tuple[PriorCourseRow, ...]
    best_score: str
    current_score: str
    worsening: str
    relapse_summary: str
    relapse_cites: tuple[int, ...] = ()


class AppealPoint(_Cited):
    """One of the strongest points of an appeal: a met criterion and what shows it."""

    title: str
    text: str


class AppealView(_View):
    """An appeal: the denial as the practice gives it, the tally of the criteria, and the
    peer-to-peer summary page."""

    denial_date: str
    denial_ref: str
    """The payer's reference, or empty."""
    reason: str
    """The payer's stated reason as given by the practice (printed in quotation marks)."""
    tally: str
    """E.g. ``all 5 criteria are met`` or ``4 of 5 criteria are met; 1 needs documentation``."""
    diagnosis: str
    trials: tuple[TrialRow, ...]
    """Failed antidepressant trials (augmentation included), in brief."""
    trials_note: str
    scores: tuple[str, ...]
    """The latest score of each instrument, e.g. ``PHQ-9 23 (severe) on 11/10/2026``."""
    safety: str
    request: str
    points: tuple[AppealPoint, ...]


class LetterView(_View):
    """Everything a letter prints."""

    kind: Literal["initial", "continuation", "appeal"]
    doc_title: str
    doc_subject: str
    doc_author: str
    created: str
    letter_date: str
    practice: PracticeView
    payer: PayerView
    patient: PatientView
    salutation: str
    request: RequestView
    alerts: AlertsView | None
    """Blocking safety alerts: the first thing on page 1 (None when nothing blocks)."""
    draft: DraftView | None
    diagnoses: tuple[DiagnosisRow, ...]
    episode_onset: str
    severity: SeverityView
    trials: tuple[TrialRow, ...]
    trials_summary: str
    therapies: tuple[TherapyRow, ...]
    psychotherapy_summary: str
    psychotherapy_cites: tuple[int, ...] = ()
    ect_summary: str
    safety: tuple[SafetyRow, ...]
    safety_alerts: tuple[AlertRow, ...] = ()
    """Every alert, blocking or reviewed, for the safety section."""
    policy: PolicyView
    criteria: tuple[CriterionRow, ...]
    rationale: tuple[RationaleParagraph, ...]
    references: tuple[ReferenceRow, ...]
    """The literature the rationale cites, by author-year marker."""
    attestations: tuple[AttestationRow, ...]
    signer: SignerView
    continuation: ContinuationView | None
    appeal: AppealView | None = None
    sources: tuple[SourceNote, ...]
    source_groups: tuple[SourceGroup, ...] = ()
    """The same notes grouped by kind of record, as the appendix prints them."""
