"""Benchmark: ``priorauth screen`` on scaled-up bulk exports, locally and on a local Dask cluster.

    python bench/bench_screen.py --sizes 1000,10000
    python bench/bench_screen.py --sizes 1000 --modes j1,j2,dask --reference 100 --keep /tmp/exp

For each ``--sizes`` N, ``bench/make_bulk_export.py --patients N`` writes an export (kept in
``--keep`` to be reused, else in a temporary folder), then ``python -m priorauth screen`` runs on
it as a subprocess, one fresh output per mode:

* ``j1``: ``--jobs 1`` (one process), ``j2``: ``--jobs 2`` (two local worker processes),
* ``dask``: ``--scheduler ADDRESS`` on a cluster this script starts: ``dask scheduler`` and
  ``dask worker --nworkers 2 --nthreads 1`` on this machine, a fresh one for each size, with the
  settings docs/cluster.md gives (``CLUSTER_ENV``: no statistical profiler, short message logs),
  or Dask's defaults with ``--dask-defaults`` (to see what those settings save).

Measured per run: wall time and patients per second; CPU seconds of the run's whole process tree
(``wait4`` rusage, or the per-process CPU sampled with psutil when larger: fork-server workers
are not reaped by the run; plus the Dask scheduler's and workers' own CPU for ``dask``); peak
memory: the largest sum of RSS over the run's process tree (and, for ``dask``, the cluster's
processes: scheduler, nannies, workers), sampled every 0.1 s with psutil.

The reference, measured in the same run: ``evaluate`` per patient, warm, in this process (the
library call the ``evaluate`` command makes, ``payer auto``: load + facts + the policies of the
coverage in force) on ``--reference`` patients of the same export (every k-th), CPU and wall per
patient. Ratios: screen's CPU per patient ÷ evaluate's (the cost of splitting the export and
running the screen, per patient, beside one evaluation), and screen's patients/s ÷ the ideal
``workers ÷ evaluate CPU per patient`` (parallel efficiency; depends on the machine's load,
printed beside it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 25)
WORKERS = {"j1": 1, "j2": 2, "dask": 2}
SCHEDULER_ARGS = ("--host", "127.0.0.1", "--port", "0", "--no-dashboard")
WORKER_ARGS = ("--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard")


@dataclass
class Run:
    size: int
    mode: str
    wall: float
    cpu: float
    peak_rss: int
    patients: int
    candidates: int


class Sampler:
    """Every ``interval``: the summed RSS of some processes and all their descendants (its peak
    is kept) and each one's CPU seconds (the last value seen per process is kept, so workers
    that a fork server, not the run, reaps are counted too)."""

    def __init__(self, roots: list[int], interval: float = 0.1, cluster: int = 0) -> None:
        self.roots = roots
        self.interval = interval
        self.cluster = cluster
        """How many of ``roots`` (the last ones) are the Dask cluster's, for the split below."""
        self.peak = 0
        self.client_peak = 0
        self.cluster_first = 0
        self.cluster_peak = 0
        self.peaks: dict[int, tuple[int, str]] = {}
        """Each process's peak RSS and what it is (for the cluster's processes)."""
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        split = len(self.roots) - self.cluster
        while not self._stop.is_set():
            client = self._sum(tree(self.roots[:split]))
            cluster = self._sum(tree(self.roots[split:]), keep=True) if self.cluster else 0
            if self.cluster and not self.cluster_first:
                self.cluster_first = cluster
            self.client_peak = max(self.client_peak, client)
            self.cluster_peak = max(self.cluster_peak, cluster)
            self.peak = max(self.peak, client + cluster)
            self._stop.wait(self.interval)

    def _sum(self, procs: list[psutil.Process], keep: bool = False) -> int:
        total = 0
        for proc in procs:
            try:
                rss = proc.memory_info().rss
                times = proc.cpu_times()
                peak, role = self.peaks.get(proc.pid) or (0, _role(proc) if keep else "")
            except psutil.NoSuchProcess:
                continue
            total += rss
            self.cpu[proc.pid] = times.user + times.system
            if keep:
                self.peaks[proc.pid] = (max(peak, rss), role)
        return total


def _role(proc: psutil.Process) -> str:
    """scheduler, nanny or worker (a nanny's child), from the command line."""
    line = " ".join(proc.cmdline())
    if " scheduler" in line:
        return "scheduler"
    if " worker" in line:
        return "nanny"
    return "worker"


