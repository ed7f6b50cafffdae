"""Lazy per-resource validation: invalid resources become notes, the rest of the chart survives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from priorauth.errors import ChartError
from priorauth.fhir import VALIDATED_TYPES, DataQualityNote, load_chart
from priorauth.fhir.datatypes import Concept

from .conftest import bundle, medication_request, patient

BAD_TIMING = {"timing": {"repeat": {"frequency": "twice"}}}


def chart_with_bad_request() -> dict[str, Any]:
    """Entry 2 is a MedicationRequest whose dosage timing is not an integer."""
    return bundle(
        patient(),
        medication_request("good1"),
        medication_request("bad", dosageInstruction=[{"text": "1 daily"}, BAD_TIMING]),
        medication_request("good2"),
    )


def test_invalid_request_is_left_out_and_noted(small_bundle: dict[str, Any]):
    index = load_chart(chart_with_bad_request())
    requests = index.resources("MedicationRequest")
    assert [index.ref_of(r) for r in requests] == [
        "MedicationRequest/good1",
        "MedicationRequest/good2",
    ]
    assert index.notes == [
        DataQualityNote(
            severity="error",
            code="invalid-resource",
            message="MedicationRequest/bad is not valid FHIR R4 and was left out: "
            "Input should be a valid integer, unable to parse string as an integer",
            resource="MedicationRequest/bad",
            location="entry[2].resource.dosageInstruction.1.timing.repeat.frequency: "
            "Input should be a valid integer, unable to parse string as an integer",
        )
    ]


def test_invalid_resource_is_noted_once():
    index = load_chart(chart_with_bad_request())
    for _ in range(3):
        index.resources("MedicationRequest")
    assert len(index.notes) == 1


def test_strict_mode_raises_on_the_first_invalid_resource():
    with pytest.raises(ChartError) as caught:
        load_chart(chart_with_bad_request(), strict=True, source_name="chart.json")
    assert str(caught.value) == (
        "chart.json: entry[2].resource.dosageInstruction.1.timing.repeat.frequency: "
        "MedicationRequest/bad is not valid FHIR R4: "
        "Input should be a valid integer, unable to parse string as an integer"
    )
    assert caught.value.__cause__ is None


def test_strict_mode_accepts_a_valid_chart(small_bundle: dict[str, Any]):
    index = load_chart(small_bundle, strict=True)
    assert len(index.resources("MedicationRequest")) == 3
    assert index.notes == []


def test_where_filter_runs_before_validation():
    index = load_chart(chart_with_bad_request())
    good = index.resources("MedicationRequest", where=lambda raw: raw["id"].startswith("good"))
    assert len(good) == 2
    assert index.notes == []  # the invalid one was never validated


def _observation(oid: str, code: str, **extra: Any) -> dict[str, Any]:
    coding = {"system": "http://loinc.org", "code": code}
    return {"resourceType": "Observation", "id": oid, "status": "final",
            "code": {"coding": [coding]}, **extra}  # fmt: skip


def test_code_filter_runs_once_per_distinct_code_and_keeps_input_order():
    chart = bundle(
        _observation("o1", "44261-6"),
        _observation("o2", "8867-4"),
        _observation("o3", "44261-6", effectiveDateTime="not a date"),  # invalid
        _observation("o4", "44261-6"),
        _observation("o5", "8867-4"),
    )
    index = load_chart(chart)
    asked: list[Concept] = []

    def phq9(code: Concept) -> bool:
        asked.append(code)
        return any(value == "44261-6" for _system, value, _display in code.codings)

    found = index.resources("Observation", code=phq9)
    assert [index.ref_of(o) for o in found] == ["Observation/o1", "Observation/o4"]
    assert len(asked) == 2  # two distinct codes among five Observations
    assert [n.resource for n in index.notes] == ["Observation/o3"]  # candidates are validated
    both = index.resources("Observation", where=lambda raw: raw["id"] != "o1", code=phq9)
    assert [index.ref_of(o) for o in both] == ["Observation/o4"]
    assert index.resources("Observation", code=lambda code: False) == []


def test_models_are_cached():
    index = load_chart(chart_with_bad_request())
    first = index.resources("MedicationRequest")
    assert all(a is b for a, b in zip(first, index.resources("MedicationRequest"), strict=True))


def test_error_names_several_problems_without_values():
    secret = "1970-01-01T10:00:00"  # a birth time without a timezone: invalid, and patient data
    index = load_chart(bundle(patient("p1", birthDate="1970-13-01", deceasedDateTime=secret)))
    assert index.resources("Patient") == []
    (note,) = index.notes
    assert note.location is not None
    assert note.location.startswith("entry[0].resource.")
    assert "(and 1 more)" in note.message
    assert secret not in note.message + note.location
    assert "1970-13-01" not in note.message + note.location


def test_an_unknown_key_is_not_quoted_in_the_field_path():
    """Hypothesis found a key holding a newline in a strict-mode error: a key the model does not
    know is input text, so the path shows ``<key>`` instead (no PHI, one line)."""
    key = "Jane Doe\nMRN 12345"
    chart = bundle(patient("p1", name=[{"family": "Doe", key: "x"}]))
    index = load_chart(chart)
    assert index.resources("Patient") == []
    (note,) = index.notes
    assert note.location is not None
    assert note.location.startswith("entry[0].resource.name.0.<key>:")
    assert "Jane" not in note.location + note.message
    with pytest.raises(ChartError) as caught:
        load_chart(chart, strict=True)
    assert "\n" not in str(caught.value)
    assert "Jane" not in str(caught.value)
    assert "name.0.<key>" in str(caught.value)


def test_r5_shaped_medication_is_rejected():
    r5 = medication_request("r5")
    del r5["medicationCodeableConcept"]
    r5["medication"] = {"concept": {"text": "fluoxetine"}}
    index = load_chart(bundle(patient(), r5))
    assert index.resources("MedicationRequest") == []
    assert index.notes[0].location == "entry[1].resource.medication: Extra inputs are not permitted"


def test_ndjson_invalid_line_location(tmp_path: Path):
    path = tmp_path / "MedicationRequest.000.ndjson"
    lines = [medication_request("a"), medication_request("b", status=["active"])]
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    index = load_chart(path)
    assert len(index.resources("MedicationRequest")) == 1
    assert index.notes[0].location == (
        "MedicationRequest.000.ndjson:2: status: Input should be a valid string"
    )


def test_single_resource_invalid_location():
    index = load_chart(medication_request("x", intent=7))
    assert index.resources("MedicationRequest") == []
    assert index.notes[0].location == "intent: Input should be a valid string"
    assert index.notes[0].resource == "MedicationRequest/x"


def test_id_less_invalid_resource_is_named_by_location():
    request = medication_request(intent=7)
    del request["id"]
    index = load_chart(bundle(patient(), request))
    index.resources("MedicationRequest")
    assert index.notes[0].resource == "entry[1]"


def test_deeply_nested_resource_is_refused_before_validation():
    extension: dict[str, Any] = {"url": "http://x/e", "valueString": "leaf"}
    for _ in range(200):
        extension = {"url": "http://x/e", "extension": [extension]}
    index = load_chart(bundle(patient(), patient("p2", extension=[extension])))
    assert [index.ref_of(p) for p in index.resources("Patient")] == ["Patient/p1"]
    assert index.notes[0].location == "entry[1].resource: nested deeper than 100 JSON levels"


def test_deeply_nested_resource_in_strict_mode():
    extension: dict[str, Any] = {"url": "http://x/e"}
    for _ in range(60):
        extension = {"url": "http://x/e", "extension": [extension]}
    with pytest.raises(ChartError, match="nested deeper than 100 JSON levels"):
        load_chart(bundle(patient(extension=[extension])), strict=True)


def test_skipped_types_are_counted_not_validated(small_bundle: dict[str, Any]):
    small_bundle["entry"].append({"resource": {"resourceType": "Claim", "id": 12345}})
    index = load_chart(small_bundle, strict=True)  # a broken Claim does not matter
    assert index.skipped == {"Claim": 2}
    assert index.count() == 7
    assert [c["id"] for c in index.raw("Claim")] == ["c1", 12345]


def test_resources_of_an_unvalidated_type_is_a_usage_error(small_bundle: dict[str, Any]):
    with pytest.raises(ValueError, match=r"Claim is not validated by priorauth; use raw\(\)"):
        load_chart(small_bundle).resources("Claim")


def test_validated_types_are_the_ones_priorauth_reads():
    assert len(VALIDATED_TYPES) == 22
    assert {"MedicationRequest", "QuestionnaireResponse", "ExplanationOfBenefit"} <= VALIDATED_TYPES


def test_r4b_models_keep_medication_choice():
    index = load_chart(bundle(patient(), medication_request()))
    request = index.resources("MedicationRequest")[0]
    assert type(request).__module__ == "fhir.resources.R4B.medicationrequest"
    assert request.medicationCodeableConcept.coding[0].code == "1190110"
