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

Time is the median (and minimum) over ``--runs`` passes after two warm-up passes, with a garbage
collection before each pass; results are reported per pass and per policy.
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


def _time(func: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and minimum seconds of ``runs`` calls after two warm-up calls."""
    func()
    func()
    samples = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples)


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
    print(f"{'':24} {'median ms/pass':>15} {'min ms/pass':>12} {'median ms/policy':>17}")
    for name, func in _passes(record, policies, args.as_of).items():
        median, minimum = _time(func, args.runs)
        per_policy = median / len(policies) * 1000
        print(f"{name:24} {median * 1000:15.2f} {minimum * 1000:12.2f} {per_policy:17.3f}")


if __name__ == "__main__":
    main()
