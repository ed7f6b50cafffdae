"""Batch: every chart in a folder → one PDF per chart that meets the policy, plus a summary.

A chart is a ``*.json`` file (a Bundle) or a sub-folder (an NDJSON bulk export). Workers only
evaluate and render: each returns the chart's row and its PDF, and this process writes the PDF
atomically and records each finished chart in the manifest (see
:mod:`priorauth.service.manifest`), so a run killed at any point resumes: a chart is skipped when
its recorded key (SHA-256 of the input bytes + the policies' content hashes + as-of + options)
matches and its PDF is still there with the recorded hash; everything else is redone, and output
names are fixed per chart, so nothing is lost or duplicated. ``summary.csv`` and
``summary.json`` are written (atomically) at the end, one row per chart in name order; the
``safety`` column comes right after the chart's name (``SAFETY HOLD: acute-suicide-risk``,
``REVIEW: seizure-history``, empty when the safety floor found nothing). A chart on safety hold
or awaiting clinician review gets no PDF.

A chart of several patients (a bulk export folder or file, or a Bundle of several) is one row and
one PDF per patient: row ``<chart>#<patient id>``, PDF ``<stem>.<patient id>.pdf``. A bulk export
is split as it streams (priorauth.fhir.bulk); the per-patient work runs through the executor
seam (priorauth.service.executor): local processes by default, the workers of a Dask scheduler
with :class:`priorauth.service.cluster.DaskExecutor` (they are sent each chart's bytes and read
nothing from this machine's disk). A chart whose worker died is an ``error`` row.

A chart that fails is a row with status ``error`` and a one-line message; the run goes on. A
chart for which the policy cannot be chosen without guessing is a row with status ``ambiguous``
(several policies fit: the message names them) or ``payer_not_on_chart`` (the policy's payer is
not one of the chart's coverages in force); no letter is written for it.

A chart whose load, facts and evaluation need more CPU time than the work budget (``budget``
seconds, issue 15) is stopped: a row with status ``too_costly`` and the reason
``too-costly: ...``; the run goes on, and a rerun with the same or a smaller budget skips it
(a larger budget, or none, tries it again).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from priorauth import alerts
from priorauth.budget import cpu_budget
from priorauth.determination import Determination
from priorauth.errors import (
    AmbiguousPolicyError,
    BudgetExceededError,
    PayerNotOnChartError,
    PriorAuthError,
)
from priorauth.fhir.bulk import BulkExport, BulkReport, PatientChart, is_bulk_export
from priorauth.fhir.reader import JSON_SUFFIXES, NDJSON_SUFFIXES
from priorauth.render.options import LetterOptions
from priorauth.service.executor import Executor, local_map
from priorauth.service.manifest import Manifest, atomic_write, remove_stale_temp_files
from priorauth.service.pipeline import Pipeline, unmet_criteria

if TYPE_CHECKING:
    from priorauth.service.audit import AuditEvent, AuditStore

__all__ = ["BatchReport", "Chart", "ChartResult", "discover_charts", "run_batch"]

SUMMARY_FIELDS = (
    "chart",
    "safety",
    "patient",
    "payer",
    "policy_id",
    "status",
    "unmet_criteria",
    "gaps",
    "output",
    "error",
)
DONE = frozenset(
    {"safety_hold", "clinician_review", "meets", "does_not_meet", "needs_documentation"}
)
"""Statuses that are a function of the key; ``error`` is always retried."""
TOO_COSTLY = "too_costly"
"""Stopped past the work budget: skipped on a rerun unless the budget grew (see ``_current``)."""
REFUSED = ("ambiguous", "payer_not_on_chart")
"""Rows whose policy cannot be chosen without guessing: the user must choose (``--payer``)."""


@dataclass(frozen=True)
class Chart:
    """One chart of the input folder (or one patient of it) and the PDF name it gets."""

    name: str
    path: Path
    output: str
    patient: str | None = None
    """The patient, when the chart holds several (one Chart per patient)."""
    split: bool = False
    """The path is a bulk export, cut per patient as it streams (priorauth.fhir.bulk)."""

    def digest(self, data: bytes | None = None) -> str:
        """SHA-256 of the chart's bytes (of every file, with its name, for a folder); of the
        patient's own chart ``data`` when split; with the patient's id for a Bundle of several."""
        if data is not None:
            return hashlib.sha256(data).hexdigest()
        if self.path.is_file():
            whole = hashlib.sha256(self.path.read_bytes())
            if self.patient is not None:
                whole.update(b"\0" + self.patient.encode())
            return whole.hexdigest()
        outer = hashlib.sha256()
        for part in sorted(p for p in self.path.rglob("*") if p.is_file()):
            outer.update(part.relative_to(self.path).as_posix().encode() + b"\0")
            outer.update(hashlib.sha256(part.read_bytes()).digest())
        return outer.hexdigest()


@dataclass(frozen=True)
class ChartResult:
    """One summary row (plus what the manifest needs to skip it next time)."""

    chart: str
    status: str
    safety: tuple[str, ...] = ()
    """``alerts.summary_labels`` of the Determination's alerts, then its safety warnings."""
    urgent: bool = False
    """An urgent alert (acute suicide risk): contact the treating clinician the same day."""
    patient: str = ""
    payer: str = ""
    policy_id: str = ""
    unmet_criteria: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    output: str = ""
    error: str = ""
    key: str = ""
    output_sha256: str = ""
    input_sha256: str = ""
    policy_version: str = ""
    policy_hash: str = ""
    duration_ms: float = 0.0
    skipped: bool = False
    budget_seconds: float = 0.0
    """The work budget a ``too_costly`` chart was stopped at."""

    def row(self) -> dict[str, Any]:
        """The summary row (``summary.json``); lists stay lists."""
        data = asdict(self)
        return {
            name: list(data[name]) if isinstance(data[name], tuple) else data[name]
            for name in SUMMARY_FIELDS
        }

    def csv_row(self) -> dict[str, str]:
        """The summary row for ``summary.csv``: lists joined with `` | ``."""
        return {k: " | ".join(v) if isinstance(v, list) else str(v) for k, v in self.row().items()}

    @property
    def rank(self) -> int:
        """0 for a safety hold, 1 for an alert awaiting review, 2 otherwise (console order)."""
        for rank, prefix in enumerate((alerts.HOLD_LABEL, alerts.REVIEW_LABEL)):
            if any(label.startswith(prefix) for label in self.safety):
                return rank
        return 2

    def alert_line(self) -> str:
        """The chart's safety labels on one console line (urgent ones say what to do)."""
        urgent = f" -- URGENT: {alerts.URGENT_ACTION}" if self.urgent else ""
        return f"{self.chart}: {' | '.join(self.safety)}{urgent}"


