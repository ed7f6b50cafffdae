"""The Dask executor on a real cluster (``dask scheduler`` + two ``dask worker`` processes):
the same results in the same order as the local executor, for a toy function, for ``screen``
(library and CLI) and for ``batch`` (tests/service/test_batch.py); a worker that dies is
reported per item, never dropped; the input is read only a few items ahead."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import os
import platform
import sys

import cloudpickle
import dask.config
import pytest
from click.testing import CliRunner
from distributed import Client

from priorauth.cli import cli
from priorauth.fhir.bulk import BulkExport
from priorauth.service.cluster import (
    CLUSTER_ENV,
    CLUSTER_SETTINGS,
    IN_FLIGHT_PER_WORKER,
    LOG_LENGTH,
    ClusterError,
    DaskExecutor,
    settings_notes,
    trim_heap,
)
from priorauth.service.executor import local_map
from priorauth.service.screen import run_screen

from .conftest import free_port

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import tests/

AS_OF = dt.date(2026, 11, 25)
ITEMS = [1, 2, 3, 4, 6, 12, 5, 8, 24, 10]


def _die_on_zero(dividend: int, item: int) -> float:
    if item == 0:
        os._exit(3)  # the worker process dies, as one killed by the OOM killer would
    return dividend / item


def _lost(item: int, reason: str) -> tuple[str, int, str]:
    return ("lost", item, reason)


def test_dask_gives_the_local_results_in_item_order(dask_scheduler):
    work = functools.partial(operator.truediv, 120)
    local = list(local_map(work, ITEMS, jobs=2))
    with DaskExecutor(dask_scheduler.address) as executor:
        assert list(executor(work, ITEMS, jobs=1)) == local == [120 / i for i in ITEMS]
        with pytest.raises(ZeroDivisionError):  # the work's own error is raised, as locally
            list(executor(work, [*ITEMS, 0], jobs=1))


def test_dask_reads_the_input_a_few_items_ahead(dask_scheduler):
    pulled = []

    def items():
        for number in range(1, 101):
            pulled.append(number)
            yield number

    with DaskExecutor(dask_scheduler.address) as executor:
        results = executor(functools.partial(operator.truediv, 100), items(), jobs=1)
        first = next(results)
        ahead = len(pulled)
        rest = list(results)
    assert ahead <= dask_scheduler.workers * IN_FLIGHT_PER_WORKER
    assert [first, *rest] == [100 / n for n in range(1, 101)]


def test_a_dask_worker_that_dies_is_reported_per_item(dask_scheduler):
    # What a dead worker held dies with it: its own item, and items queued on it or whose results
    # it had not handed over yet. The fixture's scheduler retries none (allowed-failures 0; Dask's
    # default 3 recomputes them), so each is failed(item, reason): never missing, never wrong.
    items = [*ITEMS[:3], 0, *ITEMS[3:]]
    with DaskExecutor(dask_scheduler.address) as executor:
        results = list(executor(functools.partial(_die_on_zero, 120), items, failed=_lost))
    assert len(results) == len(items)
    assert results[3][:2] == ("lost", 0)
    assert "died" in results[3][2]
    for result, item in zip(results, items, strict=True):
        if isinstance(result, tuple):
            assert result[:2] == ("lost", item)
            assert "died" in result[2]
        else:
            assert result == 120 / item
    assert any(not isinstance(result, tuple) for result in results)  # the run went on
    with Client(dask_scheduler.address, set_as_default=False) as client:
        client.wait_for_workers(dask_scheduler.workers, timeout=60)  # the nanny restarted it


def test_an_unreachable_scheduler_is_one_clear_error():
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(ClusterError, match=f"cannot reach the Dask scheduler at {address}"):
        DaskExecutor(address, timeout=2)


def test_screen_on_dask_equals_the_local_run(mixed_export, tmp_path, dask_scheduler):
    """The 20-patient mixed export: the same candidates file and counts, screened locally in
    one process and on the cluster through the CLI (scheduler from the environment)."""
    local = run_screen(BulkExport(mixed_export), tmp_path / "local.csv", as_of=AS_OF, jobs=1)
    assert local.rows
    args = ["screen", str(mixed_export), "-o", str(tmp_path / "dask.csv")]
    env = {"PRIORAUTH_DASK_SCHEDULER": dask_scheduler.address}
    result = CliRunner().invoke(cli, [*args, "--as-of", AS_OF.isoformat()], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    summary = "{}.summary.json"
    assert (tmp_path / summary.format("dask.csv")).read_bytes() == (
        tmp_path / summary.format("local.csv")
    ).read_bytes()
    assert local.describe(tmp_path / "dask.csv") in result.output
    assert "note:" not in result.output  # the fixture cluster runs with CLUSTER_ENV


def test_the_documented_cluster_env_gives_the_settings_that_keep_memory_flat():
    # What docs/cluster.md tells an operator to export, read the way Dask reads its environment.
    config = dask.config.collect_env(CLUSTER_ENV)
    assert CLUSTER_SETTINGS == {
        key: dask.config.get(key, config=config) for key in CLUSTER_SETTINGS
    }
    assert CLUSTER_SETTINGS["distributed.worker.profile.enabled"] is False
    assert CLUSTER_SETTINGS["distributed.admin.low-level-log-length"] == LOG_LENGTH < 1000


def test_a_cluster_started_as_documented_has_nothing_to_note(dask_scheduler):
    with DaskExecutor(dask_scheduler.address) as executor:
        assert executor.notes == ()
        # The client's own connection keeps only the last few charts it sent, not Dask's 1,000.
        assert executor.client.scheduler_comm.recent_message_log.maxlen == LOG_LENGTH


def test_dask_defaults_are_noted_with_the_setting_that_fixes_each():
    defaults = {key: dask.config.get(key) for key in CLUSTER_SETTINGS}  # distributed.yaml's
    assert defaults == {
        "distributed.worker.profile.enabled": True,
        "distributed.admin.low-level-log-length": 1000,
    }
    found = {"tcp://10.0.0.5:4001": defaults, "tcp://10.0.0.6:4001": defaults}
    found["scheduler"] = defaults
    profiler, logs = settings_notes(found, "tcp://dask-head:8786")
    assert profiler.startswith("2 Dask workers at tcp://dask-head:8786 run Dask's statistical")
    assert "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False" in profiler
    assert logs.startswith("the Dask scheduler and 2 Dask workers at tcp://dask-head:8786 keep")
    assert "(up to 1,000; the charts submitted among them)" in logs
    assert f"DASK_DISTRIBUTED__ADMIN__LOW_LEVEL_LOG_LENGTH={LOG_LENGTH}" in logs
    found = {"tcp://10.0.0.5:4001": dict(CLUSTER_SETTINGS), "scheduler": {}}
    assert settings_notes(found, "tcp://h:1") == (
        "the Dask scheduler at tcp://h:1 keeps a log of each connection's recent messages "
        "(without a limit; the charts submitted among them): memory grows through a run; start "
        f"the scheduler and workers with DASK_DISTRIBUTED__ADMIN__LOW_LEVEL_LOG_LENGTH={LOG_LENGTH}"
        " (docs/cluster.md)",
    )


def test_the_client_hands_freed_heap_back_every_few_results(dask_scheduler, monkeypatch):
    # The Dask client's I/O thread leaves each chart's freed bytes in its own malloc arena: the
    # executor trims it every ``trim_every`` results (bench/README.md measured why).
    assert trim_heap() is (platform.libc_ver()[0] == "glibc")
    trims = []
    monkeypatch.setattr("priorauth.service.cluster.trim_heap", lambda: trims.append(1) or True)
    work = functools.partial(operator.truediv, 120)
    with DaskExecutor(dask_scheduler.address, trim_every=3) as executor:
        assert list(executor(work, ITEMS, jobs=1)) == [120 / i for i in ITEMS]
    assert len(trims) == len(ITEMS) // 3
