"""The fast PDF path (expat parse, small UA sheet, streams written once) changes no output."""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET

import pytest
import tinyhtml5
from pypdf import PdfReader
from weasyprint import HTML

from priorauth.render import LetterOptions, render_html, render_pdf
from priorauth.render.document import LetterHTML, parse_letter
from priorauth.render.environment import resolve_templates
from priorauth.render.pdf import _engine

from .conftest import make_continuation, make_determination, make_minimal


@pytest.fixture(scope="module")
def engine():
    return _engine(resolve_templates())


def _pdf(document: HTML, engine) -> bytes:
    return document.write_pdf(
        stylesheets=[engine.stylesheet],
        font_config=engine.font_config,
        pdf_identifier=b"0" * 32,
        full_fonts=engine.full_fonts,
    )


@pytest.mark.parametrize(
    ("determination", "kind"),
    [
        (make_determination(), "initial"),
        (make_continuation(), "continuation"),
        (make_minimal(), "initial"),
    ],
    ids=["initial", "continuation", "minimal"],
)
def test_letter_html_is_well_formed_xml(determination, kind):
    """Every template emits markup expat accepts, so the PDF path never falls back."""
    html = render_html(determination, options=LetterOptions(kind=kind), standalone=False)
    root = ET.fromstring(html)
    assert root.tag == "html"
    assert root.find("body") is not None


def test_expat_small_ua_and_stock_path_give_identical_pdfs(engine):
    """Same bytes from expat or tinyhtml5, with templates/ua.css or WeasyPrint's UA sheet."""
    html = render_html(make_determination(), standalone=False)
    common = {"base_url": engine.base_url, "url_fetcher": engine.fetcher}
    fast = _pdf(parse_letter(html, ua_stylesheet=engine.ua_stylesheet, **common), engine)
    html5_tree = LetterHTML(
        tinyhtml5.parse(html, namespace_html_elements=False),
        ua_stylesheet=engine.ua_stylesheet,
        **common,
    )
    stock = HTML(string=html, **common)
    assert engine.ua_stylesheet is not None
    assert _pdf(html5_tree, engine) == fast
    assert _pdf(stock, engine) == fast


@pytest.mark.parametrize(
    ("determination", "kind"),
    [(make_continuation(), "continuation"), (make_minimal(), "initial")],
    ids=["continuation", "minimal"],
)
def test_small_ua_sheet_covers_every_letter_kind(engine, determination, kind):
    """The continuation section and the draft banner use elements the initial letter does not."""
    html = render_html(determination, options=LetterOptions(kind=kind), standalone=False)
    common = {"base_url": engine.base_url, "url_fetcher": engine.fetcher}
    fast = _pdf(parse_letter(html, ua_stylesheet=engine.ua_stylesheet, **common), engine)
    assert _pdf(HTML(string=html, **common), engine) == fast


def test_templates_without_ua_sheet_use_weasyprint_defaults(tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(resolve_templates(), folder)
    (folder / "ua.css").unlink()
    assert _engine(folder.resolve()).ua_stylesheet is None
    data = render_pdf(make_determination(), templates=folder)
    assert "Confidentiality notice" in PdfReader(io.BytesIO(data)).pages[-1].extract_text()


def test_markup_expat_rejects_falls_back_to_html5(engine, no_render_logs):
    html = "<!DOCTYPE html><html lang=en><body><p>Line one<br>line&nbsp;two</p></body></html>"
    with pytest.raises(ET.ParseError):
        ET.fromstring(html)
    document = parse_letter(html, base_url=engine.base_url, url_fetcher=engine.fetcher)
    text = PdfReader(io.BytesIO(_pdf(document, engine))).pages[0].extract_text()
    assert "Line one\nline\xa0two" in text


def test_streams_are_deflated_and_readable():
    data = render_pdf(make_determination())
    reader = PdfReader(io.BytesIO(data))
    stream = reader.pages[0]["/Contents"].get_object()
    assert stream["/Filter"] == "/FlateDecode"
    assert b"TJ" in stream.get_data()
