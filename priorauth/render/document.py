"""The letter's HTML as a WeasyPrint document: parsed in C, styled with a small user-agent sheet.

``HTML(string=...)`` parses with tinyhtml5, a pure-Python HTML5 parser (~40 ms for a 6-page
letter), and cascades WeasyPrint's full HTML5 user-agent sheet. The letter templates emit
well-formed XHTML-compatible markup (``<br/>``, explicit ``<tbody>``, autoescaped text), so the
expat parser behind ``xml.etree.ElementTree`` builds the same tree in about a millisecond, and
``templates/ua.css`` restyles only the elements the templates use. Both give byte-identical PDFs
to the stock path (``tests/render/test_pdf.py``).

Markup that expat rejects (a custom template, a control character in chart text) falls back to
tinyhtml5, so a letter never fails for being HTML rather than XML.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from typing import Any

import cssselect2  # type: ignore[import-untyped]
import tinyhtml5  # type: ignore[import-untyped]
from weasyprint import CSS, HTML

from priorauth.render.fetcher import TemplateFetcher

__all__ = ["LetterHTML", "parse_letter"]

LOG = logging.getLogger("priorauth.render")


class LetterHTML(HTML):  # type: ignore[misc]
    """A WeasyPrint ``HTML`` built from an element tree, with an optional replacement UA sheet.

    Sets the attributes ``HTML.__init__`` sets (WeasyPrint 70) without its tinyhtml5 parse.
    """

    def __init__(
        self,
        root: ET.Element,
        *,
        base_url: str,
        url_fetcher: TemplateFetcher,
        ua_stylesheet: CSS | None = None,
    ) -> None:
        self.base_url = base_url
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element
        self._ua_stylesheet = ua_stylesheet

    def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
        if self._ua_stylesheet is None or forms:
            return list(super()._ua_stylesheets(forms))
        return [self._ua_stylesheet]


def _element_tree(html: str) -> ET.Element:
    try:
        return ET.fromstring(html)  # noqa: S314 (our own template output; no DTD, no entities)
    except ET.ParseError as exc:
        LOG.debug("letter HTML is not well-formed XML (%s); parsing it as HTML5", exc)
        root: ET.Element = tinyhtml5.parse(html, namespace_html_elements=False)
        return root


def parse_letter(
    html: str,
    *,
    base_url: str,
    url_fetcher: TemplateFetcher,
    ua_stylesheet: CSS | None = None,
) -> LetterHTML:
    """The letter as a document WeasyPrint can render (expat first, tinyhtml5 as fallback)."""
    return LetterHTML(
        _element_tree(html),
        base_url=base_url,
        url_fetcher=url_fetcher,
        ua_stylesheet=ua_stylesheet,
    )
