"""Benchmark: ``priorauth batch`` over a folder of charts with --jobs 1 and --jobs 2.

    python bench/bench_batch.py [--charts 200] [--jobs 1,2] [--payer auto]

Builds a folder of ``--charts`` copies of the TRD charts (``examples/`` + ``tests/data/charts``,
round-robin, each copy under its own name, so every chart is really evaluated and rendered: there
is no cache across charts), then runs ``python -m priorauth batch`` as a subprocess for each
``--jobs`` value into a fresh output folder, and once more over the finished folder (every chart
skipped: the cost of resuming). Reported: wall time, charts/s, letters written, letters/s.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-25"


def make_folder(folder: Path, count: int) -> None:
    sources = sorted((ROOT / "examples").glob("*.json"))
    sources += sorted((ROOT / "tests" / "data" / "charts").glob("*.json"))
    for i in range(count):
        source = sources[i % len(sources)]
        shutil.copy(source, folder / f"{i:05d}-{source.stem}.json")


def run(folder: Path, out: Path, jobs: int, args: argparse.Namespace) -> tuple[float, int, int]:
    command = [sys.executable, "-m", "priorauth", "batch", str(folder), "-o", str(out)]
    command += ["--jobs", str(jobs), "--payer", args.payer, "--as-of", AS_OF, "--no-audit"]
    if args.rules_dir:
        command += ["--rules-dir", str(args.rules_dir)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"batch failed ({done.returncode}):\n{done.stderr[-2000:]}")
    with (out / "summary.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return seconds, len(rows), sum(1 for row in rows if row["output"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--charts", type=int, default=200)
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--payer", default="auto")
    parser.add_argument("--rules-dir", type=Path)
    args = parser.parse_args()

    print(f"# {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"# {dt.date.today()}; {args.charts} charts, payer={args.payer}, as_of={AS_OF}")
    print("| run | wall s | charts/s | letters | letters/s |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "charts"
        folder.mkdir()
        make_folder(folder, args.charts)
        for jobs in (int(j) for j in args.jobs.split(",")):
            out = tmp / f"out-{jobs}"
            seconds, charts, letters = run(folder, out, jobs, args)
            print(
                f"| --jobs {jobs} | {seconds:.1f} | {charts / seconds:.1f} | {letters} | "
                f"{letters / seconds:.2f} |"
            )
        seconds, charts, letters = run(folder, out, jobs, args)
        print(f"| rerun (all current) | {seconds:.1f} | {charts / seconds:.1f} | {letters} | - |")


if __name__ == "__main__":
    main()
