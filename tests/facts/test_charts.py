"""Every hand-made chart in tests/data/charts (and examples/) against its ``*.expected.yaml``.

The trial table is compared WHOLE (every field except ``how``); the other sections compare the
fields the expectation gives. The expectations were written by hand from the JSON and
docs/trial-conventions.md (see tests/data/charts/README.md).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from priorauth.facts import PatientRecord, extract_facts
from priorauth.fhir import load_chart

from .conftest import CHARTS, EXAMPLES


def _charts() -> list[Path]:
    expected = sorted(CHARTS.glob("*.expected.yaml")) + sorted(EXAMPLES.glob("*.expected.yaml"))
    return [p for p in expected if _chart_of(p).exists()]


def _chart_of(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.yaml")
    folder = expected.parent / stem
    return folder if folder.is_dir() else expected.parent / f"{stem}.json"


@cache
def _load(expected_path: Path) -> tuple[dict[str, Any], PatientRecord]:
    expected = yaml.safe_load(expected_path.read_text(encoding="utf-8"))
    record = extract_facts(load_chart(_chart_of(expected_path)), as_of=expected["as_of"])
    return expected, record


CHARTS_WITH_EXPECTATIONS = _charts()
IDS = [p.name.removesuffix(".expected.yaml") for p in CHARTS_WITH_EXPECTATIONS]


def _plain(value: Any) -> Any:
    """Tuples → lists, recursively, so YAML lists compare equal."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _subset(actual: dict[str, Any], expected: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields where ``actual`` differs from ``expected`` (only the keys ``expected`` gives)."""
    return {
        key: (actual.get(key), want)
        for key, want in expected.items()
        if _plain(actual.get(key)) != _plain(want)
    }


@pytest.fixture(params=CHARTS_WITH_EXPECTATIONS, ids=IDS)
def chart(request: pytest.FixtureRequest) -> tuple[dict[str, Any], PatientRecord]:
    return _load(request.param)


def test_trial_table_is_exactly_the_expected_one(chart):
    expected, record = chart
    actual = [_plain(t.model_dump(exclude={"how"})) for t in record.trials]
    assert actual == _plain(expected["trials"])


def test_patient(chart):
    expected, record = chart
    patient = record.patient.model_dump()
    patient["mrn"] = record.patient.identifiers.get("MR")
    assert _subset(patient, expected["patient"]) == {}


def test_coverage(chart):
    expected, record = chart
    if expected["coverage"] is None:
        assert record.coverages == ()
        return
    assert _subset(record.coverages[0].model_dump(), expected["coverage"]) == {}


@pytest.mark.parametrize("kind", ["practitioner", "organization"])
def test_provider(chart, kind):
    expected, record = chart
    fact = getattr(record, kind)
    if expected[kind] is None:
        assert fact is None
        return
    assert fact is not None
    actual = fact.model_dump()
    actual["ref"] = fact.evidence[0] if fact.evidence else None
    assert _subset(actual, expected[kind]) == {}


def test_diagnoses(chart):
    expected, record = chart
    assert record.current_episode_onset == expected["current_episode_onset"]
    actual = {d.code: d.model_dump() for d in record.diagnoses}
    wanted = {str(d["code"]): d for d in expected["diagnoses"]}
    assert sorted(actual) == sorted(wanted)
    assert {code: _subset(actual[code], d) for code, d in wanted.items()} == {c: {} for c in wanted}


def test_scores(chart):
    expected, record = chart
    keys = ("instrument", "date", "value")
    assert [tuple(s.model_dump()[k] for k in keys) for s in record.scores] == [
        tuple(s[k] for k in keys) for s in expected["scores"]
    ]
    for actual, want in zip(record.scores, expected["scores"], strict=True):
        assert _subset(actual.model_dump(), want) == {}


def test_psychotherapy(chart):
    expected, record = chart
    assert _subset(record.psychotherapy.model_dump(), expected["psychotherapy"]) == {}


def test_safety(chart):
    expected, record = chart
    want = expected["safety"]
    categories = {f.category for f in record.safety.findings}
    assert ("seizure" in categories) == want["seizure"]
    assert ("implanted_device" in categories) == want["implanted_device"]
    for finding in want.get("findings", []):
        mine = [f for f in record.safety.findings if f.category == finding["category"]]
        assert any(f.active for f in mine) == finding["active"]
        assert sorted({r for f in mine for r in f.evidence}) == sorted(finding["evidence"])
    if "screened_negative" in want:
        assert list(record.safety.screened_negative) == want["screened_negative"]


def test_required_notes(chart):
    expected, record = chart
    present = {(n.code, n.resource) for n in record.notes}
    for note in expected.get("notes") or []:
        assert (note["code"], note["resource"]) in present


def test_every_chart_has_an_expectation():
    # a folder is a chart when it holds NDJSON (bulk_ndjson/); safety/ is a set of charts with its
    # own README and tests (tests/e2e/test_safety_floor.py), not one chart
    charts = [
        p
        for p in CHARTS.iterdir()
        if p.suffix == ".json" or (p.is_dir() and any(p.glob("*.ndjson")))
    ]
    assert sorted(p.stem for p in charts) == sorted(
        p.name.removesuffix(".expected.yaml") for p in CHARTS.glob("*.expected.yaml")
    )


def test_as_of_is_a_date():
    assert all(isinstance(_load(p)[0]["as_of"], dt.date) for p in CHARTS_WITH_EXPECTATIONS)