@dataclass
class BatchReport:
    """What a run did."""

    results: list[ChartResult] = field(default_factory=list)
    exports: dict[str, BulkReport] = field(default_factory=dict)
    """Per bulk export split in this run (by chart name): what it could not attribute."""
    seconds: float = 0.0

    def count(self, status: str) -> int:
        """How many charts ended with ``status``."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def letters(self) -> int:
        """PDFs present for this run's charts (written now or kept from before)."""
        return sum(1 for r in self.results if r.output)

    @property
    def skipped(self) -> int:
        """Charts whose output was already current."""
        return sum(1 for r in self.results if r.skipped)

    def alert_lines(self) -> list[str]:
        """Charts with safety labels, one line each: holds first (urgent first), then the rest."""
        flagged = [r for r in self.results if r.safety]
        flagged.sort(key=lambda r: (r.rank, not r.urgent))
        return [r.alert_line() for r in flagged]

    def describe(self, out_dir: Path) -> str:
        """One line: counts per status, letters, skipped, time, where the summary is."""
        statuses = (
            "safety_hold",
            "clinician_review",
            "meets",
            "does_not_meet",
            "needs_documentation",
            *REFUSED,
            TOO_COSTLY,
            "error",
        )
        counts = ", ".join(f"{self.count(s)} {s}" for s in statuses)
        return (
            f"{len(self.results)} charts ({counts}); {self.letters} letters, "
            f"{self.skipped} already current; {self.seconds:.1f}s -> {out_dir}/summary.csv"
        )


