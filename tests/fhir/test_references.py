"""Reference resolution: every documented form, dangling references, patient views."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B.reference import Reference

from priorauth.errors import ChartError
from priorauth.fhir import ResourceIndex, load_chart

from .conftest import bundle, medication_request, patient

NPI = "http://hl7.org/fhir/sid/us-npi"
MRN = "urn:oid:1.2.3.4"


def practitioner(id_: str, npi: str) -> dict[str, Any]:
    return {
        "resourceType": "Practitioner",
        "id": id_,
        "identifier": [{"system": NPI, "value": npi}],
    }


@pytest.fixture
def chart() -> ResourceIndex:
    """A transaction-style chart: urn:uuid fullUrls, a contained Medication, identifiers."""
    request = medication_request(
        "mr1",
        subject="urn:uuid:p1",
        medicationReference={"reference": "#med1"},
        contained=[{"resourceType": "Medication", "id": "med1", "code": {"text": "sertraline"}}],
    )
    del request["medicationCodeableConcept"]
    resources = [
        patient("p1", identifier=[{"system": MRN, "value": "MRN-1"}]),
        request,
        practitioner("dr1", "9999995597"),
        practitioner("dr2", "1111111111"),
        {"resourceType": "Location", "id": "loc1"},
    ]
    data = bundle(*resources, full_urls=True, kind="transaction")
    data["entry"][4]["fullUrl"] = "http://example.org/fhir/Location/loc1"
    return load_chart(data)


def request_of(index: ResourceIndex) -> Any:
    return index.resources("MedicationRequest")[0]


def test_contained_reference_needs_its_context(chart: ResourceIndex):
    request = request_of(chart)
    medication = chart.resolve(request.medicationReference, context=request)
    assert medication is request.contained[0]
    assert chart.ref_of(medication) == "MedicationRequest/mr1#med1"
    assert chart.location_of(medication) == "entry[1]"
    assert chart.resolve("#", context=medication) is request


def test_contained_reference_from_raw_context(chart: ResourceIndex):
    raw = chart.raw("MedicationRequest")[0]
    alone = chart.resolve(raw["medicationReference"], context=raw)  # validated on its own
    assert chart.ref_of(alone) == "MedicationRequest/mr1#med1"
    container = request_of(chart)
    assert alone == container.contained[0]
    # once the container is validated, the raw context finds the container's own instance
    assert chart.resolve("#med1", context=raw) is container.contained[0]


def test_contained_reference_without_context_dangles(chart: ResourceIndex):
    assert chart.resolve("#med1") is None
    assert chart.notes[-1].message == "a reference points to #med1, which is not in the chart"


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("urn:uuid:p1", "Patient/p1"),  # fullUrl
        ("Patient/p1", "Patient/p1"),  # relative
        ("Patient/p1/_history/3", "Patient/p1"),
        ("https://other.example/fhir/Patient/p1", "Patient/p1"),  # absolute URL ending in Type/id
        ("https://other.example/fhir/Patient/p1/_history/1", "Patient/p1"),
        ("http://example.org/fhir/Location/loc1", "Location/loc1"),  # fullUrl of a skipped type
        ("Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999995597", "Practitioner/dr1"),
        ("Practitioner?identifier=1111111111", "Practitioner/dr2"),
        ("Practitioner?_id=dr2", "Practitioner/dr2"),
        ("Patient?identifier=urn:oid:1.2.3.4|MRN-1&_id=p1", "Patient/p1"),
    ],
)
def test_reference_forms(chart: ResourceIndex, reference: str, expected: str):
    found = chart.resolve(reference)
    assert chart.ref_of(found) == expected
    assert chart.resolve(Reference(reference=reference)) is found
    assert chart.resolve({"reference": reference}) is found
    assert chart.notes == []


def test_models_for_validated_types_raw_dicts_for_others(chart: ResourceIndex):
    assert chart.resolve("Patient/p1") is chart.resources("Patient")[0]
    assert chart.resolve("Location/loc1") is chart.raw("Location")[0]


def test_logical_reference_by_identifier(chart: ResourceIndex):
    by_identifier = Reference(
        identifier={"system": NPI, "value": "9999995597"}, type="Practitioner"
    )
    assert chart.ref_of(chart.resolve(by_identifier)) == "Practitioner/dr1"
    no_system = {"identifier": {"value": "MRN-1"}}
    assert chart.ref_of(chart.resolve(no_system)) == "Patient/p1"


def test_identifier_is_the_fallback_for_a_missing_literal(chart: ResourceIndex):
    reference = {"reference": "Patient/elsewhere", "identifier": {"system": MRN, "value": "MRN-1"}}
    assert chart.ref_of(chart.resolve(reference)) == "Patient/p1"


def test_ambiguous_or_unsupported_conditional_references_dangle(chart: ResourceIndex):
    assert chart.resolve("Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|") is None
    assert chart.resolve("Patient?name=smith") is None
    assert chart.resolve("Practitioner?_id=dr1&_id=dr2") is None


def test_display_only_reference_is_none_without_a_note(chart: ResourceIndex):
    assert chart.resolve({"display": "Dr. Who"}) is None
    assert chart.resolve(None) is None
    assert chart.resolve("") is None
    assert chart.notes == []


def test_dangling_reference_noted_once_per_context(chart: ResourceIndex):
    request = request_of(chart)
    for _ in range(3):
        assert chart.resolve("Practitioner/gone", context=request) is None
    chart.resolve("Practitioner/gone")
    assert [(n.code, n.resource, n.location, n.message) for n in chart.notes] == [
        (
            "dangling-reference",
            "MedicationRequest/mr1",
            "entry[1]",
            "MedicationRequest/mr1 points to Practitioner/gone, which is not in the chart",
        ),
        (
            "dangling-reference",
            None,
            None,
            "a reference points to Practitioner/gone, which is not in the chart",
        ),
    ]


def test_dangling_notes_hide_identifier_values(chart: ResourceIndex):
    ssn = "123-45-6789"
    chart.resolve(f"Patient?identifier=http://hl7.org/fhir/sid/us-ssn|{ssn}")
    chart.resolve({"identifier": {"system": "http://hl7.org/fhir/sid/us-ssn", "value": ssn}})
    messages = [n.message for n in chart.notes]
    assert messages == [
        "a reference points to Patient?identifier=http://hl7.org/fhir/sid/us-ssn|…, "
        "which is not in the chart",
        "a reference points to identifier http://hl7.org/fhir/sid/us-ssn|…, "
        "which is not in the chart",
    ]


def test_reference_to_an_invalid_resource_is_none_with_its_note():
    index = load_chart(bundle(patient("p1", gender=["x"]), medication_request()))
    assert index.resolve("Patient/p1") is None
    assert [n.code for n in index.notes] == ["invalid-resource"]


def test_ref_of_and_location_of(chart: ResourceIndex):
    raw_patient = chart.raw("Patient")[0]
    assert chart.ref_of(raw_patient) == "Patient/p1"
    assert chart.location_of(raw_patient) == "entry[0]"
    assert chart.ref_of({"resourceType": "Patient", "id": "other"}) == "Patient/other"
    with pytest.raises(ValueError, match="not a resource of this chart"):
        chart.ref_of({"resourceType": "Patient"})
    with pytest.raises(ValueError, match="not a resource of this chart"):
        chart.location_of({"resourceType": "Patient", "id": "other"})


def test_id_less_resource_is_named_by_location():
    anonymous = patient()
    del anonymous["id"]
    index = load_chart(bundle(patient("p0"), anonymous))
    assert index.patients() == ["Patient/p0", "entry[1]"]


def test_duplicate_ids_resolve_to_the_first():
    index = load_chart(bundle(patient("p1"), patient("p1", gender="female")))
    assert index.resolve("Patient/p1") is index.resources("Patient")[0]
    (note,) = index.notes
    assert (note.code, note.location, note.message) == (
        "duplicate-resource",
        "entry[1]",
        "Patient/p1 appears again; references use the first, at entry[0]",
    )


def two_patient_chart() -> ResourceIndex:
    return load_chart(
        bundle(
            patient("a"),
            patient("b"),
            medication_request("ra", subject="Patient/a"),
            medication_request("rb", subject="Patient/b"),
            medication_request("rx", subject="Patient/missing"),
            {"resourceType": "Coverage", "id": "cov-b", "status": "active",
             "beneficiary": {"reference": "Patient/b"}, "payor": [{"reference": "Organization/o"}]},
            {"resourceType": "Organization", "id": "o", "name": "Payer"},
            {"resourceType": "Observation", "id": "group-obs", "status": "final",
             "code": {"text": "x"}, "subject": {"reference": "Group/g"}},
        )
    )  # fmt: skip


def test_for_patient_keeps_own_and_shared_resources():
    index = two_patient_chart()
    view = index.for_patient("Patient/b")
    assert view.patients() == ["Patient/b"]
    assert [view.ref_of(r) for r in view.resources("MedicationRequest")] == ["MedicationRequest/rb"]
    assert [view.ref_of(r) for r in view.resources("Coverage")] == ["Coverage/cov-b"]
    assert view.count() == 5  # Patient, MedicationRequest, Coverage, Organization, Observation
    coverage = view.resources("Coverage")[0]
    assert view.ref_of(view.resolve(coverage.payor[0], context=coverage)) == "Organization/o"


def test_for_patient_does_not_resolve_into_other_patients():
    view = two_patient_chart().for_patient("Patient/a")
    assert view.resolve("Patient/b") is None
    assert view.notes[-1].code == "dangling-reference"


def test_views_share_models_but_not_notes():
    index = load_chart(
        bundle(patient("a"), medication_request("bad", subject="Patient/a", intent=1))
    )
    view = index.for_patient("Patient/a")
    assert view.resources("MedicationRequest") == []
    assert [n.code for n in view.notes] == ["invalid-resource"]
    assert index.notes == []
    assert index.resources("MedicationRequest") == []
    assert [n.code for n in index.notes] == ["invalid-resource"]
    assert index.resources("Patient")[0] is view.resources("Patient")[0]


def test_for_patient_accepts_the_full_url():
    index = load_chart(
        bundle(patient("p1"), medication_request(subject="urn:uuid:p1"), full_urls=True)
    )
    assert index.for_patient("urn:uuid:p1").count() == 2


def test_for_unknown_patient_is_a_chart_error():
    with pytest.raises(ChartError, match="no Patient/zzz in this chart"):
        two_patient_chart().for_patient("Patient/zzz")


def eob_with_coverage(coverage: dict[str, Any]) -> dict[str, Any]:
    """An ExplanationOfBenefit shaped like Synthea's: invalid as a whole (no required fields),
    with the patient's Coverage contained in it."""
    return {
        "resourceType": "ExplanationOfBenefit",
        "id": "eob1",
        "contained": [coverage],
        "insurance": [{"focal": True, "coverage": {"reference": "#coverage"}}],
    }


