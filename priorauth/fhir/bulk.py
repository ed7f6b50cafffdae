"""Split a FHIR bulk export ($export NDJSON) into one chart per patient, streaming.

An export is an ``.ndjson`` / ``.jsonl`` file (plain or gzip), or a folder of them; when the
folder holds an ``$export`` manifest (a JSON object with an ``output`` list) only the files it
names are read, in its order. Every resource reaches its patient through its ``subject``,
``patient`` or ``beneficiary`` reference (a Patient is its own); a resource naming no patient
(Medication, Practitioner, Organization, Location, …) is *shared*: it is copied into every
patient chart that references it, directly or through another shared resource. A shared resource
that no patient's resource references (an Organization nobody names, say) cannot be attributed:
it is in no chart, and counted (``BulkReport.shared_unreferenced``).

Nothing is held in memory but the list of patient ids and an offset index of the shared
resources. Reading takes three steps, all on disk:

1. scan every file for Patient resources, sort their ids, cut the sorted ids into ranges
   (buckets) so that each bucket's share of the export is about ``bucket_bytes``;
2. read every line once, appending it to its patient's bucket file (or to the shared file) in a
   temporary folder, with the references it makes;
3. per bucket, group its lines by patient and yield the charts, patients in id order, each
   chart's lines in export order (its own resources and the shared ones it references).

Peak memory is one bucket, whatever the size of the export (bench/bulk_split.py measures it).
What cannot be used is reported, never dropped in silence: a line that is not JSON (truncated),
not a resource, a resource of a patient the export does not hold, a file that is not the gzip
its name says, a manifest naming a missing file. Each :class:`Problem` names the file and line;
:class:`BulkReport` counts everything.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "Patient.ndjson").write_text(
...     '{"resourceType": "Patient", "id": "b"}\\n{"resourceType": "Patient", "id": "a"}\\n')
>>> _ = (folder / "Condition.ndjson").write_text(
...     '{"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/a"}}\\n'
...     '{"resourceType": "Condition", "id": "c2", "subject": {"reference": "Patient/zz"}}\\n')
>>> export = BulkExport(folder)
>>> [(chart.patient, chart.count) for chart in export.charts()]
[('Patient/a', 2), ('Patient/b', 1)]
>>> export.report.unknown_patient, str(export.report.problems[0]).split("/", 1)[1]
(1, 'Condition.ndjson: line 2: Condition/c2 names Patient/zz, which is not in the export')
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from priorauth.errors import ChartError
from priorauth.fhir._text import file_label
from priorauth.fhir.bulk_files import (
    NDJSON_SUFFIXES,
    BulkReport,
    ExportFile,
    Problem,
    file_size,
    find_manifest,
    is_bulk_export,
    parse_line,
    parse_resource,
    read_lines,
)
from priorauth.fhir.references import conditional, token, type_and_id, without_history

__all__ = ["BulkExport", "BulkReport", "PatientChart", "Problem", "is_bulk_export"]

DEFAULT_BUCKET_BYTES = 16_000_000
MAX_BUCKETS = 512
_PATIENT_FIELDS = ("subject", "patient", "beneficiary")
_SHARED_TYPES = frozenset(
    {
        "Medication",
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "Location",
        "Device",
        "Substance",
        "HealthcareService",
        "Endpoint",
        "Group",
        "InsurancePlan",
        "RelatedPerson",
    }
)
"""Types a patient's resources reference that usually name no patient (tracked in step 2 to
count the shared resources nobody references)."""


@dataclass(frozen=True, slots=True)
class PatientChart:
    """One patient's chart cut from an export: its NDJSON lines, export order kept.

    Plain bytes, so it pickles cheaply to a worker process (or a cluster worker).
    """

    patient: str
    """``Patient/<id>``."""
    source: str
    """The name errors and notes use: ``<export>/Patient/<id>`` (ids only, never names)."""
    ndjson: bytes
    count: int
    """How many resources (lines) it holds."""

    def bundle(self) -> dict[str, Any]:
        """The chart as a FHIR ``collection`` Bundle (for outputs that embed its resources)."""
        entries = [{"resource": orjson.loads(line)} for line in self.ndjson.splitlines() if line]
        return {"resourceType": "Bundle", "type": "collection", "entry": entries}

    def load(self) -> Any:
        """The chart as a :class:`~priorauth.fhir.ResourceIndex`."""
        from priorauth.fhir.loader import load_chart

        return load_chart(self.ndjson, source_name=self.source)


@dataclass(frozen=True, slots=True)
class _Shared:
    seq: int
    offset: int
    length: int
    refs: tuple[str, ...]


class BulkExport:
    """A bulk export, read as per-patient charts (see the module docstring).

    ``charts()`` yields every patient's chart in patient-id order; ``patients`` (after
    :meth:`plan`, which ``charts`` calls) lists them; ``report`` is complete once ``charts`` is
    exhausted. ``workdir``: where the temporary bucket files go [default: the system's temp].
    """

    def __init__(
        self,
        path: Path,
        *,
        workdir: Path | None = None,
        bucket_bytes: int = DEFAULT_BUCKET_BYTES,
        only: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.label = file_label(self.path.name or str(self.path))
        self.workdir = workdir
        self.bucket_bytes = max(1, bucket_bytes)
        self.only = only
        """Yield only this patient (``Patient/<id>`` or ``<id>``)."""
        self.report = BulkReport()
        self.patients: tuple[str, ...] = ()
        self._files: list[ExportFile] | None = None
        self._planned = False

    # -- step 0: which files ----------------------------------------------------------------

    def files(self) -> list[ExportFile]:
        """The files to read: the manifest's, else every NDJSON file (sorted by name)."""
        if self._files is None:
            self._files = self._list_files()
            self.report.files = len(self._files)
        return self._files

    def _list_files(self) -> list[ExportFile]:
        if not self.path.exists():
            raise ChartError("no such file or folder", source=self.label)
        if not self.path.is_dir():
            return [ExportFile(self.path, self.label)]
        manifest = find_manifest(self.path)
        if manifest is not None:
            return self._manifest_files(*manifest)
        found = sorted(
            p for p in self.path.iterdir() if p.is_file() and p.name.endswith(NDJSON_SUFFIXES)
        )
        if not found:
            raise ChartError("folder holds no .ndjson files", source=self.label)
        return [ExportFile(p, f"{self.label}/{file_label(p.name)}") for p in found]

    def _manifest_files(self, manifest: Path, outputs: list[Any]) -> list[ExportFile]:
        label = f"{self.label}/{file_label(manifest.name)}"
        files = []
        for number, item in enumerate(outputs):
            url = item.get("url") if isinstance(item, dict) else None
            name = url.rstrip("/").rsplit("/", 1)[-1] if isinstance(url, str) else ""
            path = self.path / name
            if not name or not path.is_file():
                shown = file_label(name) if name else "no file (no url)"
                self.report.add(
                    Problem(label, None, f"output[{number}] names {shown}, not in the folder")
                )
                self.report.unreadable_files += 1
                continue
            files.append(ExportFile(path, f"{self.label}/{file_label(name)}"))
        listed = {f.path.name for f in files}
        for other in sorted(self.path.iterdir()):
            if other.name.endswith(NDJSON_SUFFIXES) and other.name not in listed:
                message = "not listed in the export manifest; not read"
                self.report.add(Problem(f"{self.label}/{file_label(other.name)}", None, message))
        return files

    # -- step 1: the patients ---------------------------------------------------------------

    def plan(self) -> tuple[str, ...]:
        """Scan for Patient resources; ``patients`` sorted by id (the order charts come in)."""
        self.report, self._files = BulkReport(), None
        ids: set[str] = set()
        for file in self.files():
            for _number, line in read_lines(file, None):
                if b'"Patient"' not in line:
                    continue
                resource = parse_line(line)
                if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
                    rid = resource.get("id")
                    if isinstance(rid, str) and rid:
                        ids.add(rid)
        self.patients = tuple(f"Patient/{rid}" for rid in sorted(ids))
        self._planned = True
        self.report.patients = len(self.patients)
        return self.patients

    # -- steps 2 and 3 ----------------------------------------------------------------------

    def charts(self) -> Iterator[PatientChart]:
        """Every patient's chart, in patient-id order (see the module docstring)."""
        patients = self.patients if self._planned else self.plan()
        self._planned = False  # a second call plans (and counts) afresh
        if not patients:  # every resource is left out, but still counted and reported
            _Partition(self, None).distribute(None)
            return
        if self.only is not None and _patient_ref(self.only) not in patients:
            shown = ", ".join(patients[:20]) + (", …" if len(patients) > 20 else "")
            raise ChartError(
                f"no {_patient_ref(self.only)} in this export; it holds {shown}",
                source=self.label,
            )
        workdir = Path(tempfile.mkdtemp(prefix="priorauth-bulk-", dir=self.workdir))
        try:
            yield from _Partition(self, workdir).run()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


class _Partition:
    """Steps 2 and 3 over a temporary folder."""

    def __init__(self, export: BulkExport, workdir: Path | None) -> None:
        self.export = export
        self.report = export.report
        self.workdir = workdir
        self.ids = {ref.removeprefix("Patient/"): n for n, ref in enumerate(export.patients)}
        total = sum(file_size(f.path) for f in export.files())
        wanted = -(-total // export.bucket_bytes)
        self.buckets = max(1, min(MAX_BUCKETS, wanted, len(self.ids) or 1))
        self.shared: dict[str, _Shared] = {}
        self.by_identifier: dict[str, str] = {}
        self.referenced: set[str] = set()
        self.seq = 0

    def bucket_of(self, ordinal: int) -> int:
        return ordinal * self.buckets // max(1, len(self.ids))

    def run(self) -> Iterator[PatientChart]:
        assert self.workdir is not None  # noqa: S101 - run() is only called with a workdir
        self.distribute(self.workdir)
        reached = set(self._closure(iter(self.referenced)))
        self.report.shared_unreferenced = len(self.shared.keys() - reached)
        only = _patient_ref(self.export.only) if self.export.only else None
        buckets = range(self.buckets)
        if only is not None:
            chosen = self.bucket_of(self.ids[only.removeprefix("Patient/")])
            buckets = range(chosen, chosen + 1)
        with (self.workdir / "shared").open("rb") as shared:
            for bucket in buckets:
                for ordinal, lines in _grouped(self.workdir / f"b{bucket}"):
                    ref = self.export.patients[ordinal]
                    if only is None or ref == only:
                        yield self._chart(ref, lines, shared)

    def distribute(self, workdir: Path | None) -> None:
        """Step 2: every line to its bucket file (or the shared file), with its references."""
        sinks: list[IO[bytes]] = []
        shared_sink: IO[bytes] | None = None
        try:
            if workdir is not None:
                sinks = [(workdir / f"b{b}").open("wb") for b in range(self.buckets)]
                shared_sink = (workdir / "shared").open("wb")
            for file in self.export.files():
                for number, line in read_lines(file, self.report):
                    self._place(file, number, line, sinks, shared_sink)
        finally:
            for sink in sinks:
                sink.close()
            if shared_sink is not None:
                shared_sink.close()

    def _place(
        self,
        file: ExportFile,
        number: int,
        line: bytes,
        sinks: list[IO[bytes]],
        shared_sink: IO[bytes] | None,
    ) -> None:
        self.report.lines += 1
        resource = parse_resource(line, file, number, self.report)
        if resource is None:
            return
        self.seq += 1
        owner = self._owner(resource, file, number)
        if owner is None:
            return
        refs = tuple(sorted(_references(line)))
        if owner == -1:
            self.report.shared += 1
            if shared_sink is not None:
                self._keep_shared(resource, line, refs, shared_sink)
            return
        self.report.attributed += 1
        self.referenced.update(r for r in refs if _ref_type(r) in _SHARED_TYPES)
        if sinks:
            head = orjson.dumps([owner, self.seq, refs])
            sink = sinks[self.bucket_of(owner)]
            sink.write(len(head).to_bytes(4, "little") + head)
            sink.write(len(line).to_bytes(4, "little") + line)

    def _owner(self, resource: dict[str, Any], file: ExportFile, number: int) -> int | None:
        """The patient ordinal, -1 for a shared resource, None when it cannot be attributed."""
        kind = resource["resourceType"]
        if kind == "Patient":
            ordinal = self.ids.get(str(resource.get("id")))
            if ordinal is None:
                self.report.unattributed += 1
                message = "a Patient without a usable id; left out"
                self.report.add(Problem(file.label, number, message, "unattributed"))
            return ordinal
        reference = next(
            (resource[f] for f in _PATIENT_FIELDS if isinstance(resource.get(f), dict)), None
        )
        if reference is None:
            return -1
        text = reference.get("reference")
        parsed = type_and_id(without_history(text)) if isinstance(text, str) else None
        name = _name(resource)
        if parsed is None:
            self.report.unattributed += 1
            self.report.add(
                Problem(
                    file.label,
                    number,
                    f"{name}: its patient reference is not Type/id; left out",
                    "unattributed",
                )
            )
            return None
        if parsed[0] != "Patient":
            return -1  # a Group, Location or Device subject: shared like a patient-less resource
        ordinal = self.ids.get(parsed[1])
        if ordinal is None:
            self.report.unknown_patient += 1
            self.report.add(
                Problem(
                    file.label,
                    number,
                    f"{name} names Patient/{parsed[1]}, which is not in the export",
                    "unknown-patient",
                )
            )
        return ordinal

    def _keep_shared(
        self, resource: dict[str, Any], line: bytes, refs: tuple[str, ...], sink: IO[bytes]
    ) -> None:
        kind, rid = resource["resourceType"], resource.get("id")
        if not isinstance(rid, str):
            return
        key = f"{kind}/{rid}"
        self.shared[key] = _Shared(self.seq, sink.tell(), len(line), refs)
        sink.write(line)
        for ident in resource.get("identifier") or ():
            if isinstance(ident, dict) and isinstance(ident.get("value"), str):
                system = ident.get("system") if isinstance(ident.get("system"), str) else ""
                self.by_identifier.setdefault(f"{kind}?{system}|{ident['value']}", key)
                self.by_identifier.setdefault(f"{kind}?|{ident['value']}", key)

    def _chart(
        self,
        ref: str,
        lines: list[tuple[int, tuple[str, ...], bytes]],
        shared: IO[bytes],
    ) -> PatientChart:
        wanted = self._closure(r for _seq, refs, _line in lines for r in refs)
        parts: list[tuple[int, bytes]] = [(seq, line) for seq, _refs, line in lines]
        for key in wanted:
            entry = self.shared[key]
            shared.seek(entry.offset)
            parts.append((entry.seq, shared.read(entry.length)))
        parts.sort(key=lambda part: part[0])
        body = b"\n".join(line for _seq, line in parts) + b"\n"
        return PatientChart(ref, f"{self.export.label}/{ref}", body, len(parts))

    def _closure(self, refs: Iterator[str]) -> list[str]:
        """The shared resources reachable from ``refs`` (through shared resources too)."""
        found: set[str] = set()
        pending = [self._shared_key(r) for r in refs]
        while pending:
            key = pending.pop()
            if key is None or key in found:
                continue
            found.add(key)
            pending.extend(self._shared_key(r) for r in self.shared[key].refs)
        return sorted(found)

    def _shared_key(self, ref: str) -> str | None:
        if ref in self.shared:
            return ref
        return self.by_identifier.get(ref)


_REFERENCE = re.compile(rb'"reference"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _references(line: bytes) -> set[str]:
    """Every reference the line makes, as ``Type/id`` or ``Type?system|value`` (found in the
    raw bytes: much cheaper than walking the parsed resource)."""
    keys = set(map(_raw_key, _REFERENCE.findall(line)))
    keys.discard(None)
    return keys  # type: ignore[return-value]


@functools.lru_cache(maxsize=4096)  # an export repeats its references (doctors, drugs)
def _raw_key(raw: bytes) -> str | None:
    text = orjson.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode("utf-8", "replace")
    return _reference_key(text) if isinstance(text, str) else None


def _reference_key(text: str) -> str | None:
    parsed = type_and_id(without_history(text))
    if parsed is not None:
        return None if parsed[0] == "Patient" else f"{parsed[0]}/{parsed[1]}"
    found = conditional(text)
    if found is None:
        return None
    kind, params = found
    for name, value in params:
        if name == "identifier":
            system, code = token(value)
            return f"{kind}?{system or ''}|{code}"
    return None


def _grouped(path: Path) -> Iterator[tuple[int, list[tuple[int, tuple[str, ...], bytes]]]]:
    """Step 3 for one bucket file: ``(patient ordinal, [(seq, refs, line)])``, ordinals sorted."""
    groups: dict[int, list[tuple[int, tuple[str, ...], bytes]]] = {}
    with path.open("rb") as handle:
        data = handle.read()
    position = 0
    while position < len(data):
        size = int.from_bytes(data[position : position + 4], "little")
        owner, seq, refs = orjson.loads(data[position + 4 : position + 4 + size])
        position += 4 + size
        size = int.from_bytes(data[position : position + 4], "little")
        line = data[position + 4 : position + 4 + size]
        position += 4 + size
        groups.setdefault(owner, []).append((seq, tuple(refs), line))
    del data
    os.unlink(path)
    for ordinal in sorted(groups):
        yield ordinal, groups.pop(ordinal)


def _name(resource: dict[str, Any]) -> str:
    rid = resource.get("id")
    kind = resource["resourceType"]
    return (
        f"{kind}/{rid}" if isinstance(rid, str) and rid.isprintable() and len(rid) < 100 else kind
    )


def _ref_type(key: str) -> str:
    return key.split("/", 1)[0].split("?", 1)[0]


def _patient_ref(wanted: str) -> str:
    return wanted if wanted.startswith("Patient/") else f"Patient/{wanted}"
