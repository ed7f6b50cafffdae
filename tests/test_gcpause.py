"""Pausing the garbage collector is safe only because loading and extracting make no cycles.

``load_chart`` and ``extract_facts`` run with automatic collection off (priorauth.gcpause). If
either ever built a reference cycle, its objects would wait for a later collection instead of
being freed at once. These tests load and extract every hand-written chart and a Synthea fixture
with the collector off (after one warm-up run, which may build library types once) and require
that a full collection then finds nothing to free.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from priorauth.facts import extract_facts
from priorauth.fhir import load_chart
from priorauth.gcpause import gc_paused

DATA = Path(__file__).resolve().parent / "data"
CHARTS = sorted(
    p for p in (DATA / "charts").iterdir() if p.suffix == ".json" or p.name == "bulk_ndjson"
)
SYNTHEA = sorted((DATA / "fixtures" / "synthea_r4_smart").glob("*.json"))[:1]
AS_OF = dt.date(2026, 11, 25)


@contextmanager
def collector_off() -> Iterator[None]:
    """Automatic collection off for the block, after full collections until one finds nothing
    (finalizers of what one pass frees, a closed Dask client's say, can leave new garbage)."""
    for _ in range(10):
        if gc.collect() == 0:
            break
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.parametrize("chart", CHARTS + SYNTHEA, ids=lambda p: p.name)
def test_loading_and_extracting_leave_no_cyclic_garbage(chart: Path) -> None:
    extract_facts(load_chart(chart), as_of=AS_OF)  # first use: imports, lazily built model types
    with collector_off():
        record = extract_facts(load_chart(chart), as_of=AS_OF)
        assert record.trials is not None
        del record
        assert gc.collect() == 0


def test_the_pause_ends_with_the_block_and_nests() -> None:
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off() -> None:
    with collector_off():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_the_block_still_restores_the_collector() -> None:
    with pytest.raises(ValueError, match="boom"), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()
