"""A work budget per chart (issue 15): loading a chart and extracting its facts — the heavy,
input-driven stage — is stopped when it needs more than N seconds.

* The CLI runs the stage under :func:`cpu_budget` (a CPU-time timer, ``ITIMER_PROF``): past the
  budget it raises :class:`~priorauth.errors.BudgetExceededError` (one ``error:`` line, exit 1).
* The HTTP service runs it in a :class:`ChartPool` of child processes, one chart at a time each.
  A chart over budget is stopped there (the same CPU timer inside the child; a wall-clock limit
  in the parent as the backstop for a child that cannot be interrupted), the child is killed and
  replaced, and the request gets a 422. The server worker and the other requests never notice.

The budget comes from ``PRIORAUTH_CHART_BUDGET_SECONDS`` (default 20; 0 turns it off).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import Any

from priorauth.errors import BudgetExceededError

__all__ = [
    "BUDGET_ENV",
    "DEFAULT_BUDGET_SECONDS",
    "ChartPool",
    "budget_from_env",
    "cpu_budget",
]

log = logging.getLogger("priorauth.service")

BUDGET_ENV = "PRIORAUTH_CHART_BUDGET_SECONDS"
DEFAULT_BUDGET_SECONDS = 20.0
_STARTUP_SECONDS = 120.0
"""How long a new child may take to import priorauth and warm up before it counts as dead."""
_WALL_FACTOR = 2.0
_WALL_SLACK = 1.0
"""The parent's wall-clock backstop: ``budget * 2 + 1`` s (the child's CPU timer fires first)."""


def budget_from_env(env: Mapping[str, str] | None = None) -> float:
    """``$PRIORAUTH_CHART_BUDGET_SECONDS`` as a number of seconds (default 20; 0: no budget)."""
    raw = (os.environ if env is None else env).get(BUDGET_ENV, "").strip()
    if not raw:
        return DEFAULT_BUDGET_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{BUDGET_ENV}: not a number of seconds: {raw!r}") from None
    if not value >= 0:
        raise ValueError(f"{BUDGET_ENV}: must be 0 (no budget) or more, not {raw!r}")
    return value


class _OverBudget(BaseException):
    """Raised by the timer signal; a BaseException so no ``except Exception`` swallows it."""


@contextlib.contextmanager
def cpu_budget(seconds: float | None, *, hint: str = "") -> Iterator[None]:
    """Raise :class:`BudgetExceededError` once the block has used ``seconds`` of CPU time.

    A no-op for ``None``/0, off the main thread and where ``setitimer`` is missing (Windows).
    """
    usable = (
        seconds
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def over(_signum: int, _frame: FrameType | None) -> None:
        raise _OverBudget

    previous = signal.signal(signal.SIGPROF, over)
    signal.setitimer(signal.ITIMER_PROF, float(seconds))  # type: ignore[arg-type]
    try:
        yield
    except _OverBudget:
        raise BudgetExceededError(float(seconds), hint) from None  # type: ignore[arg-type]
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


# --- the service's pool of chart processes ------------------------------------------------------

_WARM_UP: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"resource": {"resourceType": "Patient", "id": "warm-up", "gender": "female"}}],
}


_WARM_UP_CHART = Path(__file__).with_name("warm_up_chart.json")


def _warm_up(chart_facts: Any) -> None:
    """Import what the first chart would import lazily, before any budget runs."""
    with contextlib.suppress(Exception):
        from fhir.resources.R4B import get_fhir_model_class

        from priorauth.fhir.resource_types import VALIDATED_TYPES

        for name in sorted(VALIDATED_TYPES):
            get_fhir_model_class(name)
        chart_facts(_WARM_UP, as_of=dt.date(2026, 1, 1))
        for name in sorted(VALIDATED_TYPES):  # one resource each: builds the validators
            with contextlib.suppress(Exception):
                chart_facts(_with(name), as_of=dt.date(2026, 1, 1))
        # a whole chart (a copy of examples/trd_meets_policies.json) runs every facts path once
        chart_facts(_WARM_UP_CHART.read_bytes(), as_of=dt.date(2026, 11, 25))


def _with(resource_type: str) -> dict[str, Any]:
    entry = {"resource": {"resourceType": resource_type, "id": "w"}}
    return {**_WARM_UP, "entry": [*_WARM_UP["entry"], entry]}


def _child_main(conn: Connection, parent_pid: int) -> None:
    """A chart process: warm up, say ready, then load + extract one chart per message."""
    from priorauth.service.orphans import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server; it stops us
    die_with_parent(parent_pid)
    from priorauth.pipeline import chart_facts

    _warm_up(chart_facts)
    conn.send("ready")
    while True:
        try:
            chart, as_of, source_name, patient, budget, refuse_absurd = conn.recv()
        except (EOFError, OSError):
            return
        try:
            with cpu_budget(budget):
                record = chart_facts(
                    chart,
                    as_of=as_of,
                    source_name=source_name,
                    patient=patient,
                    refuse_absurd=refuse_absurd,
                )
            reply: tuple[bool, Any] = (True, record)
        except BaseException as exc:  # every failure goes back to the parent
            reply = (False, exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an exception that does not pickle: send its text
            from priorauth.errors import PriorAuthError

            conn.send((False, PriorAuthError(str(exc))))


class ChartWorkerError(RuntimeError):
    """A chart process ended without answering (killed from outside, out of memory, a crash)."""


class _Worker:
    """One child process and the pipe to it."""

    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_child_main, args=(child, os.getpid()), name="priorauth-chart", daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False

    def run(self, job: tuple[Any, ...], budget: float) -> Any:
        try:
            if not self.ready:
                if not self.conn.poll(_STARTUP_SECONDS):
                    raise ChartWorkerError("the chart process did not start")
                self.conn.recv()
                self.ready = True
            self.conn.send(job)
            wait = budget * _WALL_FACTOR + _WALL_SLACK if budget > 0 else None
            if not self.conn.poll(wait):
                raise BudgetExceededError(budget)
            ok, value = self.conn.recv()
        except (EOFError, OSError) as exc:
            raise ChartWorkerError(f"the chart process ended unexpectedly ({exc!r})") from exc
        if ok:
            return value
        raise value

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class ChartPool:
    """``size`` child processes that load charts and extract facts under a budget.

    :meth:`facts` has :func:`priorauth.pipeline.chart_facts`'s signature (as the service calls
    it) and blocks until a child is free. A child whose chart went over budget, or that died, is
    killed and replaced; the others keep serving.
    """

    def __init__(self, size: int, budget: float) -> None:
        methods = multiprocessing.get_all_start_methods()
        method = "forkserver" if "forkserver" in methods and sys.platform != "darwin" else "spawn"
        self._context = multiprocessing.get_context(method)
        self.size = size
        self.budget = budget
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        """Start the children (they warm up in the background); idempotent."""
        with self._lock:
            if self._started:
                return
            for _ in range(self.size):
                self._add()
            self._started = True

    def _add(self, *, idle: bool = True) -> _Worker:
        worker = _Worker(self._context)
        self._all.append(worker)
        if idle:
            self._idle.put(worker)
        return worker

    def facts(
        self,
        chart: Any,
        *,
        as_of: dt.date,
        source_name: str | None = None,
        patient: str | None = None,
        refuse_absurd: bool = False,
        **_: Any,
    ) -> Any:
        """The chart's (or ``patient``'s) PatientRecord, computed in a child under the budget."""
        self.start()
        worker = self._idle.get()
        if not worker.process.is_alive():  # ended while idle (killed from outside, OOM killer)
            log.warning("chart process %s had ended; replaced", worker.process.pid)
            worker = self._replace(worker, idle=False)
        try:
            job = (chart, as_of, source_name, patient, self.budget, refuse_absurd)
            record = worker.run(job, self.budget)
        except (BudgetExceededError, ChartWorkerError) as exc:
            log.warning("chart process %s replaced: %s", worker.process.pid, exc)
            self._replace(worker)
            raise
        except BaseException:
            self._idle.put(worker)  # the chart's own error (ChartError ...): the child is fine
            raise
        self._idle.put(worker)
        return record

    def _replace(self, worker: _Worker, *, idle: bool = True) -> _Worker:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            return self._add(idle=idle)

    def close(self) -> None:
        """Kill every child."""
        with self._lock:
            for worker in self._all:
                worker.kill()
            self._all.clear()
            self._started = False
