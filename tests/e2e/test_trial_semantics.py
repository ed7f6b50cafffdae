"""Issue 9, item 3: trial semantics a utilization reviewer accepts, on charts built from
``examples/trd_meets_policies.json`` (its medication records replaced by each scenario's).

Each scenario used to come out ``met`` on the medication criteria of the policies in force:
one 10-day trial; trials with one week at an adequate dose; a cross-taper counted as an
augmentation trial; a 3-day intolerance counted as an 8-week trial.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from priorauth import load_rules
from priorauth.determination import CriterionResult, Determination
from priorauth.evaluate import evaluate, select_policies
from priorauth.facts import PatientRecord, extract_facts
from priorauth.fhir import load_chart

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trd_meets_policies.json"
AS_OF = dt.date(2026, 11, 25)
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
MEDICATION_TYPES = ("MedicationRequest", "MedicationStatement", "MedicationDispense")

# (RxNorm code, display, mg per tablet) — codes from the example chart and the test charts
SERTRALINE_25 = ("312940", "sertraline 25 MG Oral Tablet", 25)
SERTRALINE_100 = ("312938", "sertraline 100 MG Oral Tablet", 100)
BUPROPION_150 = ("993541", "24 HR bupropion hydrochloride 150 MG Extended Release Oral Tablet", 150)
BUPROPION_300 = ("993557", "24 HR bupropion hydrochloride 300 MG Extended Release Oral Tablet", 300)
VENLAFAXINE_75 = ("313585", "24 HR venlafaxine 75 MG Extended Release Oral Capsule", 75)
DULOXETINE_60 = ("596934", "duloxetine 60 MG Delayed Release Oral Capsule", 60)
ARIPIPRAZOLE_10 = ("349545", "aripiprazole 10 MG Oral Tablet", 10)


def order(
    id_: str, drug: tuple[str, str, int], start: str, last_day: str, reason: str | None = None
) -> dict[str, Any]:
    """A stopped MedicationRequest: one tablet daily from ``start`` to ``last_day`` (inclusive)."""
    code, display, _ = drug
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": id_,
        "status": "stopped" if reason else "completed",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": code, "display": display}],
            "text": display,
        },
        "authoredOn": start,
        "dosageInstruction": [
            {
                "timing": {
                    "repeat": {
                        "frequency": 1,
                        "period": 1,
                        "periodUnit": "d",
                        "boundsPeriod": {"start": start, "end": last_day},
                    }
                },
                "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}],
            }
        ],
    }
    if reason:
        resource["statusReason"] = {"text": reason}
    return resource


def chart(*orders: dict[str, Any]) -> PatientRecord:
    bundle = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    patient = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    entries = [e for e in bundle["entry"] if e["resource"]["resourceType"] not in MEDICATION_TYPES]
    for resource in orders:
        resource = copy.deepcopy(resource)
        resource["subject"] = {"reference": patient["fullUrl"]}
        entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
    return extract_facts(load_chart({**bundle, "entry": entries}), as_of=AS_OF)


def _uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


SCENARIOS: dict[str, tuple[dict[str, Any], ...]] = {
    "one 10-day trial": (
        order(_uuid(1), SERTRALINE_100, "2025-06-02", "2025-06-11", "Inadequate response"),
    ),
    "one week at an adequate dose": (
        order(_uuid(1), SERTRALINE_25, "2025-01-06", "2025-03-09"),
        order(_uuid(2), SERTRALINE_100, "2025-03-10", "2025-03-16", "Inadequate response"),
        order(_uuid(3), BUPROPION_150, "2025-04-07", "2025-06-08"),
        order(_uuid(4), BUPROPION_300, "2025-06-09", "2025-06-15", "Inadequate response"),
        order(_uuid(5), ARIPIPRAZOLE_10, "2025-04-14", "2025-06-15", "Inadequate response"),
    ),
    "a cross-taper": (
        order(_uuid(1), SERTRALINE_100, "2025-06-02", "2025-08-10", "Inadequate response"),
        order(_uuid(2), BUPROPION_300, "2025-07-28", "2025-10-26", "Inadequate response"),
        order(_uuid(3), VENLAFAXINE_75, "2025-11-03", "2026-01-25", "Inadequate response"),
        order(_uuid(4), ARIPIPRAZOLE_10, "2026-01-12", "2026-03-29", "No improvement"),
    ),
    "a 3-day intolerance": (
        order(_uuid(1), SERTRALINE_100, "2025-06-02", "2025-09-28", "Inadequate response"),
        order(_uuid(2), ARIPIPRAZOLE_10, "2025-07-07", "2025-09-28", "No improvement"),
        order(_uuid(3), VENLAFAXINE_75, "2025-10-06", "2025-10-08", "Intolerance - nausea"),
    ),
}


@cache
def determinations(scenario: str) -> dict[str, Determination]:
    record = chart(*SCENARIOS[scenario])
    rules = load_rules()
    policies = select_policies(rules, payer="all", record=record, as_of=AS_OF)
    return {p.id: evaluate(record, p, as_of=AS_OF) for p in policies}


def _trial_results(results: tuple[CriterionResult, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for result in results:
        if result.kind == "antidepressant_trials":
            found[result.id] = result.outcome
        found.update(_trial_results(result.children))
    return found


def outcomes(scenario: str) -> dict[str, dict[str, str]]:
    return {pid: _trial_results(d.criteria) for pid, d in determinations(scenario).items()}


@pytest.mark.parametrize("scenario", ["one 10-day trial", "one week at an adequate dose"])
def test_no_medication_criterion_is_met(scenario):
    """A 10-day trial, or trials with one week at an adequate dose, are no adequate trials for
    any policy in force (4 weeks at an adequate dose when the policy names no duration)."""
    found = outcomes(scenario)
    assert found, "no policy in force"
    assert {pid: o for pid, o in found.items() if "met" in o.values()} == {}


def test_a_cross_taper_is_not_an_augmentation_trial():
    """Bupropion started 2 weeks before sertraline was stopped, aripiprazole 2 weeks before
    venlafaxine was stopped: both overlaps are cross-tapers, so Aetna's augmentation trial is
    missing although its two classes are met."""
    record = chart(*SCENARIOS["a cross-taper"])
    assert {t.ingredient: t.augments for t in record.trials} == {
        "sertraline": (),
        "bupropion": (),
        "venlafaxine": (),
        "aripiprazole": (),
    }
    aetna = outcomes("a cross-taper")["cpb-0469-tms-2026-02"]
    assert aetna == {"antidepressant-trials": "met", "augmentation-trial": "not_met"}


def test_a_3_day_intolerance_counts_only_where_the_policy_says_so():
    """Sertraline failed (SSRI, augmented by aripiprazole); venlafaxine stopped after 3 days for
    nausea. Aetna does not say an intolerance counts at any duration (adequate_trial): two
    classes are not met. Cigna ("or intolerance") and Medicare L34998 ("or documented
    intolerance") say any_duration."""
    found = outcomes("a 3-day intolerance")
    assert found["cpb-0469-tms-2026-02"]["antidepressant-trials"] == "not_met"
    assert found["en0383-tms-2026"]["two-failed-trials"] == "met"
    assert found["l34998-tms-2022"]["medication-failure"] == "met"


def test_the_example_still_meets_every_policy_in_force():
    record = extract_facts(load_chart(EXAMPLE), as_of=AS_OF)
    rules = load_rules()
    policies = select_policies(rules, payer="all", record=record, as_of=AS_OF)
    assert {p.id: evaluate(record, p, as_of=AS_OF).status for p in policies} == {
        p.id: "meets" for p in policies
    }