def tree(roots: list[int]) -> list[psutil.Process]:
    """The processes and all their descendants (each once)."""
    found: dict[int, psutil.Process] = {}
    for pid in roots:
        try:
            root = psutil.Process(pid)
            for proc in (root, *root.children(recursive=True)):
                found.setdefault(proc.pid, proc)
        except psutil.NoSuchProcess:
            continue
    return list(found.values())


def tree_cpu(roots: list[int]) -> float:
    total = 0.0
    for proc in tree(roots):
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


@contextmanager
def dask_cluster(folder: Path, defaults: bool = False) -> Iterator[tuple[str, list[int]]]:
    """``dask scheduler`` + ``dask worker --nworkers 2 --nthreads 1``: (address, their pids),
    with ``CLUSTER_ENV`` unless ``defaults``."""
    from distributed import Client

    from priorauth.service.cluster import CLUSTER_ENV

    folder.mkdir(parents=True, exist_ok=True)
    scheduler_file = folder / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    logs = (folder / "dask.log").open("wb")
    env = dict(os.environ) if defaults else {**os.environ, **CLUSTER_ENV}
    scheduler = subprocess.Popen(
        [*dask, "scheduler", *SCHEDULER_ARGS, "--scheduler-file", str(scheduler_file)],
        stdout=logs,
        stderr=subprocess.STDOUT,
        env=env,
    )
    while not scheduler_file.is_file() or not scheduler_file.read_text().strip():
        time.sleep(0.2)
    workers = subprocess.Popen(
        [*dask, "worker", *WORKER_ARGS, "--scheduler-file", str(scheduler_file)],
        stdout=logs,
        stderr=subprocess.STDOUT,
        env=env,
    )
    address = json.loads(scheduler_file.read_text())["address"]
    try:
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, [scheduler.pid, workers.pid]
    finally:
        for process in (workers, scheduler):
            process.terminate()
            process.wait(timeout=60)
        logs.close()


def cluster_for(
    mode: str, folder: Path, defaults: bool
) -> AbstractContextManager[tuple[str, list[int]]]:
    """A fresh Dask cluster for the ``dask`` mode; nothing for the local ones."""
    return dask_cluster(folder, defaults) if mode == "dask" else nullcontext(("", []))


def make_export(size: int, folder: Path, args: argparse.Namespace) -> Path:
    export = folder / f"export-{size}"
    if (export / "manifest.json").is_file():
        return export
    command = [sys.executable, str(ROOT / "bench" / "make_bulk_export.py"), "-o", str(export)]
    command += ["--patients", str(size), "--trd", str(min(args.trd, size)), "--seed", "14"]
    subprocess.run(command, check=True)
    return export


def screen(export: Path, out: Path, mode: str, scheduler: str, cluster: list[int]) -> Run:
    command = [sys.executable, "-m", "priorauth", "screen", str(export), "-o", str(out)]
    command += ["--as-of", AS_OF.isoformat()]
    command += ["--scheduler", scheduler] if mode == "dask" else ["--jobs", str(WORKERS[mode])]
    env = {k: v for k, v in os.environ.items() if k != "PRIORAUTH_DASK_SCHEDULER"}
    cluster_cpu = tree_cpu(cluster)
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True
    )
    with Sampler([process.pid, *cluster], cluster=len(cluster)) as sampler:
        stderr = process.stderr.read() if process.stderr else ""
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"screen failed ({process.returncode}):\n{stderr[-3000:]}")
    run_pids = set(sampler.cpu) - {p.pid for p in tree(cluster)}
    sampled = sum(sampler.cpu[pid] for pid in run_pids)
    cpu = max(usage.ru_utime + usage.ru_stime, sampled) + tree_cpu(cluster) - cluster_cpu
    summary = json.loads(out.with_name(out.name + ".summary.json").read_text())
    patients = sum(v for k, v in summary["patients"].items() if k != "reused")
    candidates = summary["patients"].get("candidate", 0)
    if cluster:
        print(
            f"# {mode}: peak RSS of the screen process tree {sampler.client_peak / 1e6:,.0f} MB; "
            f"of the cluster (scheduler, nanny, workers) {sampler.cluster_first / 1e6:,.0f} MB "
            f"at the start of the run, {sampler.cluster_peak / 1e6:,.0f} MB at its peak",
            flush=True,
        )
        each = sorted(sampler.peaks.values(), key=lambda peak: peak[1])
        print("#   peaks: " + ", ".join(f"{role} {rss / 1e6:,.0f} MB" for rss, role in each))
    return Run(0, mode, wall, cpu, sampler.peak, patients, candidates)


