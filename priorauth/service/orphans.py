"""Child processes that die with their parent (issue 15): server workers and batch workers.

After a SIGKILL of ``priorauth serve`` or ``priorauth batch``, their workers would otherwise keep
serving unsupervised (holding the port, so a restart fails) or keep writing PDFs. On Linux the
kernel sends SIGTERM when the parent dies (``PR_SET_PDEATHSIG``); on every platform a daemon
thread also checks once a second that the parent is alive, and ends the process when it is not.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from pathlib import Path

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int, *, interval: float = 1.0) -> None:
    """End this process (SIGTERM to itself) when process ``parent_pid`` ends."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    if not _alive(parent_pid):  # died before the prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)
    watcher = threading.Thread(
        target=_watch, args=(parent_pid, interval), name="priorauth-parent-watch", daemon=True
    )
    watcher.start()


def _watch(parent_pid: int, interval: float) -> None:
    while _alive(parent_pid):
        time.sleep(interval)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10 * interval)  # a graceful stop took too long: leave now
    os._exit(1)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed and not yet reaped, counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError, IndexError):
        return stat.read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    return True
