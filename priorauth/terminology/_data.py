"""Reading the packaged data files (``priorauth/terminology/data/``)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a packaged CSV file; lines starting with ``#`` are comments."""
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(lines)]


def read_yaml(name: str) -> Any:
    """The parsed content of a packaged YAML file."""
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def split_list(value: str, sep: str = ";") -> tuple[str, ...]:
    """``"a; b;"`` -> ``("a", "b")``."""
    return tuple(part.strip() for part in value.split(sep) if part.strip())


def parse_bool(value: str) -> bool:
    """CSV booleans: true/yes/1 (any case) are True, everything else False."""
    return value.strip().lower() in {"true", "yes", "1", "y"}


def parse_float(value: str) -> float | None:
    """Empty -> None, otherwise float."""
    return float(value) if value.strip() else None