def discover_charts(input_dir: Path, *, patient: str | None = None) -> list[Chart]:
    """``*.json`` files and sub-folders holding ``*.ndjson``, sorted by name; INPUT_DIR itself
    when it is a bulk export (``*.ndjson`` files at its top level) or an NDJSON file.

    Each gets ``<stem>.pdf``; when two charts would share a name (``a.json`` and folder ``a``)
    both keep their full name (``a.json.pdf``, ``a.pdf``). A chart of several patients becomes
    one Chart per patient (or only ``patient``'s): see :func:`each_patient`.
    """
    return each_patient(_charts(input_dir), patient=patient)


def _charts(input_dir: Path) -> list[Chart]:
    if is_bulk_export(input_dir) or input_dir.is_file():
        return [Chart(input_dir.name, input_dir, input_dir.name.split(".")[0] + ".pdf")]
    found = [p for p in input_dir.iterdir() if not p.name.startswith(".")]
    charts = [p for p in found if p.is_file() and p.suffix.lower() == ".json"]
    charts += [p for p in found if p.is_dir() and any(p.glob("*.ndjson"))]
    stems = [p.stem if p.is_file() else p.name for p in charts]
    return sorted(
        (
            Chart(p.name, p, (p.name if stems.count(stem) > 1 and p.is_file() else stem) + ".pdf")
            for p, stem in zip(charts, stems, strict=True)
        ),
        key=lambda chart: chart.name,
    )


_PATIENT_RESOURCE = re.compile(rb'"resourceType"\s*:\s*"Patient"')


def each_patient(charts: list[Chart], *, patient: str | None = None) -> list[Chart]:
    """Every chart of one patient as it is; a chart of several, one Chart per patient
    (patient-id order for a bulk export, chart order for a Bundle). ``patient``: that patient
    of each chart only (a chart without it is an error row naming it)."""
    units: list[Chart] = []
    for chart in charts:
        patients = _patients(chart.path)
        split = is_bulk_export(chart.path)
        if patient is not None:
            wanted = patient if patient.startswith("Patient/") else f"Patient/{patient}"
            patients = (wanted,)
        if len(patients) <= 1 and patient is None:
            units.append(chart)
            continue
        stem = chart.output.removesuffix(".pdf")
        units += [
            Chart(f"{chart.name}#{_id(ref)}", chart.path, f"{stem}.{_safe(ref)}.pdf", ref, split)
            for ref in patients
        ]
    return units


def _patients(path: Path) -> tuple[str, ...]:
    """The chart's Patient references (a cheap scan; a chart of one is not opened further)."""
    if is_bulk_export(path):
        return BulkExport(path).plan()
    try:
        data = path.read_bytes()
    except OSError:
        return ()
    if len(_PATIENT_RESOURCE.findall(data)) <= 1:
        return ()
    try:
        from priorauth.fhir import load_chart

        return tuple(load_chart(data, source_name=path.name).patients())
    except PriorAuthError:
        return ()  # the chart's own error is reported when it is evaluated


def _id(ref: str) -> str:
    return ref.removeprefix("Patient/")


def _safe(ref: str) -> str:
    """The patient id fit for a file name (else a short hash of it)."""
    rid = _id(ref)
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", rid):
        return rid
    return hashlib.sha256(rid.encode()).hexdigest()[:16]


