"""``priorauth facts``: summary, --json, --patient, and one-line errors with exit code 1."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.facts import PatientRecord
from priorauth.facts.summary import TRIAL_COLUMNS

from .conftest import CHARTS, EXAMPLES, ICD10, LOINC, bundle

EPIC = CHARTS / "epic_orders.json"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_summary_shows_the_trial_table(runner):
    result = runner.invoke(cli, ["facts", str(EPIC), "--as-of", "2026-11-25"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if line.strip().startswith("drug"))
    assert header.split() == [w for c in TRIAL_COLUMNS for w in c.split()]
    assert "Trials (6)" in lines
    row = next(line for line in lines if line.strip().startswith("sertraline"))
    assert row.split()[:7] == [
        "sertraline",
        "ssri",
        "2024-06-03",
        "2024-09-09",
        "14.0",
        "200",
        "yes",
    ]
    assert "inadequate response" in row
    assert any(
        line.strip().startswith("aripiprazole") and line.endswith("bupropion") for line in lines
    )
    assert (
        "Patient: Patient/eKHe7FwORtDr.1jPIClLH8rQD6h-bi6kxvnP0j0sOdfspn0 (47 y, female)" in lines
    )
    assert "Psychotherapy: 14 sessions, 2025-06-03 to 2025-09-02 (unspecified)" in lines
    assert lines[-1].startswith("Data-quality notes: ")


def test_json_parses_back_into_a_patient_record(runner):
    result = runner.invoke(cli, ["facts", str(EPIC), "--as-of", "2026-11-25", "--json"])
    assert result.exit_code == 0
    record = PatientRecord.model_validate_json(result.output)
    assert len(record.trials) == 6
    assert json.loads(result.output)["as_of"] == "2026-11-25"


def test_folder_chart(runner):
    result = runner.invoke(cli, ["facts", str(CHARTS / "bulk_ndjson"), "--as-of", "2026-11-25"])
    assert result.exit_code == 0
    assert "tranylcypromine" in result.output


def test_bad_file_is_one_line_and_exit_1(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": "Bundle", "entry": [', encoding="utf-8")
    result = runner.invoke(cli, ["facts", str(bad), "--as-of", "2026-11-25"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: bad.json: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_several_patients_without_a_choice(runner, tmp_path):
    chart = tmp_path / "two.json"
    chart.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [
                    {"resource": {"resourceType": "Patient", "id": "a"}},
                    {"resource": {"resourceType": "Patient", "id": "b"}},
                ],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["facts", str(chart), "--as-of", "2026-11-25"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: two.json: the chart holds 2 patients (Patient/a, Patient/b); "
        "choose one with patient= (CLI: --patient), e.g. --patient Patient/a\n"
    )
    ok = runner.invoke(cli, ["facts", str(chart), "--as-of", "2026-11-25", "--patient", "b"])
    assert ok.exit_code == 0
    assert "Patient: Patient/b" in ok.output


def test_strict_fails_on_an_invalid_resource(runner, tmp_path):
    chart = tmp_path / "invalid.json"
    chart.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [
                    {"resource": {"resourceType": "Patient", "id": "a"}},
                    {
                        "resource": {
                            "resourceType": "Condition",
                            "id": "c",
                            "subject": {"reference": "Patient/a"},
                            "onsetDateTime": "2020-01-01T10:00:00",
                        }
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    lenient = runner.invoke(cli, ["facts", str(chart), "--as-of", "2026-11-25", "--json"])
    assert lenient.exit_code == 0
    notes = PatientRecord.model_validate_json(lenient.output).notes
    assert [n.code for n in notes] == ["invalid-resource", "no-birth-date"]
    strict = runner.invoke(cli, ["facts", str(chart), "--as-of", "2026-11-25", "--strict"])
    assert strict.exit_code == 1
    assert strict.stderr.startswith("error: invalid.json: entry[1]")


def test_missing_file_is_a_usage_error(runner):
    result = runner.invoke(cli, ["facts", "no-such-file.json"])
    assert result.exit_code == 2


def test_help(runner):
    result = runner.invoke(cli, ["facts", "--help"])
    assert result.exit_code == 0
    assert "--as-of" in result.output
    assert "--patient" in result.output


def test_example_chart_runs(runner):
    result = runner.invoke(
        cli, ["facts", str(EXAMPLES / "trd_meets_policies.json"), "--as-of", "2026-11-25"]
    )
    assert result.exit_code == 0
    assert "screened negative: implanted_device, retained_metal, seizure" in result.output


def test_summary_shows_safety_floor_facts(runner, tmp_path):
    def obs(id_: str, code: str, day: str, value: int) -> dict:
        coding = {"coding": [{"system": LOINC, "code": code}]}
        return {"resourceType": "Observation", "id": id_, "status": "final", "code": coding,
                "effectiveDateTime": day, "valueInteger": value}  # fmt: skip

    ect = {"resourceType": "Procedure", "id": "ect", "status": "completed",
           "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "90870"}]},
           "performedDateTime": "2026-03-02", "subject": {"reference": "Patient/p1"}}  # fmt: skip
    epilepsy = {"resourceType": "Condition", "id": "epi",
                "code": {"coding": [{"system": ICD10, "code": "G40.909"}]},
                "subject": {"reference": "Patient/p1"}}  # fmt: skip
    no_seizures = {"resourceType": "Observation", "id": "scr", "status": "final",
                   "code": {"text": "History of seizures?"}, "valueBoolean": False}  # fmt: skip
    chart = tmp_path / "floor.json"
    resources = [obs("p1", "44261-6", "2026-02-20", 21), obs("p2", "44261-6", "2026-04-01", 9),
                 obs("i9", "44260-8", "2026-04-01", 2), ect, epilepsy, no_seizures]  # fmt: skip
    chart.write_text(json.dumps(bundle(*resources)), encoding="utf-8")
    result = runner.invoke(cli, ["facts", str(chart), "--as-of", "2026-11-25"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Current severity (1)" in lines
    assert "  phq9 9 on 2026-04-01: mild (mild), previous 21 on 2026-02-20, improving" in lines
    assert "Suicide risk (1 records, 1 positive)" in lines
    assert (
        "  2026-04-01 ideation positive: PHQ-9 item 9 (thoughts of death or self-harm) (answer 2)"
        in lines
    )
    assert "  prior ECT: 2026-03-02 to 2026-03-02, 1 sessions, response (57.1 %)" in lines
    assert (
        "  contradiction: active seizure history (G40.909) beside a negative seizure"
        " history screen" in lines
    )
