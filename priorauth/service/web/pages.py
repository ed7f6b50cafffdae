"""The staff pages' Jinja environment: ``templates/web/`` only, autoescape on, StrictUndefined.

Separate from the letter's environment (``priorauth.render.environment``), which reads only the
letter templates; the PDF renderer never sees these files.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from priorauth.paths import templates_dir

__all__ = ["SECURITY_HEADERS", "page", "static_dir"]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
"""Every page: no script at all, nothing from elsewhere, never cached (the pages show PHI)."""


def static_dir() -> Path:
    """The folder of the pages' templates and stylesheet."""
    return templates_dir() / "web"


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(static_dir())),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def page(name: str, http_status: int = 200, /, **context: Any) -> HTMLResponse:
    """Render ``templates/web/<name>`` with ``context``."""
    html = _environment().get_template(name).render(**context)
    return HTMLResponse(html, status_code=http_status, headers=SECURITY_HEADERS)
