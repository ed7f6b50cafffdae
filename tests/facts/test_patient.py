"""Patient, coverage and requesting provider; choosing a patient in multi-patient charts."""

from __future__ import annotations

import datetime as dt

import pytest

from priorauth.errors import ChartError
from priorauth.facts import extract_facts
from priorauth.fhir import load_chart

from .conftest import FIXTURES, RXNORM, facts

D = dt.date
NPI = "http://hl7.org/fhir/sid/us-npi"


@pytest.mark.parametrize(
    ("as_of", "age"),
    [(D(2026, 6, 14), 45), (D(2026, 6, 15), 46), (D(1980, 6, 15), 0)],
)
def test_age_in_whole_years(as_of, age):
    patient = facts(as_of=as_of).patient
    assert (patient.ref, patient.age, patient.sex, patient.birth_date) == (
        "Patient/p1",
        age,
        "female",
        D(1980, 6, 15),
    )


def test_identifiers_include_the_mrn():
    patient = facts(
        patient_extra={
            "identifier": [
                {"type": {"coding": [{"code": "MR"}]}, "system": "urn:mrn", "value": "M-1"},
                {"system": "https://ehr.example.org/mrn", "value": "ignored-second"},
            ]
        }
    ).patient
    assert patient.identifiers["MR"] == "M-1"
    assert patient.identifiers["urn:mrn"] == "M-1"


def coverage(**extra) -> dict:
    return {
        "resourceType": "Coverage",
        "id": "cov",
        "status": "active",
        "beneficiary": {"reference": "Patient/p1"},
        **extra,
    }


def test_coverage_with_a_payor_organization():
    payer = {
        "resourceType": "Organization",
        "id": "payer",
        "name": "Aetna",
        "identifier": [{"system": "urn:naic", "value": "60054"}],
    }
    record = facts(
        payer,
        coverage(
            payor=[{"reference": "Organization/payer"}],
            subscriberId="S1",
            identifier=[{"type": {"coding": [{"code": "MB"}]}, "value": "W123"}],
            period={"start": "2025-01-01"},
            **{
                "class": [
                    {"type": {"coding": [{"code": "group"}]}, "value": "0284512"},
                    {
                        "type": {"coding": [{"code": "plan"}]},
                        "value": "OAMC",
                        "name": "Open Access",
                    },
                ]
            },
        ),
    )
    (fact,) = record.coverages
    assert (fact.payer_name, fact.payer_identifiers, fact.member_id, fact.group, fact.plan) == (
        "Aetna",
        ("60054",),
        "W123",
        "0284512",
        "OAMC",
    )
    assert (fact.subscriber_id, fact.period_start, fact.evidence) == (
        "S1",
        D(2025, 1, 1),
        ("Coverage/cov",),
    )


def test_display_only_payor_and_subscriber_id():
    (fact,) = facts(coverage(payor=[{"display": "Cigna"}], subscriberId="U88")).coverages
    assert (fact.payer_name, fact.member_id) == ("Cigna", "U88")


def test_synthea_coverage_contained_in_explanations_of_benefit():
    """Milan_Beatty's EOBs each contain {"id": "coverage", "type": {"text": ...}}; EOBs with the
    same payer become one coverage spanning their billable periods."""
    record = extract_facts(
        load_chart(
            FIXTURES / "synthea_r4_smart" / "Milan_Beatty_e78d0ed2-1b54-4c30-90ae-f7405af1e402.json"
        ),
        as_of=D(2020, 1, 1),
    )
    assert record.coverages
    assert all(c.evidence[0].startswith("ExplanationOfBenefit/") for c in record.coverages)
    assert record.coverages[0].payer_name in {"private", "medicaid", "medicare"}


def test_requester_through_a_practitioner_role():
    practitioner = {
        "resourceType": "Practitioner",
        "id": "dr",
        "identifier": [{"system": NPI, "value": "1000000012"}],
        "name": [{"given": ["Dana"], "family": "Reyes", "suffix": ["MD"]}],
    }
    clinic = {
        "resourceType": "Organization",
        "id": "clinic",
        "name": "Clinic",
        "identifier": [
            {"system": NPI, "value": "1000000020"},
            {"system": "urn:oid:2.16.840.1.113883.4.4", "value": "98-7654321"},
        ],
        "address": [{"line": ["1 Main St"], "city": "Town", "state": "MA", "postalCode": "01000"}],
    }
    role = {
        "resourceType": "PractitionerRole",
        "id": "role",
        "practitioner": {"reference": "Practitioner/dr"},
        "organization": {"reference": "Organization/clinic"},
        "telecom": [
            {"system": "phone", "value": "555-0100"},
            {"system": "fax", "value": "555-0199"},
        ],
    }
    order = {
        "resourceType": "ServiceRequest",
        "id": "sr",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "authoredOn": "2026-11-18",
        "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "90867"}]},
        "requester": {"reference": "PractitionerRole/role"},
    }
    record = facts(practitioner, clinic, role, order)
    doctor, org = record.practitioner, record.organization
    assert (doctor.name, doctor.credentials, doctor.npi, doctor.phone, doctor.fax) == (
        "Dana Reyes",
        "MD",
        "1000000012",
        "555-0100",
        "555-0199",
    )
    assert doctor.evidence == ("Practitioner/dr", "PractitionerRole/role")
    assert (org.name, org.npi, org.tin, org.address.city) == (
        "Clinic",
        "1000000020",
        "98-7654321",
        "Town",
    )


