"""Unusable input raises one ChartError naming file and location, never patient data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from priorauth.errors import ChartError, PriorAuthError
from priorauth.fhir import load_chart

from .conftest import bundle, medication_request, patient


def error_of(source: Any, **kwargs: Any) -> ChartError:
    with pytest.raises(ChartError) as caught:
        load_chart(source, **kwargs)
    assert isinstance(caught.value, PriorAuthError)
    assert "\n" not in str(caught.value)
    return caught.value


def test_not_json_file_names_line_and_column(tmp_path: Path):
    path = tmp_path / "chart.json"
    path.write_bytes(b'{\n  "resourceType": "Patient",\n  "name": [{"family": "Smith"}] oops\n}')
    error = error_of(path)
    assert (error.source, error.location) == ("chart.json", "line 3, column 33")
    assert str(error) == (
        "chart.json: line 3, column 33: not JSON: unexpected character, expected ',' or '}'"
    )
    assert "Smith" not in str(error)


def test_ndjson_bad_line_names_line_and_column(tmp_path: Path):
    path = tmp_path / "Patient.000.ndjson"
    lines = [orjson.dumps(patient(f"p{i}")) for i in range(4)] + [b'{"resourceType": "Patient", x}']
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert str(error_of(path)) == (
        "Patient.000.ndjson: line 5, column 29: not JSON: unexpected character, "
        "expected a string key"
    )


def test_ndjson_line_that_is_not_a_resource(tmp_path: Path):
    path = tmp_path / "Patient.000.ndjson"
    path.write_bytes(orjson.dumps(patient()) + b'\n{"name": "Jane Roe"}\n')
    error = error_of(path)
    assert str(error) == "Patient.000.ndjson: line 2: not FHIR: the JSON object has no resourceType"


def test_folder_error_names_the_file(tmp_path: Path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Patient.000.ndjson").write_bytes(orjson.dumps(patient()) + b"\n")
    (folder / "Condition.000.ndjson").write_bytes(b"[1, 2\n")
    error = error_of(folder)
    assert (
        str(error)
        == "export/Condition.000.ndjson: line 1, column 6: not JSON: unexpected end of data"
    )


def test_json_that_is_not_fhir():
    error = error_of(b'{"name": "John Smith", "dob": "1970-01-01"}')
    assert str(error) == "<bytes>: not FHIR: the JSON object has no resourceType"


NOT_A_TYPE = "is not a FHIR R4 resource type"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"resourceType": "Patinet"}', f"resourceType 'Patinet' {NOT_A_TYPE}"),
        (b'{"resourceType": "John Smith"}', f"resourceType (not a type name) {NOT_A_TYPE}"),
        (b'{"resourceType": 7}', f"resourceType (not a type name) {NOT_A_TYPE}"),
        (
            b'{"resourceType": "OperationOutcome", "issue": []}',
            "an OperationOutcome (a server's error report), not a chart",
        ),
        (b"42", "not FHIR: expected a resource object, found a JSON number"),
        (b'"Patient"', "not FHIR: expected a resource object, found a JSON string"),
    ],
)
def test_wrong_top_level_resource_type(data: bytes, message: str):
    assert str(error_of(data)) == f"<bytes>: {message}"


def test_list_item_that_is_not_a_resource_is_located():
    error = error_of([patient(), {"resourceType": "Coding", "code": "x"}])
    assert (error.location, error.message) == (
        "[1]",
        "resourceType 'Coding' is not a FHIR R4 resource type",
    )


def test_bulk_manifest_alone_is_not_a_chart():
    manifest = {"transactionTime": "2025-01-01T00:00:00Z", "output": [{"type": "Patient"}]}
    assert str(error_of(manifest)) == (
        "<json>: a bulk-data manifest, not a chart: load its folder of .ndjson"
    )


def test_bulk_manifest_inside_a_folder_is_ignored(tmp_path: Path):
    (tmp_path / "manifest.json").write_bytes(orjson.dumps({"transactionTime": "x", "output": []}))
    (tmp_path / "Patient.ndjson").write_bytes(orjson.dumps(patient()))
    assert load_chart(tmp_path).patients() == ["Patient/p1"]


def test_deeply_nested_arrays():
    error = error_of(b"[" * 100_000)
    assert str(error) == (
        "<bytes>: line 1, column 1026: JSON nested too deeply (the limit is 100 levels)"
    )


def test_deep_unterminated_arrays():
    assert error_of(b"[" * 1000).message == "not JSON: truncated or too deeply nested"


def test_moderately_nested_arrays_are_not_fhir():
    error = error_of(b"[" * 500 + b"]" * 500)
    assert str(error) == "<bytes>: [0]: not FHIR: expected a resource object, found a JSON array"


def test_deeply_nested_bundles_are_rejected():
    inner: dict[str, Any] = bundle(patient())
    for _ in range(10):
        inner = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": inner}]}
    error = error_of(inner)
    assert error.message == "Bundles nested more than 8 deep"
    assert error.location == "entry[0].resource.entry[0].resource.entry[0].resource.entry[0]" + (
        ".resource.entry[0].resource.entry[0].resource.entry[0].resource.entry[0]"
    )


def test_nested_bundles_are_flattened():
    nested = bundle(patient(), bundle(medication_request("a"), bundle(medication_request("b"))))
    index = load_chart(nested)
    assert [index.location_of(r) for r in index.resources("MedicationRequest")] == [
        "entry[1].resource.entry[0]",
        "entry[1].resource.entry[1].resource.entry[0]",
    ]
    assert index.count() == 3


def test_bytes_over_max_bytes():
    error = error_of(orjson.dumps(bundle(patient())), max_bytes=20)
    assert str(error) == "<bytes>: input is 105 bytes, over the 20-byte limit (max_bytes)"


def test_file_over_max_bytes_is_not_read(tmp_path: Path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 5000)
    assert str(error_of(path, max_bytes=4096)) == (
        "big.json: input is 5,000 bytes, over the 4,096-byte limit (max_bytes)"
    )


def test_folder_over_max_bytes(tmp_path: Path):
    for name in ("a.ndjson", "b.ndjson"):
        (tmp_path / name).write_bytes(orjson.dumps(patient()) * 1 + b"\n" + b" " * 3000)
    assert "over the 5,000-byte limit" in str(error_of(tmp_path, max_bytes=5000))


EMPTY = "no FHIR resources: empty chart or empty Bundle"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"", "empty input: no FHIR resources"),
        (b"  \n ", "empty input: no FHIR resources"),
        (b"[]", EMPTY),
        (b'{"resourceType": "Bundle", "type": "searchset", "total": 0}', EMPTY),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": []}', EMPTY),
        (
            b'{"resourceType": "Bundle", "entry": [{"resource": {"id": "x"}}]}',
            f"{EMPTY} (1 entry left out)",
        ),
    ],
)
def test_empty_chart(source: bytes, message: str):
    assert str(error_of(source)) == f"<bytes>: {message}"


def test_bundle_entry_not_a_list():
    assert str(error_of({"resourceType": "Bundle", "entry": {"resource": patient()}})) == (
        "<json>: Bundle.entry is not a list"
    )


def test_missing_file_and_folder_without_charts(tmp_path: Path):
    assert str(error_of(tmp_path / "nope.json")) == "nope.json: no such file or directory"
    assert str(error_of(tmp_path)) == f"{tmp_path.name}: folder holds no .ndjson or .json files"


def test_unsupported_source_type():
    assert (
        str(error_of(3.5))
        == "<input>: cannot read a chart from a float; pass a path, bytes, dict or list"
    )


def test_invalid_utf8_is_a_chart_error():
    error = error_of(b'{"resourceType": "Patient", "name": [{"text": "\xff\xfe"}]}')
    assert error.message.startswith("not JSON: ")


def test_json_text_string_is_parsed_not_opened():
    index = load_chart('{"resourceType": "Patient", "id": "p1"}')
    assert (index.source, index.patients()) == ("<text>", ["Patient/p1"])


def test_utf8_bom_is_accepted():
    assert load_chart(b"\xef\xbb\xbf" + orjson.dumps(patient())).count() == 1


def test_broken_entries_are_left_out_with_notes():
    chart = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": patient()},
            "not an entry",
            {"resource": {"id": "no-type"}},
            {"resource": {"resourceType": "Frobnicate", "id": "x"}},
            {"response": {"status": "201 Created"}},
        ],
    }
    index = load_chart(chart)
    assert index.count() == 1
    assert [(n.severity, n.code, n.location) for n in index.notes] == [
        ("error", "invalid-entry", "entry[1]"),
        ("error", "invalid-entry", "entry[2].resource"),
        ("warning", "unknown-resource-type", "entry[3].resource"),
    ]
    assert [n.message for n in index.notes] == [
        "left out: the entry is not a JSON object",
        "left out: not FHIR: the JSON object has no resourceType",
        f"left out: resourceType 'Frobnicate' {NOT_A_TYPE}",
    ]


def test_broken_entry_raises_in_strict_mode():
    chart = {"resourceType": "Bundle", "entry": [{"resource": patient()}, {"resource": []}]}
    assert str(error_of(chart, strict=True)) == (
        "<json>: entry[1].resource: left out: not FHIR: expected a resource object, "
        "found a JSON array"
    )


def test_error_messages_never_contain_patient_data(tmp_path: Path):
    secret = "Zelda Quixote-Marchbanks"
    inputs: list[Any] = [
        f'{{"resourceType": "Patient", "name": [{{"text": "{secret}"}}] ,,}}'.encode(),
        {"name": secret},
        {"resourceType": secret},
        [{"resourceType": "Patient"}, {"text": secret}],
        {"resourceType": "Bundle", "entry": [{"resource": {"resourceType": secret}}]},
    ]
    for source in inputs:
        with pytest.raises(ChartError) as caught:
            load_chart(source, strict=True)
        assert secret not in str(caught.value)
        assert "Zelda" not in str(caught.value)
