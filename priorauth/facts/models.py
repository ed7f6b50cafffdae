"""The PatientRecord: every clinical fact priorauth derives from a chart, each citing its evidence.

A PatientRecord is the only input of evaluation. It holds no FHIR objects, only domain values, so
it can be written by hand (YAML/JSON) for payer-rule test cases. Every fact carries ``evidence``:
the ``Type/id`` references of the resources it came from, and where useful ``how`` it was matched
("rxnorm 312938 (SCD)", "text: brand 'Lexapro'", "LOINC 44261-6").
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from priorauth.fhir.notes import DataQualityNote
from priorauth.limits import shortened
from priorauth.terminology.models import DrugClass

__all__ = [
    "Address",
    "Contradiction",
    "CoverageFact",
    "CurrentSeverity",
    "DataQualityNote",
    "DiagnosisFact",
    "DrugClass",
    "MedicationTrial",
    "PatientFact",
    "PatientRecord",
    "PriorCourse",
    "PriorTmsCourse",
    "ProviderFact",
    "SafetyFinding",
    "SafetyScreen",
    "ScoreFact",
    "SuicideRiskFact",
    "TherapyFact",
    "TherapySummary",
]

Outcome = Literal["inadequate_response", "intolerance", "other", "unknown"]
InstrumentId = Literal[
    "phq9",
    "phq2",
    "phqa",
    "hamd",
    "madrs",
    "bdi2",
    "qids_sr",
    "bdi1",
    "ids_c",
    "ids_sr",
    "zung_sds",
]


class _Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _bounded_text(cls, value: Any) -> Any:
        """Chart text carried into a fact (a display, a reason, a name) keeps at most
        ``limits.MAX_FACT_TEXT_CHARS`` characters (issue 15): a 9 MB status reason must not
        become a 9 MB paragraph of the letter."""
        if type(value) is str:
            return shortened(value)
        if type(value) in (tuple, list) and any(type(item) is str for item in value):
            return tuple(shortened(item) if type(item) is str else item for item in value)
        return value


class _Cited(_Fact):
    evidence: tuple[str, ...] = ()
    """``Type/id`` references of the FHIR resources this fact came from."""


class Address(_Fact):
    """A postal address, formatted lines only."""

    lines: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None


class PatientFact(_Cited):
    """Who the patient is, as of the evaluation date."""

    ref: str | None = None
    name: str | None = None
    birth_date: dt.date | None = None
    age: int | None = None
    """Whole years at the as-of date; ``None`` when the birth date is unknown."""
    sex: str | None = None
    identifiers: dict[str, str] = Field(default_factory=dict)
    """Identifier system (or type text) → value, e.g. MRN."""
    address: Address | None = None
    """The home address (else the first); its state picks a Medicare jurisdiction."""
    deceased: bool | None = None
    """True when Patient.deceased[x] says the patient died on or before the as-of date; False
    when the chart says ``deceasedBoolean: false``; None when it does not say."""
    deceased_date: dt.date | None = None


class CoverageFact(_Cited):
    """An insurance coverage found in the chart."""

    payer_name: str | None = None
    payer_identifiers: tuple[str, ...] = ()
    """Payer ids (e.g. NAIC or clearinghouse ids) from the payor Organization or Coverage."""
    member_id: str | None = None
    group: str | None = None
    plan: str | None = None
    subscriber_id: str | None = None
    relationship: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    status: str | None = None
    order: int | None = None
    """Coverage.order: 1 primary, 2 secondary ...; None when not stated."""
    in_force: bool = True
    """False when the status is cancelled / entered-in-error or the period does not cover the
    as-of date (started after it or ended before it)."""


class ProviderFact(_Cited):
    """The requesting practitioner or the practice organization."""

    kind: Literal["practitioner", "organization"]
    name: str | None = None
    credentials: str | None = None
    npi: str | None = None
    tin: str | None = None
    address: Address | None = None
    phone: str | None = None
    fax: str | None = None


class DiagnosisFact(_Cited):
    """A diagnosis relevant to TMS: the depressive episode, exclusions and comorbidities."""

    category: str
    """``mdd``, ``bipolar``, ``psychotic``, ``substance_use``, ``seizure``, ``pregnancy``, ..."""
    code: str
    system: str
    display: str | None = None
    episode: Literal["single", "recurrent", "unspecified"] | None = None
    severity: Literal["mild", "moderate", "severe", "unspecified"] | None = None
    psychotic_features: bool | None = None
    remission: Literal["partial", "full"] | None = None
    onset: dt.date | None = None
    abatement: dt.date | None = None
    recorded: dt.date | None = None
    clinical_status: str | None = None
    """``active``, ``recurrence``, ``relapse``, ``inactive``, ``remission``, ``resolved``, or
    None."""
    active: bool
    """True unless the clinical status or an abatement date says it is over."""
    how: str = ""


class MedicationTrial(_Cited):
    """One episode of one ingredient (see docs/trial-conventions.md for every rule)."""

    ingredient: str
    drug_class: DrugClass
    role: Literal["antidepressant", "augmentation"]
    start: dt.date
    end: dt.date | None = None
    """Exclusive end: the first day not covered; ``None`` when ongoing or unknown."""
    ongoing: bool = False
    end_known: bool = True
    days: int | None = None
    weeks: float | None = None
    peak_daily_dose_mg: float | None = None
    adequate_dose_mg: float | None = None
    """The minimum adequate daily dose used (terminology table, configurable)."""
    adequate_dose: bool | None = None
    weeks_at_adequate_dose: float | None = None
    adherence_pdc: float | None = None
    outcome: Outcome = "unknown"
    outcome_detail: str | None = None
    augments: tuple[str, ...] = ()
    """The antidepressants this trial augments: held together with them for 4+ weeks (an
    augmenting agent), or, for an antidepressant, the earlier ones it was added to."""
    combination_with: tuple[str, ...] = ()
    """For an antidepressant: the other antidepressants deliberately combined with it (held
    together for 4+ weeks, each at an adequate dose). A cross-taper is not a combination."""
    indication: str | None = None
    how: tuple[str, ...] = ()
    """How the drug was recognised, one entry per distinct match."""


class ScoreFact(_Cited):
    """One dated depression-severity score."""

    instrument: InstrumentId
    date: dt.date
    value: float
    band: str | None = None
    computed_from_items: bool = False
    how: str = ""


class TherapyFact(_Cited):
    """One psychotherapy, ECT or TMS session or course record."""

    category: Literal["psychotherapy", "ect", "tms"]
    therapy_type: str | None = None
    start: dt.date
    end: dt.date | None = None
    sessions: int = 1
    status: Literal["completed", "in_progress", "not_done", "declined", "planned"] = "completed"
    """``declined``/``not_done`` carry the reason in ``reason`` (e.g. ECT declined by the
    patient)."""
    reason: str | None = None
    how: str = ""


class TherapySummary(_Fact):
    """Psychotherapy, summarised for criteria that count sessions or weeks."""

    sessions: int = 0
    first: dt.date | None = None
    last: dt.date | None = None
    weeks: float | None = None
    types: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()


CourseResponse = Literal["response", "partial_response", "no_response", "unknown"]


class PriorCourse(_Cited):
    """A previous course of TMS (or ECT) with its response, when the chart records it.

    ``improvement_pct`` is (baseline - best) / baseline * 100 on one instrument, baseline being
    the last score before (or at) the course start and best the lowest during or within the gap
    tolerance after it; ``response`` is ``response`` at ≥ 50 %, ``partial_response`` at 25-49 %,
    ``no_response`` below 25 %, ``unknown`` without scores bracketing the course.
    """

    modality: Literal["tms", "ect"] = "tms"
    start: dt.date
    end: dt.date | None = None
    sessions: int | None = None
    baseline_score: float | None = None
    best_score: float | None = None
    instrument: InstrumentId | None = None
    improvement_pct: float | None = None
    response: CourseResponse = "unknown"


PriorTmsCourse = PriorCourse
"""The older name of :class:`PriorCourse` (``modality: tms``)."""


class CurrentSeverity(_Cited):
    """The latest score on one instrument as of the as-of date, its range and its trend."""

    instrument: InstrumentId
    date: dt.date
    value: float
    band: str | None = None
    range: Literal["remission", "mild", "moderate_or_worse"]
    """From the instrument's bands: its lowest band (minimal / none / normal) is ``remission``,
    a band named ``mild`` is ``mild``, anything above is ``moderate_or_worse``."""
    previous_value: float | None = None
    previous_date: dt.date | None = None
    trend: Literal["improving", "worsening", "stable"] | None = None
    """Latest against the previous score on the same instrument (None with only one score)."""


class SuicideRiskFact(_Cited):
    """One record that says something about suicide risk: an item answer, a screen, a diagnosis.

    Negative answers are recorded too (``positive: False``), so a recent "not at all" on PHQ-9
    item 9 or a negative C-SSRS screen is a documented negative, not an absence of data.
    """

    source: Literal["phq9_item9", "cssrs", "diagnosis"]
    date: dt.date | None = None
    positive: bool
    kind: Literal["ideation", "behavior", "attempt", "self_harm", "history", "screen"]
    """``ideation`` (PHQ-9 item 9 > 0, C-SSRS ideation items, R45.851); ``behavior`` (C-SSRS
    behaviour items); ``attempt`` (a suicide attempt diagnosis); ``self_harm`` (intentional
    self-harm codes); ``history`` (personal history codes, Z91.51-); ``screen`` (a screen's
    overall result or a negative answer)."""
    value: float | None = None
    """PHQ-9 item 9: the answer 0-3 (0 not at all, 1 several days, 2 more than half the days,
    3 nearly every day)."""
    code: str | None = None
    description: str
    """The code display or a fixed label; never free text copied from notes."""
    active: bool = True
    """Diagnoses: clinical status active (as in DiagnosisFact.active); answers: True."""
    how: str = ""


class SafetyFinding(_Cited):
    """A contraindication or precaution found in the chart."""

    category: Literal["seizure", "implanted_device", "retained_metal", "other"]
    description: str
    """Code display or a short label; never free text copied from notes."""
    date: dt.date | None = None
    active: bool = True
    how: str = ""


class Contradiction(_Cited):
    """Two records of the chart that disagree about a safety fact."""

    category: str
    """The safety category, e.g. ``seizure``."""
    description: str
    """E.g. ``active seizure diagnosis beside a negative seizure screen``; codes and labels only."""


class SafetyScreen(_Fact):
    """Seizure history, implants and metal near the coil: what the chart records."""

    findings: tuple[SafetyFinding, ...] = ()
    screened_negative: tuple[str, ...] = ()
    """Categories a documented screen says are absent (e.g. ``implanted_device``)."""
    screen_evidence: tuple[str, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()


class PatientRecord(_Fact):
    """Everything evaluation needs, derived from one chart as of one date."""

    as_of: dt.date
    source: str = "<chart>"
    patient: PatientFact = Field(default_factory=PatientFact)
    coverages: tuple[CoverageFact, ...] = ()
    practitioner: ProviderFact | None = None
    organization: ProviderFact | None = None
    diagnoses: tuple[DiagnosisFact, ...] = ()
    current_episode_onset: dt.date | None = None
    trials: tuple[MedicationTrial, ...] = ()
    scores: tuple[ScoreFact, ...] = ()
    therapies: tuple[TherapyFact, ...] = ()
    psychotherapy: TherapySummary = Field(default_factory=TherapySummary)
    prior_tms: tuple[PriorCourse, ...] = ()
    prior_ect: tuple[PriorCourse, ...] = ()
    current_severity: tuple[CurrentSeverity, ...] = ()
    """One entry per instrument with a score on or before the as-of date."""
    suicide_risk: tuple[SuicideRiskFact, ...] = ()
    """Every item answer, screen and diagnosis about suicide risk, oldest first."""
    safety: SafetyScreen = Field(default_factory=SafetyScreen)
    pregnant: bool | None = None
    notes: tuple[DataQualityNote, ...] = ()
