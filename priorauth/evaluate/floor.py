"""The safety floor: findings no payer policy can waive (docs/safety.md is the user's guide).

Every Determination passes through the floor, whatever its policy file says:

* **Absolute** findings make the status ``safety_hold``: the request is not submitted, whatever
  the criteria say. Acute suicide risk is also ``urgent`` (contact the treating clinician the same
  day).
* **Relative** findings turn a ``meets`` into ``clinician_review`` until a named clinician has
  reviewed each one (``reviewed``: alert id → clinician's name).
* A chart with no suicide-risk screen (PHQ-9 item 9 or C-SSRS) in the 30 days before the as-of
  date gets a **gap**: a ``meets`` becomes ``needs_documentation``.

The floor reads only the PatientRecord, the policy's payer (for coverage) and the as-of date.
Messages name codes, dates and ``Type/id`` references, never text copied from the chart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from priorauth.alerts import URGENT_ACTION
from priorauth.determination import (
    AlertLevel,
    DeterminationStatus,
    Evidence,
    Gap,
    SafetyAlert,
)
from priorauth.errors import ReviewError
from priorauth.evaluate.select import coverage_matches
from priorauth.facts.models import DiagnosisFact, PatientRecord, SuicideRiskFact
from priorauth.rules.models import Policy

__all__ = [
    "ATTEMPT_DAYS",
    "RECENT_DAYS",
    "SCORE_DAYS",
    "SCREEN_DAYS",
    "SEIZURE_YEARS",
    "Floor",
    "check_reviewed",
    "floor_status",
    "safety_floor",
]

SCREEN_DAYS = 30
"""A suicide-risk answer is current for this many days before the as-of date."""
ATTEMPT_DAYS = 90
"""A suicide attempt or intentional self-harm this recent is acute risk."""
RECENT_DAYS = 365
"""Positive suicide-risk answers this recent (but not current) need a clinician's review."""
SEIZURE_YEARS = 5
"""A resolved seizure this recent needs a clinician's review; an older one raises no alert."""
SCORE_DAYS = 90
"""A latest score this recent in the remission or mild range needs a clinician's review."""


@dataclass(frozen=True)
class Floor:
    """What the floor found for one record under one policy."""

    alerts: tuple[SafetyAlert, ...]
    gaps: tuple[Gap, ...]

    def blocks_meets(self) -> bool:
        return any(a.level == "absolute" or a.reviewed_by is None for a in self.alerts)


@dataclass
class _Finding:
    """An alert being built: evidence accumulates per alert id."""

    id: str
    level: AlertLevel
    category: str
    title: str
    lead: str
    action: str
    urgent: bool = False
    evidence: list[Evidence] = field(default_factory=list)

    def alert(self, reviewed_by: str | None) -> SafetyAlert:
        evidence = tuple(self.evidence)
        facts = "; ".join(dict.fromkeys(e.summary for e in evidence))
        return SafetyAlert(
            id=self.id,
            level=self.level,
            category=self.category,
            title=self.title,
            message=f"{self.lead}: {facts}.",
            action=self.action,
            urgent=self.urgent,
            evidence=evidence,
            reviewed_by=reviewed_by if self.level == "relative" else None,
        )


class _Alerts:
    """Findings keyed by alert id, in the order first raised."""

    def __init__(self) -> None:
        self.found: dict[str, _Finding] = {}

    def raise_(self, template: _Finding, evidence: Evidence) -> None:
        finding = self.found.setdefault(template.id, replace(template, evidence=[]))
        if evidence not in finding.evidence:
            finding.evidence.append(evidence)

    def alerts(self, reviewed: Mapping[str, str]) -> tuple[SafetyAlert, ...]:
        alerts = [f.alert(reviewed.get(f.id)) for f in self.found.values()]
        return tuple(sorted(alerts, key=lambda a: (a.level != "absolute", not a.urgent)))


def _template(
    id_: str,
    level: AlertLevel,
    category: str,
    title: str,
    lead: str,
    action: str,
    *,
    urgent: bool = False,
) -> _Finding:
    return _Finding(id_, level, category, title, lead, action, urgent)


