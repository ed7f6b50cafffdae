"""A whole bulk export, every patient: CLI ``evaluate``, ``batch``, ``screen`` and HTTP answer per
patient exactly what evaluating that patient's own chart alone answers (issue 14).

A patient's own chart is built here, independently of priorauth.fhir.bulk, the way a reader of
the export would cut it by hand: every line whose ``subject`` / ``patient`` / ``beneficiary`` is
the patient (and the Patient line), plus the patient-less lines (Medication, Practitioner,
Organization…) those lines reference, directly or through each other. Each own chart is written
to its own folder and evaluated with the ordinary single-chart pipeline.

Two exports go through every surface: ``mixed`` (the 13-patient Synthea export plus 7 TRD
patients) and ``scaled`` (what ``bench/make_bulk_export.py`` writes for the benchmark: cloned
Synthea patients with new ids, some given a TRD history, shared resources written once).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.pipeline import chart_facts, evaluate_record
from priorauth.rules import load_rules

AS_OF = dt.date(2026, 11, 25)
SYNTHEA_BULK = (
    Path(__file__).resolve().parents[1] / "data" / "fixtures" / "synthea_bulk_10pt_ndjson"
)
PAYER = "aetna"
ROOT = Path(__file__).resolve().parents[2]
SCALED_PATIENTS = 24


def _resources(export: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted(export.glob("*.ndjson"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _refs(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            found.add(value["reference"])
        for item in value.values():
            found |= _refs(item)
    elif isinstance(value, list):
        for item in value:
            found |= _refs(item)
    return found


def own_charts(export: Path) -> dict[str, list[dict[str, Any]]]:
    """``Patient/<id>`` → that patient's own chart, cut by hand (see the module docstring)."""
    resources = _resources(export)
    owner: dict[int, str] = {}
    shared: dict[str, dict[str, Any]] = {}
    for n, r in enumerate(resources):
        if r["resourceType"] == "Patient":
            owner[n] = f"Patient/{r['id']}"
            continue
        subject = next((r[k] for k in ("subject", "patient", "beneficiary") if k in r), None)
        if subject is None:
            shared[f"{r['resourceType']}/{r['id']}"] = r
            for ident in r.get("identifier", []):  # conditional references by identifier
                key = f"{r['resourceType']}?identifier={ident.get('system', '')}|{ident['value']}"
                shared.setdefault(key, r)
        elif subject["reference"].startswith("Patient/"):
            owner[n] = subject["reference"]
    charts: dict[str, list[dict[str, Any]]] = {}
    for n, ref in owner.items():
        charts.setdefault(ref, []).append(resources[n])
    for chart in charts.values():
        pending, seen = [r for item in chart for r in _refs(item)], set()
        while pending:
            key = pending.pop()
            if key in shared and id(shared[key]) not in seen:
                seen.add(id(shared[key]))
                pending.extend(_refs(shared[key]))
        chart += [r for r in resources if id(r) in seen]
    return charts


def _write_own(folder: Path, chart: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True)
    (folder / "chart.ndjson").write_text("\n".join(json.dumps(r) for r in chart) + "\n")
    return folder / "chart.ndjson"


def _comparable(determination: dict[str, Any]) -> dict[str, Any]:
    """A determination without what names the file it was read from (the record's ``source``
    and the locations in its data-quality notes)."""
    record = {k: v for k, v in determination["record"].items() if k not in ("source", "notes")}
    notes = sorted((n["code"], n.get("resource") or "") for n in determination["record"]["notes"])
    return {**determination, "record": record, "notes": notes}


