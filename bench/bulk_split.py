"""Benchmark: peak memory and speed of splitting (and screening) a bulk export as it grows.

    python bench/bulk_split.py [--copies 10,40] [--screen-copies 2,8] [--duckdb-path DIR]

Builds scaled exports by cloning the 13-patient Synthea bulk export (tests/data/fixtures,
CC0) ``copies`` times: every id and ``Type/id`` reference of copy *k* gets the prefix ``k<k>-``,
so the clones are new patients with their own resources, in one NDJSON file per type. (The
1,000 / 10,000-patient generator with TRD histories lives with the cluster benchmark; this
script needs only the fixture.) Each measurement runs in a fresh interpreter and reports its
peak RSS (``ru_maxrss``), so the figures do not share a heap:

* ``split``: ``BulkExport.charts()`` over the whole export, every chart's bytes touched;
* ``parse`` (the reference, same run): every line read and ``orjson.loads``-ed, nothing kept;
* ``load-all`` (the alternative): ``load_chart`` of the whole folder, as ``facts`` did before;
* ``duckdb`` (with ``--duckdb-path``, a site-packages holding duckdb): ``read_ndjson_objects``
  over the folder, the patient reference extracted in SQL, ``ORDER BY`` patient, rows fetched
  in batches (the embedded-engine alternative);
* ``screen`` at ``--screen-copies``: ``run_screen`` with one process, every patient's facts.

Times are reported as ratios to ``parse`` of the same export; memory in MB and as MB per
100 MB of export.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "data" / "fixtures" / "synthea_bulk_10pt_ndjson"


def clone(folder: Path, copies: int) -> int:
    """Write ``copies`` clones of the Synthea export into ``folder``; returns its bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(SOURCE.glob("*.ndjson")):
        lines = source.read_text(encoding="utf-8").splitlines()
        with (folder / source.name).open("w", encoding="utf-8") as out:
            for k in range(copies):
                for line in lines:
                    out.write(_prefixed(line, f"k{k}-") + "\n")
    return sum(p.stat().st_size for p in folder.iterdir())


def _prefixed(line: str, prefix: str) -> str:
    resource = json.loads(line)

    def walk(value: object) -> object:
        if isinstance(value, dict):
            out = {key: walk(item) for key, item in value.items()}
            ref = value.get("reference")
            if isinstance(ref, str) and "/" in ref and "?" not in ref:
                kind, _, rid = ref.rpartition("/")
                out["reference"] = f"{kind}/{prefix}{rid}"
            return out
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    copy = walk(resource)
    assert isinstance(copy, dict)
    copy["id"] = prefix + resource["id"]
    return json.dumps(copy, separators=(",", ":"))


_WORK = {
    "parse": """
import orjson
for path in sorted(folder.glob("*.ndjson")):
    with path.open("rb") as f:
        for line in f:
            orjson.loads(line)
""",
    "split": """
from priorauth.fhir.bulk import BulkExport
export = BulkExport(folder)
n = sum(len(chart.ndjson) > 0 for chart in export.charts())
assert n == export.report.patients, (n, export.report.describe())
""",
    "load-all": """
from priorauth.fhir import load_chart
index = load_chart(folder, max_bytes=4_000_000_000)
assert len(index.patients()) > 0
""",
    "duckdb": """
import sys
sys.path.append(duckdb_path)
import duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar=false")
con.execute(f"SET temp_directory='{folder}/.duck'")
con.execute(f"SET memory_limit='1GB'")
cur = con.execute(f'''
    SELECT coalesce(json_extract_string(json, '$.subject.reference'),
                    json_extract_string(json, '$.patient.reference'),
                    json_extract_string(json, '$.beneficiary.reference'),
                    'Patient/' || json_extract_string(json, '$.id')) AS patient, json
    FROM read_ndjson_objects('{folder}/*.ndjson') ORDER BY patient''')
rows = 0
while True:
    batch = cur.fetchmany(10000)
    if not batch:
        break
    rows += len(batch)
""",
    "screen": """
import datetime as dt
from priorauth.fhir.bulk import BulkExport
from priorauth.service.screen import run_screen
report = run_screen(BulkExport(folder), folder.parent / (folder.name + "-c.csv"),
                    as_of=dt.date(2026, 11, 25), jobs=1)
""",
}

_HARNESS = """
import resource, sys, time
from pathlib import Path
folder = Path(sys.argv[1])
duckdb_path = sys.argv[2]
started = time.process_time()
{work}
cpu = time.process_time() - started
print(cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def measure(kind: str, folder: Path, duckdb_path: str) -> tuple[float, float]:
    """(CPU seconds, peak RSS in MB) of ``kind`` over ``folder`` in a fresh interpreter."""
    code = _HARNESS.format(work=_WORK[kind])
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder), duckdb_path],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    cpu, rss_kb = done.stdout.strip().splitlines()[-1].split()
    return float(cpu), int(rss_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", default="10,40", help="export sizes, in copies of 13 patients")
    parser.add_argument("--screen-copies", default="2,8", help="sizes for the screen rows")
    parser.add_argument("--duckdb-path", default="", help="a site-packages holding duckdb")
    parser.add_argument(
        "--load-all-max-copies", type=int, default=40, help="load-all only up to this size"
    )
    args = parser.parse_args()
    print(
        f"bulk_split on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load avg {os.getloadavg()[0]:.1f}"
    )
    print("| path | patients | export MB | CPU s | vs parse | peak RSS MB | RSS per 100 MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    kinds = ["parse", "split", "load-all"]
    kinds += ["duckdb"] if args.duckdb_path else []
    with tempfile.TemporaryDirectory(prefix="bulk-bench-") as tmp:
        for copies in [int(c) for c in args.copies.split(",")]:
            folder = Path(tmp) / f"x{copies}"
            size = clone(folder, copies) / 1e6
            reference = measure("parse", folder, args.duckdb_path)[0]
            for kind in kinds:
                if kind == "load-all" and copies > args.load_all_max_copies:
                    continue
                cpu, rss = measure(kind, folder, args.duckdb_path)
                _row(kind, copies * 13, size, cpu, reference, rss)
        for copies in [int(c) for c in args.screen_copies.split(",")]:
            folder = Path(tmp) / f"s{copies}"
            size = clone(folder, copies) / 1e6
            reference = measure("parse", folder, args.duckdb_path)[0]
            cpu, rss = measure("screen", folder, args.duckdb_path)
            _row("screen (1 process)", copies * 13, size, cpu, reference, rss)


def _row(kind: str, patients: int, size: float, cpu: float, reference: float, rss: float) -> None:
    print(
        f"| {kind} | {patients} | {size:.0f} | {cpu:.2f} | {cpu / reference:.1f}x | "
        f"{rss:.0f} | {rss / size * 100:.0f} |"
    )


if __name__ == "__main__":
    main()