_REVIEW = "A clinician must review this and confirm it does not preclude TMS before submitting."
_HOLD = "TMS is not requested while this stands; do not submit this request."

ACUTE_SUICIDE = _template(
    "acute-suicide-risk", "absolute", "suicide_risk", "Acute suicide risk",
    "The chart records current suicide risk", URGENT_ACTION, urgent=True,
)  # fmt: skip
SUICIDE_REVIEW = _template(
    "suicide-risk-review", "relative", "suicide_risk", "Suicide risk needs clinical review",
    "The chart records suicide risk that is not current or not severe", _REVIEW,
)  # fmt: skip
IMPLANT = _template(
    "implant-near-coil", "absolute", "implanted_device", "Implant or metal near the coil",
    "An implanted device or retained metal is recorded", _HOLD,
)  # fmt: skip
PSYCHOSIS = _template(
    "psychotic-features", "absolute", "psychosis", "Psychotic features",
    "An active diagnosis with psychotic features is recorded", _HOLD,
)  # fmt: skip
BIPOLAR = _template(
    "bipolar", "absolute", "bipolar", "Bipolar disorder",
    "An active bipolar disorder diagnosis is recorded (the depression may be bipolar)", _HOLD,
)  # fmt: skip
BIPOLAR_HISTORY = _template(
    "bipolar-history", "relative", "bipolar", "History of bipolar disorder",
    "A bipolar disorder diagnosis that is no longer active is recorded", _REVIEW,
)  # fmt: skip
CATATONIA = _template(
    "catatonia", "absolute", "catatonia", "Catatonia",
    "An active catatonia diagnosis is recorded", _HOLD,
)  # fmt: skip
DECEASED = _template(
    "deceased", "absolute", "deceased", "Patient recorded as deceased",
    "The chart records the patient's death", "No request can be made.",
)  # fmt: skip
NO_COVERAGE = _template(
    "no-active-coverage", "absolute", "coverage", "No coverage in force",
    "No coverage in the chart is in force on the as-of date",
    "Confirm the patient's current insurance before any request.",
)  # fmt: skip
COVERAGE_ENDED = _template(
    "coverage-ended", "absolute", "coverage", "Coverage with this payer has ended",
    "The chart's coverage with this policy's payer is not in force on the as-of date",
    "Do not submit to this payer; confirm the patient's current insurance.",
)  # fmt: skip
SEIZURE = _template(
    "seizure-history", "relative", "seizure", "Seizure history",
    "A seizure disorder, a recent seizure or a seizure risk factor is recorded", _REVIEW,
)  # fmt: skip
CONTRADICTION = _template(
    "safety-contradiction", "relative", "contradiction", "The chart contradicts itself",
    "Records disagree about a safety fact", "A clinician must settle which record is right.",
)  # fmt: skip
REPEAT_COURSE = _template(
    "repeat-course", "relative", "repeat_course", "Repeat TMS course without documented response",
    "A previous TMS course is recorded without a documented response",
    "A clinician must document the previous course's response before a repeat course.",
)  # fmt: skip
REMISSION = _template(
    "remission-range-score", "relative", "severity", "Current score in the remission or mild range",
    "The latest score is in the remission or mild range", _REVIEW,
)  # fmt: skip
PREGNANCY = _template(
    "pregnancy", "relative", "pregnancy", "Pregnancy", "The chart records a pregnancy", _REVIEW,
)  # fmt: skip
DEMENTIA = _template(
    "dementia", "relative", "dementia", "Dementia",
    "An active dementia diagnosis is recorded", _REVIEW,
)  # fmt: skip
SUBSTANCE = _template(
    "substance-use", "relative", "substance_use", "Active substance use disorder",
    "An active substance use disorder is recorded", _REVIEW,
)  # fmt: skip

