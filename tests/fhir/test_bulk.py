"""priorauth.fhir.bulk: a bulk export cut into per-patient charts, on disk, nothing lost."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from priorauth.errors import ChartError
from priorauth.fhir.bulk import BulkExport, is_bulk_export

from .conftest import BULK

CHARTS = Path(__file__).resolve().parents[1] / "data" / "charts"


def _lines(chart_bytes: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in chart_bytes.splitlines() if line.strip()]


def _write(folder: Path, files: dict[str, list[Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _patient(pid: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid}


def _condition(cid: str, pid: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": cid,
        "subject": {"reference": f"Patient/{pid}"},
        **extra,
    }


def test_synthea_export_gives_13_charts_in_patient_id_order_every_line_attributed():
    export = BulkExport(BULK)
    charts = list(export.charts())
    assert len(charts) == 13
    assert [c.patient for c in charts] == sorted(c.patient for c in charts)
    for chart in charts:
        for resource in _lines(chart.ndjson):
            owner = resource["subject"]["reference"] if "subject" in resource else None
            assert owner in (None, chart.patient)
            assert (
                resource["resourceType"] != "Patient"
                or f"Patient/{resource['id']}" == chart.patient
            )
    lines = sum(len(p.read_text().splitlines()) for p in BULK.glob("*.ndjson"))
    assert sum(c.count for c in charts) == lines == export.report.attributed == 4369
    assert export.report.problem_count == 0


def test_chart_order_and_content_do_not_depend_on_the_bucket_size():
    whole = [(c.patient, c.ndjson) for c in BulkExport(BULK).charts()]
    small = [(c.patient, c.ndjson) for c in BulkExport(BULK, bucket_bytes=50_000).charts()]
    assert small == whole


def test_shared_resources_go_to_the_charts_that_reference_them(tmp_path):
    org = {"resourceType": "Organization", "id": "o1", "name": "Practice"}
    med = {
        "resourceType": "Medication",
        "id": "m1",
        "manufacturer": {"reference": "Organization/o1"},
    }
    doc = {
        "resourceType": "Practitioner",
        "id": "d1",
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
    }
    lonely = {"resourceType": "Location", "id": "l1"}
    request = {
        "resourceType": "MedicationRequest",
        "id": "r1",
        "subject": {"reference": "Patient/a"},
        "medicationReference": {"reference": "Medication/m1"},
        "requester": {
            "reference": "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893"
        },
    }
    folder = _write(
        tmp_path / "export",
        {
            "Patient.ndjson": [_patient("a"), _patient("b")],
            "Shared.ndjson": [org, med, doc, lonely],
            "MedicationRequest.ndjson": [request],
        },
    )
    export = BulkExport(folder)
    a, b = export.charts()
    assert sorted(r["id"] for r in _lines(a.ndjson)) == ["a", "d1", "m1", "o1", "r1"]
    assert [r["id"] for r in _lines(b.ndjson)] == ["b"]
    assert (export.report.shared, export.report.shared_unreferenced) == (4, 1)  # Location/l1
    # export order is kept inside a chart: files by name, then line order
    assert [r["id"] for r in _lines(a.ndjson)] == ["r1", "a", "o1", "m1", "d1"]


def test_gzip_files_read_as_plain_ones(tmp_path):
    folder = tmp_path / "gz"
    folder.mkdir()
    for path in BULK.glob("*.ndjson"):
        (folder / (path.name + ".gz")).write_bytes(gzip.compress(path.read_bytes(), mtime=0))
    assert is_bulk_export(folder)
    plain = [(c.patient, c.ndjson) for c in BulkExport(BULK).charts()]
    assert [(c.patient, c.ndjson) for c in BulkExport(folder).charts()] == plain


def test_the_manifest_chooses_the_files(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(BULK, folder)
    (folder / "extra.ndjson").write_text(json.dumps(_patient("not-listed")) + "\n")
    manifest = {
        "transactionTime": "2026-11-25T00:00:00Z",
        "request": "https://ehr.example/fhir/$export",
        "requiresAccessToken": True,
        "output": [
            {"type": t, "url": f"https://ehr.example/files/{t}.000.ndjson"}
            for t in ("Patient", "Condition", "MedicationRequest", "Procedure")
        ],
        "error": [],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    export = BulkExport(folder)
    assert len(list(export.charts())) == 13
    assert [str(p) for p in export.report.problems] == [
        "export/extra.ndjson: not listed in the export manifest; not read"
    ]


def test_bad_input_is_reported_with_file_and_line_and_the_rest_is_read(tmp_path):
    """The four cases of issue 14: a truncated line, a resource of an unknown patient, a
    gzip that is not gzip, a manifest naming a missing file."""
    folder = _write(
        tmp_path / "export",
        {
            "Patient.ndjson": [_patient("a"), _patient("b")],
            "Condition.ndjson": [
                _condition("c1", "a"),
                _condition("c2", "ghost"),
                json.dumps(_condition("c3", "b"))[:40],  # the last line cut off
            ],
        },
    )
    (folder / "Observation.ndjson.gz").write_bytes(b'{"resourceType": "Observation"}\n')
    outputs = ["Patient.ndjson", "Condition.ndjson", "Observation.ndjson.gz", "Procedure.ndjson"]
    manifest = {"output": [{"type": n.split(".")[0], "url": f"https://x/{n}"} for n in outputs]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    export = BulkExport(folder)
    charts = {c.patient: sorted(r["id"] for r in _lines(c.ndjson)) for c in export.charts()}
    assert charts == {"Patient/a": ["a", "c1"], "Patient/b": ["b"]}
    assert [str(p) for p in export.report.problems] == [
        "export/manifest.json: output[3] names Procedure.ndjson, not in the folder",
        "export/Condition.ndjson: line 2: Condition/c2 names Patient/ghost, which is not in "
        "the export",
        "export/Condition.ndjson: line 3: not JSON (unexpected end of data): a truncated line?",
        "export/Observation.ndjson.gz: line 1: named .gz but not gzip data; not read",
    ]
    report = export.report
    assert (report.unknown_patient, report.invalid_lines, report.unreadable_files) == (1, 1, 2)
    assert report.lines == report.attributed + report.unknown_patient + report.invalid_lines


def test_a_gzip_cut_short_keeps_the_lines_before_the_cut(tmp_path):
    lines = [_patient("a"), *(_condition(f"c{n}", "a") for n in range(200))]
    data = gzip.compress(("\n".join(json.dumps(x) for x in lines) + "\n").encode(), mtime=0)
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "all.ndjson.gz").write_bytes(data[: len(data) * 2 // 3])
    (folder / "Patient.ndjson").write_text(json.dumps(_patient("b")) + "\n")
    export = BulkExport(folder)
    charts = list(export.charts())
    assert [c.patient for c in charts] == ["Patient/a", "Patient/b"]
    (problem,) = export.report.problems
    assert problem.file == "export/all.ndjson.gz"
    assert problem.line == charts[0].count + 1
    assert "gzip data ends early (truncated); the rest of the file is lost" in problem.message


def test_one_patient_only_and_an_unknown_patient_named(tmp_path):
    export = BulkExport(BULK, only="7bc002fa-dc52-17d6-1563-fd8901826f7d")
    (chart,) = export.charts()
    assert chart.patient == "Patient/7bc002fa-dc52-17d6-1563-fd8901826f7d"
    with pytest.raises(ChartError, match=r"no Patient/nobody in this export; it holds Patient/"):
        list(BulkExport(BULK, only="Patient/nobody").charts())


def test_a_chart_loads_and_a_bundle_can_be_made_of_it():
    chart = next(BulkExport(CHARTS / "bulk_ndjson").charts())
    index = chart.load()
    assert index.patients() == [chart.patient]
    assert len(chart.bundle()["entry"]) == chart.count == index.count()


# -- properties -------------------------------------------------------------------------------

_IDS = st.text(alphabet="abcdefghij0123456789-.", min_size=1, max_size=6)


@st.composite
def exports(draw: st.DrawFn) -> tuple[list[str], dict[str, list[str]]]:
    """Random exports: patients, their resources (some of unknown patients), shared
    Medications (some referenced), and garbage lines; split over files at random."""
    patients = sorted(draw(st.sets(_IDS, min_size=0, max_size=6)))
    ghosts = draw(st.sets(_IDS.map(lambda x: "ghost" + x), max_size=2))
    meds = [f"m{n}" for n in range(draw(st.integers(0, 3)))]
    lines: list[str] = [json.dumps(_patient(p)) for p in patients]
    lines += [json.dumps({"resourceType": "Medication", "id": m}) for m in meds]
    for n in range(draw(st.integers(0, 25))):
        owner = draw(st.sampled_from([*patients, *ghosts] or ["nobody"]))
        extra = {}
        if meds and draw(st.booleans()):
            extra = {
                "medicationReference": {"reference": f"Medication/{draw(st.sampled_from(meds))}"}
            }
        lines.append(json.dumps({**_condition(f"r{n}", owner), **extra}))
    lines += draw(
        st.lists(st.sampled_from(['{"resourceType": "Conditi', "[1, 2]", "{}"]), max_size=3)
    )
    order = draw(st.permutations(lines))
    cuts = sorted(draw(st.lists(st.integers(0, len(order)), max_size=3)))
    files: dict[str, list[str]] = {}
    for number, (start, end) in enumerate(zip([0, *cuts], [*cuts, len(order)], strict=True)):
        files[f"part{number}.ndjson"] = list(order[start:end])
    return patients, files


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(exports(), st.integers(100, 5000))
def test_every_line_is_in_its_patients_chart_or_counted(tmp_path_factory, export, bucket_bytes):
    patients, files = export
    folder = tmp_path_factory.mktemp("prop")
    for name, lines in files.items():
        (folder / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    bulk = BulkExport(folder, bucket_bytes=bucket_bytes)
    charts = list(bulk.charts())
    report = bulk.report
    assert [c.patient for c in charts] == [f"Patient/{p}" for p in patients]
    all_lines = [line for lines in files.values() for line in lines]
    assert report.lines == len(all_lines)
    assert report.lines == (
        report.attributed + report.shared + report.unknown_patient + report.invalid_lines
    )
    for chart in charts:
        got = _lines(chart.ndjson)
        own = [r for r in got if r["resourceType"] != "Medication"]
        wanted = [
            json.loads(line)
            for line in all_lines
            if line.startswith("{")
            and line.endswith("}")
            and line != "{}"
            and json.loads(line).get("subject", {}).get("reference") == chart.patient
        ]
        assert sorted(r["id"] for r in own) == sorted(
            [chart.patient[8:], *(r["id"] for r in wanted)]
        )
        referenced = {
            r["medicationReference"]["reference"][11:] for r in wanted if "medicationReference" in r
        }
        assert sorted(r["id"] for r in got if r["resourceType"] == "Medication") == sorted(
            referenced
        )
    if patients:
        assert [(c.patient, c.ndjson) for c in BulkExport(folder, bucket_bytes=10**9).charts()] == [
            (c.patient, c.ndjson) for c in charts
        ]