@pytest.fixture(scope="module")
def scaled_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark's export generator at a small size: 24 cloned patients, 10 with a TRD
    history (deterministic for its default seed)."""
    out = tmp_path_factory.mktemp("bulk") / "scaled"
    script = ROOT / "bench" / "make_bulk_export.py"
    args = [sys.executable, str(script), "--patients", str(SCALED_PATIENTS), "--trd", "10"]
    subprocess.run([*args, "-o", str(out)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module", params=["mixed_export", "scaled_export"])
def export(request: pytest.FixtureRequest) -> Path:
    """Each bulk export in turn (read-only)."""
    return Path(request.getfixturevalue(request.param))


def own_determinations(export: Path, root: Path) -> dict[str, Any]:
    """Each patient's determinations (JSON) from its own chart alone, evaluated under aetna."""
    rules = load_rules()
    found = {}
    for n, (ref, chart) in enumerate(sorted(own_charts(export).items())):
        record = chart_facts(_write_own(root / str(n), chart), as_of=AS_OF)
        found[ref] = [
            d.model_dump(mode="json")
            for d in evaluate_record(record, rules, payer=PAYER, as_of=AS_OF)
        ]
    return found


@pytest.fixture(scope="module")
def expected(export: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What each patient of ``export`` gets from its own chart alone."""
    return own_determinations(export, tmp_path_factory.mktemp("own"))


@pytest.fixture(scope="module")
def mixed_expected(mixed_export: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What each patient of the mixed export gets from its own chart alone."""
    return own_determinations(mixed_export, tmp_path_factory.mktemp("own"))


def test_the_export_holds_20_patients_13_from_synthea(mixed_export, mixed_expected):
    assert len(mixed_expected) == 20
    synthea = _resources(SYNTHEA_BULK)
    assert len([r for r in synthea if r["resourceType"] == "Patient"]) == 13
    assert {f"Patient/{r['id']}" for r in synthea if r["resourceType"] == "Patient"} < set(
        mixed_expected
    )


def test_the_scaled_export_holds_its_patients_and_its_manifest_counts_every_line(scaled_export):
    resources = _resources(scaled_export)
    assert len([r for r in resources if r["resourceType"] == "Patient"]) == SCALED_PATIENTS
    manifest = json.loads((scaled_export / "manifest.json").read_text())
    for item in manifest["output"]:
        lines = (scaled_export / item["url"]).read_text().splitlines()
        assert len(lines) == item["count"], item["url"]


def test_evaluate_every_patient_equals_each_own_chart(export, expected):
    result = CliRunner().invoke(
        cli, ["evaluate", str(export), "--payer", PAYER, "--as-of", "2026-11-25", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    assert [item["patient"] for item in items] == sorted(expected)
    for item in items:
        got = [_comparable(d) for d in item["determinations"]]
        assert got == [_comparable(d) for d in expected[item["patient"]]], item["patient"]
    assert f"{len(expected)} patients" in result.stderr  # the export's counts


def test_evaluate_one_patient_equals_its_own_chart(mixed_export, mixed_expected):
    ref = "Patient/meets-dd287690-fb80-5d37-a3ed-38a10ee09acb"
    args = ["evaluate", str(mixed_export), "--payer", PAYER, "--as-of", "2026-11-25", "--json"]
    result = CliRunner().invoke(cli, [*args, "--patient", ref])
    assert result.exit_code == 0, result.stderr
    assert _comparable(json.loads(result.stdout)) == _comparable(mixed_expected[ref][0])
    assert mixed_expected[ref][0]["status"] == "meets"


def test_batch_one_row_per_patient_equals_each_own_chart(export, expected, tmp_path):
    out = tmp_path / "letters"
    args = ["batch", str(export), "-o", str(out), "--payer", PAYER, "--jobs", "2"]
    result = CliRunner().invoke(
        cli, [*args, "--as-of", "2026-11-25", "--no-audit", "--payer-not-on-chart"]
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads((out / "summary.json").read_text())
    assert [row["patient"] for row in rows] == sorted(expected)
    assert [row["chart"] for row in rows] == [
        f"{export.name}#{ref.removeprefix('Patient/')}" for ref in sorted(expected)
    ]
    for row in rows:
        (want,) = expected[row["patient"]]
        assert (row["status"], row["gaps"]) == (want["status"], [g["action"] for g in want["gaps"]])
    letters = sorted(p.name for p in out.glob("*.pdf"))
    meets = [ref for ref, (d,) in expected.items() if d["status"] == "meets" and not d["alerts"]]
    assert letters == sorted(f"{export.name}.{ref.removeprefix('Patient/')}.pdf" for ref in meets)
    if export.name == "mixed":
        assert len(letters) == 1


def test_screen_rows_equal_each_own_chart(export, tmp_path):
    rules = load_rules()
    root = tmp_path / "own"
    auto = {}
    for n, (ref, chart) in enumerate(sorted(own_charts(export).items())):
        record = chart_facts(_write_own(root / str(n), chart), as_of=AS_OF)
        try:
            auto[ref] = {
                d.policy.id: d.status
                for d in evaluate_record(record, rules, payer="auto", as_of=AS_OF)
            }
        except Exception:  # no coverage matches a policy: the row says so, no policy is listed
            auto[ref] = {}
    output = tmp_path / "candidates.json"
    args = ["screen", str(export), "-o", str(output), "--as-of", "2026-11-25", "-j", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    body = json.loads(output.read_text())
    assert sum(body["patients"].values()) == len(auto)
    if export.name == "mixed":
        assert body["patients"] == {
            "candidate": 5,
            "coverage_ended": 1,
            "deceased": 1,
            "no_depression": 13,
        }
    assert {row["patient"] for row in body["rows"]} <= set(auto)
    for row in body["rows"]:
        assert {p["policy_id"]: p["status"] for p in row["policies"]} == auto[row["patient"]]


def test_http_every_patient_equals_each_own_chart(export, expected, service_post):
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in _resources(export)],
    }
    response = service_post(
        "/evaluate", json.dumps(bundle).encode(), payer=PAYER, as_of="2026-11-25"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(expected)
    by_patient = {item["patient"]: item for item in body["patients"]}
    assert sorted(by_patient) == sorted(expected)
    for ref, want in expected.items():
        got = by_patient[ref]["determinations"]
        assert [_comparable(d) for d in got] == [_comparable(d) for d in want], ref


def test_bad_input_is_reported_by_evaluate_and_batch_and_the_rest_goes_on(mixed_export, tmp_path):
    export = tmp_path / "export"
    shutil.copytree(mixed_export, export)
    with (export / "Condition.000.ndjson").open("a") as out:
        out.write('{"resourceType": "Condition", "id": "ghost-1", "subject": {"reference": ')
        out.write('"Patient/ghost"}}\n{"resourceType": "Condition", "id": "cut", "subj\n')
    (export / "Procedure.000.ndjson.gz").write_bytes(b"not gzip at all\n")
    lines = len((export / "Condition.000.ndjson").read_text().splitlines())
    notes = [
        f"note: export/Condition.000.ndjson: line {lines - 1}: Condition/ghost-1 names "
        "Patient/ghost, which is not in the export",
        f"note: export/Condition.000.ndjson: line {lines}: not JSON (unexpected end of data): "
        "a truncated line?",
        "note: export/Procedure.000.ndjson.gz: line 1: named .gz but not gzip data; not read",
    ]
    args = ["--payer", PAYER, "--as-of", "2026-11-25"]
    evaluated = CliRunner().invoke(cli, ["evaluate", str(export), *args, "--json"])
    assert evaluated.exit_code == 0, evaluated.stderr
    assert len(json.loads(evaluated.stdout)) == 20
    assert [line for line in evaluated.stderr.splitlines() if line.startswith("note:")] == notes
    out = tmp_path / "out"
    ref = "Patient/meets-dd287690-fb80-5d37-a3ed-38a10ee09acb"
    batch = CliRunner().invoke(
        cli, ["batch", str(export), "-o", str(out), *args, "--patient", ref, "--no-audit"]
    )
    assert batch.exit_code == 0, batch.stderr
    assert [line for line in batch.stderr.splitlines() if line.startswith("note:")] == notes
    report = json.loads((out / "exports.json").read_text())["export"]
    assert (report["unknown_patient"], report["invalid_lines"], report["unreadable_files"]) == (
        1,
        1,
        1,
    )
    assert [row["status"] for row in json.loads((out / "summary.json").read_text())] == ["meets"]
