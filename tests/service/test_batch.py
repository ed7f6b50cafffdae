"""Batch runs on the real pipeline: outputs, summary, resumption, and a run killed midway."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from priorauth.alerts import URGENT_ACTION
from priorauth.cli import cli
from priorauth.service.audit import AuditStore
from priorauth.service.batch import discover_charts, run_batch
from priorauth.service.cluster import DaskExecutor
from priorauth.service.manifest import TEMP_PREFIX, Manifest

from .conftest import ROOT, RULES_DIR, meeting_payer

AS_OF = dt.date(2026, 11, 25)
CHARTS = ROOT / "tests" / "data" / "charts"
EXAMPLE = ROOT / "examples" / "trd_meets_policies.json"


SAMPLE = ("contraindicated.json", "intake_statements.json", "teen_trd.json")


@pytest.fixture
def charts_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in SAMPLE:  # a few charts keep the PDF count (and the run time) small
        shutil.copy(CHARTS / name, folder / name)
    shutil.copytree(CHARTS / "bulk_ndjson", folder / "bulk_ndjson")
    shutil.copy(EXAMPLE, folder / "example.json")
    (folder / "broken.json").write_text('{"resourceType": "Bundle", "entry": [')
    (folder / "notes.txt").write_text("not a chart")
    return folder


@functools.cache
def payer() -> str:
    """A payer whose policy the example chart meets on AS_OF."""
    return meeting_payer(AS_OF)


def batch(folder: Path, out: Path, **kwargs):
    """run_batch on every chart of ``folder`` with the test defaults."""
    options = {
        "payer": payer(),
        "as_of": AS_OF,
        "rules_dir": RULES_DIR,
        "allow_uncovered_payer": True,  # one named policy for charts of several payers
        **kwargs,
    }
    return run_batch(discover_charts(folder), out, **options)


def cli_args(folder: Path, out: Path) -> list[str]:
    args = ["batch", str(folder), "-o", str(out), "--as-of", AS_OF.isoformat(), "--no-audit"]
    args += ["--payer", payer(), "--payer-not-on-chart"]
    return [*args, "--rules-dir", str(RULES_DIR)] if RULES_DIR else args


def summary(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def pdfs(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob("*.pdf"))


def test_discover_charts(charts_dir):
    (charts_dir / "bulk_ndjson.json").write_text("{}")  # clashes with the folder's name
    charts = discover_charts(charts_dir)
    names = [c.name for c in charts]
    assert names == sorted(names)
    assert "notes.txt" not in names
    assert "bulk_ndjson" in names
    by_name = {c.name: c.output for c in charts}
    assert by_name["example.json"] == "example.pdf"
    assert by_name["bulk_ndjson"] == "bulk_ndjson.pdf"
    assert by_name["bulk_ndjson.json"] == "bulk_ndjson.json.pdf"


def test_batch_writes_letters_summary_and_manifest(charts_dir, tmp_path):
    out = tmp_path / "out"
    charts = discover_charts(charts_dir)
    seen = []
    report = batch(charts_dir, out, jobs=1, on_result=seen.append)
    assert len(seen) == len(charts) == len(report.results)
    rows = summary(out)
    assert [r["chart"] for r in rows] == [c.name for c in charts]
    assert json.loads((out / "summary.json").read_text()) == [r.row() for r in report.results]
    broken = next(r for r in rows if r["chart"] == "broken.json")
    assert broken["status"] == "error"
    assert broken["error"]
    assert "\n" not in broken["error"]
    meets = [r for r in rows if r["status"] == "meets"]
    assert meets, rows
    assert pdfs(out) == sorted(r["output"] for r in meets)
    for row in meets:
        assert (out / row["output"]).read_bytes().startswith(b"%PDF")
        assert row["policy_id"]
        assert row["patient"].startswith("Patient/")
    for row in rows:
        if row["status"] in ("does_not_meet", "needs_documentation"):
            assert row["output"] == ""
            assert row["unmet_criteria"] or row["gaps"]
    manifest = Manifest.open(out)
    assert set(manifest.charts()) == {c.name for c in charts}
    manifest.close()
    assert not list(out.glob(f"{TEMP_PREFIX}*"))
    assert not (out / "manifest.sqlite-wal").exists()


def test_rerun_skips_current_outputs_and_redoes_changed_ones(charts_dir, tmp_path):
    out = tmp_path / "out"
    first = batch(charts_dir, out)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    second = batch(charts_dir, out)
    assert second.skipped == len(first.results) - first.count("error")
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")} == stamps
    assert summary(out) == [r.csv_row() for r in first.results]

    victim = sorted(stamps)[0]
    (out / victim).unlink()  # a deleted output is made again
    (charts_dir / "example.json").write_bytes(EXAMPLE.read_bytes() + b"\n")  # changed input
    third = batch(charts_dir, out)
    redone = {r.chart for r in third.results if not r.skipped}
    errors = {r.chart for r in first.results if r.status == "error"}  # always retried
    owner = next(r.chart for r in first.results if r.output == victim)
    assert redone == errors | {"example.json", owner}
    assert (out / victim).is_file()

    fourth = batch(charts_dir, out, as_of=AS_OF + dt.timedelta(days=1))
    assert fourth.skipped == 0  # a new as-of date changes every key


def test_two_jobs_give_the_same_summary_as_one(charts_dir, tmp_path):
    one = batch(charts_dir, tmp_path / "one")
    two = batch(charts_dir, tmp_path / "two", jobs=2)
    assert summary(tmp_path / "one") == summary(tmp_path / "two")
    assert [r.output_sha256 for r in one.results] == [r.output_sha256 for r in two.results]


def test_chart_that_stops_meeting_loses_its_stale_pdf(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "a.json")
    out = tmp_path / "out"
    batch(folder, out)
    had = pdfs(out)
    (folder / "a.json").write_text('{"resourceType": "Bundle", "entry": []}')
    batch(folder, out)
    assert pdfs(out) == []
    assert summary(out)[0]["status"] == "error"
    assert had in ([], ["a.pdf"])


def test_batch_audits_each_processed_chart(charts_dir, tmp_path):
    store = AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    report = batch(charts_dir, tmp_path / "out", audit=store)
    rows = store.events(limit=1000)
    assert len(rows) == len(report.results)
    assert {r.action for r in rows} == {"batch"}
    assert {r.outcome for r in rows} == {r.status for r in report.results}
    batch(charts_dir, tmp_path / "out", audit=store)
    assert store.count() == len(rows) + report.count("error")  # skipped charts are not re-audited
    store.close()


def test_unknown_payer_fails_before_any_work(charts_dir, tmp_path):
    result = CliRunner().invoke(cli, [*cli_args(charts_dir, tmp_path / "o"), "--payer", "nope"])
    assert result.exit_code == 1
    assert "unknown payer" in result.output
    assert not list((tmp_path / "o").glob("*.pdf"))


def test_cli_batch(charts_dir, tmp_path):
    out = tmp_path / "out"
    args = [*cli_args(charts_dir, out), "--jobs", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output  # broken.json failed
    assert "1 error" in result.output
    assert (out / "summary.csv").is_file()
    (charts_dir / "broken.json").unlink()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "already current" in result.output


def test_batch_rejects_payer_all(tmp_path):
    result = CliRunner().invoke(
        cli, ["batch", str(tmp_path), "-o", str(tmp_path), "--payer", "all"]
    )
    assert result.exit_code == 2


MEETING = 6


def test_killed_batch_resumes_without_loss_or_duplicates(tmp_path):
    """SIGKILL a running batch (parent and workers), rerun, and check every chart once."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(MEETING):
        shutil.copy(EXAMPLE, folder / f"chart-{i:02d}.json")
    (folder / "zz-broken.json").write_text("nope")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "priorauth", *cli_args(folder, out), "--jobs", "2"]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while len(pdfs(out) if out.exists() else []) < 2 and time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"batch ended (rc={process.returncode}) before it could be killed")
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (out / "summary.csv").exists()  # really killed midway
    done_before = len(pdfs(out))
    assert 2 <= done_before < MEETING

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert rerun.returncode == 1, rerun.stderr  # zz-broken.json
    rows = summary(out)
    assert [r["chart"] for r in rows] == sorted(p.name for p in folder.iterdir())
    assert len({r["chart"] for r in rows}) == len(rows)
    meets = [r["output"] for r in rows if r["status"] == "meets"]
    assert len(meets) == MEETING
    assert pdfs(out) == sorted(meets)
    for name in meets:
        assert (out / name).read_bytes().startswith(b"%PDF")
    assert not list(out.glob(f"{TEMP_PREFIX}*"))
    manifest = Manifest.open(out)
    assert set(manifest.charts()) == {r["chart"] for r in rows}
    manifest.close()
    skipped = rerun.stderr.split("letters, ")[1].split(" already")[0]
    assert int(skipped) >= done_before - 2  # what was finished was kept (minus in-flight ones)


