"""Where per-item work runs: in this process, in local worker processes, or on a Dask cluster.

``batch`` and ``screen`` each do their per-chart work in one picklable function
``fn(shared, item) -> result``: ``shared`` is what every item needs (the rule set, the run's
settings), sent to each worker once; ``item`` is one chart. A runner maps that function over the
items and yields ``(index, outcome)`` as each item completes, so a progress bar moves as work
finishes; ``outcome`` is the function's result or a :class:`Failed` (the function raised, or the
process running it died). Every item yields exactly once: nothing is lost silently. Callers that
want input order sort by index (:func:`in_order`), so a run gives the same rows in the same order
whichever runner did the work.

* :class:`InProcess` (``--jobs 1``): a plain loop, no child process.
* :class:`LocalProcesses` (``--jobs N``, the default): a ``forkserver`` process pool on this
  machine; workers end with their parent (``priorauth.service.orphans``).
* :class:`DaskCluster` (``--scheduler tcp://host:8786`` or ``PRIORAUTH_DASK_SCHEDULER``): the work
  runs on the workers of an existing Dask distributed scheduler. Workers need priorauth installed
  (the same version: checked on connecting) and read nothing from this machine's disk: items carry
  the chart's bytes, results come back to the client, which writes every output, the manifest and
  the audit rows. Dask is imported only here, only when a scheduler is named (``pip install
  'priorauth[cluster]'``).

Why Dask distributed rather than Ray: it is pure Python and installs from PyPI with pip
(``dask``, ``distributed``) on any machine the rest of priorauth runs on, a cluster is one
``dask scheduler`` plus ``dask worker`` processes (or a ``LocalCluster`` in the tests), and there
are no platform binaries to match (Ray's GCS server and raylet are native executables per
platform and Python version).

At most a bounded number of items is in flight at a time (a few per worker), so the client holds
only that many charts in memory however long the input is.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

from priorauth.errors import PriorAuthError

__all__ = [
    "ClusterError",
    "DaskCluster",
    "Failed",
    "InProcess",
    "LocalProcesses",
    "Runner",
    "in_order",
    "one_line",
    "open_runner",
]

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

SCHEDULER_ENV = "PRIORAUTH_DASK_SCHEDULER"
"""The environment variable the CLI reads for ``--scheduler``."""
IN_FLIGHT_PER_WORKER = 4
"""Items submitted ahead per worker: enough to keep workers busy, few enough to bound memory."""
WORKER_DIED = "a worker process died while processing this chart"


class ClusterError(PriorAuthError):
    """The Dask scheduler cannot be reached or used (no workers, other priorauth version...)."""


@dataclass(frozen=True)
class Failed:
    """An item whose work raised or whose worker died: its one-line reason (no chart data)."""

    error: str


def one_line(exc: BaseException) -> str:
    """The first line of an exception, prefixed with its type unless it is a PriorAuthError."""
    text = str(exc).strip().splitlines()
    message = text[0] if text else ""
    if isinstance(exc, PriorAuthError):
        return message or type(exc).__name__
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def in_order(outcomes: Iterable[tuple[int, R]]) -> list[R]:
    """The outcomes of a run in input order, whatever order they completed in."""
    return [outcome for _index, outcome in sorted(outcomes, key=lambda pair: pair[0])]


class Runner:
    """Base of the runners: a context manager with :meth:`map`."""

    name = "runner"
    ships_bytes = False
    """True when workers cannot read this machine's files: items must carry the chart's bytes."""

    def map(
        self, fn: Callable[[S, T], R], shared: S, items: Iterable[T]
    ) -> Iterator[tuple[int, R | Failed]]:
        """``fn(shared, item)`` for every item, yielded as ``(index, outcome)`` on completion."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the runner holds (a pool, a client connection)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class InProcess(Runner):
    """Every item in this process, one after the other."""

    name = "in-process"

    def map(
        self, fn: Callable[[S, T], R], shared: S, items: Iterable[T]
    ) -> Iterator[tuple[int, R | Failed]]:
        for index, item in enumerate(items):
            try:
                outcome: R | Failed = fn(shared, item)
            except Exception as exc:
                outcome = Failed(one_line(exc))
            yield index, outcome


_LOCAL: dict[str, Any] = {}


def _init_local(shared: Any, parent_pid: int) -> None:
    """Process-pool initializer: die with the parent; keep the shared value for every item."""
    from priorauth.service.orphans import die_with_parent

    die_with_parent(parent_pid)
    _LOCAL["shared"] = shared


def _call_local(fn: Callable[[Any, Any], Any], item: Any) -> Any:
    return fn(_LOCAL["shared"], item)