def test_unresolved_conditional_requester_still_gives_the_npi():
    order = {
        "resourceType": "MedicationRequest",
        "id": "mr",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "312938"}]},
        "authoredOn": "2024-01-01",
        "requester": {"reference": f"Practitioner?identifier={NPI}|9999995597"},
    }
    record = facts(order)
    assert (record.practitioner.npi, record.practitioner.evidence) == ("9999995597", ())


def test_several_patients_need_a_choice():
    chart = load_chart(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"resource": {"resourceType": "Patient", "id": "a", "birthDate": "1970-01-01"}},
                {"resource": {"resourceType": "Patient", "id": "b", "birthDate": "1990-01-01"}},
                {
                    "resource": {
                        "resourceType": "MedicationStatement",
                        "id": "m",
                        "status": "completed",
                        "subject": {"reference": "Patient/b"},
                        "medicationCodeableConcept": {"text": "sertraline 50 mg"},
                        "effectivePeriod": {"start": "2024-01-01", "end": "2024-03-01"},
                    }
                },
            ],
        },
        source_name="two.json",
    )
    with pytest.raises(ChartError) as info:
        extract_facts(chart, as_of=D(2025, 1, 1))
    assert str(info.value) == (
        "two.json: the chart holds 2 patients (Patient/a, Patient/b); choose one with patient= "
        "(CLI: --patient), "
        "e.g. --patient Patient/a"
    )
    b = extract_facts(chart, as_of=D(2025, 1, 1), patient="b")
    assert (b.patient.ref, b.patient.age, len(b.trials)) == ("Patient/b", 35, 1)
    a = extract_facts(chart, as_of=D(2025, 1, 1), patient="Patient/a")
    assert (a.patient.ref, a.trials) == ("Patient/a", ())
    with pytest.raises(ChartError, match="no Patient/zzz in this chart"):
        extract_facts(chart, as_of=D(2025, 1, 1), patient="zzz")


def test_chart_without_a_patient():
    chart = load_chart(
        {
            "resourceType": "MedicationStatement",
            "id": "m",
            "status": "completed",
            "subject": {"reference": "Patient/x"},
            "medicationCodeableConcept": {"text": "Prozac 20 mg"},
            "effectivePeriod": {"start": "2024-01-01", "end": "2024-03-01"},
        }
    )
    record = extract_facts(chart, as_of=D(2025, 1, 1))
    assert record.patient.ref is None
    assert record.trials[0].ingredient == "fluoxetine"
    assert "no-patient" in {n.code for n in record.notes}


def test_notes_hold_no_patient_data():
    """Names, birth dates and free text never appear in notes; resources are cited by id."""
    record = facts(
        {
            "resourceType": "MedicationStatement",
            "id": "m",
            "status": "completed",
            "subject": {"reference": "Patient/p1"},
            "medicationCodeableConcept": {"text": "Prozac (Jane Doe's bottle)"},
            "note": [{"text": "secret"}],
        },
        patient_extra={"name": [{"family": "Doe", "given": ["Jane"]}]},
    )
    text = " ".join(n.model_dump_json() for n in record.notes)
    assert "MedicationStatement/m" in text
    for secret in ("Doe", "Jane", "1980", "secret", "Prozac"):
        assert secret not in text


@pytest.mark.parametrize(
    ("deceased", "expected"),
    [
        ({"deceasedBoolean": True}, (True, None)),
        ({"deceasedBoolean": False}, (False, None)),
        ({"deceasedDateTime": "2026-10-01"}, (True, D(2026, 10, 1))),
        ({"deceasedDateTime": "2026-12-20"}, (False, D(2026, 12, 20))),  # after the as-of date
        ({}, (None, None)),
    ],
)
def test_deceased(deceased, expected):
    patient = facts(patient_extra=deceased).patient
    assert (patient.deceased, patient.deceased_date) == expected


@pytest.mark.parametrize(
    ("extra", "in_force"),
    [
        ({"period": {"start": "2025-01-01", "end": "2025-12-31"}}, False),  # ended before
        ({"period": {"start": "2027-01-01"}}, False),  # starts after
        ({"status": "cancelled"}, False),
        ({"status": "entered-in-error"}, False),
        ({"status": "active", "period": {"start": "2026-01-01"}}, True),
        ({}, True),
    ],
)
def test_coverage_in_force_on_the_as_of_date(extra, in_force):
    (fact,) = facts(coverage(payor=[{"display": "Aetna"}], **extra)).coverages
    assert fact.in_force is in_force


def test_coverage_order():
    primary, secondary = sorted(
        facts(
            coverage(payor=[{"display": "Aetna"}], order=1),
            {**coverage(payor=[{"display": "Medicare"}], order=2), "id": "cov2"},
        ).coverages,
        key=lambda c: c.order or 0,
    )
    assert [(c.payer_name, c.order) for c in (primary, secondary)] == [
        ("Aetna", 1),
        ("Medicare", 2),
    ]
    (unordered,) = facts(coverage(payor=[{"display": "Cigna"}])).coverages
    assert unordered.order is None
