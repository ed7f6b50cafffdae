"""Read chart input into parsed JSON documents: files, folders, bytes, or already-parsed JSON.

This is the only module that touches the file system or a JSON parser. It knows nothing of FHIR
beyond file suffixes: a ``.ndjson`` / ``.jsonl`` file (or bytes that look like NDJSON) is one JSON
value per line; anything else is one JSON document. Every failure is a ``ChartError`` naming the
file and, for syntax errors, the line and column; messages never quote the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from priorauth.errors import ChartError
from priorauth.fhir._text import file_label, one_line

NDJSON_SUFFIXES = frozenset({".ndjson", ".jsonl"})
JSON_SUFFIXES = frozenset({".json"})
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed input file (or the bytes / object given directly).

    ``name`` prefixes locations when several documents make up one chart (a bulk-export folder);
    ``lines`` holds ``(line number, value)`` pairs for NDJSON, ``value`` the parsed JSON otherwise.
    """

    name: str
    value: Any = None
    lines: tuple[tuple[int, Any], ...] | None = None
    in_folder: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    """The documents of one chart, and the name errors and notes use for it."""

    name: str
    documents: tuple[Document, ...]


def read_source(source: Any, *, source_name: str | None, max_bytes: int) -> Source:
    """Turn any accepted ``load_chart`` input into parsed documents."""
    source_name = one_line(source_name) if source_name is not None else None
    if isinstance(source, bytes | bytearray | memoryview):
        name = source_name or "<bytes>"
        return Source(name, (parse_bytes(bytes(source), name=name, max_bytes=max_bytes),))
    if isinstance(source, dict | list):
        return Source(source_name or "<json>", (Document(source_name or "<json>", value=source),))
    if isinstance(source, str) and source.lstrip()[:1] in ("{", "["):
        name = source_name or "<text>"
        data = source.encode("utf-8", errors="replace")
        return Source(name, (parse_bytes(data, name=name, max_bytes=max_bytes),))
    if isinstance(source, str | Path):
        return _read_path(Path(source), source_name=source_name, max_bytes=max_bytes)
    raise ChartError(
        f"cannot read a chart from a {type(source).__name__}; pass a path, bytes, dict or list",
        source=source_name or "<input>",
    )


def _read_path(path: Path, *, source_name: str | None, max_bytes: int) -> Source:
    name = source_name or file_label(path.name or str(path))
    try:
        if path.is_dir():
            return Source(name, _read_folder(path, name=name, max_bytes=max_bytes))
        return Source(name, (_read_file(path, name=name, max_bytes=max_bytes),))
    except (OSError, ValueError) as exc:  # ValueError: NUL byte in the path
        reason = getattr(exc, "strerror", None) or "cannot read the file"
        raise ChartError(reason.lower(), source=name) from None


def _read_folder(folder: Path, *, name: str, max_bytes: int) -> tuple[Document, ...]:
    files = sorted(
        p for p in folder.iterdir() if p.suffix in NDJSON_SUFFIXES | JSON_SUFFIXES and p.is_file()
    )
    if not files:
        raise ChartError("folder holds no .ndjson or .json files", source=name)
    total = sum(p.stat().st_size for p in files)
    _check_size(total, max_bytes, name)
    labels = [file_label(p.name) for p in files]
    return tuple(
        _read_file(p, name=f"{name}/{label}", max_bytes=max_bytes, label=label)
        for p, label in zip(files, labels, strict=True)
    )


def _read_file(path: Path, *, name: str, max_bytes: int, label: str | None = None) -> Document:
    _check_size(path.stat().st_size, max_bytes, name)
    with path.open("rb") as file:  # a pipe or device reports size 0: read at most the limit
        data = file.read(max_bytes + 1)
    _check_size(len(data), max_bytes, name)
    ndjson = True if path.suffix in NDJSON_SUFFIXES else None
    document = parse_bytes(data, name=name, max_bytes=max_bytes, ndjson=ndjson)
    if label is None:
        return document
    return Document(label, document.value, document.lines, in_folder=True)


def _check_size(size: int, max_bytes: int, name: str) -> None:
    if size > max_bytes:
        raise ChartError(
            f"input is {size:,} bytes, over the {max_bytes:,}-byte limit (max_bytes)", source=name
        )


def parse_bytes(data: bytes, *, name: str, max_bytes: int, ndjson: bool | None = None) -> Document:
    """Parse JSON or NDJSON bytes; ``ndjson=None`` detects NDJSON from the first line."""
    _check_size(len(data), max_bytes, name)
    data = data.removeprefix(_BOM)
    if not data.strip():
        raise ChartError("empty input: no FHIR resources", source=name)
    if ndjson:
        return Document(name, lines=_parse_lines(data, name))
    try:
        return Document(name, value=orjson.loads(data))
    except orjson.JSONDecodeError as exc:
        if ndjson is None and _looks_like_ndjson(data):
            return Document(name, lines=_parse_lines(data, name))
        raise _syntax_error(exc, name, line_offset=0) from None


def _looks_like_ndjson(data: bytes) -> bool:
    first, newline, rest = data.strip().partition(b"\n")
    if not newline or not rest.strip():
        return False
    try:
        return isinstance(orjson.loads(first), dict)
    except orjson.JSONDecodeError:
        return False


def _parse_lines(data: bytes, name: str) -> tuple[tuple[int, Any], ...]:
    parsed: list[tuple[int, Any]] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            parsed.append((number, orjson.loads(line)))
        except orjson.JSONDecodeError as exc:
            raise _syntax_error(exc, name, line_offset=number - 1) from None
    return tuple(parsed)


def _syntax_error(exc: orjson.JSONDecodeError, name: str, *, line_offset: int) -> ChartError:
    """A ChartError for a JSON syntax error; orjson's message names the problem, not the data."""
    reason = exc.msg.split(": line ", 1)[0]
    if "depth" in reason or "recursion" in reason:
        message = "JSON nested too deeply (the limit is 100 levels)"
    elif "allocate" in reason:  # orjson's report for deep, unterminated input
        message = "not JSON: truncated or too deeply nested"
    else:
        message = f"not JSON: {reason}"
    location = f"line {exc.lineno + line_offset}, column {exc.colno}"
    return ChartError(message, source=name, location=location)
