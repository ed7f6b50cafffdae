"""Hostile charts among good ones through a real server under 32 concurrent clients (issue 15).

    .venv/bin/python bench/hostile_server.py [--good 200] [--bad 16] [--workers 2]

Sends ``--good`` copies of examples/trd_meets_policies.json and ``--bad`` hostile charts (half with
48,000-digit dosage texts, half with an 80,000-character diagnosis code) to POST /evaluate, 32 at
a time, and prints the statuses and latencies of each kind, worker deaths seen in the server log
and the number of audit rows against the number of responses.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from priorauth.service.auth import hash_token, new_token

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "trd_meets_policies.json"


def _bad(kind: str) -> bytes:
    chart = json.loads(EXAMPLE.read_text())
    for entry in chart["entry"]:
        resource = entry["resource"]
        if kind == "digits" and resource["resourceType"] == "MedicationRequest":
            resource["dosageInstruction"] = [{"text": "1" * 48_000}]
        if kind == "code" and resource["resourceType"] == "Condition":
            system = "http://hl7.org/fhir/sid/icd-10-cm"
            resource["code"] = {"coding": [{"system": system, "code": "F" + "3" * 80_000}]}
    return json.dumps(chart).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--good", type=int, default=200)
    parser.add_argument("--bad", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    token = new_token("clinic-a")
    tmp = Path(tempfile.mkdtemp())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "PRIORAUTH_API_KEYS": f"clinic-a:{hash_token(token)}",
        "PRIORAUTH_AUDIT_URL": f"sqlite:///{tmp / 'audit.sqlite'}",
    }
    command = [sys.executable, "-m", "priorauth", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(args.workers)]
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    good = EXAMPLE.read_bytes()
    jobs = [("good", good)] * args.good
    jobs += [("digits", _bad("digits"))] * (args.bad // 2) + [("code", _bad("code"))] * (
        args.bad // 2
    )
    random.Random(15).shuffle(jobs)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        time.sleep(3)  # every worker up

        def send(job: tuple[str, bytes]) -> tuple[str, str, float]:
            start = time.perf_counter()
            try:
                response = client.post(
                    "/evaluate", content=job[1], headers=headers, params={"as_of": "2026-11-25"}
                )
                status = str(response.status_code)
                if response.status_code >= 400:  # the OperationOutcome's issue code
                    status += f" {response.json()['issue'][0]['code']}"
            except httpx.HTTPError:
                status = "0"
            return job[0], status, time.perf_counter() - start

        with httpx.Client(base_url=url, timeout=120) as client, ThreadPoolExecutor(32) as pool:
            results = list(pool.map(send, jobs))
        time.sleep(1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for kind in ("good", "digits", "code"):
        mine = [r for r in results if r[0] == kind]
        statuses = {s: sum(1 for r in mine if r[1] == s) for s in sorted({r[1] for r in mine})}
        times = [r[2] for r in mine]
        median = statistics.median(times)
        print(f"{kind:6s} n={len(mine):4d} {statuses} median={median:.2f}s max={max(times):.2f}s")
    text = log_path.read_text()
    deaths = text.count("died")  # uvicorn: "Child process [pid] died"
    replaced = text.count("replaced")  # priorauth.budget: "chart process ... replaced"
    print(f"worker deaths in the server log: {deaths}; chart processes replaced: {replaced}")
    with sqlite3.connect(tmp / "audit.sqlite") as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
        rows = sum(
            db.execute(f"select count(*) from {t}").fetchone()[0] for t in tables if "audit" in t
        )
    answered = sum(1 for r in results if r[1] != "0")
    print(f"responses {answered}, audit rows {rows} (tables {tables})")


if __name__ == "__main__":
    main()
