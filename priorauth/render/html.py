"""Determination -> HTML letter (Jinja2). Separate from PDF so it can be tested and served alone."""

from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateError
from markupsafe import Markup

from priorauth.determination import Determination
from priorauth.errors import RenderError
from priorauth.render.environment import make_environment, resolve_templates, stylesheet_text
from priorauth.render.options import LetterOptions
from priorauth.render.view import build_view

__all__ = ["render_html"]

TEMPLATES = {
    "initial": "initial.html",
    "continuation": "continuation.html",
    "appeal": "appeal.html",
}


def render_html(
    determination: Determination,
    *,
    options: LetterOptions | None = None,
    templates: Path | None = None,
    standalone: bool = True,
) -> str:
    """The letter as one HTML document.

    ``standalone`` inlines ``letter.css`` in a ``<style>`` element so the file displays on its
    own; ``render_pdf`` passes ``False`` and applies its pre-parsed stylesheet instead.
    Raises ``RenderError`` when a template fails (a bug: the view always has every field).
    """
    options = options or LetterOptions()
    root = resolve_templates(templates)
    view = build_view(determination, options)
    css = Markup(stylesheet_text(root)) if standalone else None  # noqa: S704 (our own file)
    try:
        template = make_environment(root).get_template(TEMPLATES[options.kind])
        return template.render(v=view, inline_css=css)
    except TemplateError as exc:
        raise RenderError(f"template {TEMPLATES[options.kind]}: {exc}") from exc