def run_batch(
    charts: list[Chart],
    out_dir: Path,
    *,
    payer: str,
    as_of: dt.date,
    jobs: int = 1,
    rules_dir: Path | None = None,
    options: LetterOptions | None = None,
    audit: AuditStore | None = None,
    on_result: Callable[[ChartResult], None] | None = None,
    allow_uncovered_payer: bool = False,
    executor: Executor = local_map,
    budget: float = 0.0,
) -> BatchReport:
    """Evaluate every chart, write the PDFs, manifest and summary; returns the report.

    ``budget``: CPU seconds each chart's load, facts and evaluation may take (0: no limit).

    ``allow_uncovered_payer``: evaluate a named payer's policy (and write its letters) also for
    charts with no coverage in force with that payer, instead of a ``payer_not_on_chart`` row.

    Raises :class:`~priorauth.errors.UnknownPayerError` up front for an unknown payer id.
    """
    started = time.perf_counter()
    options = options or LetterOptions()
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(out_dir)
    pipeline = Pipeline(rules_dir)
    _PIPELINES[rules_dir] = pipeline  # this process's work reuses it; workers load their own
    setting = _key_setting(pipeline, payer, as_of, options, allow_uncovered_payer)
    manifest = Manifest.open(out_dir)
    report = BatchReport()
    task = _Task(payer, as_of, options, allow_uncovered_payer, rules_dir, budget)
    ships_bytes = bool(getattr(executor, "ships_bytes", False))

    def pending() -> Iterator[_Unit]:
        for chart, data in _with_data(charts, report.exports):
            digest = chart.digest(data)
            key = hashlib.sha256(f"{digest}\n{setting}".encode()).hexdigest()
            kept = _current(manifest.get(chart.name), key, out_dir, budget)
            if kept is not None:
                _done(report, kept, on_result)
                continue
            files = _chart_files(chart.path) if ships_bytes and data is None else ()
            yield _Unit(chart, data, digest, key, task, files)

    def lost(unit: _Unit, error: str) -> _Done:
        chart = unit.chart
        row = ChartResult(
            chart.name, "error", key=unit.key, input_sha256=unit.digest, payer=payer, error=error
        )
        return _Done(row, chart.output)

    run_id = uuid.uuid4().hex[:16]

    def finished(result: ChartResult) -> None:
        if audit is not None:  # before the manifest: a kill in between re-audits, never loses
            audit.record(_audit_event(result, run_id, len(report.results), payer, as_of))
        manifest.record(result.chart, asdict(result))
        _done(report, result, on_result)

    try:
        for done in executor(_process, pending(), jobs=jobs, failed=lost):
            finished(_written(done, out_dir))
    finally:
        manifest.close()
    order = {chart.name: i for i, chart in enumerate(charts)}
    report.results.sort(key=lambda r: order[r.chart])
    _write_summary(out_dir, report.results)
    if report.exports:
        exports = {
            name: {**r.counts(), "problems": [str(p) for p in r.problems]}
            for name, r in report.exports.items()
        }
        atomic_write(out_dir / "exports.json", (json.dumps(exports, indent=1) + "\n").encode())
    report.seconds = time.perf_counter() - started
    return report


def _with_data(
    charts: list[Chart], exports: dict[str, BulkReport]
) -> Iterator[tuple[Chart, bytes | None]]:
    """Each chart with, for a patient of a split bulk export, its own chart's bytes (the
    export is read once, as it streams, for all its patients; its report goes to
    ``exports``)."""
    streams: dict[Path, tuple[BulkExport, Iterator[PatientChart]]] = {}
    for chart in charts:
        if not chart.split:
            yield chart, None
            continue
        if chart.path not in streams:
            streams.clear()  # an export's patients come together: the last one is done
            export = BulkExport(chart.path)
            streams[chart.path] = (export, export.charts())
        export, stream = streams[chart.path]
        found = next((c for c in stream if c.patient == chart.patient), None)
        exports[chart.name.partition("#")[0]] = export.report  # complete once it is split
        yield chart, (found.ndjson if found is not None else None)


def _done(
    report: BatchReport, result: ChartResult, on_result: Callable[[ChartResult], None] | None
) -> None:
    report.results.append(result)
    if on_result is not None:
        on_result(result)


def _key_setting(
    pipeline: Pipeline,
    payer: str,
    as_of: dt.date,
    options: LetterOptions,
    allow_uncovered_payer: bool,
) -> str:
    """Everything but the input that decides the output, as one canonical string."""
    try:
        package = version("priorauth")
    except PackageNotFoundError:  # pragma: no cover
        package = "unknown"
    return json.dumps(
        {
            "payer": payer,
            "policies": pipeline.fingerprint(payer),
            "as_of": as_of.isoformat(),
            "options": options.model_dump(mode="json"),
            "allow_uncovered_payer": allow_uncovered_payer,
            "priorauth": package,
        },
        sort_keys=True,
    )