COVERAGE = {
    "resourceType": "Coverage",
    "id": "coverage",
    "status": "active",
    "beneficiary": {"reference": "Patient/p1"},
    "payor": [{"display": "private"}],
}


def test_contained_from_raw_context_validates_only_the_contained_resource():
    index = load_chart(bundle(patient(), eob_with_coverage(COVERAGE)))
    eob = index.raw("ExplanationOfBenefit")[0]
    coverage = index.resolve(eob["insurance"][0]["coverage"], context=eob)
    assert coverage is not None
    assert index.ref_of(coverage) == "ExplanationOfBenefit/eob1#coverage"
    assert index.resolve("#coverage", context=eob) is coverage  # cached
    assert index.notes == []  # the EOB itself was never validated
    assert index.resources("ExplanationOfBenefit") == []
    assert [n.code for n in index.notes] == ["invalid-resource"]


def test_invalid_contained_resource_from_raw_context_is_noted_once():
    broken = {**COVERAGE, "status": ["active"]}
    index = load_chart(bundle(patient(), eob_with_coverage(broken)))
    eob = index.raw("ExplanationOfBenefit")[0]
    for _ in range(2):
        assert index.resolve("#coverage", context=eob) is None
    assert [(n.code, n.resource, n.location) for n in index.notes] == [
        (
            "invalid-resource",
            "ExplanationOfBenefit/eob1#coverage",
            "entry[1].resource.contained.0.status: Input should be a valid string",
        )
    ]


def test_contained_from_a_dict_outside_the_chart(chart: ResourceIndex):
    outside = eob_with_coverage(COVERAGE)
    coverage = chart.resolve("#coverage", context=outside)
    assert coverage is not None
    assert coverage.status == "active"
