"""Why trials ended: status reasons, notes, AllergyIntolerance and AdverseEvent."""

from __future__ import annotations

import datetime as dt

import pytest

from priorauth.facts.outcomes import classify_code, classify_text

from .conftest import RXNORM, facts, request, rx, statement

D = dt.date
VENLAFAXINE = rx("808753", "24 HR venlafaxine 75 MG Extended Release Oral Tablet")


@pytest.mark.parametrize(
    ("text", "outcome", "detail"),
    [
        ("No response at 40 mg after 10 weeks", "inadequate_response", "no response"),
        ("Partial response", "inadequate_response", "partial response"),
        ("Ineffective", "inadequate_response", "ineffective"),
        ("not effective", "inadequate_response", "not effective"),
        ("no improvement", "inadequate_response", "no improvement"),
        ("Failed trial", "inadequate_response", "failed"),
        ("did not help", "inadequate_response", "did not help"),
        ("discontinued due to nausea", "intolerance", "nausea"),
        ("sexual dysfunction", "intolerance", "sexual dysfunction"),
        ("made me jittery", "intolerance", "jittery"),
        ("Side effects: tremor and nausea", "intolerance", "tremor"),
        ("could not tolerate", "intolerance", "could not tolerate"),
        ("stopped because of cost", "other", "cost"),
        ("pregnancy", "other", "pregnancy"),
        ("patient preference", "other", "patient preference"),
        ("tolerated well, no side effects, no nausea", "unknown", None),
        ("denies sexual side effects; partial response", "inadequate_response", "partial response"),
        ("refill sent", "unknown", None),
        ("", "unknown", None),
    ],
)
def test_classify_text(text, outcome, detail):
    stated = classify_text(text)
    assert (stated.outcome, stated.detail) == (outcome, detail)


def test_intolerance_ranks_above_inadequate_response():
    assert classify_text("no improvement and headaches").outcome == "intolerance"


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        ("sintol", "intolerance"),
        ("salg", "intolerance"),
        ("preg", "other"),
        ("266721009", "inadequate_response"),
        ("unknown-code", "unknown"),
    ],
)
def test_classify_code(code, outcome):
    assert classify_code(code).outcome == outcome


def test_status_reason_text_is_the_intolerance_detail():
    record = facts(
        statement(
            "v",
            "Effexor XR 150mg",
            "2024-01-08",
            "2024-02-18",
            status="stopped",
            statusReason=[{"text": "made me jittery"}],
            note=[{"text": "Stopped because of side effects."}],
        )
    )
    trial = record.trials[0]
    assert (trial.outcome, trial.outcome_detail) == ("intolerance", "made me jittery")


def test_inadequate_response_has_no_detail():
    record = facts(
        statement(
            "v",
            "Zoloft 100 mg",
            "2024-01-08",
            "2024-03-18",
            statusReason=[{"text": "No improvement after 10 weeks"}],
        )
    )
    assert (record.trials[0].outcome, record.trials[0].outcome_detail) == (
        "inadequate_response",
        None,
    )


def test_note_text_gives_the_outcome():
    record = facts(
        request(
            "a",
            VENLAFAXINE,
            start="2024-01-01",
            end="2024-03-01",
            note=[{"text": "Stopped: partial response only"}],
        )
    )
    assert record.trials[0].outcome == "inadequate_response"


def allergy(id_: str, code: dict, **extra) -> dict:
    return {
        "resourceType": "AllergyIntolerance",
        "id": id_,
        "patient": {"reference": "Patient/p1"},
        "code": code,
        **extra,
    }


def test_intolerance_from_allergy_intolerance():
    """An AllergyIntolerance naming venlafaxine (RxNorm ingredient 39786) with a text
    manifestation, recorded while the trial ran → intolerance, cited in the evidence."""
    record = facts(
        request("a", VENLAFAXINE, start="2024-09-16", end="2024-10-27"),
        allergy(
            "al1",
            {"coding": [{"system": RXNORM, "code": "39786", "display": "venlafaxine"}]},
            type="intolerance",
            recordedDate="2024-10-25",
            reaction=[{"manifestation": [{"text": "Palpitations and elevated blood pressure"}]}],
        ),
    )
    trial = record.trials[0]
    assert (trial.outcome, trial.outcome_detail) == (
        "intolerance",
        "Palpitations and elevated blood pressure",
    )
    assert trial.evidence == ("MedicationRequest/a", "AllergyIntolerance/al1")


def test_allergy_goes_to_the_trial_running_on_its_date():
    record = facts(
        statement("s1", "sertraline 50 mg", "2020-01-01", "2020-03-01"),
        statement("s2", "sertraline 50 mg", "2023-01-01", "2023-03-01"),
        allergy(
            "al",
            {"text": "Zoloft"},
            onsetDateTime="2023-02-10",
            reaction=[{"manifestation": [{"text": "rash"}]}],
        ),
    )
    assert [t.outcome for t in record.trials] == ["unknown", "intolerance"]


def test_refuted_allergy_is_ignored_with_a_note():
    record = facts(
        statement("s1", "sertraline 50 mg", "2020-01-01", "2020-03-01"),
        allergy("al", {"text": "sertraline"}, verificationStatus={"coding": [{"code": "refuted"}]}),
    )
    assert record.trials[0].outcome == "unknown"
    assert ("refuted", "AllergyIntolerance/al") in {(n.code, n.resource) for n in record.notes}


def test_allergy_without_a_trial_is_a_note():
    record = facts(allergy("al", {"text": "paroxetine"}))
    assert record.trials == ()
    assert ("reaction-without-trial", "AllergyIntolerance/al") in {
        (n.code, n.resource) for n in record.notes
    }


def test_adverse_event_naming_the_order():
    record = facts(
        request("a", VENLAFAXINE, start="2024-01-01", end="2024-02-01"),
        {
            "resourceType": "AdverseEvent",
            "id": "ae1",
            "actuality": "actual",
            "subject": {"reference": "Patient/p1"},
            "date": "2024-01-20",
            "event": {"text": "Hypertensive urgency"},
            "suspectEntity": [{"instance": {"reference": "MedicationRequest/a"}}],
        },
        {
            "resourceType": "AdverseEvent",
            "id": "ae2",
            "actuality": "potential",
            "subject": {"reference": "Patient/p1"},
            "suspectEntity": [{"instance": {"reference": "MedicationRequest/a"}}],
        },
    )
    trial = record.trials[0]
    assert (trial.outcome, trial.outcome_detail) == ("intolerance", "Hypertensive urgency")
    assert "AdverseEvent/ae1" in trial.evidence
    assert "AdverseEvent/ae2" not in trial.evidence


def test_ongoing_trial_without_a_reason_is_unknown():
    record = facts(statement("s", "sertraline 50 mg", "2024-01-01", status="active"))
    assert (record.trials[0].ongoing, record.trials[0].outcome) == (True, "unknown")
