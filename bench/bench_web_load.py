"""Load check of the staff pages: N concurrent staff sessions uploading charts and generating
packets against a real ``priorauth serve`` process (loopback only, bounded in count and time).

    python bench/bench_web_load.py [--sessions 8] [--rounds 3] [--workers 1] [--seconds 300]

Starts the server on a free 127.0.0.1 port with a fresh SQLite database (or ``--audit-url``),
creates one clinician per session, then each session (its own thread and ``httpx.Client``)
logs in and, ``--rounds`` times: uploads a chart (``examples/trd_meets_policies.json``), opens
the request page, confirms the attestations, generates the packet and checks it is a PDF.
Reported: p50/p95 of every step and of a whole round, errors (target 0), audit rows written,
and, as the reference measured in the same run, ``GET /healthz`` latency under the same load;
plus the 1-minute load average before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from priorauth.service.audit import AuditStore  # noqa: E402
from priorauth.service.web.users import add_user_at  # noqa: E402

PASSWORD = "correct horse battery staple"
CHART = ROOT / "examples" / "trd_meets_policies.json"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ATTEST = re.compile(r'name="attest" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    tmp: Path, workers: int, audit_url: str | None
) -> tuple[subprocess.Popen[bytes], str, str]:
    port = free_port()
    audit = audit_url or f"sqlite:///{tmp / 'audit.sqlite'}"
    env = {**os.environ, "PRIORAUTH_AUDIT_URL": audit, "PRIORAUTH_AUTH": "false"}
    command = [sys.executable, "-m", "priorauth", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url, audit
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not start")


class Session:
    """One staff member's browser: the session cookie (Secure, so sent by hand over loopback
    HTTP, as a browser does for localhost) and the CSRF token."""

    def __init__(self, url: str, user: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=120, follow_redirects=False)
        self.user = user
        self.cookie = ""
        self.csrf = ""

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path, headers={"Cookie": self.cookie})

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        return self.client.post(path, headers={"Cookie": self.cookie}, **kwargs)  # type: ignore[arg-type]

    def log_in(self) -> None:
        page = self.client.get("/web/login")
        token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        login_cookie = page.headers["set-cookie"].split(";")[0]
        answer = self.client.post(
            "/web/login",
            data={"username": self.user, "password": PASSWORD, "csrf_token": token},
            headers={"Cookie": login_cookie},
        )
        assert answer.status_code == 303, answer.status_code
        session = next(
            c for c in answer.headers.get_list("set-cookie") if c.startswith("priorauth_session=")
        )
        self.cookie = session.split(";")[0]
        self.csrf = CSRF.search(self.get("/web/").text).group(1)  # type: ignore[union-attr]


def one_round(s: Session, chart: bytes, timings: dict[str, list[float]]) -> None:
    def timed(step: str, call: object) -> httpx.Response:
        started = time.perf_counter()
        answer = call()  # type: ignore[operator]
        timings[step].append((time.perf_counter() - started) * 1000)
        return answer

    began = time.perf_counter()
    files = {"chart": ("chart.json", chart, "application/json")}
    form = {"csrf_token": s.csrf, "payer": "auto", "as_of": "2026-11-25"}
    up = timed("upload", lambda: s.post("/web/requests", data=form, files=files))
    assert up.status_code == 303, f"upload {up.status_code}"
    url = up.headers["location"]
    page = timed("request page", lambda: s.get(url))
    assert page.status_code == 200, f"page {page.status_code}"
    ids = ATTEST.findall(page.text)
    att = timed(
        "attest", lambda: s.post(f"{url}/attestations", data={"csrf_token": s.csrf, "attest": ids})
    )
    assert att.status_code == 303, f"attest {att.status_code}"
    pdf = timed("packet (PDF)", lambda: s.post(f"{url}/packet", data={"csrf_token": s.csrf}))
    assert pdf.status_code == 200, f"packet {pdf.status_code}"
    assert pdf.content.startswith(b"%PDF-"), "packet is not a PDF"
    timings["whole round"].append((time.perf_counter() - began) * 1000)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--audit-url")
    args = parser.parse_args()
    chart = CHART.read_bytes()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        process, url, audit = start(Path(tmp), args.workers, args.audit_url)
        try:
            for n in range(args.sessions):
                add_user_at(audit, f"staff{n}", "clinician", PASSWORD)
            sessions = [Session(url, f"staff{n}") for n in range(args.sessions)]
            for s in sessions:
                s.log_in()
            warm = sessions[0]
            one_round(warm, chart, defaultdict(list))  # warm-up: first render, pool children
            rows_before = AuditStore(audit).count()
            timings: dict[str, list[float]] = defaultdict(list)
            errors: list[str] = []
            lock = threading.Lock()
            deadline = time.monotonic() + args.seconds
            stop = threading.Event()

            def staff(s: Session) -> None:
                mine: dict[str, list[float]] = defaultdict(list)
                for _ in range(args.rounds):
                    if time.monotonic() > deadline:
                        break
                    try:
                        one_round(s, chart, mine)
                    except (AssertionError, httpx.HTTPError) as exc:
                        with lock:
                            errors.append(f"{s.user}: {exc}")
                with lock:
                    for key, values in mine.items():
                        timings[key].extend(values)

            def reference() -> None:
                probe = httpx.Client(base_url=url, timeout=30)
                while not stop.is_set():
                    started = time.perf_counter()
                    probe.get("/healthz")
                    timings["reference: GET /healthz"].append(
                        (time.perf_counter() - started) * 1000
                    )
                    time.sleep(0.25)

            started = time.perf_counter()
            threads = [threading.Thread(target=staff, args=(s,)) for s in sessions]
            ref = threading.Thread(target=reference)
            ref.start()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            stop.set()
            ref.join()
            wall = time.perf_counter() - started
            rows = AuditStore(audit).count() - rows_before
        finally:
            process.terminate()
            process.wait(timeout=30)
    load_after = os.getloadavg()[0]
    rounds = len(timings["whole round"])
    print(
        f"{args.sessions} sessions x {args.rounds} rounds, server --workers {args.workers}, "
        f"{os.cpu_count()} cores; load average (1 min) {load_before:.1f} before, "
        f"{load_after:.1f} after"
    )
    print(
        f"rounds completed {rounds}, errors {len(errors)}, wall {wall:.1f} s, "
        f"{rounds * 60 / wall:.1f} packets/min, audit rows {rows} "
        f"(3 per round expected: {3 * rounds})"
    )
    print("| step | n | p50 ms | p95 ms | mean ms |\n|---|---:|---:|---:|---:|")
    for step in (
        "upload",
        "request page",
        "attest",
        "packet (PDF)",
        "whole round",
        "reference: GET /healthz",
    ):
        values = timings.get(step, [])
        if values:
            p50, p95, mean = pct(values, 50), pct(values, 95), statistics.mean(values)
            print(f"| {step} | {len(values)} | {p50:.0f} | {p95:.0f} | {mean:.0f} |")
    for line in errors[:10]:
        print("error:", line)
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
