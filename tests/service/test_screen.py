"""priorauth.service.screen and ``priorauth screen``: a whole export → candidates, resumable."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil

import pytest
from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.errors import PriorAuthError
from priorauth.fhir.bulk import BulkExport
from priorauth.service.screen import run_screen

AS_OF = dt.date(2026, 11, 25)


def test_screen_csv_nearest_first_with_counts(mixed_export, tmp_path):
    output = tmp_path / "candidates.csv"
    result = CliRunner().invoke(
        cli, ["screen", str(mixed_export), "-o", str(output), "--as-of", "2026-11-25", "-j", "2"]
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(output.read_text().splitlines()))
    assert [row["tier"] for row in rows] == [
        "meets",
        "one gap away",
        "needs documentation",
        "safety hold",
        "no policy",
    ]
    assert list(rows[0])[:3] == ["patient", "safety", "tier"]
    assert rows[3]["safety"] == "SAFETY HOLD: acute-suicide-risk"
    assert rows[0]["policies"] == "cpb-0469-tms-2026-02: meets"
    assert not any("Placeholder" in line for line in output.read_text().splitlines())  # no names
    summary = json.loads((tmp_path / "candidates.csv.summary.json").read_text())
    assert summary["patients"] == {
        "candidate": 5,
        "coverage_ended": 1,
        "deceased": 1,
        "no_depression": 13,
    }
    assert summary["export"]["patients"] == 20
    assert "URGENT Patient/cssrs-" in result.stderr
    assert "excluded 1 deceased, 1 with coverage ended" in result.stderr


def test_a_rerun_reuses_rows_and_rescreens_only_a_changed_chart(mixed_export, tmp_path):
    export = tmp_path / "export"
    shutil.copytree(mixed_export, export)
    output = tmp_path / "candidates.json"
    first = run_screen(BulkExport(export), output, as_of=AS_OF)
    assert first.counts.get("reused", 0) == 0
    again = run_screen(BulkExport(export), output, as_of=AS_OF)
    assert again.counts["reused"] == 20
    assert again.rows == first.rows
    with (export / "Observation.000.ndjson").open("a") as out:  # a new score for one patient
        out.write(
            json.dumps(
                {
                    "resourceType": "Observation",
                    "id": "new-phq9",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "44261-6"}]},
                    "subject": {"reference": "Patient/teen-teen-skyler"},
                    "effectiveDateTime": "2026-11-20",
                    "valueQuantity": {"value": 23},
                }
            )
            + "\n"
        )
    third = run_screen(BulkExport(export), output, as_of=AS_OF)
    assert third.counts["reused"] == 19
    teen = next(row for row in third.rows if row.patient == "Patient/teen-teen-skyler")
    assert teen.latest_score == "phq9 23 on 2026-11-20"
    body = json.loads(output.read_text())
    assert [row["patient"] for row in body["rows"]] == [row.patient for row in third.rows]


def test_a_rerun_takes_each_reused_row_as_its_chart_is_met(mixed_export, tmp_path):
    """Reused rows are not held until the executor's next result: a rerun of a large export
    would otherwise keep every row in memory."""
    output = tmp_path / "candidates.csv"
    run_screen(BulkExport(mixed_export), output, as_of=AS_OF)
    seen: list[object] = []
    taken_when_items_ran_out: list[int] = []

    def executor(work, items, *, jobs, failed=None):
        yield from map(work, items)
        taken_when_items_ran_out.append(len(seen))

    report = run_screen(
        BulkExport(mixed_export), output, as_of=AS_OF, executor=executor, on_row=seen.append
    )
    assert report.counts["reused"] == 20
    assert taken_when_items_ran_out == [20]


def test_a_killed_run_resumes_from_its_state(mixed_export, tmp_path):
    output = tmp_path / "candidates.csv"
    seen = []

    def kill_after_five(row):
        seen.append(row)
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_screen(BulkExport(mixed_export), output, as_of=AS_OF, on_row=kill_after_five)
    resumed = run_screen(BulkExport(mixed_export), output, as_of=AS_OF)
    assert resumed.counts["reused"] == 5


def test_bad_input_is_in_the_summary_and_the_rest_screened(mixed_export, tmp_path):
    export = tmp_path / "export"
    shutil.copytree(mixed_export, export)
    with (export / "Condition.000.ndjson").open("a") as out:
        out.write('{"resourceType": "Condition", "id": "x", "subject": {"reference": "Patient/gh')
    report = run_screen(BulkExport(export), tmp_path / "c.json", as_of=AS_OF)
    assert report.export.invalid_lines == 1
    (problem,) = report.summary()["problems"]
    assert problem.startswith("export/Condition.000.ndjson: line ")
    assert sum(v for k, v in report.counts.items() if k != "reused") == 20


def test_parquet_is_refused_with_the_reason(mixed_export, tmp_path):
    with pytest.raises(PriorAuthError, match=r"c.parquet: write .csv or .json \(Parquet"):
        run_screen(BulkExport(mixed_export), tmp_path / "c.parquet", as_of=AS_OF)
