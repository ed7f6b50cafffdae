"""Batch: every chart in a folder → one PDF per chart that meets the policy, plus a summary.

A chart is a ``*.json`` file (a Bundle) or a sub-folder (an NDJSON bulk export). Charts are
evaluated and their letters rendered by a runner (:mod:`priorauth.service.cluster`): local worker
processes by default, the workers of a Dask scheduler when one is named; the rule set goes to each
worker once. Workers only read the chart (or get its bytes, on a cluster) and return the row and
the PDF; this process writes each PDF atomically and records each finished chart in the manifest
(see
:mod:`priorauth.service.manifest`), so a run killed at any point resumes: a chart is skipped when
its recorded key (SHA-256 of the input bytes + the policies' content hashes + as-of + options)
matches and its PDF is still there with the recorded hash; everything else is redone, and output
names are fixed per chart, so nothing is lost or duplicated. ``summary.csv`` and
``summary.json`` are written (atomically) at the end, one row per chart in name order; the
``safety`` column comes right after the chart's name (``SAFETY HOLD: acute-suicide-risk``,
``REVIEW: seizure-history``, empty when the safety floor found nothing). A chart on safety hold
or awaiting clinician review gets no PDF.

A chart that fails is a row with status ``error`` and a one-line message; the run goes on. A
chart for which the policy cannot be chosen without guessing is a row with status ``ambiguous``
(several policies fit: the message names them) or ``payer_not_on_chart`` (the policy's payer is
not one of the chart's coverages in force); no letter is written for it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from priorauth import alerts
from priorauth.determination import Determination
from priorauth.errors import AmbiguousPolicyError, PayerNotOnChartError
from priorauth.fhir.reader import JSON_SUFFIXES, NDJSON_SUFFIXES
from priorauth.render.options import LetterOptions
from priorauth.service.cluster import Failed, one_line, open_runner
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
REFUSED = ("ambiguous", "payer_not_on_chart")
"""Rows whose policy cannot be chosen without guessing: the user must choose (``--payer``)."""


@dataclass(frozen=True)
class Chart:
    """One chart of the input folder and the PDF name it gets."""

    name: str
    path: Path
    output: str

    def digest(self) -> str:
        """SHA-256 of the chart's bytes (of every file, with its name, for a folder)."""
        if self.path.is_file():
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
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
            "error",
        )
        counts = ", ".join(f"{self.count(s)} {s}" for s in statuses)
        return (
            f"{len(self.results)} charts ({counts}); {self.letters} letters, "
            f"{self.skipped} already current; {self.seconds:.1f}s -> {out_dir}/summary.csv"
        )


def discover_charts(input_dir: Path) -> list[Chart]:
    """``*.json`` files and sub-folders holding ``*.ndjson``, sorted by name.

    Each gets ``<stem>.pdf``; when two charts would share a name (``a.json`` and folder ``a``)
    both keep their full name (``a.json.pdf``, ``a.pdf``).
    """
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
    scheduler: str | None = None,
) -> BatchReport:
    """Evaluate every chart, write the PDFs, manifest and summary; returns the report.

    ``allow_uncovered_payer``: evaluate a named payer's policy (and write its letters) also for
    charts with no coverage in force with that payer, instead of a ``payer_not_on_chart`` row.

    ``scheduler``: a Dask scheduler address (``tcp://host:8786``): the charts are evaluated and
    the letters rendered on its workers (``jobs`` is then unused); this process still writes every
    PDF, the manifest, the summary and the audit rows (see :mod:`priorauth.service.cluster`).

    Raises :class:`~priorauth.errors.UnknownPayerError` up front for an unknown payer id, and
    :class:`~priorauth.service.cluster.ClusterError` when the scheduler cannot be used.
    """
    started = time.perf_counter()
    options = options or LetterOptions()
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(out_dir)
    pipeline = Pipeline(rules_dir)
    setting = _key_setting(pipeline, payer, as_of, options, allow_uncovered_payer)
    manifest = Manifest.open(out_dir)
    report = BatchReport()
    try:
        pending = []
        for chart, digest, key in _keyed(charts, setting):
            kept = _current(manifest.get(chart.name), key, out_dir)
            if kept is not None:
                _done(report, kept, on_result)
            else:
                pending.append((chart, digest, key))
        task = _Task(payer, as_of, options, allow_uncovered_payer)
        run_id = uuid.uuid4().hex[:16]
        for result in _execute(pending, _Job(pipeline, task), out_dir, jobs, scheduler):
            if audit is not None:  # before the manifest: a kill in between re-audits, never loses
                audit.record(_audit_event(result, run_id, len(report.results), payer, as_of))
            manifest.record(result.chart, asdict(result))
            _done(report, result, on_result)
    finally:
        manifest.close()
    order = {chart.name: i for i, chart in enumerate(charts)}
    report.results.sort(key=lambda r: order[r.chart])
    _write_summary(out_dir, report.results)
    report.seconds = time.perf_counter() - started
    return report


def _keyed(charts: list[Chart], setting: str) -> Iterator[tuple[Chart, str, str]]:
    """Each chart with the SHA-256 of its input and its output key (input + setting)."""
    for chart in charts:
        digest = chart.digest()
        yield chart, digest, hashlib.sha256(f"{digest}\n{setting}".encode()).hexdigest()


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


