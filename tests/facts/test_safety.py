"""Safety screen: seizures, implanted devices, retained metal; negative screens."""

from __future__ import annotations

import datetime as dt

import pytest

from priorauth.facts.safety import screen_answer

from .conftest import ICD10, facts

D = dt.date


def condition(id_: str, code: str, **extra) -> dict:
    return {
        "resourceType": "Condition",
        "id": id_,
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": ICD10, "code": code}]},
        **extra,
    }


def screen(id_: str, question: str, **value) -> dict:
    return {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "code": {"text": question},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2026-11-10",
        **value,
    }


def test_nothing_recorded_is_an_empty_screen():
    safety = facts().safety
    assert (safety.findings, safety.screened_negative, safety.screen_evidence) == ((), (), ())


def test_seizure_and_implant_conditions():
    safety = facts(
        condition("s", "G40.909", onsetDateTime="1998-05-20"),
        condition("ci", "Z96.21", clinicalStatus={"coding": [{"code": "active"}]}),
        condition("old", "R56.1", clinicalStatus={"coding": [{"code": "resolved"}]}),
    ).safety
    found = {f.evidence[0]: (f.category, f.active) for f in safety.findings}
    assert found == {
        "Condition/s": ("seizure", True),
        "Condition/ci": ("implanted_device", True),
        "Condition/old": ("seizure", False),
    }


def test_devices_by_type_text_and_use_statement():
    clip = {
        "resourceType": "Device",
        "id": "clip",
        "patient": {"reference": "Patient/p1"},
        "type": {"text": "Intracranial aneurysm clip"},
    }
    implant = {
        "resourceType": "Device",
        "id": "ci",
        "patient": {"reference": "Patient/p1"},
        "type": {"text": "Cochlear implant, left ear"},
    }
    use = {
        "resourceType": "DeviceUseStatement",
        "id": "u",
        "status": "active",
        "subject": {"reference": "Patient/p1"},
        "device": {"reference": "Device/ci"},
    }
    hearing_aid = {
        "resourceType": "Device",
        "id": "ha",
        "patient": {"reference": "Patient/p1"},
        "type": {"text": "External hearing aid"},
    }
    safety = facts(clip, implant, use, hearing_aid).safety
    assert sorted(f.evidence for f in safety.findings) == [
        ("Device/clip",),
        ("DeviceUseStatement/u", "Device/ci"),
    ]
    assert {f.category for f in safety.findings} == {"implanted_device"}


def test_negative_screens():
    safety = facts(
        screen(
            "m",
            "TMS safety screen: metal or implanted device in or near the head",
            valueBoolean=False,
        ),
        screen("s", "History of seizure or epilepsy?", valueCodeableConcept={"text": "No"}),
    ).safety
    assert safety.findings == ()
    assert safety.screened_negative == ("implanted_device", "retained_metal", "seizure")
    assert safety.screen_evidence == ("Observation/m", "Observation/s")


def test_positive_screen_is_a_finding():
    safety = facts(
        screen(
            "m",
            "Shrapnel or metal fragments in the head?",
            valueCodeableConcept={"coding": [{"code": "373066001"}]},
        )
    ).safety
    assert [(f.category, f.date, f.how) for f in safety.findings] == [
        ("retained_metal", D(2026, 11, 10), "screening answer yes")
    ]


def test_refuted_seizure_disorder_is_a_negative_screen():
    safety = facts(
        condition("s", "G40.909", verificationStatus={"coding": [{"code": "refuted"}]})
    ).safety
    assert (safety.findings, safety.screened_negative) == ((), ("seizure",))


def test_negated_text_is_not_a_finding():
    negated = {
        "resourceType": "Condition",
        "id": "x",
        "subject": {"reference": "Patient/p1"},
        "code": {"text": "denies seizures"},
    }
    assert facts(negated).safety.findings == ()


@pytest.mark.parametrize(
    ("element", "answer"),
    [
        ({"valueBoolean": True}, True),
        ({"valueString": "none"}, False),
        ({"valueCodeableConcept": {"coding": [{"code": "LA32-8"}]}}, False),
        ({"valueString": "maybe"}, None),
        ({}, None),
    ],
)
def test_screen_answers(element, answer):
    assert screen_answer(element) is answer


@pytest.mark.parametrize(
    ("device", "category"),
    [
        ({"type": {"text": "Deep brain stimulator"}}, "implanted_device"),
        (
            {"deviceName": [{"name": "Vagus nerve stimulator", "type": "user-friendly-name"}]},
            "implanted_device",
        ),
        ({"type": {"text": "Responsive neurostimulator (RNS)"}}, "implanted_device"),
        ({"type": {"text": "Cochlear implant, left"}}, "implanted_device"),
        ({"type": {"text": "Intracranial aneurysm clip"}}, "implanted_device"),
        ({"type": {"text": "Ventriculoperitoneal shunt, programmable"}}, "implanted_device"),
        ({"type": {"text": "Retained bullet fragment"}}, "retained_metal"),
    ],
)
def test_implants_and_metal_near_the_coil(device, category):
    (finding,) = facts({"resourceType": "Device", "id": "d", **device}).safety.findings
    assert (finding.category, finding.evidence) == (category, ("Device/d",))


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("Z96.82", "implanted_device"),  # neurostimulator (DBS, VNS, RNS)
        ("Z96.21", "implanted_device"),  # cochlear implant
        ("Z95.0", "implanted_device"),  # pacemaker
        ("Z95.810", "implanted_device"),  # ICD
        ("Z98.2", "implanted_device"),  # CSF drainage device (shunt)
        ("T85.01XA", "implanted_device"),  # ventricular shunt complication
        ("Z18.11", "retained_metal"),  # magnetic metal fragments
    ],
)
def test_implant_codes(code, category):
    (finding,) = facts(condition("c", code)).safety.findings
    assert finding.category == category


def test_active_epilepsy_beside_a_negative_seizure_screen_is_a_contradiction():
    record = facts(
        condition("epi", "G40.909", clinicalStatus={"coding": [{"code": "active"}]}),
        screen("scr", "History of seizures?", valueBoolean=False),
    )
    (contradiction,) = record.safety.contradictions
    assert contradiction.category == "seizure"
    assert set(contradiction.evidence) == {"Condition/epi", "Observation/scr"}
    assert contradiction.description == (
        "active seizure history (G40.909) beside a negative seizure history screen"
    )
    assert record.safety.screened_negative == ("seizure",)  # both sides are kept
    assert [f.evidence for f in record.safety.findings] == [("Condition/epi",)]
    (note,) = [n for n in record.notes if n.code == "safety-contradiction"]
    assert note.resource == "Condition/epi"


def test_no_contradiction_for_a_resolved_diagnosis_or_another_category():
    safety = facts(
        condition("old", "G40.909", clinicalStatus={"coding": [{"code": "resolved"}]}),
        condition("ci", "Z96.21"),
        screen("scr", "History of seizures?", valueBoolean=False),
    ).safety
    assert safety.contradictions == ()


def test_implant_beside_a_negative_implant_screen_is_a_contradiction():
    safety = facts(
        condition("vns", "Z96.82"),
        screen("scr", "Any implanted device?", valueString="No"),
    ).safety
    (contradiction,) = safety.contradictions
    assert (contradiction.category, set(contradiction.evidence)) == (
        "implanted_device",
        {"Condition/vns", "Observation/scr"},
    )
