"""The Dask distributed backend of the executor seam: per-patient work on an existing cluster.

``batch`` and ``screen`` map one picklable function over their charts through an executor
(:mod:`priorauth.service.executor`): local processes by default, needing no cluster and not
importing Dask. :class:`DaskExecutor` is the other one: pointed at a running Dask scheduler
(``--scheduler tcp://host:8786`` or ``PRIORAUTH_DASK_SCHEDULER``), it submits each item as a task
to the scheduler's workers and yields the results **in item order**, like ``local_map``, so a run
gives the same rows in the same order wherever the work ran; an exception ``work`` raises is
raised here, as ``local_map`` raises it. At most a few items per worker are in
flight, so the client reads its input (and holds results) only that far ahead, however long the
input is. An item whose worker died (Dask's ``KilledWorker``) or that the scheduler lost yields
``failed(item, reason)``: reported per item, never dropped.

Workers need priorauth installed, the same version (checked on connecting), and read nothing
from the client's disk: items carry the chart's bytes (``ships_bytes``); results come back to the
client, which writes every output, the manifest and the audit rows. Each worker process runs one
item at a time whatever its ``--nthreads`` (the garbage-collector pause and the PDF stack are
process-wide): start workers with ``--nthreads 1`` and as many processes as cores.

Memory stays flat on the cluster only with two of Dask's debugging aids turned down: each
worker's statistical profiler (``distributed.worker.profile.enabled``) keeps up to 1,000 one-second
profiles of priorauth's deep call stacks, and every connection keeps its last
``distributed.admin.low-level-log-length`` (1,000) messages, here charts. Measured
(bench/README.md): with Dask's defaults a worker grew 130 → 275 MB from 1,000 to 20,000
patients. The client sets the second for its own connection; the scheduler and workers are
started by whoever runs the cluster, so connecting reads their settings and :attr:`notes` says
which differ from :data:`CLUSTER_ENV` (docs/cluster.md).

Why Dask distributed rather than Ray: it is pure Python and installs from PyPI with pip
(``pip install 'priorauth[cluster]'``: ``dask`` and ``distributed``, pinned) on any machine the
rest of priorauth runs on; a cluster is one ``dask scheduler`` plus ``dask worker`` processes (or
a ``LocalCluster`` in a test), and there are no platform binaries to match (Ray runs its GCS
server and raylet as native executables built per platform and Python version).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import importlib
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from types import TracebackType
from typing import Any, Self, TypeVar

from priorauth.errors import PriorAuthError
from priorauth.service.executor import Failed

__all__ = [
    "CLUSTER_ENV",
    "CLUSTER_SETTINGS",
    "SCHEDULER_ENV",
    "ClusterError",
    "DaskExecutor",
    "settings_notes",
    "trim_heap",
]

T = TypeVar("T")
R = TypeVar("R")

SCHEDULER_ENV = "PRIORAUTH_DASK_SCHEDULER"
"""The environment variable the CLI reads for ``--scheduler``."""
LOG_LENGTH = 32
"""Messages each Dask connection keeps for debugging: Dask keeps 1,000, here charts."""
CLUSTER_SETTINGS: dict[str, object] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.low-level-log-length": LOG_LENGTH,
}
"""The Dask settings the scheduler and workers should run with (docs/cluster.md)."""
CLUSTER_ENV = {
    "DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value)
    for key, value in CLUSTER_SETTINGS.items()
}
""":data:`CLUSTER_SETTINGS` as the environment to start the scheduler and workers with."""
TRIM_EVERY = 500
"""Results between two hand-backs of the client's freed C heap to the OS (:func:`trim_heap`)."""
IN_FLIGHT_PER_WORKER = 4
"""Items submitted ahead per worker thread: enough to keep workers busy, few enough to keep the
client's memory flat."""


class ClusterError(PriorAuthError):
    """The Dask scheduler cannot be reached or used (no worker, another priorauth version...)."""


