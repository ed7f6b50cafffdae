"""PDF smoke tests: text, attachment, metadata, reproducibility, variants, no network."""

from __future__ import annotations

import http.server
import io
import threading
from typing import ClassVar

import pytest
from pypdf import PdfReader

from priorauth.determination import Determination
from priorauth.render import ATTACHMENT_NAME, LetterOptions, letter_bytes, render_pdf

from .conftest import make_determination, make_record


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(make_determination())


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_text_shows_patient_payer_trials_and_criteria(pdf):
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF-1.7")
    for needle in (
        "Jordan A. Rivera",
        "Aetna",
        "Utilization Management",
        "CPB 0469",
        "Sertraline",
        "Venlafaxine",
        "Bupropion",
        "Aripiprazole",
        "Mirtazapine",
        "Diagnosis of major depressive disorder",
        "Age 18 or older",
        "Treatment resistance",
        "Four antidepressant trials from two classes",
        "Evidence-based psychotherapy",
        "Recent standardized severity score",
        "No seizure history or metal implants",
        "Confidentiality notice",
    ):
        assert needle in text, needle
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text


def test_attached_json_round_trips(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    assert list(reader.attachments) == [ATTACHMENT_NAME]
    (payload,) = reader.attachments[ATTACHMENT_NAME]
    assert Determination.model_validate_json(payload) == make_determination()
    root = reader.trailer["/Root"]
    spec = root["/AF"][0].get_object()
    assert spec["/AFRelationship"] == "/Data"
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"


def test_metadata_and_pdfa_identification(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    meta = reader.metadata
    assert meta.title.startswith("Letter of Medical Necessity")
    assert meta.author == "Lakeside Behavioral Health"
    assert "Aetna" in meta.subject
    assert "Jordan" not in meta.subject
    assert meta["/CreationDate"].startswith("D:20261125")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp
    assert b'pdfaid:conformance="B"' in xmp


def test_two_renders_are_byte_identical(pdf):
    assert render_pdf(make_determination()) == pdf


def test_pdf_ua_is_tagged():
    data = render_pdf(make_determination(), options=LetterOptions(pdf_variant="pdf/ua-1"))
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]


def test_letter_bytes_formats():
    d = make_determination()
    assert Determination.model_validate_json(letter_bytes(d, format="json")) == d
    assert letter_bytes(d, format="html").startswith(b"<!DOCTYPE html>")


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canary():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    _Canary.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Canary.hits
    server.shutdown()
    server.server_close()


def test_injected_markup_renders_as_text_and_fetches_nothing(canary, no_render_logs):
    port, hits = canary
    name = f'<img src="http://127.0.0.1:{port}/x">'
    style = f"</style><style>*{{background:url(http://127.0.0.1:{port}/y)}}</style>"
    base = make_record()
    record = base.model_copy(
        update={
            "patient": base.patient.model_copy(update={"name": name}),
            "trials": (base.trials[0].model_copy(update={"outcome_detail": style}),),
        }
    )
    text = pdf_text(render_pdf(make_determination(record=record)))
    assert f"127.0.0.1:{port}/x" in text
    assert "background:url" in text
    assert hits == []


def test_minimal_determination_renders(minimal, no_render_logs):
    text = pdf_text(render_pdf(minimal, options=LetterOptions(pdf_variant="none")))
    assert "not documented" in text
    assert "Draft, not ready to submit" in text


def test_identical_across_processes(pdf, tmp_path):
    import subprocess
    import sys

    script = (
        "import sys; from tests.render.conftest import make_determination; "
        "from priorauth.render import render_pdf; "
        "sys.stdout.buffer.write(render_pdf(make_determination()))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)
    assert out.stdout == pdf


def test_a_forced_draft_is_marked_on_every_page():
    d = make_determination(status="needs_documentation")
    reader = PdfReader(io.BytesIO(render_pdf(d)))
    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages, 1):
        assert "DRAFT: NOT READY" in (page.extract_text() or ""), f"page {number}"


def test_a_letter_ready_to_send_has_no_watermark(pdf):
    assert "DRAFT" not in pdf_text(pdf)
