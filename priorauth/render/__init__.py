"""Stage 5: Determination -> letter of medical necessity (HTML, PDF) or JSON.

``render_html`` builds the HTML from a ``LetterView`` (``view.build_view``) with the one Jinja
environment (``environment.py``); ``render_pdf`` lays it out with WeasyPrint using packaged fonts
and a fetcher that serves only template assets (``fetcher.py``). ``letter_bytes`` is the one call
for the CLI, the HTTP service and batch jobs. This package reads only ``priorauth.determination``
(and the PatientRecord inside it), never FHIR or rule files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from priorauth.render.options import LetterKind, LetterOptions, PdfVariant

if TYPE_CHECKING:  # pragma: no cover - names for type checkers; runtime uses __getattr__
    from priorauth.determination import Determination
    from priorauth.render.html import render_html
    from priorauth.render.pdf import ATTACHMENT_NAME, render_pdf
    from priorauth.render.view import build_view

__all__ = [
    "ATTACHMENT_NAME",
    "LetterFormat",
    "LetterKind",
    "LetterOptions",
    "PdfVariant",
    "build_view",
    "letter_bytes",
    "render_html",
    "render_pdf",
]

LetterFormat = Literal["pdf", "html", "json"]


def letter_bytes(
    determination: Determination,
    *,
    format: LetterFormat,
    options: LetterOptions | None = None,
) -> bytes:
    """The letter in one format: PDF bytes, UTF-8 HTML, or the Determination as JSON.

    Raises ``RenderError`` when rendering fails.
    """
    if format == "json":
        return determination.model_dump_json(indent=2).encode()
    if format == "html":
        from priorauth.render.html import render_html

        return render_html(determination, options=options).encode("utf-8")
    from priorauth.render.pdf import render_pdf

    return render_pdf(determination, options=options)


# The PDF stack (WeasyPrint, Pango) and the templating load on first use (PEP 562): the options
# model alone is cheap, so callers that only build LetterOptions or write JSON do not pay for it.
_LAZY = {
    "ATTACHMENT_NAME": "priorauth.render.pdf",
    "build_view": "priorauth.render.view",
    "render_html": "priorauth.render.html",
    "render_pdf": "priorauth.render.pdf",
}


def __getattr__(name: str) -> Any:
    """Import a name of the HTML or PDF stage on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'priorauth.render' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