class DaskExecutor:
    """An executor (``(work, items, *, jobs, failed) -> results in order``) on the workers of
    the Dask scheduler at ``address``; a context manager holding the client connection.

    Connecting checks within ``timeout`` seconds that the scheduler answers, that a worker is
    there and that every worker runs this priorauth version; each failure is a
    :class:`ClusterError` naming the address. Settings of the cluster's processes that make
    their memory grow with the run are not failures: :attr:`notes` names them.
    """

    ships_bytes = True
    """Workers cannot read this machine's files: items must carry the chart's bytes."""

    def __init__(
        self, address: str, *, timeout: float = 10.0, trim_every: int = TRIM_EVERY
    ) -> None:
        self.address = address
        self.trim_every = trim_every
        self.client: Any = _connect(address, timeout)  # Dask's API is only partly typed
        try:
            _check_workers(self.client, address, timeout)
            self.notes: tuple[str, ...] = _setting_notes(self.client, address)
        except BaseException:
            self.client.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection to the scheduler (the cluster keeps running)."""
        self.client.close()

    def workers(self) -> int:
        """Worker threads the scheduler has now (at least 1)."""
        return max(1, int(sum(self.client.nthreads().values())))

    def __call__(
        self,
        work: Callable[[T], R],
        items: Iterable[T],
        *,
        jobs: int = 1,
        failed: Failed[T, R] | None = None,
    ) -> Iterator[R]:
        """``work`` over ``items`` on the cluster (``jobs`` is unused: the cluster's size
        decides), results in item order."""
        window = self.workers() * IN_FLIGHT_PER_WORKER
        pending: deque[tuple[T, Any]] = deque()
        done = 0

        def next_outcome() -> R:
            nonlocal done
            done += 1
            if done % self.trim_every == 0:
                trim_heap()
            return _outcome(*pending.popleft(), failed)

        try:
            for item in items:
                future = self.client.submit(_serially, work, item, pure=False)
                pending.append((item, future))
                if len(pending) >= window:
                    yield next_outcome()
            while pending:
                yield next_outcome()
        finally:  # a run stopped early (an error here, Ctrl-C) leaves no task behind
            if pending:
                self.client.cancel([future for _item, future in pending])


def trim_heap() -> bool:
    """Hand the C heap's freed pages back to the OS (glibc's ``malloc_trim(0)``); False where
    the C library has no such call.

    The Dask client's I/O thread passes every chart's bytes through a malloc arena of its own,
    which glibc does not shrink by itself: in a probe on 5,000 patients each trim took the
    client's RSS from 133-144 MB back to 94-108 MB (bench/README.md). Dask's nanny does the
    same for its workers with ``MALLOC_TRIM_THRESHOLD_``, which only works when set before a
    process starts.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    trim: Callable[[int], int] | None = getattr(libc, "malloc_trim", None)
    return trim


_ONE_AT_A_TIME = threading.Lock()


def _serially(work: Callable[[Any], Any], item: Any) -> Any:
    """Runs on a worker: one item at a time per process, whatever ``--nthreads`` it has."""
    with _ONE_AT_A_TIME:
        return work(item)


def _outcome(item: T, future: Any, failed: Failed[T, R] | None) -> R:
    """The future's result; for a lost item ``failed(item, reason)``, or ClusterError."""
    distributed = _distributed()
    try:
        result: R = future.result()
        return result
    except distributed.KilledWorker:
        reason = "the Dask worker processing it died (KilledWorker)"
    except CancelledError:
        reason = "the Dask scheduler lost it (cancelled)"
    except Exception as exc:
        if future.status == "error":
            raise  # the work's own exception, raised here as local_map raises it
        reason = f"its result was lost with its Dask worker ({_first_line(exc)})"
    if failed is None:
        raise ClusterError(reason)
    return failed(item, reason)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _worker_version() -> str:
    """Runs on each worker: the priorauth version it would run."""
    from importlib.metadata import version

    return version("priorauth")


