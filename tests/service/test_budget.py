"""The work budget per chart (issue 15, Deliver 2): a chart needing more work than the budget is
stopped with a 422 (CLI: one ``error:`` line, exit 1), and the requests around it still succeed.

The slow chart is a genuinely large, valid one: the example chart with its clinical resources
repeated under new ids (about 7,000 entries, 6 MB; a second or more of load + facts), checked
against a budget of 0.25 s. The example chart itself takes about 10 ms.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from priorauth.service.audit import AuditStore

from .conftest import ROOT, Server, auth_header, start_server, stop_server

EXAMPLE = ROOT / "examples" / "trd_meets_policies.json"
AS_OF = "2026-11-25"
BUDGET = "0.25"
REPEATED = ("Observation", "MedicationRequest", "Condition", "Procedure")


def large_chart(copies: int = 200) -> dict[str, Any]:
    """The example chart with its clinical resources repeated ``copies`` times (new ids)."""
    chart: dict[str, Any] = json.loads(EXAMPLE.read_bytes())
    clinical = [e for e in chart["entry"] if e["resource"]["resourceType"] in REPEATED]
    entries = list(chart["entry"])
    for n in range(copies):
        for entry in clinical:
            twin = copy.deepcopy(entry)
            twin["resource"]["id"] = f"{twin['resource'].get('id', 'r')}-copy{n}"
            if "fullUrl" in twin:
                twin["fullUrl"] = f"{twin['fullUrl']}-copy{n}"
            entries.append(twin)
    return {**chart, "entry": entries}


@pytest.fixture(scope="module")
def large_body() -> bytes:
    return json.dumps(large_chart()).encode()


@pytest.fixture(scope="module")
def budget_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    env = {
        "PRIORAUTH_CHART_BUDGET_SECONDS": BUDGET,
        "PRIORAUTH_WORK_THREADS": "3",
        "PRIORAUTH_MAX_BODY_BYTES": str(16 * 1024 * 1024),
    }
    running = start_server(tmp_path_factory.mktemp("budget"), env=env)
    yield running
    stop_server(running)


def _post(server: Server, body: bytes) -> httpx.Response:
    with server.client() as client:
        return client.post(
            f"/evaluate?payer=auto&as_of={AS_OF}",
            content=body,
            headers={**auth_header(), "Content-Type": "application/fhir+json"},
        )


def audit_rows(server: Server) -> dict[str, Any]:
    """The server's audit rows by request id."""
    audit = AuditStore(server.audit_url)
    try:
        return {event.request_id: event for event in audit.events()}
    finally:
        audit.close()


def test_a_chart_over_budget_gets_422_and_its_neighbours_succeed(
    budget_server: Server, large_body: bytes
) -> None:
    good = EXAMPLE.read_bytes()
    bodies = [large_body if i % 8 == 3 else good for i in range(32)]  # 4 large among 28 good
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(lambda body: _post(budget_server, body), bodies))
    elapsed = time.monotonic() - started

    for body, response in zip(bodies, responses, strict=True):
        if body is large_body:
            assert response.status_code == 422, response.text[:300]
            outcome = response.json()
            assert outcome["resourceType"] == "OperationOutcome"
            first = outcome["issue"][0]
            assert first["code"] == "too-costly"
            assert first["diagnostics"] == (
                f"the chart needs more than {float(BUDGET):g} s of work; it was stopped"
            )
            assert first["expression"] == ["Bundle"]
        else:
            assert response.status_code == 200, response.text[:300]
            assert response.json()["status"] == "meets"
    assert elapsed < 60

    assert budget_server.process.poll() is None  # the server process is still up
    with budget_server.client() as client:
        assert client.get("/healthz").status_code == 200
    time.sleep(0.5)
    log = budget_server.log.read_text()
    assert "Traceback" not in log
    assert "died" not in log.lower()
    assert "exception" not in log.lower()
    assert log.count("chart over budget") == 4

    rows = audit_rows(budget_server)
    for response in responses:
        row = rows[response.headers["x-request-id"]]
        assert row.status == response.status_code
        if response.status_code == 422:
            assert row.error_code == "too-costly"


def _absurd(kind: str) -> bytes:
    """The dose-digits chart (a 48 KB run of digits as a dosage text) or the long-code chart
    (a diagnosis code of 80,000 characters)."""
    chart: dict[str, Any] = json.loads(EXAMPLE.read_bytes())
    for entry in chart["entry"]:
        resource = entry["resource"]
        if kind == "digits" and resource["resourceType"] == "MedicationRequest":
            resource["dosageInstruction"][0]["text"] = "1" * 48_000
        if kind == "code" and resource["resourceType"] == "Condition":
            resource["code"]["coding"][0]["code"] = "F" + "3" * 80_000
    return json.dumps(chart).encode()


