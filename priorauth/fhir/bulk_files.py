"""Reading a bulk export's files: which files (the ``$export`` manifest), their lines (plain
or gzip), and the report of what could not be used (:class:`Problem`, :class:`BulkReport`).

Used by :mod:`priorauth.fhir.bulk`; every failure is a :class:`Problem` naming the file and line,
never the data.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

__all__ = [
    "MAX_PROBLEMS",
    "NDJSON_SUFFIXES",
    "BulkReport",
    "ExportFile",
    "Problem",
    "file_size",
    "find_manifest",
    "is_bulk_export",
    "parse_line",
    "parse_resource",
    "read_lines",
]

MAX_PROBLEMS = 1000
"""Problems kept with their location; beyond that they are only counted."""
NDJSON_SUFFIXES = (".ndjson", ".jsonl", ".ndjson.gz", ".jsonl.gz")
_GZIP_MAGIC = b"\x1f\x8b"
_MANIFEST_MAX_BYTES = 10_000_000


def is_bulk_export(path: Path) -> bool:
    """Whether ``path`` is read as a bulk export: an NDJSON file (``.gz`` too) or a folder
    holding NDJSON files at its top level."""
    try:
        if path.is_dir():
            return any(p.name.endswith(NDJSON_SUFFIXES) for p in path.iterdir() if p.is_file())
    except (OSError, ValueError):  # unreadable folder, NUL byte in the path: not an export
        return False
    return path.name.endswith(NDJSON_SUFFIXES)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing of the export that could not be used: where (file, line or manifest entry)
    and what, naming resources by ``Type/id`` only."""

    file: str
    line: int | None
    message: str
    kind: str = "invalid"

    def __str__(self) -> str:
        where = f"{self.file}: line {self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


@dataclass
class BulkReport:
    """What reading the export found: counts of every resource's fate, and the problems."""

    files: int = 0
    lines: int = 0
    """Non-blank lines read."""
    patients: int = 0
    attributed: int = 0
    """Resources (Patient included) copied into their patient's chart."""
    shared: int = 0
    """Resources naming no patient, copied into each chart that references them."""
    shared_unreferenced: int = 0
    """Shared resources no patient's resource references (in no chart)."""
    unknown_patient: int = 0
    """Resources whose patient reference names a Patient the export does not hold."""
    unattributed: int = 0
    """Resources whose patient reference cannot be read (not a reference to anything)."""
    invalid_lines: int = 0
    """Lines that are not JSON (a truncated line) or not a FHIR resource."""
    unreadable_files: int = 0
    """Files that could not be read at all or only in part (not gzip, truncated gzip, missing)."""
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    def add(self, problem: Problem) -> None:
        """Record ``problem`` (kept in full up to :data:`MAX_PROBLEMS`, counted beyond)."""
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def counts(self) -> dict[str, int]:
        """Every count, for a summary file."""
        names = (
            "files",
            "lines",
            "patients",
            "attributed",
            "shared",
            "shared_unreferenced",
            "unknown_patient",
            "unattributed",
            "invalid_lines",
            "unreadable_files",
            "problem_count",
        )
        return {name: getattr(self, name) for name in names}

    def describe(self) -> str:
        """One line: patients, resources and what was left out."""
        left_out = self.unknown_patient + self.unattributed + self.invalid_lines
        return (
            f"{self.patients} patients, {self.lines} lines in {self.files} files: "
            f"{self.attributed} resources attributed, {self.shared} shared "
            f"({self.shared_unreferenced} referenced by no patient, in no chart); "
            f"{left_out} left out "
            f"({self.unknown_patient} of unknown patients, {self.unattributed} unattributed, "
            f"{self.invalid_lines} invalid lines); {self.unreadable_files} files unreadable"
        )


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One file of the export and the label problems name it by (``<export>/<file>``)."""

    path: Path
    label: str


def find_manifest(folder: Path) -> tuple[Path, list[Any]] | None:
    """The ``$export`` manifest in ``folder``: a small JSON object with an ``output`` list."""
    for path in sorted(folder.glob("*.json")):
        if file_size(path) > _MANIFEST_MAX_BYTES:
            continue
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if isinstance(data, dict) and isinstance(data.get("output"), list):
            return path, data["output"]
    return None


def file_size(path: Path) -> int:
    """Its size in bytes (0 when it cannot be read: the read then reports why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _open(file: ExportFile, report: BulkReport | None) -> IO[bytes] | None:
    try:
        handle: IO[bytes] = file.path.open("rb")
    except OSError as exc:
        if report is not None:
            report.unreadable_files += 1
            reason = (exc.strerror or "cannot read the file").lower()
            report.add(Problem(file.label, None, reason, "unreadable"))
        return None
    magic = handle.read(2)
    handle.seek(0)
    if magic == _GZIP_MAGIC:
        handle.close()
        return gzip.open(file.path, "rb")  # type: ignore[return-value]
    if file.path.name.endswith(".gz"):
        handle.close()
        if report is not None:
            report.unreadable_files += 1
            message = "named .gz but not gzip data; not read"
            report.add(Problem(file.label, 1, message, "not-gzip"))
        return None
    return handle


def read_lines(file: ExportFile, report: BulkReport | None) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` of every non-blank line; a file that breaks off mid-way is
    reported (with the line it broke at) and what came before it is kept."""
    handle = _open(file, report)
    if handle is None:
        return
    number = 0
    try:
        with handle:
            for number, raw in enumerate(handle, start=1):
                line = raw.strip()
                if number == 1:
                    line = line.removeprefix(b"\xef\xbb\xbf")
                if line:
                    yield number, line
    except (OSError, EOFError, zlib.error) as exc:
        if report is not None:
            report.unreadable_files += 1
            reason = "gzip data ends early (truncated)" if isinstance(exc, EOFError) else None
            reason = reason or f"cannot read on: {str(exc).splitlines()[0] if str(exc) else exc}"
            report.add(Problem(file.label, number + 1, f"{reason}; the rest of the file is lost"))


def parse_line(line: bytes) -> Any:
    """The line's JSON, or None when it is not JSON (for a quick scan, nothing reported)."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


def parse_resource(
    line: bytes, file: ExportFile, number: int, report: BulkReport
) -> dict[str, Any] | None:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        report.invalid_lines += 1
        reason = exc.msg.split(": line ", 1)[0]
        report.add(Problem(file.label, number, f"not JSON ({reason}): a truncated line?"))
        return None
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        report.invalid_lines += 1
        report.add(Problem(file.label, number, "not a FHIR resource (no resourceType)"))
        return None
    return value
