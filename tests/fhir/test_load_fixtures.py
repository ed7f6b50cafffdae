"""Every public fixture chart loads, validates and resolves; spot checks on known content."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from priorauth.fhir import VALIDATED_TYPES, ResourceIndex, load_chart
from priorauth.fhir.datatypes import codings

from .conftest import BULK, FIXTURES, FLETCHER, MILAN, SHARED_FIXTURES, VITO

REFERENCE_FIELDS = ("subject", "patient", "beneficiary", "encounter", "requester", "payor")


def chart_paths(root: Path) -> list[Path]:
    """Every .json chart under ``root`` plus each folder of .ndjson files."""
    jsons = sorted(root.rglob("*.json"))
    folders = sorted({p.parent for p in root.rglob("*.ndjson")})
    return jsons + folders


def touch_everything(index: ResourceIndex) -> int:
    """Validate every resource of every validated type and resolve its common references."""
    validated = 0
    for resource_type in sorted(VALIDATED_TYPES):
        for resource in index.resources(resource_type):
            validated += 1
            for name in REFERENCE_FIELDS:
                value = getattr(resource, name, None)
                for reference in value if isinstance(value, list) else [value]:
                    index.resolve(reference, context=resource)
    return validated


def test_fixture_copy_is_modest():
    # ~14 MB serve the loader tests; tests/facts adds three antidepressant bundles (7.3 MB).
    size = sum(p.stat().st_size for p in FIXTURES.rglob("*") if p.is_file())
    assert size < 22_000_000


def test_every_fixture_file_is_listed_in_sources():
    sources = (FIXTURES / "SOURCES.md").read_text()
    data = [p for p in FIXTURES.rglob("*") if p.suffix in (".json", ".ndjson")]
    missing = [str(p.relative_to(FIXTURES)) for p in data if f"`{p.name}`" not in sources]
    missing = [m for m in missing if f"`{m.split('/', 1)[-1]}`" not in sources]
    assert missing == []


@pytest.mark.parametrize("path", chart_paths(FIXTURES), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_loads_without_notes(path: Path):
    index = load_chart(path)
    assert index.count() > 0
    validated = touch_everything(index)
    assert validated + sum(index.skipped.values()) == index.count()
    assert [n for n in index.notes if n.code != "dangling-reference"] == []


def test_fixture_totals():
    """Every chart outside synthea_r4_smart/ (whose bundles are checked one by one below)."""
    totals: Counter[str] = Counter()
    for path in chart_paths(FIXTURES):
        if path.parent.name == "synthea_r4_smart":
            continue
        index = load_chart(path)
        totals["charts"] += 1
        totals["resources"] += index.count()
        totals["validated"] += sum(len(index.resources(t)) for t in VALIDATED_TYPES)
    assert totals == {"charts": 188, "resources": 5399, "validated": 5227}


@pytest.mark.skipif(
    not SHARED_FIXTURES.is_dir(), reason="../shared/fixtures not present beside the repository"
)
def test_every_shared_fixture_loads():
    paths = chart_paths(SHARED_FIXTURES)
    assert len(paths) >= 200
    for path in paths:
        index = load_chart(path)
        touch_everything(index)
        assert [n for n in index.notes if n.code != "dangling-reference"] == [], path.name


def test_milan_beatty_fluoxetine_trial():
    index = load_chart(MILAN)
    assert index.source == "e78d0ed2-1b54-4c30-90ae-f7405af1e402.json"  # no patient name
    assert index.count() == 220
    assert index.skipped == {"Claim": 18, "Goal": 5, "Immunization": 9, "DiagnosticReport": 11}
    assert index.patients() == ["Patient/8adf7251-257f-4b45-8ef5-0a6b3b9fe0ef"]
    fluoxetine = index.resources(
        "MedicationRequest",
        where=lambda raw: any(c[1] == "406022" for c in codings(raw["medicationCodeableConcept"])),
    )
    assert [(index.ref_of(m), index.location_of(m), m.status) for m in fluoxetine] == [
        ("MedicationRequest/86c267dc-e655-4a0e-9046-00dc12ba1419", "entry[13]", "stopped"),
        ("MedicationRequest/2ca8e3ef-9568-4c8a-b639-40c65069ce70", "entry[19]", "active"),
    ]
    subject = index.resolve(fluoxetine[0].subject, context=fluoxetine[0])
    assert subject is index.resources("Patient")[0]
    assert index.notes == []


def test_synthea_coverage_contained_in_eob_resolves_from_raw_context():
    index = load_chart(MILAN)
    eob = index.raw("ExplanationOfBenefit")[0]
    coverage = index.resolve(eob["insurance"][0]["coverage"], context=eob)
    assert coverage is not None
    assert coverage.__resource_type__ == "Coverage"
    assert coverage.type.text == "private"
    assert (
        index.ref_of(coverage)
        == "ExplanationOfBenefit/86af4ee8-ce75-4e79-bf47-cda0130e5701#coverage"
    )
    assert index.location_of(coverage) == "entry[6]"


def test_fletcher_hyatt_counts_by_type():
    index = load_chart(FLETCHER)
    counts = {
        name: len(index.raw(name)) for name in ("Claim", "ExplanationOfBenefit", "Observation")
    }
    assert counts == {"Claim": 249, "ExplanationOfBenefit": 127, "Observation": 351}
    assert index.count() == 1111
    assert index.skipped == {
        "Claim": 249,
        "Immunization": 10,
        "DiagnosticReport": 30,
        "ImagingStudy": 5,
        "Goal": 3,
    }


def test_vito_feeney_has_the_most_entries():
    assert load_chart(VITO).count() == 1244


def test_bulk_ndjson_folder():
    index = load_chart(BULK)
    assert index.source == "synthea_bulk_10pt_ndjson"
    assert {
        t: len(index.raw(t)) for t in ("Patient", "Condition", "MedicationRequest", "Procedure")
    } == {
        "Patient": 13,
        "Condition": 555,
        "MedicationRequest": 1745,
        "Procedure": 2056,
    }
    first = index.resources("Condition")[0]
    assert index.location_of(first) == "Condition.000.ndjson:1"
    assert index.location_of(index.resources("Patient")[12]) == "Patient.000.ndjson:13"


def test_bulk_ndjson_splits_into_patients():
    index = load_chart(BULK)
    views = [index.for_patient(ref) for ref in index.patients()]
    assert sum(view.count() for view in views) == index.count() == 4369
    assert [view.patients() for view in views] == [[ref] for ref in index.patients()]
    largest = max(views, key=ResourceIndex.count)
    assert largest.count() == 2061


def test_single_ndjson_file_and_ndjson_bytes_agree():
    path = BULK / "Patient.000.ndjson"
    from_file = load_chart(path)
    from_bytes = load_chart(path.read_bytes())
    assert from_file.count() == from_bytes.count() == 13
    assert from_file.location_of(from_file.resources("Patient")[2]) == "Patient.000.ndjson:3"
    assert from_bytes.location_of(from_bytes.resources("Patient")[2]) == "<bytes>:3"


def test_ecqm_phq9_scores_filtered_before_validation():
    folder = FIXTURES / "ecqm_qicore_2024" / "CMS159_DepressionRemission12m"
    scores = []
    for path in sorted(folder.glob("*.json")):
        index = load_chart(path)
        scores += index.resources(
            "Observation",
            where=lambda raw: any(c[1] == "44261-6" for c in codings(raw.get("code"))),
        )
    assert len(scores) == 107
    assert {type(o.valueInteger) for o in scores} == {int}


def test_ecqm_relative_reference_resolves_through_fullurl():
    """eCQM fullUrls (https://madie.cms.gov/Encounter/8468…) differ from the resource ids."""
    path = next((FIXTURES / "ecqm_qicore_2024").rglob("tests-2b4c52e3-*-bundle.json"))
    index = load_chart(path)
    encounter = index.resolve("Encounter/846816468613163156")
    assert index.ref_of(encounter) == "Encounter/feac7d87-1332-45fa-887c-6b33c4416bed"


def test_cds_hooks_request_prefetch_and_context():
    index = load_chart(FIXTURES / "davinci_crd" / "CRDServiceRequest.json")
    assert index.patients() == ["Patient/123"]
    coverage = index.resources("Coverage")[0]
    assert index.location_of(coverage) == "prefetch.coverage.entry[0]"
    assert index.ref_of(index.resolve(coverage.beneficiary, context=coverage)) == "Patient/123"
    orders = index.resources("ServiceRequest")
    assert [index.location_of(o) for o in orders] == [
        "context.draftOrders.entry[0]",
        "context.draftOrders.entry[1]",
    ]


def test_cds_hooks_response_actions():
    index = load_chart(FIXTURES / "davinci_crd" / "CRDServiceResponse.json")
    assert [index.location_of(r) for r in index.resources("ServiceRequest")] == [
        "cards[2].suggestions[0].actions[1].resource",
        "systemActions[0].resource",
    ]
    assert index.skipped == {"DeviceRequest": 1}


def test_us_core_contained_medication():
    index = load_chart(FIXTURES / "us_core" / "medicationrequest-contained-oral-axid.json")
    request = index.resources("MedicationRequest")[0]
    medication = index.resolve(request.medicationReference, context=request)
    assert medication is request.contained[0]
    assert (
        index.ref_of(medication) == "MedicationRequest/medicationrequest-contained-oral-axid#med2"
    )
    assert index.location_of(request) == "$"


def test_shift_batch_bundle_keeps_security_labels():
    index = load_chart(FIXTURES / "shift_demo" / "1Asample.json")
    labelled = [o for o in index.resources("Observation") if o.meta and o.meta.security]
    assert labelled, "behavioural-health labels must survive loading"


def test_parsed_dict_and_bytes_give_the_same_index():
    data = MILAN.read_bytes()
    from_bytes = load_chart(data)
    from_dict = load_chart(orjson.loads(data), source_name="milan")
    assert from_bytes.count() == from_dict.count()
    assert from_dict.source == "milan"
    assert [from_dict.ref_of(r) for r in from_dict.resources("Condition")] == [
        from_bytes.ref_of(r) for r in from_bytes.resources("Condition")
    ]
