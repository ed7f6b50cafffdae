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
import io
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import weasyprint
from weasyprint import CSS, HTML, Attachment
from weasyprint.css import ColorProfile
from weasyprint.text.fonts import FontConfiguration

from priorauth.determination import Determination
from priorauth.errors import RenderError
from priorauth.render.environment import resolve_templates
from priorauth.render.fetcher import TemplateFetcher
from priorauth.render.html import render_html
from priorauth.render.options import LetterOptions

__all__ = ["ATTACHMENT_NAME", "render_pdf"]

ATTACHMENT_NAME = "determination.json"
OUTPUT_INTENT = "--priorauth-srgb"
"""Our key for the sRGB output intent. WeasyPrint's own ``srgb`` re-reads the ICC file for every
PDF/A and never closes it (a ResourceWarning per render); ours is loaded once."""
_LOCK = threading.Lock()


class _FixedProfile(ColorProfile):  # type: ignore[misc]
    """An ICC profile embedded as its original bytes (Pillow's ``tobytes`` stamps the time)."""

    def __init__(self, icc: bytes) -> None:
        super().__init__(
            io.BytesIO(icc), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"])
        )
        self._icc = icc

    @property
    def content(self) -> bytes:
        return self._icc


@dataclass(frozen=True)
class _Engine:
    base_url: str
    fetcher: TemplateFetcher
    font_config: FontConfiguration
    stylesheet: CSS
    srgb: ColorProfile


@functools.lru_cache(maxsize=4)
def _engine(root: Path) -> _Engine:
    fetcher = TemplateFetcher(root)
    font_config = FontConfiguration()
    base_url = root.as_uri() + "/"
    css = CSS(
        filename=str(root / "letter.css"),
        base_url=base_url,
        url_fetcher=fetcher,
        font_config=font_config,
    )
    icc = (resources.files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    srgb = _FixedProfile(icc)
    return _Engine(
        base_url=base_url, fetcher=fetcher, font_config=font_config, stylesheet=css, srgb=srgb
    )


def _variant_options(options: LetterOptions, engine: _Engine) -> dict[str, Any]:
    if options.pdf_variant == "none":
        return {"pdf_variant": None}
    if options.pdf_variant.startswith("pdf/a"):
        return {
            "pdf_variant": options.pdf_variant,
            "output_intent": OUTPUT_INTENT,
            "color_profiles": {OUTPUT_INTENT: engine.srgb},
        }
    return {"pdf_variant": options.pdf_variant}


def _identifier(payload: bytes, options: LetterOptions, html: str) -> bytes:
    digest = hashlib.sha256()
    for part in (
        payload,
        options.model_dump_json().encode(),
        html.encode(),
        weasyprint.__version__.encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:32].encode()


def _attachment(payload: bytes, as_of: dt.date, fetcher: TemplateFetcher) -> Attachment:
    stamp = dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC)
    return Attachment(
        string=payload,
        name=ATTACHMENT_NAME,
        url_fetcher=fetcher,
        description="priorauth Determination (policy applied to the patient record), JSON",
        created=stamp,
        modified=stamp,
        relationship="Data",
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
    with _LOCK:
        try:
            attachments = (
                [_attachment(payload, determination.as_of, engine.fetcher)]
                if options.attach_json
                else None
            )
            document = HTML(string=html, base_url=engine.base_url, url_fetcher=engine.fetcher)
            pdf = document.write_pdf(
                stylesheets=[engine.stylesheet],
                font_config=engine.font_config,
                attachments=attachments,
                **_variant_options(options, engine),
                pdf_identifier=_identifier(payload, options, html),
                full_fonts=True,
            )
        except Exception as exc:
            raise RenderError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(pdf, bytes):  # pragma: no cover (write_pdf without target returns bytes)
        raise RenderError("PDF rendering returned no bytes")
    return pdf