SAFETY_CHARTS = ROOT / "tests" / "data" / "charts" / "safety"
FLOOR = {  # copy name -> a chart of tests/data/charts/safety (the real floor decides)
    "a-review.json": "epilepsy_contradiction.json",  # active G40.909 beside a negative screen
    "b-hold.json": "phq9_item9_nearly_every_day.json",  # acute suicide risk
}


@pytest.fixture
def floor(tmp_path: Path) -> Path:
    """Two safety charts and the clean example."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, source in FLOOR.items():
        shutil.copy(SAFETY_CHARTS / source, folder / name)
    shutil.copy(EXAMPLE, folder / "example.json")
    return folder


def test_summary_has_the_safety_column_first(floor, tmp_path):
    out = tmp_path / "out"
    report = batch(floor, out, jobs=1)
    rows = {r["chart"]: r for r in summary(out)}
    with (out / "summary.csv").open() as handle:
        assert handle.readline().startswith("chart,safety,patient,")
    assert rows["b-hold.json"]["safety"] == "SAFETY HOLD: acute-suicide-risk"
    assert rows["b-hold.json"]["status"] == "safety_hold"
    assert rows["a-review.json"]["safety"] == (
        "REVIEW: seizure-history | REVIEW: safety-contradiction"
    )
    assert rows["a-review.json"]["status"] == "clinician_review"
    assert rows["example.json"]["safety"] == ""
    assert rows["example.json"]["status"] == "meets"
    assert pdfs(out) == ["example.pdf"]  # no letter on hold or awaiting review
    data = {r["chart"]: r for r in json.loads((out / "summary.json").read_text())}
    assert list(data["b-hold.json"])[:2] == ["chart", "safety"]
    assert data["b-hold.json"]["safety"] == ["SAFETY HOLD: acute-suicide-risk"]
    assert data["example.json"]["safety"] == []
    assert report.alert_lines() == [
        f"b-hold.json: SAFETY HOLD: acute-suicide-risk -- URGENT: {URGENT_ACTION}",
        "a-review.json: REVIEW: seizure-history | REVIEW: safety-contradiction",
    ]
    assert batch(floor, out).skipped == 3  # held and reviewed charts are current on a rerun


def test_cli_batch_lists_holds_first(floor, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [*cli_args(floor, out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert "URGENT b-hold.json: SAFETY HOLD: acute-suicide-risk" in result.stderr  # at once
    start = lines.index("Safety alerts (safety holds first):")
    assert lines[start + 1].startswith("  b-hold.json: SAFETY HOLD: acute-suicide-risk")
    assert lines[start + 2] == (
        "  a-review.json: REVIEW: seizure-history | REVIEW: safety-contradiction"
    )
    assert lines[start + 3].startswith("3 charts (1 safety_hold, 1 clinician_review, 1 meets,")


def test_a_chart_over_the_work_budget_is_too_costly_and_not_redone(tmp_path):
    """Issue 15: ``batch --budget`` stops a chart needing more CPU time than the budget (a 9 MB
    chart, about 2 s of work, against 0.75 s), records it as too_costly in the summary and the
    manifest, and goes on; a rerun with the same budget skips it, a larger one tries again."""
    from priorauth.service.manifest import Manifest

    from .test_budget import large_chart

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "a-example.json")
    (folder / "b-large.json").write_text(json.dumps(large_chart(300)))
    out = tmp_path / "out"
    args = [*cli_args(folder, out), "--jobs", "2", "--budget", "0.75"]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 1, done.output
    assert "1 too_costly" in done.output
    rows = {row["chart"]: row for row in summary(out)}
    assert rows["a-example.json"]["status"] == "meets"
    assert rows["b-large.json"]["status"] == "too_costly"
    assert rows["b-large.json"]["error"] == (
        "too-costly: the chart needs more than 0.75 s of work; it was stopped"
    )
    assert pdfs(out) == ["a-example.pdf"]
    manifest = Manifest.open(out)
    try:
        entry = manifest.get("b-large.json")
    finally:
        manifest.close()
    assert entry is not None
    assert (entry["status"], entry["budget_seconds"]) == ("too_costly", 0.75)

    again = batch(folder, out, budget=0.75)
    assert [(r.chart, r.status, r.skipped) for r in again.results] == [
        ("a-example.json", "meets", True),
        ("b-large.json", "too_costly", True),
    ]
    larger = batch(folder, out, budget=1.0)
    [large] = [r for r in larger.results if r.chart == "b-large.json"]
    assert (large.status, large.skipped, large.budget_seconds) == ("too_costly", False, 1.0)


def test_batch_on_a_dask_cluster_equals_the_local_run(charts_dir, tmp_path, dask_scheduler):
    """Workers of a real Dask cluster evaluate and render; this process writes the same PDFs,
    summary, manifest and audit rows as a local run, and a rerun through the CLI (scheduler from
    the environment) finds every output current."""
    local = batch(charts_dir, tmp_path / "local", jobs=1)
    store = AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    with DaskExecutor(dask_scheduler.address) as executor:
        on_dask = batch(charts_dir, tmp_path / "dask", executor=executor, audit=store)
    assert summary(tmp_path / "dask") == summary(tmp_path / "local")
    assert (tmp_path / "dask" / "summary.json").read_bytes() == (
        tmp_path / "local" / "summary.json"
    ).read_bytes()
    assert pdfs(tmp_path / "dask") == pdfs(tmp_path / "local") != []
    for name in pdfs(tmp_path / "local"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    assert [r.output_sha256 for r in on_dask.results] == [r.output_sha256 for r in local.results]
    rows = store.events(limit=100)
    assert sorted(r.outcome for r in rows) == sorted(r.status for r in local.results)
    store.close()
    manifest = Manifest.open(tmp_path / "dask")
    entries = {name: manifest.get(name) or {} for name in manifest.charts()}
    manifest.close()
    assert {name: entry["status"] for name, entry in entries.items()} == {
        r.chart: r.status for r in local.results
    }

    (charts_dir / "broken.json").unlink()
    env = {"PRIORAUTH_DASK_SCHEDULER": dask_scheduler.address}
    result = CliRunner().invoke(cli, cli_args(charts_dir, tmp_path / "dask"), env=env)
    assert result.exit_code == 0, result.output
    assert f"{len(local.results) - 1} already current" in result.output