ABSOLUTE_IDS = frozenset(
    t.id
    for t in (ACUTE_SUICIDE, IMPLANT, PSYCHOSIS, BIPOLAR, CATATONIA, DECEASED, NO_COVERAGE,
              COVERAGE_ENDED)
)  # fmt: skip


def _days(as_of: dt.date, date: dt.date | None) -> int | None:
    return None if date is None else (as_of - date).days


def _on(date: dt.date | None) -> str:
    return f" on {date.isoformat()}" if date else " (undated)"


# --- suicide risk ------------------------------------------------------------------------------

_ITEM9_WORDS = {0: "not at all", 1: "several days", 2: "more than half the days",
                3: "nearly every day"}  # fmt: skip


def _suicide_summary(fact: SuicideRiskFact) -> str:
    if fact.source == "phq9_item9" and fact.value is not None:
        words = _ITEM9_WORDS.get(int(fact.value), "")
        return f"PHQ-9 item 9 answered {fact.value:g} ({words}){_on(fact.date)}"
    if fact.source == "cssrs":
        return f"C-SSRS positive{_on(fact.date)}"
    code = f"{fact.code} " if fact.code else ""
    status = "active" if fact.active else "inactive"
    return f"{code}{fact.description} ({status}){_on(fact.date)}"


def _suicide_level(fact: SuicideRiskFact, as_of: dt.date, later_negative: bool) -> _Finding | None:
    """Which alert a positive suicide-risk fact raises (None: too old to matter)."""
    age = _days(as_of, fact.date)
    if age is not None and age < 0:
        return None  # dated after the as-of date: not part of this request's chart
    if fact.source in ("phq9_item9", "cssrs"):
        if age is None or age > RECENT_DAYS:
            return None if age is not None else SUICIDE_REVIEW
        current = age <= SCREEN_DAYS and not later_negative
        severe = fact.source == "cssrs" or (fact.value or 0) >= 2
        return ACUTE_SUICIDE if current and severe else SUICIDE_REVIEW
    if fact.kind == "history":
        return SUICIDE_REVIEW
    if fact.kind in ("attempt", "self_harm"):
        recent = age is not None and age <= ATTEMPT_DAYS
        undated_active = age is None and fact.active
        return ACUTE_SUICIDE if recent or undated_active else SUICIDE_REVIEW
    # ideation diagnosis: an active one is current, an inactive one is history
    return ACUTE_SUICIDE if fact.active else SUICIDE_REVIEW


def _suicide(record: PatientRecord, as_of: dt.date, alerts: _Alerts) -> None:
    answers = [f for f in record.suicide_risk if f.source != "diagnosis" and f.date is not None]
    for i, fact in enumerate(record.suicide_risk):
        if not fact.positive:
            continue
        later_negative = fact.date is not None and any(
            not a.positive and a.date is not None and fact.date < a.date <= as_of for a in answers
        )
        template = _suicide_level(fact, as_of, later_negative)
        if template is not None:
            evidence = Evidence(
                fact=f"suicide_risk[{i}]", summary=_suicide_summary(fact), resources=fact.evidence
            )
            alerts.raise_(template, evidence)


def _suicide_screen_gap(record: PatientRecord, as_of: dt.date) -> Gap | None:
    """A gap when no suicide-risk screen answer is dated within SCREEN_DAYS before as_of."""
    for fact in record.suicide_risk:
        age = _days(as_of, fact.date)
        if fact.source != "diagnosis" and age is not None and 0 <= age <= SCREEN_DAYS:
            return None
    since = as_of - dt.timedelta(days=SCREEN_DAYS)
    return Gap(
        criterion_id="safety-floor.suicide-screen",
        action=(
            "Document a suicide-risk screen (PHQ-9 item 9 or C-SSRS) dated between "
            f"{since.isoformat()} and {as_of.isoformat()}"
        ),
    )


# --- diagnoses, devices, seizures --------------------------------------------------------------


def _dx_evidence(i: int, dx: DiagnosisFact) -> Evidence:
    status = "active" if dx.active else "inactive"
    when = dx.onset or dx.recorded
    return Evidence(
        fact=f"diagnoses[{i}]",
        summary=f"{dx.code} {dx.display or dx.category} ({status}){_on(when)}",
        resources=dx.evidence,
    )


