"""``screen``: a bulk export → one row per depressed patient, nearest to qualifying first.

The export is split per patient as it streams (priorauth.fhir.bulk); each chart is screened by
:func:`priorauth.population.screen_patient` through an executor (priorauth.service.executor:
local processes by default). Rows of depressed patients are written to CSV or JSON, sorted by
:func:`priorauth.population.sort_key`; deceased patients and patients whose coverages have all
ended are left out and counted, as are patients with no depression diagnosis.

Resumable like ``batch``: a state folder beside the output (``<output>.state/``) holds a
:class:`~priorauth.service.manifest.Manifest` of each patient's row under a key (SHA-256 of the
patient's chart + as-of + the policies' content hashes + priorauth's version); a rerun reuses the
rows whose key still matches and screens only the rest, so a killed run loses nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol

from priorauth.errors import PriorAuthError
from priorauth.fhir.bulk import BulkExport, BulkReport, PatientChart
from priorauth.population import ScreenRow, screen_patient, sort_key
from priorauth.service.executor import Executor, local_map
from priorauth.service.manifest import Manifest, atomic_write

__all__ = ["CSV_FIELDS", "ScreenReport", "csv_row", "run_screen"]

CSV_FIELDS = (
    "patient",
    "safety",
    "tier",
    "age",
    "payer",
    "policies",
    "failed_trials",
    "failed_classes",
    "latest_score",
    "top_gaps",
    "gap_count",
    "note",
    "error",
)
FORMATS = (".csv", ".json")


@dataclass
class ScreenReport:
    """What a screen run did."""

    rows: list[ScreenRow] = field(default_factory=list)
    """The candidates (depressed, alive, coverage not ended), nearest first."""
    counts: dict[str, int] = field(default_factory=dict)
    """Patients per ``screened`` value, plus ``reused`` (rows kept from an earlier run)."""
    export: BulkReport = field(default_factory=BulkReport)

    def describe(self, output: Path) -> str:
        """One line for the console."""
        c = self.counts
        return (
            f"{sum(v for k, v in c.items() if k != 'reused')} patients screened "
            f"({c.get('reused', 0)} reused): {c.get('candidate', 0)} candidates -> {output}; "
            f"excluded {c.get('deceased', 0)} deceased, {c.get('coverage_ended', 0)} with "
            f"coverage ended; {c.get('no_depression', 0)} without a depression diagnosis; "
            f"{c.get('error', 0)} errors"
        )

    def summary(self) -> dict[str, Any]:
        """Counts, the export's counts and its problems (file and line each)."""
        return {
            "patients": dict(sorted(self.counts.items())),
            "export": self.export.counts(),
            "problems": [str(p) for p in self.export.problems],
        }


def run_screen(
    export: BulkExport,
    output: Path,
    *,
    as_of: dt.date,
    rules_dir: Path | None = None,
    jobs: int = 1,
    executor: Executor = local_map,
    on_row: Callable[[ScreenRow], None] | None = None,
) -> ScreenReport:
    """Screen every patient of ``export`` and write ``output`` (``.csv`` or ``.json``).

    ``on_row`` is called once per patient: a reused row as soon as its chart is met, a screened
    one when its result comes back (screened rows in patient order). For CSV, the summary
    (counts and the export's problems) goes to ``<output>.summary.json``; JSON output holds it
    beside the rows.

    Memory does not grow with the export: charts are read a window at a time, the manifest
    is on disk, and of the rows only the candidates' are kept (to sort them).
    """
    if output.suffix not in FORMATS:
        raise PriorAuthError(
            f"{output.name}: write .csv or .json (Parquet is not supported: pyarrow is not a "
            "dependency of priorauth)"
        )
    from priorauth.service.pipeline import Pipeline

    setting = _setting(Pipeline(rules_dir).fingerprint("auto"), as_of)
    state = output.with_name(output.name + ".state")
    state.mkdir(parents=True, exist_ok=True)
    manifest = Manifest.open(state)
    report = ScreenReport()
    work = functools.partial(screen_patient, as_of=as_of, rules_dir=rules_dir)

    def take(row: ScreenRow, key: str, *, reused: bool) -> None:
        if reused:
            report.counts["reused"] = report.counts.get("reused", 0) + 1
        else:
            manifest.record(row.patient, {"key": key, "row": row.model_dump(mode="json")})
        report.counts[row.screened] = report.counts.get(row.screened, 0) + 1
        if row.screened == "candidate":
            report.rows.append(row)
        if on_row is not None:
            on_row(row)

    try:
        _screen_every_patient(export, manifest, setting, work, executor, jobs, take)
    finally:
        manifest.close()
    report.export = export.report
    report.rows.sort(key=sort_key)
    _write(output, report)
    return report


