"""The PatientRecord: every clinical fact priorauth derives from a chart, each citing its evidence.

A PatientRecord is the only input of evaluation. It holds no FHIR objects, only domain values, so
it can be written by hand (YAML/JSON) for payer-rule test cases. Every fact carries ``evidence``:
the ``Type/id`` references of the resources it came from, and where useful ``how`` it was matched
("rxnorm 312938 (SCD)", "text: brand 'Lexapro'", "LOINC 44261-6").
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from priorauth.fhir.notes import DataQualityNote
from priorauth.terminology.models import DrugClass

__all__ = [
    "Address",
    "CoverageFact",
    "DataQualityNote",
    "DiagnosisFact",
    "DrugClass",
    "MedicationTrial",
    "PatientFact",
    "PatientRecord",
    "PriorTmsCourse",
    "ProviderFact",
    "SafetyFinding",
    "SafetyScreen",
    "ScoreFact",
    "TherapyFact",
    "TherapySummary",
]

Outcome = Literal["inadequate_response", "intolerance", "other", "unknown"]
InstrumentId = Literal["phq9", "phq2", "phqa", "hamd", "madrs", "bdi2", "qids_sr"]


class _Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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


class PriorTmsCourse(_Cited):
    """A previous course of TMS with its response, when the chart records it."""

    start: dt.date
    end: dt.date | None = None
    sessions: int | None = None
    baseline_score: float | None = None
    best_score: float | None = None
    instrument: InstrumentId | None = None
    improvement_pct: float | None = None


class SafetyFinding(_Cited):
    """A contraindication or precaution found in the chart."""

    category: Literal["seizure", "implanted_device", "retained_metal", "other"]
    description: str
    """Code display or a short label; never free text copied from notes."""
    date: dt.date | None = None
    active: bool = True
    how: str = ""


class SafetyScreen(_Fact):
    """Seizure history, implants and metal near the coil: what the chart records."""

    findings: tuple[SafetyFinding, ...] = ()
    screened_negative: tuple[str, ...] = ()
    """Categories a documented screen says are absent (e.g. ``implanted_device``)."""
    screen_evidence: tuple[str, ...] = ()


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
    prior_tms: tuple[PriorTmsCourse, ...] = ()
    safety: SafetyScreen = Field(default_factory=SafetyScreen)
    pregnant: bool | None = None
    notes: tuple[DataQualityNote, ...] = ()
