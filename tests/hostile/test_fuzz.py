"""A structure-aware fuzzer over real charts: load → facts → every policy → HTML (issue 15).

Each input is a seed chart (``examples/`` and ``tests/data/charts/``) with 1 to 12 mutations of its
JSON: values replaced by other types, huge or negative numbers, calendar-edge and malformed dates,
long digit runs and codes, control characters and markup, deep nesting, references to the wrong
resource type or to nothing, removed keys and duplicated entries. Only a ``PriorAuthError`` may
come out, and no input may take more than 5 s of CPU time (CPU, not wall-clock, time: the machine
is shared and noisy, and a wall-clock deadline fails a fast input that waited for a core).

CI runs a fixed small budget. The long run (see docs/hostile-input.md) sets the budget, renders
every ``PRIORAUTH_FUZZ_PDF_EVERY``-th input's first letter to PDF too, and writes the counts:

    PRIORAUTH_FUZZ_EXAMPLES=10000 PRIORAUTH_FUZZ_PDF_EVERY=100 PRIORAUTH_FUZZ_REPORT=fuzz.json \\
        .venv/bin/python -m pytest -q -p no:cacheprovider tests/hostile/test_fuzz.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from priorauth.errors import PriorAuthError
from priorauth.pipeline import chart_facts, evaluate_record
from priorauth.render.html import render_html
from priorauth.render.pdf import render_pdf
from priorauth.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted(
    [
        ROOT / "examples" / "trd_meets_policies.json",
        *(ROOT / "tests" / "data" / "charts").glob("*.json"),
        *(ROOT / "tests" / "data" / "charts" / "safety").glob("*.json"),
    ]
)
AS_OF = dt.date(2026, 11, 25)
EXAMPLES = int(os.environ.get("PRIORAUTH_FUZZ_EXAMPLES", "40"))
REPORT = os.environ.get("PRIORAUTH_FUZZ_REPORT")
PDF_EVERY = int(os.environ.get("PRIORAUTH_FUZZ_PDF_EVERY", "0"))
MAX_SECONDS = 5.0
COUNTS: Counter[str] = Counter()
SEEN: set[tuple[int, int]] = set()
SLOWEST: list[tuple[float, float, str]] = []
"""The three inputs with the most CPU time: (CPU s, wall-clock s, input)."""

_DATES = ["9999-12-31", "9999", "0001-01-01", "0000", "2024-02-30", "2024-13", "", "T", "1-1-1"]
_TYPES = ["Patient", "Practitioner", "Organization", "Encounter", "Medication", "Nope", ""]


def _hostile(rng: random.Random, ref_ids: list[str]) -> Any:
    choices: list[Any] = [
        lambda: rng.choice(_DATES),
        lambda: rng.choice([10**9, -(10**9), 10**400, 1e308, -0.0, 0, 2**63]),
        lambda: "9" * rng.choice([10, 4_400, 50_000]),
        lambda: "F" + "3" * rng.choice([8, 80_000]),
        lambda: "\x1b[2J\n\r\x00\u2028<script>alert(1)</script>" * rng.randint(1, 3),
        lambda: _nested(rng.randint(50, 700)),
        lambda: {"reference": f"{rng.choice(_TYPES)}/{rng.choice(ref_ids or ['x'])}"},
        lambda: {"reference": rng.choice(["#", "#nope", "urn:uuid:nope", "Patient?", "/"])},
        lambda: rng.choice([None, True, [], {}, "", [None], [{}]]),
        lambda: "1" * rng.choice([1_000, 48_000]) + " mg " + "tablets " * rng.randint(0, 3),
        lambda: {"value": rng.choice([10**9, -5, 1e300]), "unit": "d", "code": "d"},
        lambda: "seizure, sertraline 50 mg daily, PHQ-9 " * rng.choice([1, 1_000]),
    ]
    return rng.choice(choices)()


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _containers(value: Any, found: list[Any]) -> None:
    """Every dict and list in ``value`` (iteratively)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict | list):
            found.append(item)
            stack.extend(item.values() if isinstance(item, dict) else item)


def mutate(chart: Any, rng: random.Random, count: int) -> Any:
    """``count`` structure-aware mutations of a parsed chart (in place), returned."""
    entries = chart.get("entry", []) if isinstance(chart, dict) else []
    ref_ids = [str(e.get("resource", {}).get("id")) for e in entries if isinstance(e, dict)]
    for _ in range(count):
        if entries and rng.random() < 0.1:
            entries.append(rng.choice(entries))  # the same dict twice
            continue
        found: list[Any] = []
        _containers(chart, found)
        target = rng.choice(found)
        if isinstance(target, dict) and target:
            key = rng.choice(sorted(target, key=str))
            if rng.random() < 0.15 and key != "resourceType":
                del target[key]
            else:
                target[key] = _hostile(rng, ref_ids)
        elif isinstance(target, list) and target:
            target[rng.randrange(len(target))] = _hostile(rng, ref_ids)
    return chart


@cache
def _seed(path: Path) -> str:
    return path.read_text()


@cache
def _rules() -> RuleSet:
    return load_rules(None)


def run_one(seed: int, count: int, *, pdf: bool = False) -> str:
    """Mutate one seed chart and run it through the pipeline (``pdf``: the first letter to PDF
    as well); the outcome's name."""
    rng = random.Random(seed)
    path = rng.choice(SEEDS)
    chart = mutate(json.loads(_seed(path)), rng, count)
    try:
        record = chart_facts(chart, as_of=AS_OF)
        determinations = evaluate_record(record, _rules(), payer="all", as_of=AS_OF)
        for determination in determinations:
            render_html(determination)
        if pdf and determinations:
            assert render_pdf(determinations[0]).startswith(b"%PDF-")
            COUNTS["pdf"] += 1
    except PriorAuthError as exc:
        return type(exc).__name__
    return "ok"


@settings(
    max_examples=EXAMPLES,
    deadline=None,  # the bound is on CPU time, asserted below
    database=None,
    derandomize=not REPORT,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 12))
def test_mutated_charts_never_crash(seed: int, count: int) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    COUNTS[run_one(seed, count, pdf=bool(PDF_EVERY) and seed % PDF_EVERY == 0)] += 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    SEEN.add((seed, count))
    SLOWEST.append((round(cpu, 3), round(wall, 3), f"seed={seed} count={count}"))
    SLOWEST.sort(reverse=True)
    del SLOWEST[3:]
    assert cpu < MAX_SECONDS, f"seed={seed} count={count}: {cpu:.1f} s of CPU time"


@pytest.fixture(scope="module", autouse=True)
def _report() -> Any:
    if PDF_EVERY:  # the PDF engine's one-time start (fonts, stylesheet) is not an input's cost
        run_one(0, 1, pdf=True)
        COUNTS.clear()
    yield
    if REPORT:
        pdfs = COUNTS.pop("pdf", 0)
        data = {
            "inputs": sum(COUNTS.values()),
            "distinct": len(SEEN),
            "outcomes": dict(COUNTS),
            "pdf": pdfs,
            "slowest": SLOWEST,
        }
        Path(REPORT).write_text(json.dumps(data, indent=2))


@pytest.mark.parametrize(("seed", "count"), [(0, 12), (1, 12), (7, 3)])
def test_corpus(seed: int, count: int) -> None:
    """Inputs the fuzzer has run: kept as regressions."""
    assert run_one(seed, count) in {"ok", "ChartError", "UnknownPayerError", "AsOfError"}
