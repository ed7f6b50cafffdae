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

Why Dask distributed rather than Ray: it is pure Python and installs from PyPI with pip
(``pip install 'priorauth[cluster]'``: ``dask`` and ``distributed``, pinned) on any machine the
rest of priorauth runs on; a cluster is one ``dask scheduler`` plus ``dask worker`` processes (or
a ``LocalCluster`` in a test), and there are no platform binaries to match (Ray runs its GCS
server and raylet as native executables built per platform and Python version).
"""

from __future__ import annotations

import importlib
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from types import TracebackType
from typing import Any, Self, TypeVar

from priorauth.errors import PriorAuthError
from priorauth.service.executor import Failed

__all__ = ["SCHEDULER_ENV", "ClusterError", "DaskExecutor"]

T = TypeVar("T")
R = TypeVar("R")

SCHEDULER_ENV = "PRIORAUTH_DASK_SCHEDULER"
"""The environment variable the CLI reads for ``--scheduler``."""
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
    :class:`ClusterError` naming the address.
    """

    ships_bytes = True
    """Workers cannot read this machine's files: items must carry the chart's bytes."""

    def __init__(self, address: str, *, timeout: float = 10.0) -> None:
        self.address = address
        self.client: Any = _connect(address, timeout)  # Dask's API is only partly typed
        try:
            _check_workers(self.client, address, timeout)
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
        try:
            for item in items:
                future = self.client.submit(_serially, work, item, pure=False)
                pending.append((item, future))
                if len(pending) >= window:
                    yield _outcome(*pending.popleft(), failed)
            while pending:
                yield _outcome(*pending.popleft(), failed)
        finally:  # a run stopped early (an error here, Ctrl-C) leaves no task behind
            if pending:
                self.client.cancel([future for _item, future in pending])


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
    client_type = _distributed().Client
    try:
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
