"""Key timing and an unauthenticated flood against a real server (issue 15).

    .venv/bin/python bench/hostile_auth.py [--flood 300] [--concurrency 32]

Starts ``priorauth serve`` (one worker, an scrypt-hashed key) on a free loopback port, then
measures: (1) the median time of a wrong secret for the known key id against an unknown id;
(2) a legitimate client's median ``GET /payers`` latency alone and while ``--flood`` requests
with wrong keys arrive ``--concurrency`` at a time;
(3) the server's CPU seconds (its whole process tree) and the largest peak RSS in it.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from priorauth.service.auth import hash_token, new_token


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the server's worker processes)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo.extend(int(child) for child in task.read_text().split())
    return found


def _cpu_and_rss(pid: int) -> tuple[float, int]:
    """CPU seconds and the largest peak RSS over the server's process tree."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu, rss = 0.0, 0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{member}/status").read_text()
        except FileNotFoundError:  # ended meanwhile
            continue
        cpu += (int(fields[11]) + int(fields[12])) / ticks
        hwm = next(line for line in status.splitlines() if line.startswith("VmHWM"))
        rss = max(rss, int(hwm.split()[1]) * 1024)
    return cpu, rss


def _timed(client: httpx.Client, headers: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    status = client.get("/payers", headers=headers).status_code
    return time.perf_counter() - start, status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flood", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    token = new_token("clinic-a")
    tmp = Path(tempfile.mkdtemp())
    port = _port()
    env = {
        **os.environ,
        "PRIORAUTH_API_KEYS": f"clinic-a:{hash_token(token, 'scrypt')}",
        "PRIORAUTH_AUDIT_URL": f"sqlite:///{tmp / 'audit.sqlite'}",
    }
    command = [sys.executable, "-m", "priorauth", "serve", "--host", "127.0.0.1"]
    with (tmp / "server.log").open("wb") as log:
        server = subprocess.Popen(
            [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        good = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, timeout=120) as client:
            known: list[float] = []
            unknown: list[float] = []
            for _ in range(3):  # warm-up: the first verifications of a fresh worker
                _timed(client, {"Authorization": "Bearer clinic-a.wrong"})
            for _ in range(15):  # interleaved, so load changes hit both alike
                known.append(_timed(client, {"Authorization": "Bearer clinic-a.wrong"})[0])
                unknown.append(_timed(client, {"Authorization": "Bearer clinic-z.wrong"})[0])
            alone = [_timed(client, good)[0] for _ in range(20)]
            cpu0, _ = _cpu_and_rss(server.pid)
            under: list[float] = []
            statuses: list[int] = []
            done = threading.Event()

            def legit() -> None:
                while not done.is_set():
                    under.append(_timed(client, good)[0])

            watcher = threading.Thread(target=legit)
            watcher.start()
            started = time.perf_counter()
            with (
                httpx.Client(base_url=url, timeout=120) as attacker,
                ThreadPoolExecutor(args.concurrency) as pool,
            ):
                wrong = [{"Authorization": f"Bearer clinic-a.wrong-{i}"} for i in range(args.flood)]
                statuses = [s for _, s in pool.map(lambda h: _timed(attacker, h), wrong)]
            flood_s = time.perf_counter() - started
            done.set()
            watcher.join()
            cpu1, rss = _cpu_and_rss(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    med = statistics.median
    print(f"wrong secret, known id : median {med(known) * 1000:7.1f} ms")
    print(f"wrong secret, unknown id: median {med(unknown) * 1000:7.1f} ms")
    print(f"ratio known/unknown     : {med(known) / med(unknown):7.2f}")
    print(f"legit GET /payers alone : median {med(alone) * 1000:7.1f} ms")
    print(f"legit under flood       : median {med(under) * 1000:7.1f} ms ({len(under)} requests)")
    print(f"latency ratio           : {med(under) / med(alone):7.1f}x")
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    print(f"flood: {args.flood} requests in {flood_s:.1f} s, statuses {counts}")
    print(f"server CPU during flood : {cpu1 - cpu0:.1f} s; peak RSS {rss / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
