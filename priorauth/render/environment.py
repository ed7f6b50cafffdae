"""The one Jinja environment for letters: autoescape everywhere, StrictUndefined, no reloads.

Templates receive a ``LetterView`` (``v``) and nothing from FHIR. A missing field is a bug and
raises ``UndefinedError``; every patient-derived string is escaped, so chart text can never
become markup, a URL or CSS.
"""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from priorauth.paths import templates_dir

__all__ = ["make_environment", "resolve_templates"]


def resolve_templates(templates: Path | None = None) -> Path:
    """The templates folder to use: the given one, else the packaged one (resolved)."""
    return (templates or templates_dir()).resolve()


@functools.lru_cache(maxsize=4)
def make_environment(templates: Path) -> Environment:
    """Build (once per folder) the letter environment."""
    return Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


@functools.lru_cache(maxsize=4)
def stylesheet_text(templates: Path) -> str:
    """``letter.css`` as text, for HTML that must stand alone (the PDF path pre-parses it)."""
    return (templates / "letter.css").read_text(encoding="utf-8")
