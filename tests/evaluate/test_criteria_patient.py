"""age, diagnosis, exclusion, attestation and ect criteria: met / not_met / unknown."""

from __future__ import annotations

import datetime as dt

import pytest

from priorauth.evaluate.criteria.simple import age_on


@pytest.mark.parametrize(
    ("birth", "lo", "hi", "expected"),
    [
        ("2008-11-25", 18, None, "met"),  # 18th birthday today: inclusive
        ("2008-11-26", 18, None, "not_met"),  # one day short
        ("2011-11-25", 15, 17, "met"),
        ("2008-11-26", 15, 17, "met"),  # still 17
        ("2008-11-25", 15, 17, "not_met"),  # 18 today: above max
        ("1950-01-01", None, 64, "not_met"),
    ],
)
def test_age_bounds_are_inclusive(birth, lo, hi, expected, h):
    verdict = h.run("age", h.record(patient={"birth_date": birth}), min=lo, max=hi)
    assert verdict.outcome == expected


def test_age_unknown_without_birth_date(h):
    verdict = h.run("age", h.record(), min=18)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == ("Record the patient's date of birth",)


def test_age_falls_back_to_recorded_age_and_names_it(h):
    verdict = h.run("age", h.record(patient={"age": 40, "evidence": ["Patient/p1"]}), min=18)
    assert verdict.outcome == "met"
    assert verdict.evidence[0].resources == ("Patient/p1",)


def test_age_on_leap_day(h):
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == 17
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 3, 1)) == 18


SEVERE = {
    "severity": ["severe"],
    "episode": ["single", "recurrent"],
    "without_psychotic_features": True,
}


@pytest.mark.parametrize(
    ("diagnosis", "expected"),
    [
        ({"code": "F33.2"}, "met"),
        ({"code": "F32.2"}, "met"),
        ({"code": "F33.1"}, "not_met"),  # moderate
        ({"code": "F33.3"}, "not_met"),  # psychotic features
        ({"code": "F33.9"}, "unknown"),  # severity unspecified
        ({"code": "F33.41"}, "not_met"),  # partial remission
        ({"code": "F33.2", "active": False}, "not_met"),
        ({"code": "296.33", "category": "mdd"}, "unknown"),  # no features stated
    ],
)
def test_diagnosis_features(diagnosis, expected, h):
    verdict = h.run("diagnosis", h.record(diagnoses=[diagnosis]), **SEVERE)
    assert verdict.outcome == expected


def test_diagnosis_unknown_with_gap_when_none_recorded(h):
    verdict = h.run("diagnosis", h.record(), **SEVERE)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == (
        "Document the diagnosis: severe single or recurrent MDD without psychotic features",
    )


def test_diagnosis_any_qualifying_one_is_enough_and_cites_resources(h):
    rec = h.record(diagnoses=[{"code": "F33.1"}, {"code": "F33.2", "evidence": ["Condition/c2"]}])
    verdict = h.run("diagnosis", rec, **SEVERE)
    assert verdict.outcome == "met"
    assert [e.fact for e in verdict.evidence] == ["diagnoses[0]", "diagnoses[1]"]
    assert verdict.evidence[1].resources == ("Condition/c2",)


@pytest.mark.parametrize(
    ("codes", "expected"), [(["F33.2"], "met"), (["F332"], "met"), (["F32.2"], "not_met")]
)
def test_diagnosis_codes_restrict_dots_optional(codes, expected, h):
    verdict = h.run("diagnosis", h.record(diagnoses=[{"code": "F33.2"}]), codes=codes)
    assert verdict.outcome == expected


NYS_CODES = {"codes": ["F32.2", "F33.2"]}


@pytest.mark.parametrize("code", ["F33.3", "F33.1", "F32.9", "F33.41"])
def test_a_definite_mdd_code_off_the_list_is_not_met_and_explained(code, h):
    verdict = h.run("diagnosis", h.record(diagnoses=[{"code": code}]), **NYS_CODES)
    assert verdict.outcome == "not_met"
    assert f"{code} is not one of the listed codes (F32.2, F33.2)" in verdict.explanation
    assert verdict.gaps == ()


def test_no_diagnosis_of_the_category_is_unknown_with_a_gap(h):
    rec = h.record(diagnoses=[{"code": "F41.1", "category": "anxiety"}])
    verdict = h.run("diagnosis", rec, **NYS_CODES)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == ("Document the diagnosis: MDD, coded F32.2 or F33.2",)


def test_an_mdd_coded_only_in_snomed_is_unknown_until_its_icd10_code_is_documented(h):
    snomed = {
        "code": "36474008",
        "system": "http://snomed.info/sct",
        "display": "Severe recurrent major depression without psychotic features",
        "category": "mdd",
    }
    verdict = h.run("diagnosis", h.record(diagnoses=[snomed]), **NYS_CODES)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == (
        "Diagnosis 36474008 Severe recurrent major depression without psychotic features is not "
        "coded in ICD-10-CM (the policy lists F32.2, F33.2): document MDD, coded F32.2 or F33.2",
    )


def test_a_listed_code_wins_over_an_unlisted_one(h):
    rec = h.record(diagnoses=[{"code": "F33.1"}, {"code": "F33.2"}])
    assert h.run("diagnosis", rec, **NYS_CODES).outcome == "met"


