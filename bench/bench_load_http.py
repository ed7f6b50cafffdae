"""Benchmark: the HTTP service under load (loopback only, bounded in count and time).

    python bench/bench_load_http.py [--workers 2] [--clients 8] [--requests 200] [--seconds 60]

Starts ``priorauth serve`` on a free 127.0.0.1 port with a fresh SQLite audit file (or
``--audit-url postgresql+psycopg://...``), warms it up, then for each endpoint runs ``--clients``
threads (one ``httpx.Client`` each) posting the TRD charts round-robin (``examples/`` and
``tests/data/charts/*.json``) until ``--requests`` requests were sent or ``--seconds`` passed.

Both endpoints use one payer (``--payer``, default: the first whose policy the example chart
meets) so every chart is evaluated, and ``/letters``
passes ``force=true`` so every request renders a PDF (a chart that does not meet would otherwise
be a quick 422). Reported per
endpoint: p50/p95/p99 latency, throughput, non-2xx responses (target 0), and audit rows written
during the phase (target: exactly one per request).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from priorauth.service.audit import AuditStore  # noqa: E402
from priorauth.service.auth import hash_token, new_token  # noqa: E402

AS_OF = "2026-11-25"
FHIR = {"Content-Type": "application/fhir+json"}


def charts() -> list[tuple[str, bytes]]:
    found = sorted((ROOT / "examples").glob("*.json"))
    found += sorted((ROOT / "tests" / "data" / "charts").glob("*.json"))
    return [(path.stem, path.read_bytes()) for path in found]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    audit_rows: int = 0

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        count = len(ordered)

        def pct(p: float) -> float:
            return ordered[min(count - 1, int(p * count))] * 1000 if count else float("nan")

        return {
            "endpoint": self.name,
            "requests": count,
            "p50_ms": round(pct(0.50), 1),
            "p95_ms": round(pct(0.95), 1),
            "p99_ms": round(pct(0.99), 1),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if count else None,
            "throughput_rps": round(count / self.seconds, 2) if self.seconds else None,
            "errors": sum(n for status, n in self.statuses.items() if status >= 300),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "audit_rows": self.audit_rows,
        }


def start_server(
    args: argparse.Namespace, tmp: Path, token: str
) -> tuple[subprocess.Popen[bytes], str, str]:
    port = free_port()
    audit_url = args.audit_url or f"sqlite:///{tmp / 'audit.sqlite'}"
    env = {
        **os.environ,
        "PRIORAUTH_API_KEYS": f"bench:{hash_token(token)}",
        "PRIORAUTH_AUDIT_URL": audit_url,
    }
    if args.rules_dir:
        env["PRIORAUTH_RULES_DIR"] = str(args.rules_dir)
    command = [
        sys.executable,
        "-m",
        "priorauth",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    command += ["--workers", str(args.workers)]
    log = (tmp / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url, audit_url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server did not start:\n{(tmp / 'server.log').read_text()}")


def run_phase(
    name: str,
    url: str,
    token: str,
    params: dict[str, str],
    args: argparse.Namespace,
    bodies: list[tuple[str, bytes]],
    audit: AuditStore,
) -> Phase:
    phase = Phase(name)
    lock = threading.Lock()
    sent = [0]
    stop_at = time.monotonic() + args.seconds
    headers = {**FHIR, "Authorization": f"Bearer {token}"}

    def client_loop(index: int) -> None:
        with httpx.Client(base_url=url, timeout=120, headers=headers) as client:
            n = index
            while time.monotonic() < stop_at:
                with lock:
                    if sent[0] >= args.requests:
                        return
                    sent[0] += 1
                _, body = bodies[n % len(bodies)]
                n += args.clients
                started = time.perf_counter()
                response = client.post(name, content=body, params=params)
                elapsed = time.perf_counter() - started
                with lock:
                    phase.latencies.append(elapsed)
                    phase.statuses[response.status_code] = (
                        phase.statuses.get(response.status_code, 0) + 1
                    )

    before = audit.count()
    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    phase.audit_rows = audit.count() - before
    return phase


def pick_payer(url: str, token: str) -> str:
    """The first payer (by id) whose policy in force on AS_OF the example chart meets."""
    example = (ROOT / "examples" / "trd_meets_policies.json").read_bytes()
    headers = {**FHIR, "Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        for payer in client.get("/payers").json():
            params = {"payer": payer["id"], "as_of": AS_OF}
            response = client.post("/evaluate", content=example, params=params)
            if response.status_code == 200 and response.json()["status"] == "meets":
                return str(payer["id"])
    raise SystemExit(f"the example chart meets no policy in force on {AS_OF}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="per endpoint (upper bound)")
    parser.add_argument("--seconds", type=float, default=60, help="per endpoint (upper bound)")
    parser.add_argument("--audit-url", help="audit store (default: a fresh SQLite file)")
    parser.add_argument("--rules-dir", type=Path)
    parser.add_argument("--payer", help="default: the first payer the example chart meets")
    parser.add_argument("--endpoints", default="/evaluate,/letters")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()

    token = new_token("bench")
    bodies = charts()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        process, url, audit_url = start_server(args, tmp, token)
        try:
            payer = args.payer or pick_payer(url, token)
            audit = AuditStore(audit_url)
            params = {
                "/evaluate": {"payer": payer, "as_of": AS_OF},
                "/letters": {"payer": payer, "as_of": AS_OF, "force": "true"},
            }
            results = []
            for endpoint in args.endpoints.split(","):
                warm = argparse.Namespace(
                    **{**vars(args), "requests": 2 * args.clients, "seconds": 60}
                )
                run_phase(endpoint, url, token, params[endpoint], warm, bodies, audit)
                results.append(
                    run_phase(endpoint, url, token, params[endpoint], args, bodies, audit)
                )
            audit.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    report = {
        "machine": f"{platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "date": dt.date.today().isoformat(),
        "workers": args.workers,
        "clients": args.clients,
        "audit": "postgresql"
        if args.audit_url and args.audit_url.startswith("postgresql")
        else "sqlite",
        "charts": [name for name, _ in bodies],
        "results": [phase.summary() for phase in results],
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"# {report['machine']}")
    print(f"# workers={args.workers} clients={args.clients} payer={payer} audit={report['audit']}")
    print("| endpoint | requests | p50 ms | p95 ms | p99 ms | req/s | errors | audit rows |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in report["results"]:
        print(
            f"| {row['endpoint']} | {row['requests']} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['p99_ms']} | {row['throughput_rps']} | {row['errors']} {row['statuses']} | "
            f"{row['audit_rows']} |"
        )


if __name__ == "__main__":
    main()
