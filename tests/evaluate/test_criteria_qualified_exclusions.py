"""exclusion with ``qualifier`` ("severe" heart disease) and ``except`` ("ECT-induced seizures
excluded")."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

HEART = {"code": "I50.9", "category": "other_excluded", "display": "Heart failure"}
ECT_SEIZURE = {"code": "R56.9", "category": "seizure", "display": "Seizure induced by ECT"}
EPILEPSY = {"code": "G40.909", "category": "seizure", "display": "Epilepsy"}


@pytest.mark.parametrize(
    ("severity", "expected"),
    [("severe", "not_met"), ("moderate", "met"), ("mild", "met"), (None, "unknown")],
)
def test_only_a_severe_diagnosis_excludes(severity, expected, h):
    rec = h.record(diagnoses=[{**HEART, "severity": severity}])
    verdict = h.run("exclusion", rec, code_prefixes=["I50"], qualifier="severe")
    assert verdict.outcome == expected


def test_an_unstated_severity_asks_for_it(h):
    verdict = h.run(
        "exclusion", h.record(diagnoses=[HEART]), code_prefixes=["I50"], qualifier="severe"
    )
    assert verdict.gaps == (
        "Document the severity of I50.9 Heart failure (the policy excludes only severe)",
    )


def test_without_the_qualifier_any_heart_failure_excludes(h):
    rec = h.record(diagnoses=[{**HEART, "severity": "mild"}])
    assert h.run("exclusion", rec, code_prefixes=["I50"]).outcome == "not_met"


def test_an_inactive_diagnosis_without_severity_does_not_exclude(h):
    rec = h.record(diagnoses=[{**HEART, "clinical_status": "resolved", "active": False}])
    assert h.run("exclusion", rec, code_prefixes=["I50"], qualifier="severe").outcome == "met"


@pytest.mark.parametrize(("diagnosis", "expected"), [(ECT_SEIZURE, "met"), (EPILEPSY, "not_met")])
def test_ect_induced_seizures_are_carved_out(diagnosis, expected, h):
    rec = h.record(diagnoses=[diagnosis])
    carve = {"terms": ["ECT-induced", "induced by ECT"]}
    verdict = h.run("exclusion", rec, conditions=["seizure"], **{"except": carve})
    assert verdict.outcome == expected


def test_except_by_code_prefix(h):
    rec = h.record(
        diagnoses=[
            {"code": "R56.01", "category": "seizure", "display": "Complex febrile convulsions"}
        ]
    )
    carve = {"code_prefixes": ["R56.0"]}
    assert h.run("exclusion", rec, conditions=["seizure"], **{"except": carve}).outcome == "met"
    assert h.run("exclusion", rec, conditions=["seizure"]).outcome == "not_met"


def test_an_empty_exception_is_refused(h):
    with pytest.raises(ValidationError, match="give codes, code_prefixes or terms"):
        h.policy(h.leaf("exclusion", conditions=["seizure"], **{"except": {}}))
