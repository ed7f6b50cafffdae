"""Charts uploaded as a zip archive (a bulk export zipped up): its JSON / NDJSON members as one
NDJSON document, which :func:`~priorauth.fhir.load_chart` reads like a bulk-export file.

Only ``.json``, ``.ndjson`` and ``.jsonl`` members are read; everything else (a manifest in another
format, folders, hidden files) is skipped. Sizes are checked from the archive's directory and
again while reading, so a zip bomb stops at ``max_bytes``.

>>> import io, zipfile
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w") as z:
...     z.writestr("Patient.ndjson", '{"resourceType": "Patient", "id": "p1"}\\n')
>>> zip_to_ndjson(buffer.getvalue(), name="export.zip", max_bytes=1000)
b'{"resourceType": "Patient", "id": "p1"}\\n'
"""

from __future__ import annotations

import io
import zipfile

import orjson

from priorauth.errors import ChartError

__all__ = ["is_zip", "zip_to_ndjson"]

_MEMBERS = (".json", ".ndjson", ".jsonl")
MAX_MEMBERS = 1000


def is_zip(data: bytes) -> bool:
    """Whether ``data`` starts like a zip archive."""
    return data[:4] == b"PK\x03\x04"


def zip_to_ndjson(data: bytes, *, name: str, max_bytes: int) -> bytes:
    """The archive's JSON and NDJSON members as NDJSON bytes (a ``.json`` member: one line)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ChartError(f"not a readable zip archive: {exc}", source=name) from exc
    with archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and m.filename.lower().endswith(_MEMBERS)
            and not m.filename.rsplit("/", 1)[-1].startswith(".")
        ]
        if not members:
            raise ChartError("the zip archive holds no .json or .ndjson file", source=name)
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > max_bytes:
            raise ChartError(f"the zip archive unpacks to more than {max_bytes} bytes", source=name)
        out = io.BytesIO()
        for member in members:
            out.write(_member_lines(archive, member, name, max_bytes - out.tell()))
        return out.getvalue()


def _member_lines(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, room: int) -> bytes:
    with archive.open(member) as handle:
        body = handle.read(room + 1)
    if len(body) > room:
        raise ChartError("the zip archive unpacks to more than its limit", source=name)
    if member.filename.lower().endswith(".json"):
        try:
            return orjson.dumps(orjson.loads(body)) + b"\n"
        except orjson.JSONDecodeError as exc:
            where = f"{name}:{member.filename}"
            raise ChartError(f"not JSON: {exc.msg} (line {exc.lineno})", source=where) from exc
    return body if body.endswith(b"\n") else body + b"\n"
