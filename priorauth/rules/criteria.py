"""The criterion kinds a payer rule file can use: one frozen model per ``kind``.

Every criterion has an ``id`` (unique in its file), a ``title``, the ``quote`` of the policy text it
encodes and an optional ``review`` flag. Each model declares ``reads``: the PatientRecord fields
its evaluation uses (a meta-test checks the evaluator reads nothing else). The semantics of each
kind are in ``payer_rules/README.md`` and in ``priorauth/evaluate/criteria/``.
"""

from __future__ import annotations

import typing
from typing import Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from priorauth.facts.models import DrugClass, InstrumentId
from priorauth.terminology import instrument

__all__ = [
    "DEFAULT_ADEQUATE_WEEKS",
    "PSYCHOTHERAPY_TYPES",
    "AgeCriterion",
    "AntidepressantTrialsCriterion",
    "AttestationCriterion",
    "ContraindicationCriterion",
    "DiagnosisCriterion",
    "EctCriterion",
    "ExclusionCriterion",
    "ExclusionExcept",
    "FirstCourseCriterion",
    "IndividualReviewCriterion",
    "IntoleranceCriterion",
    "IntoleranceMinWeeks",
    "IntoleranceRule",
    "LeafCriterion",
    "LongerTrials",
    "PriorTmsResponseCriterion",
    "PsychotherapyCriterion",
    "QuoteKind",
    "ResponseFromScores",
    "RetreatmentCriterion",
    "SeverityScoreCriterion",
    "Strict",
    "Threshold",
]

Comparator = Literal[">", ">=", "<", "<="]
QuoteKind = Literal["verbatim", "paraphrase"]
"""Whether a ``quote`` is the payer's own words or our paraphrase of them."""
Window = Literal["current_episode", "lifetime", "lookback"]
FailureOutcome = Literal["inadequate_response", "intolerance"]
SafetyCategory = Literal["seizure", "implanted_device", "retained_metal", "suicide_risk", "other"]
"""``suicide_risk`` is read from ``PatientRecord.suicide_risk`` (PHQ-9 item 9, C-SSRS, suicidal
ideation / attempt / self-harm diagnoses); the other categories from ``PatientRecord.safety``."""
ConditionCategory = Literal[
    "mdd",
    "depression_other",
    "bipolar",
    "psychotic",
    "substance_use",
    "seizure",
    "pregnancy",
    "anxiety",
    "ptsd",
    "catatonia",
    "dementia",
    "other_excluded",
]
EctStatus = Literal["completed", "in_progress", "not_done", "declined", "planned"]
PsychotherapyType = Literal[
    "acceptance_commitment",
    "behavioral",
    "cbt",
    "crisis",
    "dbt",
    "emdr",
    "family",
    "group",
    "ipt",
    "problem_solving",
    "psychodynamic",
    "social",
    "solution_focused",
    "supportive",
]
"""The ``therapy_type`` values the facts stage gives a psychotherapy (from
``priorauth/terminology/data/procedures.csv`` and ``procedure_terms.yaml``; ``unspecified`` means
the type is not stated and is never accepted as a type)."""
PSYCHOTHERAPY_TYPES: tuple[str, ...] = typing.get_args(PsychotherapyType)
CriterionId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80)]
NonEmpty = Annotated[str, Field(min_length=1)]


def _code_str(value: object) -> object:
    """Accept unquoted numeric codes (``90867``) as strings."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Code = Annotated[str, BeforeValidator(_code_str), Field(min_length=1)]


class Strict(BaseModel):
    """Base of every rule-file model: frozen, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class _Criterion(Strict):
    """Keys every criterion has."""

    reads: ClassVar[frozenset[str]] = frozenset()
    id: CriterionId
    title: NonEmpty
    quote: NonEmpty
    """The policy sentence (or a short citation of it) this criterion encodes."""
    quote_kind: QuoteKind | None = None
    """``verbatim`` (the payer's own words, shown in quotation marks) or ``paraphrase`` (ours,
    labelled "Paraphrase:"); required by ``rules check``."""
    source: str | None = None
    """Which of the file's sources (URL, page, section) the quote comes from."""
    review: str | None = None
    """Why this criterion is not verified against the primary policy text (shown on the letter)."""
    gap: str | None = None
    """Override of the gap action shown when the outcome is unknown."""
    note: str = ""
    """A comment for analysts; never shown to payers."""


