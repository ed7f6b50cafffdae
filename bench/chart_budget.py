"""The cost of the chart pool (issue 15): POST /evaluate on the example chart through two real
servers started in the same run, one with the chart budget (load + facts in a child process)
and one without (``PRIORAUTH_CHART_BUDGET_SECONDS=0``: the stage in the worker's threads).

    .venv/bin/python bench/chart_budget.py [--requests 200] [--concurrency 1]

Requests alternate between the two servers; prints each one's median and p90 latency and the
ratio pool / no pool.
"""

from __future__ import annotations

import argparse
import os
import socket
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


def _start(tmp: Path, token: str, budget: str) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "PRIORAUTH_API_KEYS": f"clinic-a:{hash_token(token)}",
        "PRIORAUTH_AUDIT_URL": f"sqlite:///{tmp / f'audit-{budget}.sqlite'}",
        "PRIORAUTH_CHART_BUDGET_SECONDS": budget,
    }
    command = [sys.executable, "-m", "priorauth", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    log = (tmp / f"server-{budget}.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return server, url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    token = new_token("clinic-a")
    tmp = Path(tempfile.mkdtemp())
    body = EXAMPLE.read_bytes()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    servers = {name: _start(tmp, token, budget) for name, budget in (("pool", "20"), ("none", "0"))}
    times: dict[str, list[float]] = {"pool": [], "none": []}
    try:
        time.sleep(3)  # the pool's children warm up
        clients = {
            name: httpx.Client(base_url=url, timeout=60) for name, (_, url) in servers.items()
        }

        def send(name: str) -> tuple[str, float]:
            start = time.perf_counter()
            response = clients[name].post(
                "/evaluate", content=body, headers=headers, params={"as_of": "2026-11-25"}
            )
            assert response.status_code == 200, response.text
            return name, time.perf_counter() - start

        for name in servers:  # one warm-up request each
            send(name)
        order = [name for _ in range(args.requests) for name in ("pool", "none")]
        with ThreadPoolExecutor(args.concurrency) as pool:
            for name, seconds in pool.map(send, order):
                times[name].append(seconds)
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=30)
    for name, found in times.items():
        found.sort()
        p90 = found[int(len(found) * 0.9)]
        print(
            f"{name:5s} n={len(found)} median={statistics.median(found) * 1000:.1f} ms "
            f"p90={p90 * 1000:.1f} ms"
        )
    ratio = statistics.median(times["pool"]) / statistics.median(times["none"])
    print(f"median ratio pool/none: {ratio:.2f}")


if __name__ == "__main__":
    main()
