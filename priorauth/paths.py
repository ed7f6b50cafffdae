"""Where the packaged data folders are: ``templates/`` and ``payer_rules/``.

In a checkout (``pip install -e .``) they are the top-level folders of the repository; in a
wheel, hatchling's ``force-include`` puts them under ``priorauth/_data/``. Every module asks here
instead of building paths from ``__file__``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    bundled = _PACKAGE / "_data" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / name


def templates_dir() -> Path:
    """The folder holding the letter templates, CSS and fonts."""
    return _data_dir("templates")


def rules_dir() -> Path:
    """The folder holding the payer rule files (one YAML per policy version)."""
    return _data_dir("payer_rules")