def test_diagnosis_code_prefix(h):
    verdict = h.run("diagnosis", h.record(diagnoses=[{"code": "F33.2"}]), code_prefixes=["F33"])
    assert verdict.outcome == "met"


@pytest.mark.parametrize(
    ("diagnosis", "expected"),
    [
        ({"code": "F10.20", "category": "substance_use"}, "not_met"),
        (
            {
                "code": "F10.20",
                "category": "substance_use",
                "active": False,
                "abatement": "2026-08-27",
            },
            "not_met",
        ),  # 90 days
        (
            {
                "code": "F10.20",
                "category": "substance_use",
                "active": False,
                "abatement": "2026-08-26",
            },
            "met",
        ),  # 91 days
        ({"code": "F10.20", "category": "substance_use", "active": False}, "unknown"),
        ({"code": "F33.2"}, "met"),
    ],
)
def test_exclusion_within_days(diagnosis, expected, h):
    verdict = h.run(
        "exclusion", h.record(diagnoses=[diagnosis]), conditions=["substance_use"], within_days=90
    )
    assert verdict.outcome == expected


def test_exclusion_psychotic_matches_psychotic_features(h):
    verdict = h.run("exclusion", h.record(diagnoses=[{"code": "F33.3"}]), conditions=["psychotic"])
    assert verdict.outcome == "not_met"


def test_exclusion_by_code_prefix(h):
    rec = h.record(diagnoses=[{"code": "G30.9", "category": "other_excluded"}])
    assert h.run("exclusion", rec, code_prefixes=["G30"]).outcome == "not_met"


@pytest.mark.parametrize(
    ("pregnant", "required", "expected"),
    [(True, False, "not_met"), (None, False, "met"), (None, True, "unknown"), (False, True, "met")],
)
def test_exclusion_pregnancy(pregnant, required, expected, h):
    verdict = h.run(
        "exclusion",
        h.record(pregnant=pregnant),
        conditions=["pregnancy"],
        require_pregnancy_status=required,
    )
    assert verdict.outcome == expected


def test_attestation_is_unknown_until_confirmed_and_not_listed_as_confirmed(h):
    verdict = h.run("attestation", h.record(), text="The patient is a candidate for ECT.")
    assert verdict.outcome == "unknown"
    assert verdict.gaps == ("Signer to confirm: The patient is a candidate for ECT.",)
    assert verdict.attestations == ()


@pytest.mark.parametrize(
    ("attested", "expected"), [(frozenset({"attestation"}), "met"), (frozenset(), "unknown")]
)
def test_attestation_with_confirmed_ids(attested, expected, h):
    verdict = h.run("attestation", h.record(), attested=attested, text="ECT candidate.")
    assert verdict.outcome == expected
    if expected == "unknown":
        assert verdict.gaps == ("Signer to confirm: ECT candidate.",)
    else:
        assert [a.text for a in verdict.attestations] == ["ECT candidate."]


@pytest.mark.parametrize(
    ("therapies", "expected"),
    [
        (
            [
                {
                    "category": "ect",
                    "status": "declined",
                    "start": "2026-01-05",
                    "reason": "patient preference",
                }
            ],
            "met",
        ),
        ([{"category": "ect", "status": "completed", "start": "2026-01-05"}], "not_met"),
        ([], "unknown"),
    ],
)
def test_ect_statuses(therapies, expected, h):
    verdict = h.run("ect", h.record(therapies=therapies), statuses=["declined", "not_done"])
    assert verdict.outcome == expected


def test_as_of_is_the_only_clock(h):
    rec = h.record(patient={"birth_date": "2008-11-26"})
    assert h.run("age", rec, as_of=h.AS_OF, min=18).outcome == "not_met"
    assert h.run("age", rec, as_of=h.AS_OF + dt.timedelta(days=1), min=18).outcome == "met"


def test_exclusion_with_history_counts_an_inactive_diagnosis(h):
    bipolar_history = {
        "code": "F31.81",
        "category": "bipolar",
        "active": False,
        "abatement": "2016-05-01",
    }
    rec = h.record(diagnoses=[{"code": "F33.2"}, bipolar_history])
    assert h.run("exclusion", rec, conditions=["bipolar"]).outcome == "met"
    verdict = h.run("exclusion", rec, conditions=["bipolar"], include_history=True)
    assert verdict.outcome == "not_met"
    assert verdict.explanation == "Excluded: F31.81."
    clean = h.run("exclusion", h.record(), conditions=["bipolar"], include_history=True)
    assert clean.explanation == "No bipolar diagnosis in the chart."


def test_exclusion_conditions_and_codes_combine_with_or(h):
    """`conditions` and `codes` are alternatives: either one excludes."""
    by_code = h.record(diagnoses=[{"code": "F33.2"}, {"code": "G40.909", "category": "seizure"}])
    by_category = h.record(
        diagnoses=[{"code": "F33.2"}, {"code": "F10.20", "category": "substance_use"}]
    )
    keys = {"conditions": ["substance_use"], "codes": ["G40.909"]}
    assert h.run("exclusion", by_code, **keys).outcome == "not_met"
    assert h.run("exclusion", by_category, **keys).outcome == "not_met"
    assert h.run("exclusion", h.record(diagnoses=[{"code": "F33.2"}]), **keys).outcome == "met"