def _current(
    entry: dict[str, Any] | None, key: str, out_dir: Path, budget: float = 0.0
) -> ChartResult | None:
    """The recorded result when it was made with ``key`` and its PDF is intact; a chart
    stopped at a budget at least as large as ``budget`` (not 0) stays stopped."""
    if entry is None or entry.get("key") != key:
        return None
    if entry.get("status") == TOO_COSTLY:
        if not 0 < budget <= float(entry.get("budget_seconds") or 0):
            return None
    elif entry.get("status") not in DONE:
        return None
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}
    try:
        result = ChartResult(**fields)
    except TypeError:
        return None
    if result.output:
        path = out_dir / result.output
        if (
            not path.is_file()
            or hashlib.sha256(path.read_bytes()).hexdigest() != result.output_sha256
        ):
            return None
    return replace(result, skipped=True)


@dataclass(frozen=True)
class _Task:
    payer: str
    as_of: dt.date
    options: LetterOptions
    allow_uncovered_payer: bool = False
    rules_dir: Path | None = None
    budget: float = 0.0


@dataclass(frozen=True)
class _Unit:
    """One chart (or one patient's chart) to process: what a worker is sent."""

    chart: Chart
    data: bytes | None
    """The patient's own chart, for a patient of a split bulk export."""
    digest: str
    key: str
    task: _Task
    files: tuple[tuple[str, bytes], ...] = ()
    """The chart's bytes when workers cannot read this machine's disk (a Dask cluster):
    ``(("", bytes),)`` for a file, ``((name, bytes), ...)`` for a folder's NDJSON/JSON files."""


@dataclass(frozen=True)
class _Done:
    """A worker's answer: the chart's row, and its PDF when it gets a letter."""

    result: ChartResult
    output: str
    """The chart's PDF name (written when ``pdf`` is there, else removed if left from before)."""
    pdf: bytes | None = None


def _chart_files(path: Path) -> tuple[tuple[str, bytes], ...]:
    if path.is_file():
        return (("", path.read_bytes()),)
    return tuple(
        (part.name, part.read_bytes())
        for part in sorted(path.iterdir())
        if part.is_file() and part.suffix in NDJSON_SUFFIXES | JSON_SUFFIXES
    )


def _written(done: _Done, out_dir: Path) -> ChartResult:
    """Write (or remove) the chart's PDF here, in the process that keeps the manifest."""
    out = out_dir / done.output
    if done.pdf is None:
        out.unlink(missing_ok=True)
        return done.result
    atomic_write(out, done.pdf)
    sha = hashlib.sha256(done.pdf).hexdigest()
    return replace(done.result, output=done.output, output_sha256=sha)


_PIPELINES: dict[Path | None, Pipeline] = {}


def _pipeline(rules_dir: Path | None) -> Pipeline:
    """The rule set of this process (loaded once per worker process)."""
    found = _PIPELINES.get(rules_dir)
    if found is None:
        found = _PIPELINES[rules_dir] = Pipeline(rules_dir)
    return found


def _process(unit: _Unit) -> _Done:
    """Evaluate one chart and render its letter if it meets the policy (runs in a worker; reads
    the chart, or its bytes, and writes nothing)."""
    chart, task = unit.chart, unit.task
    started = time.perf_counter()
    base = ChartResult(
        chart.name, "error", key=unit.key, input_sha256=unit.digest, payer=task.payer
    )
    try:
        with _chart_source(unit) as source:
            done = _evaluate_one(unit, source, base)
    except BudgetExceededError as exc:
        error = f"too-costly: {exc}"
        row = replace(base, status=TOO_COSTLY, error=error, budget_seconds=task.budget)
        done = _Done(row, chart.output)
    except (AmbiguousPolicyError, PayerNotOnChartError) as exc:
        status = "ambiguous" if isinstance(exc, AmbiguousPolicyError) else "payer_not_on_chart"
        done = _Done(replace(base, status=status, error=_one_line(exc)), chart.output)
    except Exception as exc:
        done = _Done(replace(base, error=_one_line(exc)), chart.output)
    duration = round((time.perf_counter() - started) * 1000, 3)
    return replace(done, result=replace(done.result, duration_ms=duration))


