"""Benchmark stage 1: ``load_chart`` + the resources priorauth reads, vs whole-Bundle validation.

    python bench/bench_load.py              # Fletcher_Hyatt, Vito_Feeney (largest), Milan_Beatty
    python bench/bench_load.py --all        # every Synthea R4 bundle in ../shared/fixtures
    python bench/bench_load.py --runs 50

For each chart, both paths start from the file's bytes (already in memory):

* **priorauth**: ``load_chart(bytes)`` then ``resources()`` for Patient, Condition,
  MedicationRequest, Procedure, Encounter, Coverage, and Observation filtered (on the raw dict,
  before validation) to the depression instruments LOINC 44261-6, 55757-9, 44249-1, 89204-2;
* **whole Bundle**: ``orjson.loads`` then ``fhir.resources.R4B.bundle.Bundle.model_validate``.

Time is the median (and minimum) wall-clock time of ``--runs`` warm runs after two warm-up runs,
with a garbage collection before each run, plus the median CPU time of the process (steadier when
other work shares the machine). The two paths run interleaved, so both see the same load.

Memory comes from one more traced run of each path (tracing slows execution, so it is never
measured together with time): tracemalloc's *peak* (dominated by orjson's transient parse
buffers, hence equal for both paths) and what is still *retained* while the result (the index, or
the Bundle model) is alive. Charts come from ``../shared/fixtures/synthea_r4_smart`` (beside the
repository) when present, else from the copies in ``tests/data/fixtures/synthea_r4_smart``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from fhir.resources.R4B.bundle import Bundle

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from priorauth.fhir import ResourceIndex, load_chart  # noqa: E402
from priorauth.fhir.datatypes import codings  # noqa: E402

SHARED = ROOT.parent / "shared" / "fixtures" / "synthea_r4_smart"
COPIES = ROOT / "tests" / "data" / "fixtures" / "synthea_r4_smart"
DEFAULT_CHARTS = ("Fletcher_Hyatt", "Vito_Feeney", "Milan_Beatty")
TYPES = ("Patient", "Condition", "MedicationRequest", "Procedure", "Encounter", "Coverage")
DEPRESSION_LOINCS = frozenset({"44261-6", "55757-9", "44249-1", "89204-2"})


@dataclass(frozen=True)
class Measure:
    """Median and minimum seconds of the timed runs; tracemalloc peak and retained bytes."""

    median: float
    minimum: float
    cpu: float
    """Median CPU seconds of this process (``time.process_time``): steadier on a busy machine."""
    peak: int
    """Highest traced allocation during one run (includes orjson's transient parse buffers)."""
    retained: int
    """Still allocated after the run while its result (index or Bundle) is alive."""


def is_depression_score(raw: dict[str, Any]) -> bool:
    """Observation coded with one of the depression instruments (checked on the raw dict)."""
    return any(code in DEPRESSION_LOINCS for _system, code, _ in codings(raw.get("code")))


def load_and_touch(data: bytes) -> tuple[ResourceIndex, int]:
    """The priorauth path; returns the index and how many resources were validated."""
    index = load_chart(data)
    touched = sum(len(index.resources(name)) for name in TYPES)
    return index, touched + len(index.resources("Observation", where=is_depression_score))


def whole_bundle(data: bytes) -> tuple[Any, int]:
    """The baseline: validate the whole Bundle with the R4B models."""
    bundle = Bundle.model_validate(orjson.loads(data))
    return bundle, len(bundle.entry or ())


Run = Callable[[bytes], tuple[Any, int]]


def measure_pair(runs: int, data: bytes, *paths: Run) -> list[Measure]:
    """Time ``runs`` warm calls of each path, interleaved so that both see the same machine
    load, then trace one more call of each for memory."""
    for run in paths * 2:
        run(data)
    seconds: list[list[float]] = [[] for _ in paths]
    cpu: list[list[float]] = [[] for _ in paths]
    for _ in range(runs):
        for index, run in enumerate(paths):
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            run(data)
            seconds[index].append(time.perf_counter() - start)
            cpu[index].append(time.process_time() - start_cpu)
    return [
        Measure(statistics.median(wall), min(wall), statistics.median(used), *_memory_of(run, data))
        for run, wall, used in zip(paths, seconds, cpu, strict=True)
    ]


def _memory_of(run: Run, data: bytes) -> tuple[int, int]:
    """``(peak, retained)`` bytes of one traced call."""
    gc.collect()
    tracemalloc.start()
    result = run(data)
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak, retained


def chart_files(everything: bool) -> list[Path]:
    """The benchmark charts: shared fixtures when present, else the test copies."""
    folder = SHARED if SHARED.is_dir() else COPIES
    files = sorted(folder.glob("*.json"), key=lambda p: -p.stat().st_size)
    if everything:
        return files
    return [p for name in DEFAULT_CHARTS for p in files if p.name.startswith(name)]


def machine() -> str:
    """One line describing where the numbers were measured."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        lines = cpuinfo.read_text().splitlines()
        names = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per measurement")
    parser.add_argument("--all", action="store_true", help="every Synthea bundle, not 3")
    args = parser.parse_args()
    print(f"machine: {machine()}; {args.runs} warm runs each\n")
    print(
        "| chart | MB | entries | validated | priorauth median (min) | CPU | peak / retained "
        "| whole Bundle median (min) | CPU | peak / retained | speed-up |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for path in chart_files(args.all):
        data = path.read_bytes()
        ours, whole = measure_pair(args.runs, data, load_and_touch, whole_bundle)
        print(
            f"| {'_'.join(path.name.split('_')[:2])} | {len(data) / 1e6:.2f} "
            f"| {whole_bundle(data)[1]:,} | {load_and_touch(data)[1]:,} "
            f"| {ours.median * 1e3:.1f} ms ({ours.minimum * 1e3:.1f}) | {ours.cpu * 1e3:.1f} ms "
            f"| {_memory(ours)} "
            f"| {whole.median * 1e3:.0f} ms ({whole.minimum * 1e3:.0f}) | {whole.cpu * 1e3:.0f} ms "
            f"| {_memory(whole)} "
            f"| {whole.median / ours.median:.1f}x |"
        )


def _memory(result: Measure) -> str:
    return f"{result.peak / 1e6:.1f} / {result.retained / 1e6:.1f} MB"


if __name__ == "__main__":
    main()