def _distributed() -> Any:
    """The ``distributed`` module (imported on first use)."""
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise ClusterError(
            "--scheduler needs Dask distributed: pip install 'priorauth[cluster]'"
        ) from None


def _connect(address: str, timeout: float) -> Any:
    """A client whose connection keeps only the last few messages it sent (Dask keeps 1,000 by
    default, each here a chart: its memory would grow with the export)."""
    client_type = _distributed().Client
    dask_config = importlib.import_module("dask.config")
    try:
        with dask_config.set({"distributed.admin.low-level-log-length": LOG_LENGTH}):
            return client_type(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address}: {_first_line(exc)}"
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
            f"the Dask workers at {address} cannot run priorauth: {_first_line(exc)}"
        ) from None
    other = sorted({v for v in versions.values() if v != mine})
    if other:
        raise ClusterError(
            f"the Dask workers at {address} run priorauth {', '.join(other)}, this is {mine}"
        )


def _settings() -> dict[str, object]:
    """Runs on the scheduler and each worker: its values of :data:`CLUSTER_SETTINGS`."""
    import dask.config

    return {key: dask.config.get(key, default=None) for key in CLUSTER_SETTINGS}


def _setting_notes(client: Any, address: str) -> tuple[str, ...]:
    """One line per cluster setting that differs from :data:`CLUSTER_SETTINGS`, naming where."""
    try:
        found: dict[str, dict[str, object]] = dict(client.run(_settings))
        found["scheduler"] = client.run_on_scheduler(_settings)
    except Exception as exc:
        return (f"cannot read the settings of the Dask cluster at {address}: {_first_line(exc)}",)
    return settings_notes(found, address)


def settings_notes(found: dict[str, dict[str, object]], address: str) -> tuple[str, ...]:
    """The notes for the settings ``found`` per process (worker address or ``scheduler``)."""
    notes: list[str] = []
    profiling = sorted(
        name
        for name, values in found.items()
        if name != "scheduler" and values.get("distributed.worker.profile.enabled") is not False
    )
    if profiling:
        notes.append(
            f"{_processes(profiling)} at {address} {_verb(profiling, 'run')} Dask's statistical "
            "profiler: each keeps up to 1,000 s of profiles (memory grows through a long run, "
            "CPU per chart rises); start them with DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED="
            "False (docs/cluster.md)"
        )
    logging = sorted(name for name, values in found.items() if not _at_most(values, LOG_LENGTH))
    if logging:
        notes.append(
            f"{_processes(logging)} at {address} {_verb(logging, 'keep')} a log of each "
            f"connection's recent messages ({_log_lengths(found, logging)}; the charts submitted "
            "among them): memory grows through a run; start the scheduler and workers with "
            f"DASK_DISTRIBUTED__ADMIN__LOW_LEVEL_LOG_LENGTH={LOG_LENGTH} (docs/cluster.md)"
        )
    return tuple(notes)


def _processes(names: list[str]) -> str:
    """``the scheduler and 2 Dask workers``: the processes ``names`` are, counted."""
    workers = len([name for name in names if name != "scheduler"])
    parts = ["the Dask scheduler"] if "scheduler" in names else []
    if workers:
        parts.append(f"{workers} Dask worker{'s' if workers > 1 else ''}")
    return " and ".join(parts)


def _verb(names: list[str], verb: str) -> str:
    return verb if len(names) > 1 else f"{verb}s"


def _at_most(values: dict[str, object], wanted: int) -> bool:
    length = values.get("distributed.admin.low-level-log-length")
    return isinstance(length, int) and length <= wanted


def _log_lengths(found: dict[str, dict[str, object]], names: list[str]) -> str:
    lengths = {found[name].get("distributed.admin.low-level-log-length") for name in names}
    shown = sorted(
        "without a limit" if n is None else f"up to {n:,}" if isinstance(n, int) else str(n)
        for n in lengths
    )
    return " or ".join(shown)
