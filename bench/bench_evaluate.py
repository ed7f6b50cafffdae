"""Benchmark stage 3: evaluate one PatientRecord against every payer policy.

    python bench/bench_evaluate.py                      # examples/trd_meets_policies.json
    python bench/bench_evaluate.py --chart tests/data/charts/epic_orders.json --runs 200
    python bench/bench_evaluate.py --in-force           # only policies in force on --as-of

The chart is loaded and its facts extracted once, outside the timing (this measures evaluation,
not loading). Three ways are timed, each a full pass over the policies:

* **cached rules**: ``load_rules()`` once (cached per directory), then ``evaluate`` per policy;
  this is what ``priorauth evaluate --payer all`` and the HTTP service do;
* **+ JSON**: the same plus ``Determination.model_dump_json()`` (what the CLI/API return);
* **reload per evaluation** (the obvious alternative): read, parse and validate each rule file
  (``load_policy_file``) before each evaluation, as a stateless script would.

Each pass is timed in wall-clock and CPU time (``time.process_time``; fairer on a loaded machine),
after two warm-up passes, with a garbage collection before each pass and the three ways
interleaved run by run. Reported: medians (and the wall minimum) per pass, and CPU ms per policy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from priorauth.evaluate import evaluate, select_policies  # noqa: E402
from priorauth.facts import extract_facts  # noqa: E402
from priorauth.facts.models import PatientRecord  # noqa: E402
from priorauth.fhir import load_chart  # noqa: E402
from priorauth.rules import Policy, load_policy_file, load_rules  # noqa: E402

DEFAULT_CHART = ROOT / "examples" / "trd_meets_policies.json"


def _time(
    paths: dict[str, Callable[[], object]], runs: int
) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds per pass, paths interleaved so machine noise hits them alike."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
    for func in paths.values():
        func()
        func()
    for _ in range(runs):
        for name, func in paths.items():
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            func()
            samples[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return samples


def _passes(
    record: PatientRecord, policies: list[Policy], day: dt.date
) -> dict[str, Callable[[], object]]:
    paths = [Path(p.path or "") for p in policies]

    def cached() -> object:
        return [evaluate(record, p, as_of=day) for p in policies]

    def with_json() -> object:
        return [evaluate(record, p, as_of=day).model_dump_json() for p in policies]

    def reload() -> object:
        return [evaluate(record, load_policy_file(path), as_of=day) for path in paths]

    return {
        "cached rules": cached,
        "cached rules + JSON": with_json,
        "reload per evaluation": reload,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chart", type=Path, default=DEFAULT_CHART)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 25))
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--in-force", action="store_true", help="only policies in force on --as-of")
    args = parser.parse_args()

    record = extract_facts(load_chart(args.chart), as_of=args.as_of)
    ruleset = load_rules()
    if args.in_force:
        policies = select_policies(ruleset, payer="all", record=record, as_of=args.as_of)
    else:
        policies = list(ruleset)
    print(
        f"chart: {args.chart.name}; as of {args.as_of}; {len(policies)} policies; {args.runs} runs"
    )
    print(f"python {platform.python_version()} on {platform.machine()} ({platform.system()})")
    print(f"{'':24} {'wall median':>12} {'wall min':>9} {'CPU median':>11} {'CPU ms/policy':>14}")
    for name, pairs in _time(_passes(record, policies, args.as_of), args.runs).items():
        wall = statistics.median(w for w, _ in pairs) * 1000
        cpu = statistics.median(c for _, c in pairs) * 1000
        low = min(w for w, _ in pairs) * 1000
        print(
            f"{name:24} {wall:9.2f} ms {low:6.2f} ms {cpu:8.2f} ms {cpu / len(policies):11.3f} ms"
        )


if __name__ == "__main__":
    main()