def _current(entry: dict[str, Any] | None, key: str, out_dir: Path) -> ChartResult | None:
    """The recorded result when it was made with ``key`` and its PDF is intact."""
    if entry is None or entry.get("key") != key or entry.get("status") not in DONE:
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


@dataclass(frozen=True)
class _Job:
    """What every chart of a run needs: sent to each worker once."""

    pipeline: Pipeline
    task: _Task


@dataclass(frozen=True)
class _Item:
    """One chart to evaluate; ``files`` carries its bytes when workers cannot read this disk
    (``(("", bytes),)`` for a file, ``((name, bytes), ...)`` for a folder's NDJSON files)."""

    chart: Chart
    digest: str
    key: str
    files: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class _Done:
    """A worker's answer: the summary row, and the PDF when the chart gets a letter."""

    result: ChartResult
    pdf: bytes | None = None


# What every worker needs, imported once in the fork server rather than in each worker: the
# pipeline's stages and the HTML and PDF stack (importing them starts no thread; Pango and
# fontconfig are first used in the worker).
_PRELOAD = [__name__, "priorauth.pipeline", "priorauth.render.html", "priorauth.render.pdf"]


def _execute(
    pending: list[tuple[Chart, str, str]],
    job: _Job,
    out_dir: Path,
    jobs: int,
    scheduler: str | None,
) -> Iterator[ChartResult]:
    """Each pending chart's result as it completes; this process writes (or removes) its PDF."""
    local_jobs = 1 if len(pending) <= 1 else jobs
    with open_runner(local_jobs, scheduler, preload=_PRELOAD) as runner:
        items = _items(pending, ships_bytes=runner.ships_bytes)
        for index, outcome in runner.map(_process, job, items):
            chart, digest, key = pending[index]
            out = out_dir / chart.output
            if isinstance(outcome, Failed):
                out.unlink(missing_ok=True)
                yield ChartResult(
                    chart.name,
                    "error",
                    key=key,
                    input_sha256=digest,
                    payer=job.task.payer,
                    error=outcome.error,
                )
            elif outcome.pdf is None:
                out.unlink(missing_ok=True)
                yield outcome.result
            else:
                atomic_write(out, outcome.pdf)
                sha = hashlib.sha256(outcome.pdf).hexdigest()
                yield replace(outcome.result, output=chart.output, output_sha256=sha)


def _items(pending: list[tuple[Chart, str, str]], *, ships_bytes: bool) -> Iterator[_Item]:
    """The work items, read from disk one at a time (as the runner asks) when bytes must go."""
    for chart, digest, key in pending:
        yield _Item(chart, digest, key, _chart_files(chart.path) if ships_bytes else ())


def _chart_files(path: Path) -> tuple[tuple[str, bytes], ...]:
    if path.is_file():
        return (("", path.read_bytes()),)
    return tuple(
        (part.name, part.read_bytes())
        for part in sorted(path.iterdir())
        if part.is_file() and part.suffix in NDJSON_SUFFIXES | JSON_SUFFIXES
    )


def _process(job: _Job, item: _Item) -> _Done:
    """Evaluate one chart and render its letter if it meets the policy (runs in a worker;
    reads the chart, writes nothing)."""
    started = time.perf_counter()
    task = job.task
    base = ChartResult(
        item.chart.name, "error", key=item.key, input_sha256=item.digest, payer=task.payer
    )
    try:
        with _chart_source(item) as source:
            done = _evaluate_one(job, source, item.chart.name, base)
    except (AmbiguousPolicyError, PayerNotOnChartError) as exc:
        status = "ambiguous" if isinstance(exc, AmbiguousPolicyError) else "payer_not_on_chart"
        done = _Done(replace(base, status=status, error=one_line(exc)))
    except Exception as exc:
        done = _Done(replace(base, error=one_line(exc)))
    duration = round((time.perf_counter() - started) * 1000, 3)
    return replace(done, result=replace(done.result, duration_ms=duration))


@contextlib.contextmanager
def _chart_source(item: _Item) -> Iterator[Path | bytes]:
    """The chart as ``load_chart`` reads it: its path, its bytes, or (a folder sent as bytes)
    a scratch copy of the folder, so names and line numbers in messages stay the same."""
    if not item.files:
        yield item.chart.path
    elif item.files[0][0] == "":
        yield item.files[0][1]
    else:
        with tempfile.TemporaryDirectory(prefix="priorauth-chart-") as scratch:
            for name, data in item.files:
                (Path(scratch) / Path(name).name).write_bytes(data)
            yield Path(scratch)


def _evaluate_one(job: _Job, source: Path | bytes, name: str, base: ChartResult) -> _Done:
    pipeline, task = job.pipeline, job.task
    determination = pipeline.letter_determination(
        source,
        payer=task.payer,
        as_of=task.as_of,
        source=name,
        allow_uncovered_payer=task.allow_uncovered_payer,
    )
    result = _row(base, determination, pipeline.ruleset.get(determination.policy.id).payer.id)
    if determination.status != "meets" or alerts.blocking(determination):
        return _Done(result)
    return _Done(result, pipeline.letter(determination, "pdf", task.options))


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
        error_code="chart" if result.status == "error" else None,
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
