"""The crash classes of issue 15 give data-quality notes or one-line errors, never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.errors import AsOfError, ChartError
from priorauth.fhir import load_chart
from priorauth.pipeline import chart_facts, evaluate_record
from priorauth.rules import load_rules

AS_OF = dt.date(2026, 11, 25)
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"


def resources(chart: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in chart["entry"] if e["resource"]["resourceType"] == kind]


def _evaluate(chart: dict[str, Any], *, as_of: dt.date = AS_OF, payer: str = "all") -> Any:
    record = chart_facts(chart, as_of=as_of)
    return record, evaluate_record(record, load_rules(None), payer=payer, as_of=as_of)


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("MedicationRequest", "authoredOn", "9999-12-31"),
        ("MedicationRequest", "authoredOn", "9999"),
        ("Observation", "effectiveDateTime", "9999-12-31"),
        ("Procedure", "performedDateTime", "0001-01-01"),
        ("Patient", "deceasedDateTime", "9999-12-31"),
        ("Patient", "birthDate", "9999"),
        (
            "MedicationRequest",
            "dispenseRequest",
            {"expectedSupplyDuration": {"value": 10**9, "unit": "days", "code": "d"}},
        ),
        (
            "MedicationRequest",
            "dispenseRequest",
            {"numberOfRepeatsAllowed": 10**9, "expectedSupplyDuration": {"value": 90, "code": "d"}},
        ),
    ],
)
def test_calendar_edge_dates_and_durations(
    chart: dict[str, Any], kind: str, key: str, value: Any
) -> None:
    for resource in resources(chart, kind):
        resource[key] = value
    _record, determinations = _evaluate(chart)
    assert determinations


@pytest.mark.parametrize("as_of", [dt.date(1, 1, 1), dt.date(9999, 12, 31)])
@pytest.mark.parametrize("payer", ["cpb-0469-tms-2026-02", "all", "aetna"])
def test_as_of_at_the_calendar_edge_is_a_clear_error(
    chart: dict[str, Any], as_of: dt.date, payer: str
) -> None:
    with pytest.raises(AsOfError, match=r"outside 1000-01-01\.\.8999-12-31"):
        _evaluate(chart, as_of=as_of, payer=payer)


def test_as_of_at_the_calendar_edge_on_the_cli(tmp_path: Path, chart: dict[str, Any]) -> None:
    import json

    path = tmp_path / "chart.json"
    path.write_text(json.dumps(chart))
    args = ["evaluate", str(path), "--payer", "cpb-0469-tms-2026-02", "--as-of", "0001-01-01"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "as-of date 0001-01-01 is outside" in result.output
    assert "Traceback" not in result.output


def test_reference_of_the_wrong_type_is_a_note(chart: dict[str, Any]) -> None:
    patient = resources(chart, "Patient")[0]["id"]
    encounter = {
        "resourceType": "Encounter",
        "id": "enc-x",
        "status": "finished",
        "class": {"code": "AMB"},
        "subject": {"reference": f"Patient/{patient}"},
        "serviceProvider": {"reference": f"Patient/{patient}"},
    }
    chart["entry"].append({"resource": encounter})
    for request in resources(chart, "ServiceRequest") + resources(chart, "MedicationRequest"):
        request["encounter"] = {"reference": "Encounter/enc-x"}
        request["requester"] = {"reference": "PractitionerRole/none"}
    record, determinations = _evaluate(chart)
    assert determinations
    assert "wrong-reference-type" in {note.code for note in record.notes}


def test_huge_integers_inside_text(chart: dict[str, Any]) -> None:
    for request in resources(chart, "MedicationRequest"):
        request["dosageInstruction"] = [
            {"text": "take " + "9" * 5_000 + " mg every 9" + "9" * 5_000 + " hours"}
        ]
    for condition in resources(chart, "Condition"):
        condition["code"] = {"coding": [{"system": ICD10, "code": "F3" + "3" * 5_000}]}
    _record, determinations = _evaluate(chart)
    assert determinations


def test_the_same_entry_dict_twice(chart: dict[str, Any]) -> None:
    for entry in list(chart["entry"]):
        if entry["resource"]["resourceType"] != "Patient":
            chart["entry"].append(entry)
    _record, determinations = _evaluate(chart)
    assert determinations


def test_nesting_limit_holds_on_the_library_path(chart: dict[str, Any]) -> None:
    deep: list[Any] = []
    inner = deep
    for _ in range(600):
        inner.append([])
        inner = inner[0]
    for condition in resources(chart, "Condition"):
        condition["code"] = {"coding": deep}
    record, determinations = _evaluate(chart)
    assert determinations
    assert any("nested deeper" in note.message for note in record.notes)


def test_a_device_is_read_only_up_to_the_size_limit() -> None:
    with pytest.raises(ChartError, match="over the 1,000-byte limit"):
        load_chart("/dev/zero", max_bytes=1_000)


def test_audit_export_into_a_missing_folder(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    out = tmp_path / "missing-dir" / "a.csv"
    result = CliRunner().invoke(cli, ["audit", "export", "--db", db, "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: ")
    assert "no such file or directory" in result.output
    assert "Traceback" not in result.output


def test_cli_does_not_echo_terminal_escapes_from_the_chart(
    tmp_path: Path, chart: dict[str, Any]
) -> None:
    import json

    for request in resources(chart, "MedicationRequest"):
        concept = request.get("medicationCodeableConcept") or {}
        concept["text"] = "sertraline\x1b[2J\x1b]0;owned\x07\nFORGED line"
        for coding in concept.get("coding", []):
            coding["display"] = concept["text"]
    for condition in resources(chart, "Condition"):
        condition["code"]["text"] = "depression\x1b[31m\rFORGED"
        for coding in condition["code"].get("coding", []):
            coding["display"] = condition["code"]["text"]
    for organization in resources(chart, "Organization"):
        organization["name"] = "Clinic\x1b[2J\nFORGED org"
    for practitioner in resources(chart, "Practitioner"):
        practitioner["name"] = [{"family": "Doe\x1b[31m\nFORGED", "given": ["J"]}]
    path = tmp_path / "chart.json"
    path.write_text(json.dumps(chart))
    broken = tmp_path / "x\x1b[2J\nFORGED.json"
    broken.write_text("{not json")
    for args in (
        ["facts", str(path), "--as-of", "2026-11-25"],
        ["facts", str(broken), "--as-of", "2026-11-25"],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1), result.output
        assert "\x1b" not in result.output
        assert "\x07" not in result.output
        assert "\r" not in result.output
        assert not any(line.startswith("FORGED") for line in result.output.splitlines())
