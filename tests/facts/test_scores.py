"""Depression scores: Observation value types, panels, QuestionnaireResponses, text matches."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from priorauth.facts import extract_facts
from priorauth.fhir import load_chart

from .conftest import FIXTURES, LOINC, SNOMED, facts

D = dt.date
LA = {0: "LA6568-5", 1: "LA6569-3", 2: "LA6570-1", 3: "LA6571-9"}
ITEMS = [
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
]


def observation(id_: str, code: dict, date: str = "2024-05-01T10:00:00-05:00", **value) -> dict:
    return {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "code": code,
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": date,
        **value,
    }


def loinc(code: str, display: str = "") -> dict:
    return {
        "coding": [{"system": LOINC, "code": code, **({"display": display} if display else {})}]
    }


@pytest.mark.parametrize(
    "value",
    [
        {"valueInteger": 17},
        {"valueQuantity": {"value": 17, "unit": "{score}"}},
        {"valueString": "17"},
        {"valueString": " 17 "},
    ],
)
def test_phq9_value_types(value):
    (score,) = facts(observation("o", loinc("44261-6"), **value)).scores
    assert (score.instrument, score.date, score.value, score.band) == (
        "phq9",
        D(2024, 5, 1),
        17.0,
        "moderately severe",
    )
    assert score.evidence == ("Observation/o",)


def test_unreadable_value_is_a_note_not_a_score():
    record = facts(observation("o", loinc("44261-6"), valueString="seventeen"))
    assert record.scores == ()
    assert ("score-unreadable", "Observation/o") in {(n.code, n.resource) for n in record.notes}


def test_out_of_range_is_a_note():
    record = facts(observation("o", loinc("44261-6"), valueInteger=31))
    assert record.scores == ()
    assert "score-out-of-range" in {n.code for n in record.notes}


@pytest.mark.parametrize(
    ("code", "instrument", "band"),
    [
        (loinc("89204-2"), "phqa", "moderate"),  # Synthea's PHQ-9 modified for teens
        ({"coding": [{"system": SNOMED, "code": "720433000"}]}, "phq9", "moderate"),  # SHIFT
        (
            {
                "coding": [{"system": "https://ehr.example.org/codes", "code": "HAMD17"}],
                "text": "Hamilton Depression Rating Scale 17-item",
            },
            "hamd",
            "moderate",
        ),
        ({"text": "MADRS total"}, "madrs", "mild"),
        ({"text": "QIDS-SR16"}, "qids_sr", None),
        ({"text": "BDI-II"}, "bdi2", "mild"),
    ],
)
def test_instruments_by_code_or_text(code, instrument, band):
    scores = facts(observation("o", code, valueInteger=14)).scores
    assert [s.instrument for s in scores] == [instrument]
    if band:
        assert scores[0].band == band


def test_gad7_and_cancelled_observations_are_not_depression_scores():
    record = facts(
        observation("g", loinc("70274-6", "GAD-7 total score"), valueInteger=12),
        {**observation("c", loinc("44261-6"), valueInteger=12), "status": "cancelled"},
    )
    assert record.scores == ()


def test_panel_with_a_total_member_is_not_counted_twice():
    """Synthea-style 44249-1 panel whose hasMember includes the 44261-6 total."""
    total = observation("t", loinc("44261-6"), valueInteger=11)
    panel = observation("p", loinc("44249-1"), hasMember=[{"reference": "Observation/t"}])
    (score,) = facts(panel, total).scores
    assert (score.value, score.computed_from_items, score.evidence) == (
        11.0,
        False,
        ("Observation/t",),
    )


def test_panel_of_items_without_a_total_is_summed():
    items = [observation(f"i{n}", loinc(code), valueInteger=n % 4) for n, code in enumerate(ITEMS)]
    members = [{"reference": f"Observation/i{n}"} for n in range(9)]
    panel = observation("p", loinc("44249-1"), hasMember=members)
    (score,) = facts(panel, *items).scores
    assert (score.value, score.computed_from_items) == (12.0, True)  # 0+1+2+3+0+1+2+3+0
    assert score.evidence[0] == "Observation/p"
    assert len(score.evidence) == 10


def test_panel_missing_an_item_gives_a_note():
    items = [observation(f"i{n}", loinc(code), valueInteger=1) for n, code in enumerate(ITEMS[:8])]
    panel = observation(
        "p", loinc("44249-1"), hasMember=[{"reference": f"Observation/i{n}"} for n in range(8)]
    )
    record = facts(panel, *items)
    assert record.scores == ()
    assert ("incomplete-panel", "Observation/p") in {(n.code, n.resource) for n in record.notes}


def response(id_: str, items: list[dict], **extra) -> dict:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": id_,
        "status": "completed",
        "questionnaire": "http://example.org/Questionnaire/phq-9",
        "subject": {"reference": "Patient/p1"},
        "authored": "2025-02-24T15:20:00-06:00",
        "item": items,
        **extra,
    }


def answered(link: str, answer: dict) -> dict:
    return {"linkId": link, "answer": [answer]}


def test_phq9_from_questionnaire_answers():
    """Nine LA-coded answers (points 3,3,2,3,2,2,2,1,1 = 19) plus the unscored difficulty item."""
    points = [3, 3, 2, 3, 2, 2, 2, 1, 1]
    items = [
        answered(f"/{code}", {"valueCoding": {"system": LOINC, "code": LA[p]}})
        for code, p in zip(ITEMS, points, strict=True)
    ]
    items.append(answered("/69722-7", {"valueCoding": {"system": LOINC, "code": "LA6573-5"}}))
    (score,) = facts(response("qr", items)).scores
    assert (score.instrument, score.date, score.value, score.computed_from_items) == (
        "phq9",
        D(2025, 2, 24),
        19.0,
        True,
    )
    assert score.evidence == ("QuestionnaireResponse/qr",)


def test_local_link_ids_nested_groups_and_integers():
    inner = [answered(f"phq9.{n + 1}", {"valueInteger": 1}) for n in range(9)]
    items = [{"linkId": "phq9-group", "item": inner}]
    (score,) = facts(response("qr", items)).scores
    assert (score.value, score.computed_from_items) == (9.0, True)


def test_ordinal_values_from_the_questionnaire():
    """Answers with local codes whose points are only on the Questionnaire's answerOptions."""
    ordinal = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
    options = [
        {
            "valueCoding": {"system": "urn:local", "code": f"a{p}"},
            "extension": [{"url": ordinal, "valueDecimal": p}],
        }
        for p in range(4)
    ]
    questionnaire = {
        "resourceType": "Questionnaire",
        "id": "q",
        "status": "active",
        "url": "http://example.org/Questionnaire/phq-9",
        "item": [{"linkId": f"/{c}", "type": "choice", "answerOption": options} for c in ITEMS],
    }
    items = [
        answered(f"/{c}", {"valueCoding": {"system": "urn:local", "code": "a2"}}) for c in ITEMS
    ]
    (score,) = facts(questionnaire, response("qr", items)).scores
    assert score.value == 18.0


