"""Suicide risk: PHQ-9 item 9 wherever it is recorded, the C-SSRS screener, diagnoses."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from priorauth.facts.suicide import item9_answer

from .conftest import ICD10, LOINC, facts

D = dt.date
ITEM9 = {"system": LOINC, "code": "44260-8"}
ANSWERS = {"LA6568-5": 0, "LA6569-3": 1, "LA6570-1": 2, "LA6571-9": 3}


def observation(id_: str, code: dict, day: str = "2026-11-10", **value) -> dict:
    return {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "code": {"coding": [code]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": day,
        **value,
    }


def answer(code: str) -> dict:
    return {"valueCodeableConcept": {"coding": [{"system": LOINC, "code": code}]}}


def condition(id_: str, code: str, **extra) -> dict:
    return {
        "resourceType": "Condition",
        "id": id_,
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": ICD10, "code": code}]},
        **extra,
    }


def response(id_: str, *items: dict, authored: str = "2026-11-12") -> dict:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": id_,
        "status": "completed",
        "subject": {"reference": "Patient/p1"},
        "authored": authored,
        "item": list(items),
    }


def yes_no(link: str, yes: bool) -> dict:
    code = "LA33-6" if yes else "LA32-8"
    return {"linkId": link, "answer": [{"valueCoding": {"system": LOINC, "code": code}}]}


# ------------------------------------------------------------------ PHQ-9 item 9


def test_item9_as_a_component_of_the_phq9_total():
    total = observation(
        "phq",
        {"system": LOINC, "code": "44261-6"},
        valueInteger=14,
        component=[{"code": {"coding": [ITEM9]}, **answer("LA6570-1")}],
    )
    (fact,) = facts(total).suicide_risk
    assert (fact.source, fact.date, fact.value, fact.positive, fact.kind) == (
        "phq9_item9",
        D(2026, 11, 10),
        2.0,
        True,
        "ideation",
    )
    assert fact.evidence == ("Observation/phq",)


def test_item9_as_its_own_observation_answered_not_at_all_is_a_documented_negative():
    (fact,) = facts(observation("i9", ITEM9, **answer("LA6568-5"))).suicide_risk
    assert (fact.value, fact.positive, fact.kind, fact.code) == (0.0, False, "screen", "44260-8")


def test_item9_as_an_integer_or_a_quantity():
    risk = facts(
        observation("a", ITEM9, "2026-01-05", valueInteger=3),
        observation("b", ITEM9, "2026-02-05", valueQuantity={"value": 1}),
    ).suicide_risk
    assert [(f.date, f.value) for f in risk] == [(D(2026, 1, 5), 3.0), (D(2026, 2, 5), 1.0)]


def test_item9_in_a_questionnaire_response():
    item = {
        "linkId": "/44260-8",
        "answer": [{"valueCoding": {"system": LOINC, "code": "LA6569-3"}}],
    }
    (fact,) = facts(response("qr", item)).suicide_risk
    assert (fact.date, fact.value, fact.positive, fact.evidence) == (
        D(2026, 11, 12),
        1.0,
        True,
        ("QuestionnaireResponse/qr",),
    )


def test_the_same_answer_derived_from_a_response_is_one_fact_citing_both():
    item = {"linkId": "/44260-8", "answer": [{"valueInteger": 0}]}
    obs = observation("i9", ITEM9, "2026-11-12", valueInteger=0)
    (fact,) = facts(response("qr", item), obs).suicide_risk
    assert set(fact.evidence) == {"Observation/i9", "QuestionnaireResponse/qr"}


def test_entered_in_error_and_unanswered_items_give_nothing():
    risk = facts(
        observation("err", ITEM9, status="entered-in-error", valueInteger=3),
        observation("empty", ITEM9),
    ).suicide_risk
    assert risk == ()


@pytest.mark.parametrize(("code", "points"), ANSWERS.items())
def test_item9_answer_codes(code, points):
    assert item9_answer(answer(code)) == points


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=20,
    )
)
def test_item9_answer_never_raises(value):
    for element in (value, {"valueInteger": value}, {"valueCodeableConcept": value},
                    {"valueQuantity": {"value": value}}, {"valueCoding": value}):  # fmt: skip
        assert item9_answer(element) in (None, 0, 1, 2, 3)


@given(st.sampled_from(sorted(ANSWERS)), st.integers(min_value=0, max_value=3))
def test_valid_answers_map_to_0_to_3(code, points):
    assert item9_answer(answer(code)) == ANSWERS[code]
    assert item9_answer({"valueInteger": points}) == points
    assert (
        item9_answer(json.loads(json.dumps({"valueQuantity": {"value": float(points)}}))) == points
    )


# ------------------------------------------------------------------ C-SSRS


def test_cssrs_screener_with_a_plan_is_positive_ideation():
    qr = response(
        "cssrs",
        yes_no("/93246-7", True),
        yes_no("/93247-5", True),
        yes_no("/93248-3", True),
        yes_no("/93249-1", False),
        yes_no("/93250-9", True),
        yes_no("/93267-3", False),
    )
    (fact,) = facts(qr).suicide_risk
    assert (fact.source, fact.positive, fact.kind) == ("cssrs", True, "ideation")
    assert "plan" in fact.description


def test_cssrs_behaviour_within_three_months_is_positive_behaviour():
    qr = response("cssrs", yes_no("/93267-3", True), yes_no("/93269-9", True))
    (fact,) = facts(qr).suicide_risk
    assert (fact.positive, fact.kind) == (True, "behavior")


def test_cssrs_all_no_is_a_negative_screen():
    qr = response("cssrs", *(yes_no(f"/{c}", False) for c in ("93246-7", "93247-5", "93267-3")))
    (fact,) = facts(qr).suicide_risk
    assert (fact.positive, fact.kind, fact.description) == (
        False,
        "screen",
        "C-SSRS: negative screen",
    )


def test_cssrs_wish_to_be_dead_alone_is_not_positive():
    (fact,) = facts(
        response("cssrs", yes_no("/93246-7", True), yes_no("/93248-3", False))
    ).suicide_risk
    assert fact.positive is False


def test_cssrs_risk_level_observation():
    high = observation(
        "lvl", {"system": LOINC, "code": "93374-7"}, valueCodeableConcept={"text": "High risk"}
    )
    low = observation(
        "low", {"system": LOINC, "code": "93374-7"}, "2026-01-02", **answer("LA9194-7")
    )
    risk = facts(high, low).suicide_risk
    assert [(f.evidence[0], f.positive) for f in risk] == [
        ("Observation/low", False),
        ("Observation/lvl", True),
    ]


# ------------------------------------------------------------------ diagnoses


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("R45.851", "ideation"),
        ("T14.91XA", "attempt"),
        ("X78.9XXA", "self_harm"),
        ("T43.222A", "self_harm"),
        ("Z91.51", "history"),
    ],
)
def test_suicide_risk_diagnoses(code, kind):
    (fact,) = facts(condition("c", code, onsetDateTime="2025-03-01")).suicide_risk
    assert (fact.source, fact.kind, fact.code, fact.positive, fact.date, fact.active) == (
        "diagnosis",
        kind,
        code,
        True,
        D(2025, 3, 1),
        True,
    )


def test_resolved_ideation_is_inactive_and_refuted_is_skipped():
    risk = facts(
        condition("old", "R45.851", clinicalStatus={"coding": [{"code": "resolved"}]}),
        condition("no", "R45.851", verificationStatus={"coding": [{"code": "refuted"}]}),
        condition("err", "T14.91XA", verificationStatus={"coding": [{"code": "entered-in-error"}]}),
    ).suicide_risk
    assert [(f.evidence, f.active) for f in risk] == [(("Condition/old",), False)]


def test_other_poisoning_intents_are_not_self_harm():
    assert facts(condition("acc", "T43.221A")).suicide_risk == ()  # accidental SSRI poisoning


def test_sorted_oldest_first_undated_last():
    risk = facts(
        condition("undated", "Z91.51"),
        observation("new", ITEM9, "2026-10-01", valueInteger=0),
        condition("old", "R45.851", onsetDateTime="2020-05-01"),
    ).suicide_risk
    assert [f.evidence[0] for f in risk] == [
        "Condition/old",
        "Observation/new",
        "Condition/undated",
    ]


def test_descriptions_never_copy_chart_text():
    coded = condition("c", "R45.851")
    coded["code"]["text"] = "pt said something private"
    (fact,) = facts(coded).suicide_risk
    assert fact.description == "Suicidal ideations"