class _Windowed(Strict):
    """Which period of the history counts: the current episode, the whole history, or N days."""

    window: Window = "current_episode"
    lookback_days: Annotated[int, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _lookback_given(self) -> _Windowed:
        if (self.window == "lookback") != (self.lookback_days is not None):
            raise ValueError("lookback_days is required with window: lookback, and only then")
        return self


class AgeCriterion(_Criterion):
    """Age in whole years on the as-of date is within [min, max] (both inclusive)."""

    reads: ClassVar[frozenset[str]] = frozenset({"patient"})
    kind: Literal["age"]
    min: Annotated[int, Field(ge=0)] | None = None
    max: Annotated[int, Field(ge=0)] | None = None


class DiagnosisCriterion(_Criterion):
    """An active diagnosis in the given categories/codes with the required features."""

    reads: ClassVar[frozenset[str]] = frozenset({"diagnoses"})
    kind: Literal["diagnosis"]
    categories: tuple[ConditionCategory, ...] = ("mdd",)
    codes: tuple[Code, ...] = ()
    """ICD-10-CM codes, any of which qualifies (dots optional). Empty: any code."""
    code_prefixes: tuple[Code, ...] = ()
    """ICD-10-CM prefixes (``F33``), any of which qualifies."""
    severity: tuple[Literal["mild", "moderate", "severe"], ...] = ()
    """Accepted severities; empty: any."""
    episode: tuple[Literal["single", "recurrent"], ...] = ()
    """Accepted episode types; empty: any."""
    without_psychotic_features: bool = False
    allow_remission: bool = False
    """When false, a diagnosis in partial or full remission does not qualify."""


class Threshold(Strict):
    """A score threshold: ``op`` with ``value``, or an inclusive ``range: [low, high]``, or
    nothing (any documented score)."""

    op: Comparator | None = None
    value: float | None = None
    range: tuple[float, float] | None = None
    """Inclusive bounds ``[low, high]``."""

    @model_validator(mode="after")
    def _threshold(self) -> Threshold:
        if (self.op is None) != (self.value is None):
            raise ValueError("give both op and value, or neither")
        if self.range is not None and self.op is not None:
            raise ValueError("give either op/value or range, not both")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("range must be [low, high]")
        return self

    def can_be_met_on(self, instrument_id: str) -> str | None:
        """Why no score of the instrument can meet this threshold (``None``: some can)."""
        inst = instrument(instrument_id)
        low, high = float(inst.min_score), float(inst.max_score)
        scale = f"{inst.name} scores run {inst.min_score}-{inst.max_score}"
        if self.range is not None and (self.range[0] < low or self.range[1] > high):
            return f"range [{self.range[0]:g}, {self.range[1]:g}] is outside the scale: {scale}"
        if self.op is None or self.value is None:
            return None
        impossible = {
            ">": self.value >= high,
            ">=": self.value > high,
            "<": self.value <= low,
            "<=": self.value < low,
        }[self.op]
        if impossible or not low <= self.value <= high:
            return f"{instrument_id} {self.op} {self.value:g} is outside the scale: {scale}"
        return None


class SeverityScoreCriterion(Threshold, _Criterion):
    """A rating-scale score: which instruments (or a scale set with a threshold per scale),
    which threshold, how recent, and whether one scale is used throughout."""

    reads: ClassVar[frozenset[str]] = frozenset({"scores", "current_episode_onset"})
    kind: Literal["severity_score"]
    instruments: tuple[InstrumentId, ...] = ()
    """The scales that count, all with the one threshold ``op``/``value``/``range``."""
    scales: dict[InstrumentId, Threshold] | None = None
    """A scale set: each listed scale with its own threshold (``{phq9: {op: ">=", value: 15},
    hamd: {op: ">=", value: 20}}``). Give ``scales`` or ``instruments``, not both."""
    within_days: Annotated[int, Field(gt=0)] | None = None
    """Only scores dated within N days before the as-of date count."""
    since_episode_onset: bool = False
    """Only scores dated on or after the current episode's onset count."""
    which: Literal["latest", "any", "all"] = "latest"
    """Which counted scores of a scale must pass: the most recent, any one, or every one
    ("throughout")."""
    same_scale: bool = False
    """One scale throughout: only the scale of the most recent counted score is judged (scores
    on other scales neither meet nor fail the criterion), and the signer attests that response
    will be measured on that scale."""
    same_instrument_at_baseline: bool = False
    """Adds an attestation that follow-up will use the same instrument as the qualifying score."""

    @model_validator(mode="after")
    def _scale_set(self) -> SeverityScoreCriterion:
        if bool(self.instruments) == bool(self.scales):
            raise ValueError("give instruments (one threshold for all) or scales, not both")
        if self.scales and (self.op is not None or self.range is not None):
            raise ValueError("with scales, give each scale its own threshold (drop op/value/range)")
        for scale, threshold in self.thresholds().items():
            reason = threshold.can_be_met_on(scale)
            if reason is not None:
                raise ValueError(f"{reason}; this threshold can never be met")
        return self

    def thresholds(self) -> dict[str, Threshold]:
        """Each counted scale with its threshold (``instruments`` share the criterion's)."""
        if self.scales:
            return {str(scale): t for scale, t in self.scales.items()}
        shared = Threshold(op=self.op, value=self.value, range=self.range)
        return {scale: shared for scale in self.instruments}


class LongerTrials(Strict):
    """At least ``n`` of the qualifying trials must also last ``min_weeks``."""

    n: Annotated[int, Field(gt=0)]
    min_weeks: Annotated[float, Field(gt=0)]


DEFAULT_ADEQUATE_WEEKS = 4.0
"""The duration an adequate trial needs when the rule file gives no ``min_weeks`` (and
``adequate_dose`` is true): the shortest any policy or guideline in the reference calls adequate
(Cigna 0383 and ATHF: 4 weeks; APA: 4-8 weeks). ``min_weeks: 0`` turns the duration check off."""


class IntoleranceMinWeeks(Strict):
    """An intolerance counts when the trial lasted at least ``min_weeks`` (calendar weeks, any
    dose): ``intolerance: {min_weeks: 2}``."""

    min_weeks: Annotated[float, Field(gt=0)]


IntoleranceRule = Literal["any_duration", "adequate_trial"] | IntoleranceMinWeeks
"""How a trial stopped for intolerance counts as a failed trial (see payer_rules/README.md)."""

_INTOLERANCE_HOW = (
    "any_duration (the policy accepts intolerance at any dose and duration), adequate_trial "
    "(only a trial that is itself adequate: dose and weeks), or {min_weeks: N} (a trial of at "
    "least N weeks); when the policy text does not say, use adequate_trial and add a review note"
)


class ResponseFromScores(Strict):
    """Judge a trial whose outcome is not documented from its rating-scale scores: an inadequate
    response when the best score within the trial fell by less than ``max_reduction_pct`` from
    the baseline on the same instrument (see payer_rules/README.md)."""

    max_reduction_pct: Annotated[float, Field(gt=0, le=100)]
    """A reduction below this (``50``: "< 50 % reduction") is an inadequate response; at or
    above it the trial responded and does not count as failed."""
    baseline_days: Annotated[int, Field(gt=0)] = 30
    """The baseline is the last score dated within N days before the trial's start."""
    followup_days: Annotated[int, Field(ge=0)] = 14
    """Follow-up scores count up to N days after the trial's last day."""


class AntidepressantTrialsCriterion(_Windowed, _Criterion):
    """Failed antidepressant (and augmentation) trials: counts, classes, dose, duration."""

    reads: ClassVar[frozenset[str]] = frozenset({"trials", "current_episode_onset", "scores"})
    kind: Literal["antidepressant_trials"]
    min_trials: Annotated[int, Field(ge=0)] = 1
    min_classes: Annotated[int, Field(ge=0)] = 0
    classes: tuple[DrugClass, ...] = ()
    """Classes whose trials count; empty: every antidepressant class."""
    include_augmentation: bool = False
    """Whether augmentation trials count toward ``min_trials`` and ``min_classes``."""
    min_augmentation_trials: Annotated[int, Field(ge=0)] = 0
    min_augmentation_classes: Annotated[int, Field(ge=0)] = 0
    min_weeks: Annotated[float, Field(ge=0)] | None = None
    """Weeks each counted trial lasted; default ``DEFAULT_ADEQUATE_WEEKS`` (4) when
    ``adequate_dose`` is true, none otherwise; 0: no duration check."""
    duration_at_adequate_dose: bool = True
    """With ``adequate_dose``: the weeks are weeks AT an adequate dose (``weeks_at_adequate_dose``),
    not calendar weeks. Set false only when the policy text counts calendar weeks."""
    adequate_dose: bool | Literal["max_label_or_tolerated"] = True
    """``true``: the peak dose reached the ingredient's minimum adequate dose.
    ``max_label_or_tolerated``: "maximal FDA-recommended or maximal tolerated dose": the peak
    reached the label maximum (terminology ``usual_max_mg_per_day``), or the trial was stopped
    for intolerance (the dose it reached was the maximal tolerated); weeks are calendar weeks."""
    min_adherence_pdc: Annotated[float, Field(gt=0, le=1)] | None = None
    longer: LongerTrials | None = None
    outcomes: tuple[FailureOutcome, ...] = ("inadequate_response", "intolerance")
    intolerance: IntoleranceRule | None = Field(default=None, validate_default=True)
    """How an intolerance counts; required when ``outcomes`` include intolerance."""
    count: Literal["ingredients", "regimens"] = "ingredients"
    """What ``min_trials`` counts: distinct ingredients, or distinct regimens (a base
    antidepressant and the augmenting agent or second antidepressant held with it are one trial:
    "4 trials of mono- or poly-therapy")."""
    response_from_scores: ResponseFromScores | None = None
    """Judge trials whose outcome is undocumented from their scores (inadequate response when
    the reduction is below ``max_reduction_pct``)."""

    @field_validator("intolerance")
    @classmethod
    def _intolerance_said(
        cls, value: IntoleranceRule | None, info: ValidationInfo
    ) -> IntoleranceRule | None:
        outcomes = info.data.get("outcomes")
        if outcomes is None:
            return value
        if "intolerance" in outcomes and value is None:
            raise ValueError(
                "outcomes include intolerance (the default), so say how an intolerance counts: "
                + _INTOLERANCE_HOW
            )
        if "intolerance" not in outcomes and value is not None:
            raise ValueError("intolerance is only used when outcomes include intolerance")
        return value

    @property
    def weeks_required(self) -> float | None:
        """The weeks each counted trial needs (the default applied; ``None``: no check)."""
        if self.min_weeks is None:
            return DEFAULT_ADEQUATE_WEEKS if self.adequate_dose is not False else None
        return self.min_weeks or None

    @property
    def weeks_at_adequate_dose(self) -> bool:
        """Whether the weeks are counted at an adequate dose."""
        return self.adequate_dose is True and self.duration_at_adequate_dose


class IntoleranceCriterion(_Windowed, _Criterion):
    """Trials stopped for intolerance: count, classes, distinct side effects."""

    reads: ClassVar[frozenset[str]] = frozenset({"trials", "current_episode_onset"})
    kind: Literal["intolerance"]
    min_trials: Annotated[int, Field(gt=0)] = 1
    min_classes: Annotated[int, Field(ge=0)] = 0
    classes: tuple[DrugClass, ...] = ()
    include_augmentation: bool = False
    distinct_side_effects: bool = False
    adequate_dose: bool = False
    """When true, only intolerance at an adequate (therapeutic) dose counts."""


class PsychotherapyCriterion(_Windowed, _Criterion):
    """A documented trial of (evidence-based) psychotherapy."""

    reads: ClassVar[frozenset[str]] = frozenset(
        {"therapies", "psychotherapy", "current_episode_onset"}
    )
    kind: Literal["psychotherapy"]
    types: tuple[PsychotherapyType, ...] = ()
    """Accepted ``therapy_type`` values (``cbt``, ``ipt``, ``dbt``...); empty: any type, including
    psychotherapy whose type is not stated."""
    min_sessions: Annotated[int, Field(ge=0)] = 1
    min_weeks: Annotated[float, Field(ge=0)] | None = None
    min_types: Annotated[int, Field(ge=0)] = 0
    """Distinct psychotherapy types required (``2``: two different psychotherapies)."""


class EctCriterion(_Criterion):
    """An ECT record with one of the accepted statuses (declined, not_done...)."""

    reads: ClassVar[frozenset[str]] = frozenset({"therapies"})
    kind: Literal["ect"]
    statuses: tuple[EctStatus, ...] = Field(min_length=1)


class ContraindicationCriterion(_Criterion):
    """Safety findings that must be absent, and a screen showing they are.

    ``suicide_risk``: not met on a positive suicide-risk record dated within 30 days before the
    as-of date or an active ideation / attempt / self-harm diagnosis; met on a documented negative
    PHQ-9 item 9 or C-SSRS within 30 days; otherwise unknown (document a suicide-risk screen).
    """

    reads: ClassVar[frozenset[str]] = frozenset({"safety", "suicide_risk"})
    kind: Literal["contraindication"]
    categories: tuple[SafetyCategory, ...] = Field(min_length=1)
    include_history: bool = False
    """When true, inactive (historical) findings count too, e.g. any seizure history; for
    ``suicide_risk``, any positive record whatever its date."""


class ExclusionExcept(Strict):
    """What an exclusion does not cover: codes, code prefixes, or words in the diagnosis text."""

    codes: tuple[Code, ...] = ()
    code_prefixes: tuple[Code, ...] = ()
    terms: tuple[NonEmpty, ...] = ()
    """Words matched case-insensitively in the diagnosis display ("ECT-induced")."""

    @model_validator(mode="after")
    def _something(self) -> ExclusionExcept:
        if not (self.codes or self.code_prefixes or self.terms):
            raise ValueError("give codes, code_prefixes or terms")
        return self


class ExclusionCriterion(_Criterion):
    """Conditions that must be absent: active, or within N days before the as-of date.

    ``conditions``, ``codes`` and ``code_prefixes`` combine with OR: a diagnosis is excluded when
    its category is listed, or its code is listed, or its code starts with a listed prefix.
    """

    reads: ClassVar[frozenset[str]] = frozenset({"diagnoses", "pregnant"})
    kind: Literal["exclusion"]
    conditions: tuple[ConditionCategory, ...] = ()
    codes: tuple[Code, ...] = ()
    code_prefixes: tuple[Code, ...] = ()
    within_days: Annotated[int, Field(gt=0)] | None = None
    """Also exclude diagnoses that ended (or were recorded) within N days before the as-of date."""
    include_history: bool = False
    """Exclude any recorded diagnosis of these conditions, active or not (e.g. a bipolar history
    for "unipolar" depression)."""
    require_pregnancy_status: bool = False
    """With ``pregnancy``: unknown (a gap) when the chart does not state pregnancy status."""
    qualifier: Literal["severe"] | None = None
    """Only diagnoses stated as severe exclude ("severe heart disease"); a diagnosis whose severity
    the chart does not state is unknown (gap: document its severity)."""
    except_: ExclusionExcept | None = Field(default=None, alias="except")
    """Diagnoses the policy carves out of the exclusion ("ECT-induced seizures excluded")."""

    @model_validator(mode="after")
    def _something(self) -> ExclusionCriterion:
        if not (self.conditions or self.codes or self.code_prefixes):
            raise ValueError("give conditions, codes or code_prefixes")
        if self.include_history and self.within_days is not None:
            raise ValueError(
                "include_history already counts every past diagnosis: drop within_days"
            )
        return self


class PriorTmsResponseCriterion(_Criterion):
    """A previous TMS course with a documented response."""

    reads: ClassVar[frozenset[str]] = frozenset({"prior_tms"})
    kind: Literal["prior_tms_response"]
    min_improvement_pct: Annotated[float, Field(ge=0, le=100)]
    """0 with ``op: ">"``: any documented improvement."""
    op: Literal[">", ">="] = ">="
    min_days_since_last_course: Annotated[int, Field(ge=0)] | None = None
    max_days_since_last_course: Annotated[int, Field(gt=0)] | None = None


class RetreatmentCriterion(_Criterion):
    """A repeat course: prior response (sustained), enough time, then relapse."""

    reads: ClassVar[frozenset[str]] = frozenset({"prior_tms", "scores"})
    kind: Literal["retreatment"]
    min_improvement_pct: Annotated[float, Field(ge=0, le=100)]
    """0 with ``op: ">"``: any documented improvement."""
    op: Literal[">", ">="] = ">="
    min_days_since_last_course: Annotated[int, Field(ge=0)] | None = None
    min_sustained_days: Annotated[int, Field(gt=0)] | None = None
    """The response must be documented as sustained: a score of the course's instrument dated at
    least N days after the course ended still shows the required improvement."""
    min_worsening_points: Annotated[float, Field(gt=0)] | None = None
    """Relapse: the current score is at least this many points worse than the course's best."""
    min_worsening_pct: Annotated[float, Field(gt=0, le=100)] | None = None
    """Relapse: at least this % of the course's improvement has been lost."""
    min_worsening_pct_of_best: Annotated[float, Field(gt=0)] | None = None
    """Relapse: the current score is at least this % above the course's best score ("50 % worse
    than the best score": best 8, relapse from 12)."""
    relapse: Literal["measured", "attested", "not_required"] = "measured"
    """How relapse is checked: ``measured`` (needs ``min_worsening_points`` or
    ``min_worsening_pct``), ``attested`` (the policy gives no measure: unknown with the gap
    "Signer to confirm: ..." unless this criterion's id is passed as attested), or
    ``not_required`` (the policy does not ask for relapse)."""
    within_days: Annotated[int, Field(gt=0)] = 30
    """The current score must be dated within N days before the as-of date."""

    @model_validator(mode="after")
    def _relapse_measure(self) -> RetreatmentCriterion:
        measured = any(
            m is not None
            for m in (
                self.min_worsening_points,
                self.min_worsening_pct,
                self.min_worsening_pct_of_best,
            )
        )
        if self.relapse == "measured" and not measured:
            raise ValueError(
                "give min_worsening_points or min_worsening_pct or min_worsening_pct_of_best (how "
                "relapse is measured), or "
                "relapse: attested (no measure in the policy) or relapse: not_required"
            )
        if self.relapse != "measured" and measured:
            raise ValueError(
                f"min_worsening_* are only used with relapse: measured, not {self.relapse}"
            )
        return self


class FirstCourseCriterion(_Criterion):
    """Met when the chart records no previous TMS course (to gate repeat-course conditions)."""

    reads: ClassVar[frozenset[str]] = frozenset({"prior_tms", "therapies"})
    kind: Literal["first_course"]


class AttestationCriterion(_Criterion):
    """A fact a chart cannot show, as one alternative of the logic (see README: attestations).

    Unknown (gap "Signer to confirm: <text>") unless the caller passes its id as attested; then
    met. Requirements every patient must have confirmed belong in the policy's ``attestations``.
    """

    reads: ClassVar[frozenset[str]] = frozenset()
    kind: Literal["attestation"]
    text: NonEmpty
    """What the signer confirms, as printed on the letter."""


class IndividualReviewCriterion(_Criterion):
    """A case the policy considers case by case (e.g. members 15-17): never met from the chart.

    When the patient's age is in [``min_age``, ``max_age``] the outcome is unknown with the gap
    "Individual review: <text>" (the payer decides; the request must ask for individual review);
    otherwise not met. Use it as an alternative beside the criterion it relaxes, in an ``any``.
    """

    reads: ClassVar[frozenset[str]] = frozenset({"patient"})
    kind: Literal["individual_review"]
    min_age: Annotated[int, Field(ge=0)] | None = None
    max_age: Annotated[int, Field(ge=0)] | None = None
    text: NonEmpty
    """What the payer reviews, as printed in the gap: "members 15-17 are reviewed case by case"."""

    @model_validator(mode="after")
    def _some_condition(self) -> IndividualReviewCriterion:
        if self.min_age is None and self.max_age is None:
            raise ValueError("give min_age and/or max_age: who the policy reviews case by case")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("min_age is above max_age")
        return self


LeafCriterion = (
    AgeCriterion
    | DiagnosisCriterion
    | SeverityScoreCriterion
    | AntidepressantTrialsCriterion
    | IntoleranceCriterion
    | PsychotherapyCriterion
    | EctCriterion
    | ContraindicationCriterion
    | ExclusionCriterion
    | PriorTmsResponseCriterion
    | RetreatmentCriterion
    | FirstCourseCriterion
    | AttestationCriterion
    | IndividualReviewCriterion
)
