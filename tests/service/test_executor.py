"""The executor seam: results in item order, locally in one process or several."""

from __future__ import annotations

import functools
import operator
import os
import time

import pytest

from priorauth.errors import PriorAuthError
from priorauth.service.executor import EXECUTORS, WORKER_DIED, get_executor, local_map


def slow_square(n: int) -> tuple[int, int]:
    """Later items finish first, so an executor that yields in finishing order fails."""
    time.sleep(0.02 * (5 - n % 5))
    return n * n, os.getpid()


def fails_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n


@pytest.mark.parametrize("jobs", [1, 2])
def test_local_map_yields_in_item_order(jobs):
    results = list(local_map(slow_square, range(12), jobs=jobs))
    assert [square for square, _pid in results] == [n * n for n in range(12)]
    pids = {pid for _square, pid in results}
    assert (pids == {os.getpid()}) if jobs == 1 else (os.getpid() not in pids)


def test_local_map_reads_its_items_lazily():
    consumed = []

    def items():
        for n in range(100):
            consumed.append(n)
            yield n

    results = local_map(slow_square, items(), jobs=2)
    next(results)
    assert len(consumed) <= 2 * 4 + 1  # a window of jobs * 4 in flight, not all 100
    results.close()


def test_an_error_in_the_work_is_raised_to_the_caller():
    with pytest.raises(ValueError, match="three"):
        list(local_map(fails_on_three, range(6), jobs=2))


def test_executors_by_name():
    assert get_executor() is local_map
    assert EXECUTORS["local"] is local_map
    with pytest.raises(PriorAuthError, match="unknown executor 'ray'; known: local"):
        get_executor("ray")


def test_workers_that_die_fail_their_item_and_every_one_left():
    work = functools.partial(operator.call, os._exit)  # each item calls os._exit(3)
    results = list(local_map(work, [3] * 12, jobs=2, failed=lambda n, why: (n, why)))
    assert results == [(3, WORKER_DIED)] * 12  # every item once, in order, none dropped