_DX_ALERTS: dict[str, tuple[_Finding, _Finding | None]] = {
    "psychotic": (PSYCHOSIS, None),
    "bipolar": (BIPOLAR, BIPOLAR_HISTORY),
    "catatonia": (CATATONIA, None),
    "dementia": (DEMENTIA, None),
    "substance_use": (SUBSTANCE, None),
}


def _diagnoses(record: PatientRecord, alerts: _Alerts) -> None:
    for i, dx in enumerate(record.diagnoses):
        active_template, history_template = _DX_ALERTS.get(dx.category, (None, None))
        if dx.psychotic_features and dx.active:
            active_template = PSYCHOSIS
        template = active_template if dx.active else history_template
        if template is not None:
            alerts.raise_(template, _dx_evidence(i, dx))


def _safety_screen(record: PatientRecord, as_of: dt.date, alerts: _Alerts) -> None:
    for i, finding in enumerate(record.safety.findings):
        evidence = Evidence(
            fact=f"safety.findings[{i}]",
            summary=(
                f"{finding.description} ({'active' if finding.active else 'inactive'})"
                f"{_on(finding.date)}"
            ),
            resources=finding.evidence,
        )
        if finding.category in ("implanted_device", "retained_metal"):
            if finding.active:
                alerts.raise_(IMPLANT, evidence)
        elif finding.active or _recent_seizure(finding.date, as_of):
            alerts.raise_(SEIZURE, evidence)
    for i, contradiction in enumerate(record.safety.contradictions):
        alerts.raise_(
            CONTRADICTION,
            Evidence(
                fact=f"safety.contradictions[{i}]",
                summary=contradiction.description,
                resources=contradiction.evidence,
            ),
        )


def _recent_seizure(date: dt.date | None, as_of: dt.date) -> bool:
    """An inactive seizure finding within SEIZURE_YEARS, or undated (when is unknown)."""
    if date is None:
        return True
    try:
        cutoff = as_of.replace(year=as_of.year - SEIZURE_YEARS)
    except ValueError:  # 29 February, or a year before 1 + SEIZURE_YEARS
        cutoff = dt.date.min if as_of.year <= SEIZURE_YEARS else as_of - dt.timedelta(days=1826)
    return date >= cutoff


# --- the patient, coverage, courses, scores ----------------------------------------------------


def _patient(record: PatientRecord, alerts: _Alerts) -> None:
    if record.patient.deceased:
        alerts.raise_(
            DECEASED,
            Evidence(
                fact="patient",
                summary=f"deceased{_on(record.patient.deceased_date)}",
                resources=record.patient.evidence,
            ),
        )
    if record.pregnant:
        coded = [(i, d) for i, d in enumerate(record.diagnoses) if d.category == "pregnancy"]
        for i, dx in coded:
            alerts.raise_(PREGNANCY, _dx_evidence(i, dx))
        if not coded:
            alerts.raise_(
                PREGNANCY, Evidence(fact="pregnant", summary="pregnancy status: pregnant")
            )


def _coverage(record: PatientRecord, policy: Policy | None, alerts: _Alerts) -> None:
    if not record.coverages:
        return

    def evidence(i: int) -> Evidence:
        c = record.coverages[i]
        end = f", ended {c.period_end.isoformat()}" if c.period_end else ""
        return Evidence(
            fact=f"coverages[{i}]",
            summary=f"{c.payer_name or 'coverage'} (status {c.status or 'not stated'}{end})",
            resources=c.evidence,
        )

    if not any(c.in_force for c in record.coverages):
        for i in range(len(record.coverages)):
            alerts.raise_(NO_COVERAGE, evidence(i))
        return
    if policy is None:
        return
    matching = [i for i, c in enumerate(record.coverages) if coverage_matches(policy, c)]
    if matching and not any(record.coverages[i].in_force for i in matching):
        for i in matching:
            alerts.raise_(COVERAGE_ENDED, evidence(i))


