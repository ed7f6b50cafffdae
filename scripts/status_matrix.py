"""Every chart we have through ``evaluate --payer all``: one TSV line per chart × policy.

Columns: chart, policy, status, the status of the policy's criteria alone, the safety alert ids,
the ids of the criteria with gaps. Used to compare two versions of priorauth (run it at both,
compare the first three columns):

    python scripts/status_matrix.py --as-of 2026-11-25 > before.tsv

Charts: ``examples/``, ``tests/data/charts`` (JSON files and NDJSON folders), ``tests/data/fixtures``
and, when present, ``../shared/fixtures``. A chart that cannot be read or evaluated gets one line
with ``error`` and the error's first line (no patient data: errors name files and locations).
Multi-patient charts are skipped with ``multi-patient`` (one line).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import priorauth

ROOT = Path(__file__).resolve().parent.parent


def charts() -> Iterator[Path]:
    roots = [ROOT / "examples", ROOT / "tests" / "data", ROOT.parent / "shared" / "fixtures"]
    for root in roots:
        if not root.is_dir():
            continue
        seen_dirs: set[Path] = set()
        for path in sorted(root.rglob("*")):
            if path.suffix == ".json" and path.is_file():
                yield path
            elif path.suffix == ".ndjson" and path.parent not in seen_dirs:
                seen_dirs.add(path.parent)
                yield path.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2026-11-25")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    rules = priorauth.load_rules()
    for path in charts():
        name = str(path.relative_to(path.parents[len(path.relative_to(ROOT.parent).parts) - 1]))
        try:
            record = priorauth.chart_facts(path, as_of=as_of)
            results = priorauth.evaluate_record(record, rules, payer="all", as_of=as_of)
        except Exception as exc:  # noqa: BLE001 - one line per chart, whatever went wrong
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            kind = "multi-patient" if "patient" in first.lower() else "error"
            print(f"{name}\t-\t{kind}\t{type(exc).__name__}")
            continue
        for det in results:
            why = getattr(det, "criteria_status", None) or det.status
            alerts = ",".join(a.id for a in getattr(det, "alerts", ())) or "-"
            gaps = ",".join(sorted({g.criterion_id for g in det.gaps})) or "-"
            print(f"{name}\t{det.policy.id}\t{det.status}\t{why}\t{alerts}\t{gaps}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