def test_total_item_in_the_response_is_used_as_is():
    items = [
        answered("/44250-9", {"valueCoding": {"code": "LA6570-1"}}),
        answered("/44261-6", {"valueDecimal": 12}),
    ]
    (score,) = facts(response("qr", items)).scores
    assert (score.value, score.computed_from_items) == (12.0, False)


def test_incomplete_questionnaire_gives_a_note_and_no_score():
    items = [answered(f"/{c}", {"valueCoding": {"code": "LA6569-3"}}) for c in ITEMS[:7]]
    record = facts(response("qr", items))
    assert record.scores == ()
    assert ("incomplete-questionnaire", "QuestionnaireResponse/qr") in {
        (n.code, n.resource) for n in record.notes
    }


def test_in_progress_questionnaire_is_not_scored():
    items = [answered(f"/{c}", {"valueCoding": {"code": "LA6569-3"}}) for c in ITEMS]
    record = facts(response("qr", items, status="in-progress"))
    assert record.scores == ()


def test_us_core_observation_and_response_are_one_score():
    """US Core: the 44261-6 Observation (valueString "12", derivedFrom the response) and the
    QuestionnaireResponse (total item 12) are the same score on 2022-11-29."""
    chart = [
        json.loads((FIXTURES / "us_core" / name).read_text())
        for name in (
            "Observation-PHQ9-item-example-44261-6.json",
            "QuestionnaireResponse-phq-9-example.json",
        )
    ]
    record = extract_facts(load_chart(chart), as_of=D(2023, 1, 1))
    (score,) = record.scores
    assert (score.date, score.value) == (D(2022, 11, 29), 12.0)
    assert score.evidence == (
        "Observation/PHQ9-item-example-44261-6",
        "QuestionnaireResponse/phq-9-example",
    )