class _Take(Protocol):
    """What ``run_screen`` does with each patient's row."""

    def __call__(self, row: ScreenRow, key: str, *, reused: bool) -> None: ...


def _screen_every_patient(
    export: BulkExport,
    manifest: Manifest,
    setting: str,
    work: Callable[[PatientChart], ScreenRow],
    executor: Executor,
    jobs: int,
    take: _Take,
) -> None:
    """``take(row, key, reused=...)`` for each patient: the manifest's row when its key still
    matches (at once), else the row the executor returns. Charts go to the executor lazily, one
    window at a time."""
    keys: deque[str] = deque()

    def pending() -> Iterator[PatientChart]:
        for chart in export.charts():
            key = _key(chart.ndjson, setting)
            kept = _kept(manifest.get(chart.patient), key)
            if kept is not None:
                take(kept, key, reused=True)
                continue
            keys.append(key)
            yield chart

    for row in executor(work, pending(), jobs=jobs, failed=_lost):
        take(row, keys.popleft(), reused=False)


def _key(ndjson: bytes, setting: str) -> str:
    """SHA-256 of the chart and the setting, without a copy of the chart's bytes."""
    digest = hashlib.sha256(ndjson)
    digest.update(b"\n" + setting.encode())
    return digest.hexdigest()


def _lost(chart: PatientChart, reason: str) -> ScreenRow:
    """The row of a patient whose worker died (an error row: a rerun screens it again)."""
    return ScreenRow(patient=chart.patient, screened="error", tier="error", error=reason)


def _kept(entry: dict[str, Any] | None, key: str) -> ScreenRow | None:
    if entry is None or entry.get("key") != key:
        return None
    try:
        row = ScreenRow.model_validate(entry.get("row"))
    except ValueError:
        return None
    return None if row.screened == "error" else row


def _setting(fingerprint: str, as_of: dt.date) -> str:
    try:
        package = version("priorauth")
    except PackageNotFoundError:  # pragma: no cover
        package = "unknown"
    return json.dumps(
        {"policies": fingerprint, "as_of": as_of.isoformat(), "priorauth": package},
        sort_keys=True,
    )


def csv_row(row: ScreenRow) -> dict[str, str]:
    """A row for ``candidates.csv``: lists joined with `` | ``, each policy as ``id: status``."""
    data = row.model_dump(mode="json")
    data["policies"] = [f"{p['policy_id']}: {p['status']}" for p in data["policies"]]
    return {
        name: " | ".join(map(str, data[name]))
        if isinstance(data[name], list)
        else ("" if data[name] is None else str(data[name]))
        for name in CSV_FIELDS
    }


def _write(output: Path, report: ScreenReport) -> None:
    summary = report.summary()
    if output.suffix == ".json":
        body = {**summary, "rows": [row.model_dump(mode="json") for row in report.rows]}
        atomic_write(output, (json.dumps(body, indent=1) + "\n").encode())
        return
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_row(row) for row in report.rows)
    atomic_write(output, text.getvalue().encode())
    summary_path = output.with_name(output.name + ".summary.json")
    atomic_write(summary_path, (json.dumps(summary, indent=1) + "\n").encode())
