"""The runners: the same outcomes in the same order in this process, in local worker processes
and on a real Dask cluster (``dask scheduler`` + two ``dask worker`` processes); a failing item
and a worker that dies are reported per item, and a long input is never read far ahead."""

from __future__ import annotations

import operator
import os
import sys

import cloudpickle
import pytest
from distributed import Client

from priorauth.service.cluster import (
    IN_FLIGHT_PER_WORKER,
    WORKER_DIED,
    ClusterError,
    DaskCluster,
    Failed,
    InProcess,
    LocalProcesses,
    in_order,
)

from .conftest import free_port

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import tests/

ITEMS = [1, 2, 0, 3, 4, 6, 12, 5]
EXPECTED = [12.0, 6.0, Failed("ZeroDivisionError: division by zero"), 4.0, 3.0, 2.0, 1.0, 2.4]


def _die_on_zero(shared: int, item: int) -> float:
    if item == 0:
        os._exit(3)  # the worker process dies, as one killed by the OOM killer would
    return shared / item


def test_every_runner_gives_the_same_outcomes_in_input_order(dask_scheduler):
    runners = [InProcess(), LocalProcesses(2), DaskCluster(dask_scheduler.address)]
    for runner in runners:
        with runner:
            outcomes = list(runner.map(operator.truediv, 12, ITEMS))
        assert sorted(index for index, _ in outcomes) == list(range(len(ITEMS))), runner.name
        assert in_order(outcomes) == EXPECTED, runner.name


def test_dask_runner_reads_the_input_a_few_items_ahead(dask_scheduler):
    pulled = []

    def items():
        for number in range(1, 101):
            pulled.append(number)
            yield number

    with DaskCluster(dask_scheduler.address) as runner:
        outcomes = runner.map(operator.truediv, 100, items())
        first = next(outcomes)
        ahead = len(pulled)
        rest = list(outcomes)
    assert ahead <= dask_scheduler.workers * IN_FLIGHT_PER_WORKER + 1
    assert in_order([first, *rest]) == [100 / n for n in range(1, 101)]


def test_a_dask_worker_that_dies_is_reported_per_item(dask_scheduler):
    # What a dead worker held dies with it: its own item, and items queued on it or whose results
    # it had not handed over yet. The fixture's scheduler retries none of them (allowed-failures
    # 0; Dask's default 3 recomputes those), so each is a Failed naming the death, never a
    # missing or a wrong row.
    with DaskCluster(dask_scheduler.address) as runner:
        outcomes = list(runner.map(_die_on_zero, 12, ITEMS))
    assert sorted(index for index, _ in outcomes) == list(range(len(ITEMS)))
    ordered = in_order(outcomes)
    killed = ordered[ITEMS.index(0)]
    assert isinstance(killed, Failed)
    assert "died" in killed.error
    for outcome, item in zip(ordered, ITEMS, strict=True):
        assert outcome == 12 / item if not isinstance(outcome, Failed) else "died" in outcome.error
    assert any(not isinstance(o, Failed) for o in ordered)  # the run went on
    with Client(dask_scheduler.address, set_as_default=False) as client:
        client.wait_for_workers(dask_scheduler.workers, timeout=60)  # the nanny restarted it


def test_local_workers_that_die_fail_every_item_left():
    with LocalProcesses(2) as runner:  # each item calls os._exit(3) in its worker
        outcomes = list(runner.map(operator.call, os._exit, [3] * 12))
    assert sorted(index for index, _ in outcomes) == list(range(12))
    assert {outcome for _, outcome in outcomes} == {Failed(WORKER_DIED)}


def test_an_unreachable_scheduler_is_one_clear_error():
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(ClusterError, match=f"cannot reach the Dask scheduler at {address}"):
        DaskCluster(address, timeout=2)
