"""The executor seam: run one per-patient work function over many inputs.

An executor is any callable ``(work, items, *, jobs) -> Iterator[result]`` that applies the
picklable, top-level function ``work`` to every item and yields the results **in the order of
the items**, whatever order they finish in. ``screen`` (and the per-patient part of ``batch``)
only ever call an executor, so a cluster backend is one more entry in :data:`EXECUTORS` beside
:func:`local_map`, with no change to the work itself.

:func:`local_map` keeps at most ``jobs * WINDOW_PER_JOB`` items in flight, so the inputs (a
patient's chart bytes each) are read lazily and memory stays flat however many there are.

>>> list(local_map(abs, [-2, 1, -3], jobs=1))
[2, 1, 3]
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol, TypeVar

from priorauth.errors import PriorAuthError
from priorauth.service.orphans import die_with_parent

__all__ = ["EXECUTORS", "Executor", "get_executor", "local_map"]

T = TypeVar("T")
R = TypeVar("R")
WINDOW_PER_JOB = 4


Failed = Callable[[T, str], R]
"""``failed(item, reason)``: the result for an item whose worker died (or that a cluster lost)."""
WORKER_DIED = "a worker process died"


class Executor(Protocol):
    """Applies ``work`` to each item; yields the results in item order.

    An item whose worker died yields ``failed(item, reason)`` when ``failed`` is given (every
    item yields exactly once), else the executor raises.
    """

    def __call__(
        self,
        work: Callable[[T], R],
        items: Iterable[T],
        *,
        jobs: int,
        failed: Failed[T, R] | None = None,
    ) -> Iterator[R]: ...


def local_map(
    work: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int,
    failed: Failed[T, R] | None = None,
) -> Iterator[R]:
    """``work`` over ``items`` in this process (``jobs`` 1) or in ``jobs`` local processes.

    Worker processes come from a fork server (no threads or locks of this process are
    inherited) and die with this process. An exception raised by ``work`` is raised here. When
    a worker dies the pool is broken: with ``failed``, that item and every one left yield
    ``failed(item, "a worker process died")``; without, ``BrokenProcessPool`` is raised.
    """
    if jobs <= 1:
        yield from map(work, items)
        return
    context = multiprocessing.get_context("forkserver")
    module = getattr(getattr(work, "func", work), "__module__", None)
    if module:  # imported once in the fork server, not in every worker
        context.set_forkserver_preload([module])
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
    )
    pending: deque[tuple[T, Future[R]]] = deque()
    broken = False

    def lost(item: T, exc: BrokenProcessPool) -> R:
        nonlocal broken
        if failed is None:
            raise exc
        broken = True
        return failed(item, WORKER_DIED)

    def take() -> R:
        item, future = pending.popleft()
        try:
            return future.result()
        except BrokenProcessPool as exc:
            return lost(item, exc)

    try:
        for item in items:
            try:
                if broken:  # no item can start any more: each one left is reported
                    raise BrokenProcessPool(WORKER_DIED)
                pending.append((item, pool.submit(work, item)))
            except BrokenProcessPool as exc:
                while pending:
                    yield take()
                yield lost(item, exc)
                continue
            if len(pending) >= jobs * WINDOW_PER_JOB:
                yield take()
        while pending:
            yield take()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


EXECUTORS: dict[str, Executor] = {"local": local_map}
"""Executors by name; ``local`` is the default and needs no cluster."""


def get_executor(name: str = "local") -> Executor:
    """The executor registered as ``name``; ``PriorAuthError`` naming the known ones."""
    try:
        return EXECUTORS[name]
    except KeyError:
        known = ", ".join(sorted(EXECUTORS))
        raise PriorAuthError(f"unknown executor {name!r}; known: {known}") from None
