"""Benchmark: CRD (CDS Hooks order-sign) response time beside /evaluate, same chart, same run.

    python bench/bench_crd.py [--runs 30] [--payer aetna] [--chart PATH]

Starts ``priorauth serve`` on a free 127.0.0.1 port (one worker, fresh SQLite audit file), then
posts, interleaved request by request so both see the same machine load:

- ``POST /evaluate?payer=P`` with the chart Bundle;
- ``POST /cds-services/priorauth-tms-order-sign?payer=P`` with the CRD guide's request shape
  (../shared/fixtures/davinci_crd/CRDServiceRequest.json, its first draft order recoded to CPT
  90867) carrying the same chart as prefetch.

The chart defaults to the largest Synthea R4 bundle in ../shared/fixtures/synthea_r4_smart.
Reports median and p95 wall time per endpoint over ``--runs`` (after 3 warm-up calls each) and
the CRD/evaluate ratio; the CRD guide's budget is 5 s per hook call.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "fixtures"
sys.path.insert(0, str(ROOT))

from priorauth.service.auth import hash_token, new_token  # noqa: E402

AS_OF = "2026-11-25"


def largest_synthea() -> Path:
    return max((SHARED / "synthea_r4_smart").glob("*.json"), key=lambda p: p.stat().st_size)


def hook_request(chart: dict[str, object]) -> dict[str, object]:
    request = json.loads((SHARED / "davinci_crd" / "CRDServiceRequest.json").read_text("utf-8"))
    order = request["context"]["draftOrders"]["entry"][0]["resource"]
    order["code"]["coding"] = [{"system": "http://www.ama-assn.org/go/cpt", "code": "90867"}]
    request["prefetch"] = {"chart": chart}
    return request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(tmp: Path, token: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "PRIORAUTH_API_KEYS": f"bench:{hash_token(token)}",
        "PRIORAUTH_AUDIT_URL": f"sqlite:///{tmp / 'audit.sqlite'}",
        "PRIORAUTH_MAX_BODY_BYTES": str(64 * 1024 * 1024),
    }
    command = [sys.executable, "-m", "priorauth", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1"]
    log = (tmp / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"server did not start:\n{(tmp / 'server.log').read_text()}")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--payer", default="aetna")
    parser.add_argument("--chart", type=Path, default=None)
    args = parser.parse_args()
    chart_path = args.chart or largest_synthea()
    chart_bytes = chart_path.read_bytes()
    hook_bytes = json.dumps(hook_request(json.loads(chart_bytes))).encode()
    token = new_token("bench")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    calls = {
        "/evaluate": (f"/evaluate?payer={args.payer}&as_of={AS_OF}", chart_bytes),
        "CRD order-sign": (
            f"/cds-services/priorauth-tms-order-sign?payer={args.payer}&as_of={AS_OF}",
            hook_bytes,
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    with tempfile.TemporaryDirectory() as tmp:
        process, url = start(Path(tmp), token)
        try:
            with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
                for run in range(args.runs + 3):
                    for name, (path, body) in calls.items():
                        started = time.perf_counter()
                        response = client.post(path, content=body)
                        elapsed = time.perf_counter() - started
                        if response.status_code != 200:
                            raise SystemExit(f"{name}: {response.status_code} {response.text}")
                        if run >= 3:
                            times[name].append(elapsed * 1000)
        finally:
            process.terminate()
            process.wait(timeout=20)
    print(
        f"chart: {chart_path.name} ({len(chart_bytes) / 1e6:.2f} MB), payer {args.payer}, "
        f"{args.runs} runs each, interleaved; {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    print("| endpoint | median ms | p95 ms |")
    print("|---|---:|---:|")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.0f} | {p95(values):.0f} |")
    ratio = statistics.median(times["CRD order-sign"]) / statistics.median(times["/evaluate"])
    print(f"CRD / evaluate (medians): {ratio:.2f}x; budget 5000 ms")


if __name__ == "__main__":
    main()
