"""The Determination: one policy applied to one PatientRecord; the contract every output renders.

Evaluation (``priorauth.evaluate``) produces it; the letter, the JSON output, the HTTP service and
the audit log consume it. It carries the PatientRecord it was computed from, so a renderer needs no
other input, and every criterion result cites the facts and FHIR resources it used.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from priorauth.facts.models import CoverageFact, PatientRecord

__all__ = [
    "AlertLevel",
    "Attestation",
    "CriterionOutcome",
    "CriterionResult",
    "Determination",
    "DeterminationStatus",
    "Evidence",
    "Gap",
    "PolicyRef",
    "QuoteKind",
    "SafetyAlert",
    "ServiceRequested",
]

CriterionOutcome = Literal["met", "not_met", "unknown"]
DeterminationStatus = Literal[
    "safety_hold", "clinician_review", "does_not_meet", "needs_documentation", "meets"
]
"""``safety_hold``: an absolute safety finding (docs/safety.md); never a letter to submit.
``clinician_review``: the criteria are met but a relative finding needs a named clinician's
review first. The other three come from the policy's criteria alone."""
AlertLevel = Literal["absolute", "relative"]
QuoteKind = Literal["verbatim", "paraphrase"]
"""A quote is the payer's own words (shown in quotation marks) or our paraphrase (labelled)."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Model):
    """A fact a criterion used, with the FHIR resources behind it."""

    fact: str
    """Where in the PatientRecord: ``trials[2]``, ``scores[0]``, ``diagnoses[1]``, ``patient``."""
    summary: str
    """Plain English, e.g. ``sertraline 200 mg/day, 10.0 weeks, inadequate response``."""
    resources: tuple[str, ...] = ()
    """``Type/id`` references."""


class Gap(_Model):
    """Something billing staff can do before submitting, to turn an unknown into met."""

    criterion_id: str
    action: str
    """Concrete: ``Document a PHQ-9 within 30 days before 2026-11-25``."""


class Attestation(_Model):
    """A fact a chart cannot show, which the signing physician must confirm."""

    id: str
    text: str
    quote: str = ""
    quote_kind: QuoteKind = "paraphrase"
    """Whether ``quote`` is the payer's own words (``verbatim``) or a ``paraphrase``."""


class SafetyAlert(_Model):
    """A finding of the safety floor (``priorauth.evaluate.floor``), whatever the policy says.

    ``absolute`` alerts make the status ``safety_hold``; ``relative`` ones make a ``meets``
    ``clinician_review`` until a named clinician confirms the review (``reviewed_by``).
    """

    id: str
    """Stable, e.g. ``acute-suicide-risk``, ``implant-near-coil``, ``seizure-history``."""
    level: AlertLevel
    category: str
    title: str
    """Short, e.g. ``Acute suicide risk``."""
    message: str
    """What the chart records: codes, labels and dates, never note text (the resource ids are in
    ``evidence``)."""
    action: str = ""
    """What to do about it (acute suicide risk: contact the treating clinician the same day)."""
    urgent: bool = False
    """Acute suicide risk: contact the treating clinician the same day."""
    evidence: tuple[Evidence, ...] = ()
    reviewed_by: str | None = None
    """Relative alerts: the clinician who reviewed the finding and cleared it for this request."""


class CriterionResult(_Model):
    """The outcome of one criterion (or one all-of / any-of / at-least-n group)."""

    id: str
    title: str
    kind: str
    outcome: CriterionOutcome
    explanation: str
    quote: str = ""
    """The policy sentence this criterion encodes."""
    quote_kind: QuoteKind = "paraphrase"
    """``verbatim`` only when the rule file marks ``quote`` as the payer's own words; a
    paraphrase is never shown in quotation marks."""
    evidence: tuple[Evidence, ...] = ()
    gaps: tuple[Gap, ...] = ()
    children: tuple[CriterionResult, ...] = ()
    review_flag: str | None = None
    """Set when the rule file marks this criterion as unverified against the source policy."""


class ServiceRequested(_Model):
    """What the letter requests, from the policy's service block."""

    cpt_codes: tuple[str, ...] = ()
    initial_sessions: int | None = None
    taper_sessions: int | None = None
    max_weeks: int | None = None
    """The initial course's limit in weeks (5 sessions a week); None when the policy states none."""
    extension_sessions: int | None = None
    """Sessions the policy allows after the initial course, on ``extension_condition``."""
    extension_taper_sessions: int | None = None
    extension_condition: str = ""
    accelerated_protocols_covered: bool | None = None
    description: str = ""


class PolicyRef(_Model):
    """Which policy version produced this determination."""

    id: str
    version: str
    payer: str
    title: str
    number: str | None = None
    effective_from: dt.date | None
    """None only for a draft whose effective date is not documented (the rule file says why)."""
    effective_until: dt.date | None = None
    effective_review: str | None = None
    """Why the rule file's effective window is not verified (its ``effective.review``); None when
    the dates are verified. The letter then prints the dates as unverified."""
    last_reviewed: dt.date | None = None
    """When the rule file was last checked against its sources: ours, never the payer's date."""
    source_urls: tuple[str, ...] = ()
    dates_unverified: bool = False
    """The rule file marks its effective window ``uncertain``: surfaces say "policy dates
    unverified" (with ``dates_review``)."""
    dates_review: str = ""
    content_hash: str
    """SHA-256 of the rule file's bytes."""
    service: ServiceRequested = ServiceRequested()


class Determination(_Model):
    """One policy applied to one PatientRecord as of one date."""

    status: DeterminationStatus
    alerts: tuple[SafetyAlert, ...] = ()
    """The safety floor's findings, absolute first; shown before anything else on every surface."""
    criteria_status: DeterminationStatus | None = None
    """The status from the policy's criteria alone, before the safety floor (None: same)."""
    as_of: dt.date
    policy: PolicyRef
    criteria: tuple[CriterionResult, ...]
    gaps: tuple[Gap, ...] = ()
    attestations: tuple[Attestation, ...] = ()
    summary: str = ""
    warnings: tuple[str, ...] = ()
    """Safety findings in the chart that this policy's criteria do not cover: the status does not
    reflect them, a clinician must. Names categories and resource ids only."""
    coverage: CoverageFact | None = None
    """The chart's coverage in force on the as-of date with this policy's payer (primary
    first); None when the chart has none (a letter then needs an explicit override)."""
    coverage_notes: tuple[str, ...] = ()
    """Coverages ignored for matching (ended, cancelled...) and why."""
    record: PatientRecord