@contextlib.contextmanager
def _chart_source(unit: _Unit) -> Iterator[Path | bytes]:
    """The chart as ``load_chart`` reads it: the patient's own chart (a split export), the
    file's path or bytes, or (a folder sent as bytes) a scratch copy of the folder, so names and
    line numbers in messages stay those of a local run."""
    chart = unit.chart
    if chart.split and unit.data is None:
        raise PriorAuthError(f"{chart.name}: the export holds no {chart.patient}")
    if unit.data is not None:
        yield unit.data
    elif not unit.files:
        yield chart.path
    elif unit.files[0][0] == "":
        yield unit.files[0][1]
    else:
        with tempfile.TemporaryDirectory(prefix="priorauth-chart-") as scratch:
            folder = Path(scratch) / chart.path.name
            folder.mkdir()
            for name, data in unit.files:
                (folder / Path(name).name).write_bytes(data)
            yield folder


def _evaluate_one(unit: _Unit, source: Path | bytes, base: ChartResult) -> _Done:
    chart, task = unit.chart, unit.task
    pipeline = _pipeline(task.rules_dir)
    with cpu_budget(task.budget):  # load, facts, evaluation: the input-driven work
        determination = pipeline.letter_determination(
            source,
            payer=task.payer,
            as_of=task.as_of,
            source=chart.name,
            allow_uncovered_payer=task.allow_uncovered_payer,
            patient=None if chart.split else chart.patient,
        )
    result = _row(base, determination, pipeline.ruleset.get(determination.policy.id).payer.id)
    if determination.status != "meets" or alerts.blocking(determination):
        return _Done(result, chart.output)
    return _Done(result, chart.output, pipeline.letter(determination, "pdf", task.options))


def _row(base: ChartResult, determination: Determination, payer_id: str) -> ChartResult:
    policy = determination.policy
    return replace(
        base,
        status=determination.status,
        safety=_safety(determination),
        urgent=any(a.urgent and alerts.blocks(a) for a in determination.alerts),
        patient=determination.record.patient.ref or "",
        payer=payer_id,
        policy_id=policy.id,
        policy_version=policy.version,
        policy_hash=policy.content_hash,
        unmet_criteria=tuple(c.id for c in unmet_criteria(determination)),
        gaps=tuple(gap.action for gap in determination.gaps),
    )


def _safety(determination: Determination) -> tuple[str, ...]:
    labels = alerts.summary_labels(determination.alerts)
    warnings = len(determination.warnings)
    if warnings:
        plural = "s" if warnings > 1 else ""
        labels += (f"WARNING: {warnings} safety finding{plural} the policy does not address",)
    return labels


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    message = text[0] if text else ""
    if isinstance(exc, PriorAuthError):
        return message or type(exc).__name__
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _audit_event(
    result: ChartResult, run_id: str, index: int, payer: str, as_of: dt.date
) -> AuditEvent:
    from priorauth.service.audit import AuditEvent

    return AuditEvent(
        at=dt.datetime.now(dt.UTC),
        request_id=f"batch-{run_id}-{index}",
        key_id="cli",
        action="batch",
        payer=result.payer or payer,
        policy_id=result.policy_id or None,
        policy_version=result.policy_version or None,
        policy_hash=result.policy_hash or None,
        as_of=as_of,
        input_sha256=result.input_sha256 or None,
        output_sha256=result.output_sha256 or None,
        outcome=result.status,
        error_code={"error": "chart", TOO_COSTLY: "too-costly"}.get(result.status),
        duration_ms=result.duration_ms,
    )


def _write_summary(out_dir: Path, results: list[ChartResult]) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=SUMMARY_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(result.csv_row() for result in results)
    atomic_write(out_dir / "summary.csv", text.getvalue().encode())
    rows = [result.row() for result in results]
    atomic_write(out_dir / "summary.json", (json.dumps(rows, indent=1) + "\n").encode())
