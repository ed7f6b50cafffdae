"""Zipped charts: JSON and NDJSON members become one NDJSON document; bad archives are one-line
ChartErrors; no input makes the reader fail otherwise (hypothesis)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from priorauth.errors import ChartError
from priorauth.fhir import load_chart
from priorauth.fhir.archive import is_zip, zip_to_ndjson

CHARTS = Path(__file__).resolve().parents[1] / "data" / "charts"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def test_a_zipped_bulk_export_loads_like_the_folder():
    members = {f"out/{p.name}": p.read_bytes() for p in (CHARTS / "bulk_ndjson").glob("*.ndjson")}
    members["out/manifest.txt"] = b"ignored"
    members["out/.hidden.json"] = b"{broken"
    data = _zip(members)
    assert is_zip(data)
    zipped = load_chart(zip_to_ndjson(data, name="upload", max_bytes=10**7))
    folder = load_chart(CHARTS / "bulk_ndjson")
    assert zipped.count() == folder.count()
    assert zipped.patients() == folder.patients()


def test_a_json_member_becomes_one_line():
    bundle = (CHARTS / "contraindicated.json").read_bytes()
    lines = zip_to_ndjson(_zip({"a.json": bundle}), name="upload", max_bytes=10**7)
    assert lines.count(b"\n") == 1
    assert load_chart(lines).patients() == load_chart(bundle).patients()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not really", "upload: not a readable zip archive"),
        (_zip({"readme.txt": b"x"}), "upload: the zip archive holds no .json or .ndjson file"),
        (
            _zip({"a.ndjson": b"{}\n" * 100}),
            "upload: the zip archive unpacks to more than 50 bytes",
        ),
        (_zip({"a.json": b"{oops"}), "upload:a.json: not JSON"),
    ],
)
def test_bad_archives_are_one_line_errors(data, message):
    with pytest.raises(ChartError) as caught:
        zip_to_ndjson(data, name="upload", max_bytes=50)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_after_the_zip_signature_are_read_or_refused(tail):
    message = ""
    try:
        zip_to_ndjson(b"PK\x03\x04" + tail, name="upload", max_bytes=10_000)
    except ChartError as exc:
        message = str(exc)
    assert message == "" or message.startswith("upload")
