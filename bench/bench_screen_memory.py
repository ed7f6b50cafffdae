"""Benchmark: does the memory of the process that runs ``screen`` stay level through a long run?

    python bench/bench_screen_memory.py EXPORT --executor dask --patients 6000
    python bench/bench_screen_memory.py EXPORT --executor local --patients 6000

A whole run's peak RSS (bench_screen.py) is the highest of many short peaks, each set by the
charts in flight at that moment, so it creeps up with a run's length even when nothing is kept.
This script shows the level instead: it screens the first ``--patients`` patients of EXPORT
(a folder written by ``bench/make_bulk_export.py``) through the executor ``screen`` uses —
``local`` (``--jobs 1``, the work in this process) or ``dask`` (``DaskExecutor`` on a local
cluster of 2 workers started with ``CLUSTER_ENV``, the work on the workers) — and after every
``--every`` results prints this process's RSS then and its highest RSS during that block
(sampled every 50 ms). Memory is flat when neither column trends up from block to block.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_screen import AS_OF, dask_cluster

from priorauth.fhir.bulk import BulkExport, PatientChart
from priorauth.population import screen_patient
from priorauth.service.executor import local_map


class BlockPeak:
    """This process's highest RSS since the last :meth:`take`, sampled in a thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self.process = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(self.interval)

    def take(self) -> tuple[int, int]:
        """(RSS now, the block's peak) in bytes; starts a new block."""
        now = self.process.memory_info().rss
        peak, self.peak = max(self.peak, now), 0
        return now, peak

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("export", type=Path)
    parser.add_argument("--executor", choices=("local", "dask"), default="dask")
    parser.add_argument("--patients", type=int, default=6000)
    parser.add_argument("--every", type=int, default=1000)
    args = parser.parse_args()

    work = functools.partial(screen_patient, as_of=AS_OF, rules_dir=None)

    def charts() -> Iterator[PatientChart]:
        for number, chart in enumerate(BulkExport(args.export).charts()):
            if number >= args.patients:
                return
            yield chart

    folder = Path(tempfile.mkdtemp(prefix="bench-screen-memory-"))
    cluster: AbstractContextManager[tuple[str, list[int]]] = (
        dask_cluster(folder) if args.executor == "dask" else nullcontext(("", []))
    )
    print(f"# {platform.platform()}, Python {platform.python_version()}")
    print(f"# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {args.export}; {args.executor}")
    print("| patients | s | RSS MB at the end of the block | peak RSS MB in the block |")
    print("|---:|---:|---:|---:|")
    with cluster as (address, _pids):
        if args.executor == "dask":
            from priorauth.service.cluster import DaskExecutor

            executor: AbstractContextManager[object] = DaskExecutor(address)
        else:
            executor = nullcontext(local_map)
        with executor as run:
            sampler = BlockPeak()
            started = time.perf_counter()
            done = 0
            for _row in run(work, charts(), jobs=1):  # type: ignore[operator]
                done += 1
                if done % args.every == 0:
                    now, peak = sampler.take()
                    seconds = time.perf_counter() - started
                    print(f"| {done:,} | {seconds:.0f} | {now >> 20} | {peak >> 20} |", flush=True)
            sampler.stop()


if __name__ == "__main__":
    main()
