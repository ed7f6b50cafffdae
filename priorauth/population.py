"""Population screening: one patient's chart → one :class:`ScreenRow` (who may qualify for TMS).

:func:`screen_patient` is the per-patient work of ``priorauth screen``: a pure, picklable,
top-level function of the chart (a :class:`~priorauth.fhir.bulk.PatientChart` or its NDJSON
bytes), the as-of date and the rules folder. It loads the chart, extracts the facts, selects the
policies of the patient's coverage in force (``payer="auto"``), evaluates each, and sums the
result up in one row. It never raises: a chart that fails is a row with ``screened="error"``.

The runner (priorauth.service.screen) maps it over an export through an executor
(priorauth.service.executor), keeps the rows of depressed patients (``screened ==
"candidate"``) and sorts them with :func:`sort_key`: "meets" first, then "one gap away".
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from priorauth import alerts
from priorauth.determination import Determination
from priorauth.errors import PriorAuthError
from priorauth.facts import PatientRecord
from priorauth.fhir.bulk import PatientChart
from priorauth.rules import RuleSet, load_rules

__all__ = ["TIERS", "PolicyStatus", "ScreenRow", "screen_patient", "screen_record", "sort_key"]

Screened = Literal["candidate", "no_depression", "deceased", "coverage_ended", "error"]
TIERS = (
    "meets",
    "one gap away",
    "clinician review",
    "needs documentation",
    "does not meet",
    "safety hold",
    "no policy",
    "error",
)
"""How near each candidate is, best first (the sort order of the output)."""
_DEPRESSION = frozenset({"mdd", "depression_other"})
_FAILED = frozenset({"inadequate_response", "intolerance"})
TOP_GAPS = 3


class PolicyStatus(BaseModel):
    """One policy evaluated for the patient."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_id: str
    payer: str
    status: str
    gaps: int


class ScreenRow(BaseModel):
    """One patient of a screened population (ids only: no names, no birth dates)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    patient: str
    screened: Screened
    safety: tuple[str, ...] = ()
    """Safety alert labels (``SAFETY HOLD: …``, ``REVIEW: …``): shown first on every surface."""
    urgent: bool = False
    tier: str = "no policy"
    """One of :data:`TIERS`."""
    age: int | None = None
    payer: str = ""
    """The payer id(s) matched from the coverage in force (`` | ``-joined when several)."""
    policies: tuple[PolicyStatus, ...] = ()
    failed_trials: int = 0
    """Antidepressant trials at an adequate dose that ended in inadequate response or
    intolerance."""
    failed_classes: tuple[str, ...] = ()
    latest_score: str = ""
    """E.g. ``phq9 18 on 2026-10-01``."""
    top_gaps: tuple[str, ...] = ()
    """The first gaps to close under the nearest policy."""
    gap_count: int = 0
    note: str = ""
    """Why no policy was evaluated (no coverage in force matches a policy), when none was."""
    error: str = ""


@functools.cache
def _rules(rules_dir: Path | None) -> RuleSet:
    """The rule set, loaded once per process (worker processes each load their own)."""
    return load_rules(rules_dir)


def screen_patient(
    chart: PatientChart | bytes, *, as_of: dt.date, rules_dir: Path | None = None
) -> ScreenRow:
    """Screen one patient's chart; never raises (a failure is an ``error`` row)."""
    from priorauth.pipeline import chart_facts

    if isinstance(chart, PatientChart):
        data, source, patient = chart.ndjson, chart.source, chart.patient
    else:
        data, source, patient = chart, "<chart>", ""
    try:
        record = chart_facts(data, as_of=as_of, source_name=source)
        return screen_record(record, _rules(rules_dir), as_of=as_of)
    except PriorAuthError as exc:
        return ScreenRow(patient=patient, screened="error", tier="error", error=_line(exc))
    except Exception as exc:  # one patient's failure must not stop a population run
        message = f"{type(exc).__name__}: {_line(exc)}"
        return ScreenRow(patient=patient, screened="error", tier="error", error=message)


def screen_record(record: PatientRecord, rules: RuleSet, *, as_of: dt.date) -> ScreenRow:
    """The row of one PatientRecord: exclusions first, then every policy of its coverage."""
    from priorauth.evaluate import evaluate, select_policies

    patient = record.patient.ref or ""
    if not any(d.category in _DEPRESSION for d in record.diagnoses):
        return ScreenRow(patient=patient, screened="no_depression")
    if record.patient.deceased:
        return ScreenRow(patient=patient, screened="deceased")
    if record.coverages and not any(c.in_force for c in record.coverages):
        return ScreenRow(patient=patient, screened="coverage_ended")
    base = _clinical(record, patient)
    try:
        policies = select_policies(rules, payer="auto", record=record, as_of=as_of)
    except PriorAuthError as exc:
        return base.model_copy(update={"note": _line(exc)})
    found = [evaluate(record, policy, as_of=as_of) for policy in policies]
    return _with_determinations(base, found, rules) if found else base


def _clinical(record: PatientRecord, patient: str) -> ScreenRow:
    failed = [
        t
        for t in record.trials
        if t.role == "antidepressant" and t.adequate_dose and t.outcome in _FAILED
    ]
    scores = sorted(record.scores, key=lambda s: s.date)
    latest = f"{scores[-1].instrument} {scores[-1].value:g} on {scores[-1].date}" if scores else ""
    return ScreenRow(
        patient=patient,
        screened="candidate",
        age=record.patient.age,
        failed_trials=len(failed),
        failed_classes=tuple(sorted({str(t.drug_class) for t in failed})),
        latest_score=latest,
    )


def _with_determinations(base: ScreenRow, found: list[Determination], rules: RuleSet) -> ScreenRow:
    nearest = min(found, key=lambda d: (TIERS.index(_tier(d)), len(d.gaps)))
    every_alert = alerts.ordered(a for d in found for a in d.alerts)
    labels = alerts.summary_labels(tuple(dict((a.id, a) for a in every_alert).values()))
    payers = dict.fromkeys(rules.get(d.policy.id).payer.id for d in found)
    return base.model_copy(
        update={
            "safety": labels,
            "urgent": any(a.urgent and alerts.blocks(a) for a in every_alert),
            "tier": _tier(nearest),
            "payer": " | ".join(payers),
            "policies": tuple(
                PolicyStatus(
                    policy_id=d.policy.id,
                    payer=rules.get(d.policy.id).payer.id,
                    status=d.status,
                    gaps=len(d.gaps),
                )
                for d in found
            ),
            "top_gaps": tuple(g.action for g in nearest.gaps[:TOP_GAPS]),
            "gap_count": len(nearest.gaps),
        }
    )


def _tier(d: Determination) -> str:
    if d.status == "meets" and not alerts.blocking(d):
        return "meets"
    if d.status == "needs_documentation" and len(d.gaps) == 1:
        return "one gap away"
    return {
        "clinician_review": "clinician review",
        "needs_documentation": "needs documentation",
        "does_not_meet": "does not meet",
        "safety_hold": "safety hold",
    }.get(d.status, "does not meet")


def sort_key(row: ScreenRow) -> tuple[int, int, str]:
    """Nearest first: tier, then fewest gaps, then patient id (a stable order)."""
    return (TIERS.index(row.tier), row.gap_count, row.patient)


def _line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
