"""HTML letter -> PDF with WeasyPrint: local fonts, locked-down fetching, reproducible bytes.

One long-lived ``_Engine`` per templates folder holds what is expensive and reusable: the
``FontConfiguration`` (fontconfig set-up and the @font-face fonts, loaded once), the parsed
``letter.css`` and the ``TemplateFetcher``. Renders share it under a lock, because fontconfig and
Pango objects are not thread-safe; run several processes for parallel rendering.

Output is byte-identical for the same Determination, options and WeasyPrint version: the PDF
dates are the as-of date, the file identifier is a hash of the inputs, and the attachment dates
are fixed. PDF/A-3b (default) embeds the Determination as ``determination.json``
(``application/json``, relationship ``Data``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import weasyprint
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

from priorauth.determination import Determination
from priorauth.errors import RenderError
from priorauth.render.environment import resolve_templates
from priorauth.render.fetcher import TemplateFetcher
from priorauth.render.html import render_html
from priorauth.render.options import LetterOptions

__all__ = ["ATTACHMENT_NAME", "render_pdf"]

ATTACHMENT_NAME = "determination.json"
_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Engine:
    base_url: str
    fetcher: TemplateFetcher
    font_config: FontConfiguration
    stylesheet: CSS


@functools.lru_cache(maxsize=4)
def _engine(root: Path) -> _Engine:
    fetcher = TemplateFetcher(root)
    font_config = FontConfiguration()
    base_url = root.as_uri() + "/"
    css = CSS(filename=str(root / "letter.css"), base_url=base_url, url_fetcher=fetcher,
              font_config=font_config)
    return _Engine(base_url=base_url, fetcher=fetcher, font_config=font_config, stylesheet=css)


def _identifier(payload: bytes, options: LetterOptions, html: str) -> bytes:
    digest = hashlib.sha256()
    for part in (payload, options.model_dump_json().encode(), html.encode(),
                 weasyprint.__version__.encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:32].encode()


def _attachment(payload: bytes, as_of: dt.date, fetcher: TemplateFetcher) -> Attachment:
    stamp = dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC)
    return Attachment(
        string=payload, name=ATTACHMENT_NAME, url_fetcher=fetcher,
        description="priorauth Determination (policy applied to the patient record), JSON",
        created=stamp, modified=stamp, relationship="Data",
    )


def render_pdf(
    determination: Determination,
    *,
    options: LetterOptions | None = None,
    html: str | None = None,
    templates: Path | None = None,
) -> bytes:
    """The letter as PDF bytes.

    ``html`` reuses a letter already rendered by ``render_html`` (it is rendered here when
    omitted); the Determination is still needed for the attachment and the identifier.
    Raises ``RenderError`` when WeasyPrint fails.
    """
    options = options or LetterOptions()
    root = resolve_templates(templates)
    if html is None:
        html = render_html(determination, options=options, templates=root, standalone=False)
    payload = determination.model_dump_json(indent=2).encode()
    engine = _engine(root)
    variant = None if options.pdf_variant == "none" else options.pdf_variant
    with _LOCK:
        try:
            attachments = [_attachment(payload, determination.as_of, engine.fetcher)] \
                if options.attach_json else None
            document = HTML(string=html, base_url=engine.base_url, url_fetcher=engine.fetcher)
            pdf = document.write_pdf(
                stylesheets=[engine.stylesheet], font_config=engine.font_config,
                pdf_variant=variant, attachments=attachments,
                pdf_identifier=_identifier(payload, options, html), full_fonts=True,
            )
        except Exception as exc:
            raise RenderError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(pdf, bytes):  # pragma: no cover (write_pdf without target returns bytes)
        raise RenderError("PDF rendering returned no bytes")
    return pdf