def reference(export: Path, count: int) -> tuple[float, float, int]:
    """Mean CPU and wall seconds per patient of a warm ``evaluate`` (payer auto), and how many."""
    from priorauth.errors import PriorAuthError
    from priorauth.fhir.bulk import BulkExport
    from priorauth.service.pipeline import Pipeline

    pipeline = Pipeline()
    bulk = BulkExport(export)
    total = bulk_patients(export)
    step = max(1, total // count)
    charts = [chart for i, chart in enumerate(bulk.charts()) if i % step == 0][:count]
    cpu: list[float] = []
    wall: list[float] = []
    for chart in charts:
        c0, w0 = time.process_time(), time.perf_counter()
        try:
            pipeline.determinations(chart.ndjson, payer="auto", as_of=AS_OF, source=chart.source)
        except PriorAuthError:
            pass  # no coverage in force that a policy matches: the facts were still extracted
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.fmean(cpu), statistics.fmean(wall), len(charts)


def bulk_patients(export: Path) -> int:
    manifest = json.loads((export / "manifest.json").read_text())
    return next(int(o["count"]) for o in manifest["output"] if o["type"] == "Patient")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--modes", default="j1,j2,dask")
    parser.add_argument("--trd", type=int, default=300)
    parser.add_argument("--reference", type=int, default=100, help="Patients for evaluate.")
    parser.add_argument("--keep", type=Path, help="Folder for the exports (reused if there).")
    parser.add_argument(
        "--dask-defaults", action="store_true", help="Start the Dask cluster with Dask's defaults."
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    modes = args.modes.split(",")

    tmp = Path(tempfile.mkdtemp(prefix="bench-screen-"))
    folder = args.keep or tmp
    folder.mkdir(parents=True, exist_ok=True)
    print(f"# {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; as_of={AS_OF}; modes={args.modes}")
    load_start = os.getloadavg()[0]
    rows: list[str] = []
    try:
        for size in sizes:
            export = make_export(size, folder, args)
            mb = sum(p.stat().st_size for p in export.iterdir()) / 1e6
            ref_cpu, ref_wall, sampled = reference(export, args.reference)
            rows.append(
                f"| {size:,} ({mb:,.0f} MB) | evaluate per patient, warm, in process "
                f"({sampled} patients) | {ref_wall * sampled:.1f} | {1 / ref_wall:.1f} | "
                f"{ref_cpu * 1000:.1f} | - | 1.00x | - | {os.getloadavg()[0]:.1f} |"
            )
            print(rows[-1], flush=True)
            for mode in modes:
                out = tmp / f"out-{size}-{mode}" / "candidates.csv"
                out.parent.mkdir(parents=True)
                with cluster_for(mode, tmp / f"dask-{size}", args.dask_defaults) as (
                    address,
                    cluster,
                ):
                    run = screen(export, out, mode, address, cluster)
                per = run.cpu / run.patients
                ideal = WORKERS[mode] / ref_cpu
                rows.append(
                    f"| {size:,} | screen {mode_name(mode, args.dask_defaults)} | "
                    f"{run.wall:.1f} | {run.patients / run.wall:.1f} | {per * 1000:.1f} | "
                    f"{run.peak_rss / 1e6:,.0f} | {per / ref_cpu:.2f}x | "
                    f"{run.patients / run.wall / ideal:.2f} | {os.getloadavg()[0]:.1f} |"
                )
                print(rows[-1], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(
        "| patients (export) | run | wall s | patients/s | CPU ms/patient | peak RSS MB | "
        "CPU/patient vs evaluate | patients/s vs ideal | load |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(f"\n1-minute load average {load_start:.2f} at start, {os.getloadavg()[0]:.2f} at end.")


def mode_name(mode: str, dask_defaults: bool = False) -> str:
    dask = "Dask, 2 workers" + (" (Dask's defaults)" if dask_defaults else "")
    return {"j1": "--jobs 1", "j2": "--jobs 2", "dask": dask}[mode]


if __name__ == "__main__":
    main()