def test_absurd_charts_get_422_among_32_concurrent_clients(budget_server: Server) -> None:
    """Issue 15, Must show: the dose-digits and long-code charts among good requests from 32
    concurrent clients. The bad ones are refused as invalid (not stopped by the budget: their
    answer comes before it), every good one succeeds, no chart process is replaced, and every
    response has its audit row."""
    good, digits, code = EXAMPLE.read_bytes(), _absurd("digits"), _absurd("code")
    bodies = [digits if i % 8 == 2 else code if i % 8 == 5 else good for i in range(32)]
    log_before = budget_server.log.read_text()
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        responses = list(pool.map(lambda body: _post(budget_server, body), bodies))

    for body, response in zip(bodies, responses, strict=True):
        if body is good:
            assert response.status_code == 200, response.text[:300]
            continue
        assert response.status_code == 422, response.text[:300]
        [issue] = response.json()["issue"]
        assert issue["code"] == "invalid"  # refused by the range check, not "too-costly"
        field = "dosageInstruction[0].text" if body is digits else "code.coding[0].code"
        assert issue["expression"][0].endswith(f".resource.{field}")
    assert budget_server.process.poll() is None
    time.sleep(0.5)
    new_lines = budget_server.log.read_text()[len(log_before) :]
    for word in ("Traceback", "replaced", "died", "over budget"):
        assert word not in new_lines
    rows = audit_rows(budget_server)
    for response in responses:
        assert rows[response.headers["x-request-id"]].status == response.status_code


def test_the_large_chart_is_valid_and_fits_a_bigger_budget(tmp_path: Path) -> None:
    """The same chart is answered normally when the budget is off: only its cost is the issue."""
    chart = tmp_path / "large.json"
    chart.write_text(json.dumps(large_chart(40)))
    done = _cli("facts", str(chart), "--as-of", AS_OF, "--budget", "0")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["facts"],
        ["evaluate", "--payer", "auto"],
        ["letter", "--payer", "auto", "-o", "-"],
    ],
)
def test_the_cli_stops_a_chart_over_budget_with_one_line(
    command: list[str], tmp_path: Path
) -> None:
    chart = tmp_path / "large.json"
    chart.write_text(json.dumps(large_chart()))
    done = _cli(command[0], str(chart), *command[1:], "--as-of", AS_OF, "--budget", BUDGET)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"error: the chart needs more than {float(BUDGET):g} s of work; it was stopped "
        "(--budget SECONDS raises the limit, --budget 0 lifts it)"
    ]


def test_the_cli_budget_defaults_to_the_environment(tmp_path: Path) -> None:
    chart = tmp_path / "large.json"
    chart.write_text(json.dumps(large_chart()))
    done = _cli(
        "facts", str(chart), "--as-of", AS_OF, env={"PRIORAUTH_CHART_BUDGET_SECONDS": BUDGET}
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: the chart needs more than 0.25 s of work")


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "priorauth", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found |= {int(child), *_descendants(int(child))}
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_chart_processes_die_with_a_killed_server(tmp_path: Path) -> None:
    server = start_server(tmp_path, env={"PRIORAUTH_CHART_BUDGET_SECONDS": "5"})
    try:
        assert _post(server, EXAMPLE.read_bytes()).status_code == 200
        family = {p for p in _descendants(server.process.pid) if _running(p)}
        assert len(family) >= 3  # the forkserver and the chart processes (and its tracker)
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_running(p) for p in family):
            time.sleep(0.2)
        assert not any(_running(p) for p in family), "chart processes outlived the server"
    finally:
        stop_server(server)


def test_the_pool_replaces_a_child_over_budget_or_killed_and_keeps_chart_errors() -> None:
    from priorauth.budget import ChartPool
    from priorauth.errors import BudgetExceededError, ChartError
    from priorauth.pipeline import chart_facts

    day = dt.date.fromisoformat(AS_OF)
    example = json.loads(EXAMPLE.read_bytes())
    pool = ChartPool(1, float(BUDGET))
    try:
        assert pool.facts(example, as_of=day) == chart_facts(example, as_of=day)
        first = pool._all[0].process.pid
        with pytest.raises(BudgetExceededError):
            pool.facts(large_chart(), as_of=day)
        assert pool.facts(example, as_of=day).patient == chart_facts(example, as_of=day).patient
        second = pool._all[0].process.pid
        assert second != first
        os.kill(second, signal.SIGKILL)  # dies while idle: replaced before the next chart
        pool._all[0].process.join(10)
        assert pool.facts(example, as_of=day).patient is not None
        patients = [{"resource": {"resourceType": "Patient", "id": i}} for i in "ab"]
        two = {"resourceType": "Bundle", "type": "collection", "entry": patients}
        with pytest.raises(ChartError) as caught:
            pool.facts(two, as_of=day, source_name="<request>")
        with pytest.raises(ChartError) as direct:
            chart_facts(two, as_of=day, source_name="<request>")
        assert str(caught.value) == str(direct.value)
        assert (caught.value.source, caught.value.location) == ("<request>", "")
    finally:
        pool.close()