def _courses(record: PatientRecord, alerts: _Alerts) -> None:
    if not record.prior_tms:
        return
    i, latest = max(enumerate(record.prior_tms), key=lambda ic: ic[1].start)
    if latest.response in ("unknown", "no_response"):
        pct = (
            f", improvement {latest.improvement_pct:.0f}%"
            if latest.improvement_pct is not None
            else ""
        )
        alerts.raise_(
            REPEAT_COURSE,
            Evidence(
                fact=f"prior_tms[{i}]",
                summary=(
                    f"TMS course from {latest.start.isoformat()}: response "
                    f"{latest.response.replace('_', ' ')}{pct}"
                ),
                resources=latest.evidence,
            ),
        )


def _scores(record: PatientRecord, as_of: dt.date, alerts: _Alerts) -> None:
    for i, current in enumerate(record.current_severity):
        age = _days(as_of, current.date)
        if age is None or not 0 <= age <= SCORE_DAYS:
            continue
        if current.range in ("remission", "mild"):
            band = f", {current.band}" if current.band else ""
            alerts.raise_(
                REMISSION,
                Evidence(
                    fact=f"current_severity[{i}]",
                    summary=(
                        f"{current.instrument.upper()} {current.value:g}{band} "
                        f"on {current.date.isoformat()}"
                    ),
                    resources=current.evidence,
                ),
            )


_CHECKS: tuple[Callable[[PatientRecord, dt.date, Policy | None, _Alerts], None], ...] = (
    lambda r, d, _p, a: _suicide(r, d, a),
    lambda r, _d, _p, a: _patient(r, a),
    lambda r, _d, p, a: _coverage(r, p, a),
    lambda r, _d, _p, a: _diagnoses(r, a),
    lambda r, d, _p, a: _safety_screen(r, d, a),
    lambda r, _d, _p, a: _courses(r, a),
    lambda r, d, _p, a: _scores(r, d, a),
)


def safety_floor(
    record: PatientRecord,
    policy: Policy | None,
    *,
    as_of: dt.date,
    reviewed: Mapping[str, str] | None = None,
) -> Floor:
    """The floor's alerts (absolute first, urgent first) and gaps for ``record`` on ``as_of``.

    ``policy`` decides only whether the coverage with its payer is in force (None: not checked).
    ``reviewed`` maps relative alert ids to the clinician who reviewed them.
    """
    alerts = _Alerts()
    for check in _CHECKS:
        check(record, as_of, policy, alerts)
    gap = _suicide_screen_gap(record, as_of)
    return Floor(alerts.alerts(reviewed or {}), (gap,) if gap else ())


def floor_status(criteria_status: DeterminationStatus, floor: Floor) -> DeterminationStatus:
    """The status after the floor: ``safety_hold`` > criteria not met > gaps > review > meets."""
    if any(a.level == "absolute" for a in floor.alerts):
        return "safety_hold"
    if criteria_status != "meets":
        return criteria_status
    if floor.gaps:
        return "needs_documentation"
    if floor.blocks_meets():
        return "clinician_review"
    return "meets"


def check_reviewed(reviewed: Mapping[str, str], alerts: Iterable[SafetyAlert]) -> None:
    """Refuse a review that names no relative alert of ``alerts``, or an absolute one, or no one.

    Raises ``ReviewError`` (a usage error) naming the id and the reviewable ones.
    """
    relative = sorted({a.id for a in alerts if a.level == "relative"})
    for alert_id, who in reviewed.items():
        if alert_id in ABSOLUTE_IDS:
            raise ReviewError(
                f"{alert_id}: an absolute safety finding cannot be cleared by review "
                "(docs/safety.md)"
            )
        if alert_id not in relative:
            raise ReviewError(
                f"{alert_id}: no such relative safety alert for this chart "
                f"(reviewable: {', '.join(relative) or 'none'})"
            )
        if not who.strip():
            raise ReviewError(f"{alert_id}: name the reviewing clinician")
