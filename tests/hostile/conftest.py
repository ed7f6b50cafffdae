"""Shared helpers for the hostile-input tests (issue 15): a real chart to mutate."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trd_meets_policies.json"
AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="session")
def _example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return data


@pytest.fixture
def as_of() -> dt.date:
    return AS_OF


@pytest.fixture
def chart(_example: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of the example chart, free to mutate."""
    return copy.deepcopy(_example)
