"""Benchmark: load + extract (``chart_facts(bytes)``) vs validating the whole Bundle.

    python bench/bench_extract.py                 # every Synthea chart, 20 runs
    python bench/bench_extract.py --runs 30
    python bench/bench_extract.py --charts Milan_Beatty Donnell_Torphy
    python bench/bench_extract.py --no-memory     # skip the tracemalloc runs
    python bench/bench_extract.py --stages Darron_Feeney   # where the time of one chart goes

For each chart, both paths start from the file's bytes (already in memory), in one warm process:

* **ours**: ``priorauth.pipeline.chart_facts(bytes, as_of=2026-11-25)``, i.e. ``load_chart``
  then ``extract_facts`` with the collector paused across both (how the CLI and the HTTP
  service read a chart): the whole PatientRecord (trials, scores, therapies, safety, providers,
  coverages...);
* **whole Bundle**: ``orjson.loads`` then ``fhir.resources.R4B.bundle.Bundle.model_validate``;
* **orjson.loads** alone, the floor both paths share (parsing the bytes into dicts).

Each run times every chart with the three paths back to back, each leading in turn from run to
run, so machine noise hits all alike. Reported: CPU time (``time.process_time``, steadier
on a shared machine) and wall time, median and minimum of ``--runs`` runs after two warm-up runs,
with a garbage collection before each timed call. The timing includes freeing the result and a
young-generation collection after it, so the work ``chart_facts`` defers by pausing the
collector (``priorauth.gcpause``) is counted too. Memory (tracemalloc) comes from one more,
separate run of each path, since tracing slows execution: the *peak* during the run and what is
*retained* while the result is alive (the PatientRecord alone, since the index is freed inside
``chart_facts``; the whole Bundle model). Charts come from
``/work/shared/fixtures/synthea_r4_smart`` (all 12) when present, else from the copies in
``tests/data/fixtures/synthea_r4_smart``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from fhir.resources.R4B.bundle import Bundle

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from priorauth.pipeline import chart_facts  # noqa: E402

SHARED = Path("/work/shared/fixtures/synthea_r4_smart")
COPIES = ROOT / "tests" / "data" / "fixtures" / "synthea_r4_smart"
AS_OF = dt.date(2026, 11, 25)

Run = Callable[[bytes], Any]


def ours(data: bytes) -> Any:
    return chart_facts(data, as_of=AS_OF)


def whole_bundle(data: bytes) -> Any:
    return Bundle.model_validate(orjson.loads(data))


def parse_only(data: bytes) -> Any:
    return orjson.loads(data)


def _timed(run: Run, data: bytes) -> tuple[float, float]:
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    run(data)  # the result is freed here, inside the timing
    gc.collect(0)  # and so is the young-generation pass a paused collector defers
    return time.process_time() - start_cpu, time.perf_counter() - start


def _peak(run: Run, data: bytes) -> tuple[int, int]:
    """tracemalloc (peak, retained while the result is alive) of one run, in bytes."""
    gc.collect()
    tracemalloc.start()
    try:
        result = run(data)
        gc.collect()
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak, retained


def stages(data: bytes, runs: int) -> None:
    """Print where ``chart_facts`` spends its time on one chart: median (min) CPU ms per stage.

    The stages are timed back to back inside one collector pause, as ``chart_facts`` runs them;
    *free* is dropping the index and the record; *R4B validation* is the part of *extract* spent
    in ``fhir.resources`` model validation of the resources the record cites.
    """
    from priorauth.facts import extract_facts
    from priorauth.fhir import store as store_module
    from priorauth.fhir.entries import collect
    from priorauth.fhir.index import build_index
    from priorauth.fhir.reader import read_source
    from priorauth.fhir.store import Store
    from priorauth.gcpause import gc_paused

    validate = store_module.validate
    spent = [0.0]

    def timed_validate(raw: dict[str, Any], resource_type: str) -> Any:
        start = time.process_time()
        try:
            return validate(raw, resource_type)
        finally:
            spent[0] += time.process_time() - start

    names = ("parse", "collect", "index", "extract", "R4B validation", "free", "total")
    times: dict[str, list[float]] = {name: [] for name in names}
    store_module.validate = timed_validate  # type: ignore[assignment]
    try:
        for i in range(runs + 2):
            gc.collect()
            spent[0] = 0.0
            with gc_paused():
                t0 = time.process_time()
                chart = read_source(data, source_name=None, max_bytes=len(data))
                t1 = time.process_time()
                collected = collect(chart, strict=False)
                t2 = time.process_time()
                index = build_index(Store(collected.entries, source="x", strict=False), [])
                t3 = time.process_time()
                record = extract_facts(index, as_of=AS_OF)
                t4 = time.process_time()
                del chart, collected, index, record
                t5 = time.process_time()
            if i >= 2:  # two warm-up runs
                laps = (t1 - t0, t2 - t1, t3 - t2, t4 - t3, spent[0], t5 - t4, t5 - t0)
                for name, lap in zip(names, laps, strict=True):
                    times[name].append(lap)
    finally:
        store_module.validate = validate
    for name in names:
        print(f"  {name:<15} {_ms(times[name])}")


def chart_files(names: list[str] | None) -> list[Path]:
    folder = SHARED if SHARED.is_dir() else COPIES
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_size)
    if names:
        files = [f for f in files if any(f.name.startswith(n) for n in names)]
    return files


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
        f"load average {load}"
    )


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ({min(values) * 1000:6.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--charts", nargs="*", help="chart name prefixes (default: all)")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--stages", metavar="CHART", help="time the stages of one chart instead")
    args = parser.parse_args()
    if args.stages:
        [path] = chart_files([args.stages])[:1]
        print(f"machine: {machine()}\n{path.name[:40]}: CPU ms, median (min) of {args.runs} runs")
        stages(path.read_bytes(), args.runs)
        return
    files = chart_files(args.charts)
    data = {f: f.read_bytes() for f in files}
    paths: dict[str, Run] = {"ours": ours, "bundle": whole_bundle, "parse": parse_only}
    print(f"machine: {machine()}")
    for f in files:  # warm-up: imports, caches, lazily built terminology tables
        for run in paths.values():
            run(data[f])
            run(data[f])
    cpu: dict[tuple[Path, str], list[float]] = {(f, p): [] for f in files for p in paths}
    wall: dict[tuple[Path, str], list[float]] = {(f, p): [] for f in files for p in paths}
    for i in range(args.runs):
        order = list(paths)[i % 3 :] + list(paths)[: i % 3]  # each path leads in turn
        for f in files:
            for name in order:
                c, w = _timed(paths[name], data[f])
                cpu[f, name].append(c)
                wall[f, name].append(w)
    peaks: dict[tuple[Path, str], tuple[int, int]] = {}
    if not args.no_memory:
        for f in files:
            for name in ("ours", "bundle"):
                peaks[f, name] = _peak(paths[name], data[f])
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{args.runs} runs; ms as median (min)\n")
    print(
        f"{'chart':<18} {'MB':>5} | {'ours CPU':>16} {'ours wall':>16} | "
        f"{'Bundle CPU':>16} {'Bundle wall':>16} | {'CPU speed-up':>12} | "
        f"{'orjson.loads CPU':>16} | {'MB peak ours/Bundle, retained':>29}"
    )
    for f in files:
        name = "_".join(f.name.split("_")[:2])
        mb = len(data[f]) / 1e6
        speed = statistics.median(cpu[f, "bundle"]) / statistics.median(cpu[f, "ours"])
        memory = (
            f"{peaks[f, 'ours'][0] / 1e6:5.1f} / {peaks[f, 'bundle'][0] / 1e6:5.1f}   "
            f"{peaks[f, 'ours'][1] / 1e6:5.1f} / {peaks[f, 'bundle'][1] / 1e6:5.1f}"
            if peaks
            else ""
        )
        print(
            f"{name:<18} {mb:5.2f} | {_ms(cpu[f, 'ours'])} {_ms(wall[f, 'ours'])} | "
            f"{_ms(cpu[f, 'bundle'])} {_ms(wall[f, 'bundle'])} | {speed:11.1f}x | "
            f"{_ms(cpu[f, 'parse'])} | {memory:>29}"
        )


if __name__ == "__main__":
    main()
