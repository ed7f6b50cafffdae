"""Workers die with their parent, and a restarted server can bind its port (issue 15)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .conftest import start_server, stop_server


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(child) for child in text)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_server_workers_die_with_a_killed_supervisor(tmp_path: Path) -> None:
    server = start_server(tmp_path, workers=2)
    port = int(server.url.rsplit(":", 1)[1])
    try:
        deadline = time.monotonic() + 30
        workers: set[int] = set()
        while time.monotonic() < deadline:
            if server.log.read_text().count("Application startup complete") >= 2:
                break
            time.sleep(0.2)
        workers = {p for p in _children(server.process.pid) if _running(p)}
        assert len(workers) >= 2
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_running(p) for p in workers):
            time.sleep(0.2)
        assert not any(_running(p) for p in workers), "workers outlived their supervisor"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
    finally:
        stop_server(server)


def test_a_watched_child_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    """The portable half (the watch thread), without PR_SET_PDEATHSIG: a grandchild whose
    parent is SIGKILLed exits within a few seconds."""
    pid_file = tmp_path / "child.pid"
    code = (
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        "'import os, sys, time\\n"
        "from priorauth.service import orphans\\n"
        "orphans._PR_SET_PDEATHSIG = -1\\n"
        "orphans.die_with_parent(int(sys.argv[1]), interval=0.2)\\n"
        "time.sleep(60)', str(os.getpid())])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not pid_file.exists():
        time.sleep(0.1)
    time.sleep(3)
    child = int(pid_file.read_text())
    assert _running(child)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(child):
        time.sleep(0.1)
    assert not _running(child)