class LocalProcesses(Runner):
    """A pool of ``jobs`` worker processes on this machine (``forkserver``).

    ``preload``: modules the fork server imports once, so each worker starts with them loaded.
    """

    def __init__(self, jobs: int, *, preload: Iterable[str] = ()) -> None:
        self.jobs = max(1, jobs)
        self.preload = list(preload)
        self.name = f"{self.jobs} local processes"

    def map(
        self, fn: Callable[[S, T], R], shared: S, items: Iterable[T]
    ) -> Iterator[tuple[int, R | Failed]]:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, *self.preload])
        pool = ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=context,
            initializer=_init_local,
            initargs=(shared, os.getpid()),
        )
        try:
            yield from self._drain(pool, fn, enumerate(items))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _drain(
        self,
        pool: ProcessPoolExecutor,
        fn: Callable[[S, T], R],
        pending: Iterator[tuple[int, T]],
    ) -> Iterator[tuple[int, R | Failed]]:
        running: dict[Future[R], int] = {}
        broken = False
        while True:
            while not broken and len(running) < self.jobs * IN_FLIGHT_PER_WORKER:
                nxt = next(pending, None)
                if nxt is None:
                    break
                try:
                    running[pool.submit(_call_local, fn, nxt[1])] = nxt[0]
                except BrokenProcessPool:
                    broken = True
                    yield nxt[0], Failed(WORKER_DIED)
            if broken:  # no new item can start: each one left is reported, none dropped
                yield from ((index, Failed(WORKER_DIED)) for index, _item in pending)
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                index = running.pop(future)
                try:
                    yield index, future.result()
                except BrokenProcessPool:
                    broken = True
                    yield index, Failed(WORKER_DIED)
                except Exception as exc:
                    yield index, Failed(one_line(exc))


_SERIAL = threading.Lock()


def _call_dask(fn: Callable[[Any, Any], Any], shared: Any, item: Any) -> Any:
    """Runs on a Dask worker: one item at a time per process (the gc pause and the PDF stack are
    process-wide), whatever ``--nthreads`` the worker was started with."""
    with _SERIAL:
        return fn(shared, item)


def _worker_version() -> str:
    """Runs on each Dask worker: the priorauth version it would run."""
    from importlib.metadata import version

    return version("priorauth")


class DaskCluster(Runner):
    """The workers of an existing Dask distributed scheduler (``tcp://host:8786``).

    Connecting checks that the scheduler answers within ``timeout`` seconds, that at least one
    worker is there, and that every worker runs this priorauth version; each failure is a
    :class:`ClusterError` naming the address.
    """

    ships_bytes = True

    def __init__(self, address: str, *, timeout: float = 30.0) -> None:
        self.address = address
        self.name = f"Dask scheduler {address}"
        self.client: Any = _connect(address, timeout)  # Dask's API is only partly typed
        try:
            _check_workers(self.client, address, timeout)
        except BaseException:
            self.client.close()
            raise

    def workers(self) -> int:
        """Worker threads the scheduler has now (at least 1)."""
        return max(1, int(sum(self.client.nthreads().values())))

    def map(
        self, fn: Callable[[S, T], R], shared: S, items: Iterable[T]
    ) -> Iterator[tuple[int, R | Failed]]:
        [shared_future] = self.client.scatter([shared], broadcast=True, hash=False)
        limit = self.workers() * IN_FLIGHT_PER_WORKER
        pending = enumerate(items)
        running: dict[Any, tuple[int, Any]] = {}
        completed = _distributed().as_completed(loop=self.client.loop)

        def submit_next() -> bool:
            nxt = next(pending, None)
            if nxt is None:
                return False
            future = self.client.submit(_call_dask, fn, shared_future, nxt[1], pure=False)
            running[future.key] = (nxt[0], future)
            completed.add(future)
            return True

        try:
            while len(running) < limit and submit_next():
                pass
            for future in completed:
                index, _future = running.pop(future.key)
                yield index, _outcome(future)
                future.release()
                submit_next()
        finally:  # a run stopped early (an error in the caller, Ctrl-C) leaves no task behind
            if running:
                self.client.cancel([future for _index, future in running.values()])
            shared_future.release()

    def close(self) -> None:
        self.client.close()


def _outcome(future: Any) -> Any:
    """The future's result, or a Failed saying why there is none."""
    if future.status == "finished":
        try:
            return future.result()
        except Exception as exc:  # lost between completion and transfer
            return Failed(one_line(exc))
    if future.status == "error":
        error = future.exception()
        if isinstance(error, _distributed().KilledWorker):
            return Failed("the Dask workers running this chart died (KilledWorker)")
        return Failed(one_line(error))
    return Failed(f"the Dask scheduler dropped this chart (task {future.status})")


def _distributed() -> Any:
    """The ``distributed`` module (imported on first use; Dask's API is only partly typed)."""
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise ClusterError(
            "--scheduler needs Dask distributed: pip install 'priorauth[cluster]'"
        ) from None


def _connect(address: str, timeout: float) -> Any:
    client_type = _distributed().Client
    try:
        return client_type(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address}: {one_line(exc)}"
        ) from None


def _check_workers(client: Any, address: str, timeout: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise ClusterError(
            f"the Dask scheduler at {address} has no worker (waited {timeout:g}s)"
        ) from None
    mine = _worker_version()
    try:
        versions: dict[str, str] = client.run(_worker_version)
    except Exception as exc:
        raise ClusterError(
            f"the Dask workers at {address} cannot run priorauth: {one_line(exc)}"
        ) from None
    other = sorted({v for v in versions.values() if v != mine})
    if other:
        raise ClusterError(
            f"the Dask workers at {address} run priorauth {', '.join(other)}, this is {mine}"
        )


def open_runner(jobs: int, scheduler: str | None = None, *, preload: Iterable[str] = ()) -> Runner:
    """The runner the CLI options name: a Dask scheduler when given, else local processes."""
    if scheduler:
        return DaskCluster(scheduler)
    if jobs <= 1:
        return InProcess()
    return LocalProcesses(jobs, preload=preload)
