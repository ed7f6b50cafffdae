"""HTML letter -> PDF with WeasyPrint: local fonts, locked-down fetching, reproducible bytes.

One long-lived ``_Engine`` per templates folder holds what is expensive and reusable: the
``FontConfiguration`` (fontconfig set-up and the @font-face fonts, loaded once), the parsed
``letter.css`` and ``ua.css`` (a small user-agent sheet, see ``document.py``) and the
``TemplateFetcher``. Renders share it under a lock, because fontconfig and Pango objects are not
thread-safe; run several processes for parallel rendering.

Per render, the HTML is parsed by expat (``document.parse_letter``); fonts are subset by
HarfBuzz when libharfbuzz-subset is installed (the ~25 KB pre-subset fonts are embedded whole
otherwise: WeasyPrint's fontTools fallback is slower than embedding them, and ``full_fonts``
makes WeasyPrint read each one with fontTools per render); and every PDF stream is serialised
and deflated once, at level 6 (``_serialise_streams_once``: pydyf deflates at level 9, and a
second time to hash the file identifier). bench/README.md "Rendering" has the numbers.

Output is byte-identical for the same Determination, options and WeasyPrint version: the PDF
dates are the as-of date, the file identifier is a hash of the inputs, and the attachment dates
are fixed. PDF/A-3b (default) embeds the Determination as ``determination.json``
(``application/json``, relationship ``Data``).
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import hashlib
import io
import threading
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pydyf  # type: ignore[import-untyped]
import weasyprint
from pydyf import _to_bytes
from weasyprint import CSS, Attachment
from weasyprint.css import ColorProfile
from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import FontConfiguration

from priorauth.determination import Determination
from priorauth.errors import RenderError
from priorauth.render.document import parse_letter
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
HARFBUZZ_SUBSET = harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))
"""Whether WeasyPrint subsets fonts with HarfBuzz (fast, in C) rather than fontTools."""


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
    ua_stylesheet: CSS | None
    srgb: ColorProfile
    full_fonts: bool


COMPRESSION_LEVEL = 6
"""zlib level for page, font and attachment streams. pydyf deflates at 9, which took ~3.5 times
as long on the example letter (25 ms against 7 ms per render) for a file 1.3 % smaller."""

_ONCE_CLASSES: dict[type, type] = {}


def _stream_data(stream: pydyf.Stream) -> bytes:
    """``pydyf.Stream.data`` (pydyf 0.13) at ``COMPRESSION_LEVEL``, computed once per stream."""
    cached: bytes | None = stream.__dict__.get("_priorauth_data")
    if cached is None:
        body = b"\n".join(_to_bytes(item) for item in stream.stream)
        extra = pydyf.Dictionary(stream.extra.copy())
        if stream.compress:
            extra["Filter"] = "/FlateDecode"
            body = zlib.compress(body, COMPRESSION_LEVEL)
        extra["Length"] = len(body)
        cached = b"\n".join((extra.data, b"stream", body, b"endstream"))
        stream.__dict__["_priorauth_data"] = cached
    return cached


def _once_class(cls: type) -> type:
    """A subclass of ``cls`` whose ``data`` is ``_stream_data`` (one per class, cached)."""
    once = _ONCE_CLASSES.get(cls)
    if once is None:
        once = type(f"Once{cls.__name__}", (cls,), {"data": property(_stream_data)})
        _ONCE_CLASSES[cls] = once
    return once


def _serialise_streams_once(document: object, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher: serialise and deflate each stream once, at ``COMPRESSION_LEVEL``.

    ``pydyf.PDF.write`` reads ``data`` of every object to write it and, when the file has an
    identifier (always, for PDF/A), a second time to hash it; each read of a stream joins its
    operators and deflates them anew. Streams whose class defines its own ``data`` are left
    alone. (The object and cross-reference streams pydyf creates while writing keep level 9.)
    """
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and type(obj).data is pydyf.Stream.data:
            obj.__class__ = _once_class(type(obj))


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
    ua_file = root / "ua.css"
    ua = (
        CSS(filename=str(ua_file), base_url=base_url, url_fetcher=fetcher, font_config=font_config)
        if ua_file.is_file()
        else None
    )
    icc = (resources.files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    srgb = _FixedProfile(icc)
    return _Engine(
        base_url=base_url,
        fetcher=fetcher,
        font_config=font_config,
        stylesheet=css,
        ua_stylesheet=ua,
        srgb=srgb,
        full_fonts=not HARFBUZZ_SUBSET,
    )


# Drop the cached engines while the interpreter is still whole: FontConfiguration.__del__ removes
# its temporary font folder with shutil, which is gone at the very end of shutdown.
atexit.register(_engine.cache_clear)


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
            document = parse_letter(
                html,
                base_url=engine.base_url,
                url_fetcher=engine.fetcher,
                ua_stylesheet=engine.ua_stylesheet,
            )
            pdf = document.write_pdf(
                stylesheets=[engine.stylesheet],
                font_config=engine.font_config,
                attachments=attachments,
                **_variant_options(options, engine),
                pdf_identifier=_identifier(payload, options, html),
                full_fonts=engine.full_fonts,
                finisher=_serialise_streams_once,
            )
        except Exception as exc:
            raise RenderError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(pdf, bytes):  # pragma: no cover (write_pdf without target returns bytes)
        raise RenderError("PDF rendering returned no bytes")
    return pdf
