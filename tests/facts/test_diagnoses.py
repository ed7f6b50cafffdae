"""Diagnoses: the MDD episode, exclusions, verification status, current episode onset."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import ICD10, LOINC, SNOMED, facts

D = dt.date


def condition(id_: str, *codings: tuple[str, str, str | None], **extra) -> dict:
    code = {
        "coding": [{"system": s, "code": c, **({"display": d} if d else {})} for s, c, d in codings]
    }
    return {
        "resourceType": "Condition",
        "id": id_,
        "subject": {"reference": "Patient/p1"},
        "code": code,
        **extra,
    }


def status(code: str) -> dict:
    return {"coding": [{"code": code}]}


@pytest.mark.parametrize(
    ("coding", "expected"),
    [
        ((ICD10, "F33.2", None), ("mdd", "recurrent", "severe", False)),
        ((ICD10, "F32.3", None), ("mdd", "single", "severe", True)),
        ((ICD10, "F33.1", None), ("mdd", "recurrent", "moderate", False)),
        (
            (SNOMED, "36474008", "Severe recurrent major depression without psychotic features"),
            ("mdd", "recurrent", "severe", False),
        ),
        ((ICD10, "F31.81", None), ("bipolar", None, None, None)),
        ((ICD10, "G40.909", None), ("seizure", None, None, None)),
    ],
)
def test_diagnosis_details(coding, expected):
    (fact,) = facts(condition("c", coding, onsetDateTime="2024-04-15")).diagnoses
    assert (fact.category, fact.episode, fact.severity, fact.psychotic_features) == expected
    assert (fact.onset, fact.active, fact.evidence) == (D(2024, 4, 15), True, ("Condition/c",))


def test_icd10_coding_is_preferred_and_details_merge():
    (fact,) = facts(
        condition("c", (SNOMED, "370143000", "Major depressive disorder"), (ICD10, "F33.2", None))
    ).diagnoses
    assert (fact.code, fact.system, fact.how) == ("F33.2", ICD10, "ICD-10-CM F33.2")


def test_unrelated_conditions_are_left_out():
    assert facts(condition("c", (SNOMED, "44054006", "Diabetes mellitus type 2"))).diagnoses == ()


@pytest.mark.parametrize("verification", ["refuted", "entered-in-error"])
def test_refuted_conditions_are_ignored_with_a_note(verification):
    record = facts(condition("c", (ICD10, "F31.81", None), verificationStatus=status(verification)))
    assert record.diagnoses == ()
    assert ("refuted", "Condition/c") in {(n.code, n.resource) for n in record.notes}


def test_inactive_and_abated_conditions():
    record = facts(
        condition(
            "a",
            (ICD10, "F31.81", None),
            clinicalStatus=status("inactive"),
            onsetDateTime="2014-02-10",
            abatementDateTime="2016-05-01",
        ),
        condition("b", (ICD10, "F41.1", None), abatementDateTime="2020-01-01"),
        condition("c", (ICD10, "G40.909", None), clinicalStatus=status("active")),
        as_of=D(2024, 1, 1),
    )
    active = {d.code: (d.active, d.abatement) for d in record.diagnoses}
    assert active["F31.81"] == (False, D(2016, 5, 1))
    assert active["G40.909"] == (True, None)


def test_current_episode_onset_after_a_past_episode():
    """A past episode (resolved 2021) and a current one since 2023-09-04."""
    record = facts(
        condition(
            "old",
            (ICD10, "F32.2", None),
            clinicalStatus=status("resolved"),
            onsetDateTime="2019-01-10",
            abatementDateTime="2021-03-01",
        ),
        condition(
            "now",
            (ICD10, "F33.2", None),
            clinicalStatus=status("active"),
            onsetDateTime="2023-09-04",
        ),
        condition(
            "later",
            (ICD10, "F33.2", None),
            clinicalStatus=status("active"),
            onsetDateTime="2024-02-01",
        ),
    )
    assert record.current_episode_onset == D(2023, 9, 4)


def test_no_current_episode_without_an_active_mdd_diagnosis():
    record = facts(
        condition(
            "c",
            (ICD10, "F33.2", None),
            clinicalStatus=status("remission"),
            onsetDateTime="2020-01-01",
        )
    )
    assert record.current_episode_onset is None


def test_pregnancy_status():
    pregnancy = condition("p", (ICD10, "Z33.1", None), clinicalStatus=status("active"))
    assert facts(pregnancy).pregnant is True
    status_obs = {
        "resourceType": "Observation",
        "id": "o",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "82810-3"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2026-11-01",
        "valueCodeableConcept": {"coding": [{"system": SNOMED, "code": "60001007"}]},
    }
    assert facts(pregnancy, status_obs).pregnant is False
    assert facts().pregnant is None


def test_bipolar_beside_an_mdd_code_in_one_condition_is_not_hidden():
    record = facts(
        condition(
            "c",
            (ICD10, "F33.2", None),
            (ICD10, "F31.4", None),
            onsetDateTime="2026-01-10",
            clinicalStatus=status("active"),
        )
    )
    assert {(d.category, d.code, d.active) for d in record.diagnoses} == {
        ("mdd", "F33.2", True),
        ("bipolar", "F31.4", True),
    }
    assert {d.evidence for d in record.diagnoses} == {("Condition/c",)}


def test_bipolar_in_its_own_condition_beside_mdd():
    record = facts(condition("m", (ICD10, "F33.2", None)), condition("b", (ICD10, "F31.81", None)))
    assert sorted(d.category for d in record.diagnoses) == ["bipolar", "mdd"]


def test_catatonia_and_dementia_with_status_and_dates():
    record = facts(
        condition("cat", (ICD10, "F06.1", None), onsetDateTime="2025-02-01"),
        condition(
            "dem",
            (ICD10, "G30.1", None),
            recordedDate="2024-07-01",
            clinicalStatus=status("active"),
        ),
        condition("ftd", (ICD10, "G31.09", None), clinicalStatus=status("inactive")),
    )
    found = {d.evidence[0]: (d.category, d.onset, d.recorded, d.active) for d in record.diagnoses}
    assert found == {
        "Condition/cat": ("catatonia", D(2025, 2, 1), None, True),
        "Condition/dem": ("dementia", None, D(2024, 7, 1), True),
        "Condition/ftd": ("dementia", None, None, False),
    }


def test_catatonic_schizophrenia_is_psychotic():
    (fact,) = facts(condition("c", (ICD10, "F20.2", None))).diagnoses
    assert fact.category == "psychotic"
