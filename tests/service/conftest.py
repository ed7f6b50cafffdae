"""Fixtures for the service tests: API keys, settings, a TestClient, a real uvicorn process,
a real PostgreSQL server for the audit store, and a real Dask cluster for the cluster runner."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from priorauth.service.auth import hash_token
from priorauth.service.cluster import CLUSTER_ENV

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = (
    Path(os.environ["PRIORAUTH_RULES_DIR"]) if os.environ.get("PRIORAUTH_RULES_DIR") else None
)
"""The rules folder under test: the packaged one unless PRIORAUTH_RULES_DIR names another."""
TOKEN = "clinic-a.test-secret-token"
REVOKED_TOKEN = "old-client.revoked-secret"
PG_HELP = (
    "PostgreSQL audit tests need a server. As root run\n"
    '    eval "$(bash scripts/start-postgres.sh)"\n'
    "(it installs/starts PostgreSQL and exports PRIORAUTH_TEST_PG_URL), or set\n"
    "    PRIORAUTH_TEST_PG_URL=postgresql+psycopg://USER:PASS@HOST:PORT/DB\n"
    "for a server of your own. .ci/run does this before pytest."
)


def key_env() -> dict[str, str]:
    """Environment giving one live key and one revoked key."""
    keys = f"clinic-a:{hash_token(TOKEN)},old-client:{hash_token(REVOKED_TOKEN)}"
    return {
        "PRIORAUTH_API_KEYS": keys,
        "PRIORAUTH_REVOKED_KEYS": "old-client",
    }


def auth_header(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def chart_paths() -> list[Path]:
    """The TRD charts shipped with the tests and the examples (JSON Bundles)."""
    found = sorted((ROOT / "tests" / "data" / "charts").glob("*.json"))
    found += sorted((ROOT / "examples").glob("*.json"))
    return found


def meeting_payer(as_of: dt.date) -> str:
    """A payer with a policy in force on ``as_of`` that the example chart meets."""
    from priorauth.service.pipeline import Pipeline

    pipeline = Pipeline(RULES_DIR)
    example = json.loads((ROOT / "examples" / "trd_meets_policies.json").read_bytes())
    for policy in sorted(pipeline.ruleset.in_force(as_of), key=lambda p: p.payer.id):
        found = pipeline.determinations(example, payer=policy.id, as_of=as_of)
        if found[0].status == "meets":
            return policy.payer.id
    pytest.fail(f"examples/trd_meets_policies.json meets no policy in force on {as_of}")


@pytest.fixture(scope="session")
def pg_url() -> str:
    """A PostgreSQL URL: $PRIORAUTH_TEST_PG_URL, or start the local server with the script."""
    url = os.environ.get("PRIORAUTH_TEST_PG_URL")
    if url:
        return url
    script = ROOT / "scripts" / "start-postgres.sh"
    detail = ""
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("pg_lsclusters"):
        env = {**os.environ, "PRIORAUTH_PG_NO_INSTALL": "1"}
        proc = subprocess.run(
            ["bash", str(script)], env=env, capture_output=True, text=True, timeout=180, check=False
        )
        for line in proc.stdout.splitlines():
            if line.startswith("export PRIORAUTH_TEST_PG_URL="):
                return line.split("=", 1)[1].strip()
        detail = f"\n(scripts/start-postgres.sh failed: {proc.stderr.strip()[-500:]})"
    pytest.fail(PG_HELP + detail, pytrace=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A ``priorauth serve`` process on a loopback port."""

    url: str
    process: subprocess.Popen[bytes]
    audit_url: str
    log: Path

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]


def start_server(tmp: Path, *, workers: int = 1, env: dict[str, str] | None = None) -> Server:
    """Start ``python -m priorauth serve`` and wait for /healthz (60 s at most)."""
    port = free_port()
    audit_url = f"sqlite:///{tmp / 'audit.sqlite'}"
    full_env = {
        **os.environ,
        **key_env(),
        "PRIORAUTH_AUDIT_URL": audit_url,
        "PRIORAUTH_MAX_BODY_BYTES": str(2 * 1024 * 1024),
        **(env or {}),
    }
    log = tmp / f"server-{port}.log"
    command = [sys.executable, "-m", "priorauth", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, full_env["PRIORAUTH_AUDIT_URL"], log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"server did not answer /healthz within 60 s:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real server process per test module."""
    running = start_server(tmp_path_factory.mktemp("server"))
    yield running
    stop_server(running)


SCHEDULER_ARGS = ("--host", "127.0.0.1", "--port", "0", "--no-dashboard")
WORKER_ARGS = ("--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard")
WORKER_ARGS += ("--death-timeout", "60")  # a worker whose scheduler is gone ends by itself


@dataclass(frozen=True)
class DaskScheduler:
    address: str
    workers: int


@pytest.fixture(scope="session")
def dask_scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskScheduler]:
    """A real Dask cluster started as docs/cluster.md deploys one: ``dask scheduler`` and
    ``dask worker --nworkers 2 --nthreads 1`` (two worker processes under a nanny), on loopback,
    with the settings of ``CLUSTER_ENV``.

    Its scheduler gives up on a task after the first worker that dies running it
    (``allowed-failures`` 0) and sends each worker one task at a time, so a worker that dies takes
    only its own task with it and the worker-death test does not wait for retries.
    """
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    env = {
        **os.environ,
        **CLUSTER_ENV,  # as docs/cluster.md starts them: no profiler, short message logs
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0",
        "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",  # one task at a time per worker
    }
    dask = [sys.executable, "-m", "dask"]
    common = {"env": env, "start_new_session": True, "stdin": subprocess.DEVNULL}
    with (folder / "scheduler.log").open("wb") as slog, (folder / "worker.log").open("wb") as wlog:
        scheduler = subprocess.Popen(
            [*dask, "scheduler", *SCHEDULER_ARGS, "--scheduler-file", str(scheduler_file)],
            stdout=slog,
            stderr=subprocess.STDOUT,
            **common,
        )
        workers = subprocess.Popen(
            [*dask, "worker", *WORKER_ARGS, "--scheduler-file", str(scheduler_file)],
            stdout=wlog,
            stderr=subprocess.STDOUT,
            **common,
        )
    try:
        address = _wait_for_scheduler(scheduler_file, scheduler, folder)
        yield DaskScheduler(address, 2)
    finally:
        for process in (workers, scheduler):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in (workers, scheduler):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_for_scheduler(scheduler_file: Path, process: subprocess.Popen[bytes], logs: Path) -> str:
    """The scheduler's address once two workers have joined it."""
    from distributed import Client

    deadline = time.monotonic() + 120
    while not scheduler_file.is_file() or not scheduler_file.read_text().strip():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"dask scheduler did not start:\n{(logs / 'scheduler.log').read_text()}")
        time.sleep(0.2)
    address = str(json.loads(scheduler_file.read_text())["address"])
    with Client(address, timeout=60, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=120)
    return address
