"""Issue 17: the charts of ``tests/data/charts/sigs/`` (titration sigs, structured sequences,
weekly fluoxetine, as-needed and one-off orders, an implausible fill, lithium levels, esketamine
sessions).

Each ``*.expected.yaml`` gives the WHOLE trial table (one row per trial, in order; start, end,
days, weeks, weeks at an adequate dose, peak, adequacy, outcome, class, role, augments, evidence,
checked field by field), the notes that must appear, and the determination of at least one policy
``after`` issue 17 together with the one the code gave ``before`` (measured on the parent commit
with ``/tmp``-copied sources; the expectation comments say why each changed). The test asserts
``after`` and that each chart claims a change.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from priorauth import load_rules
from priorauth.evaluate import evaluate, select_policies
from priorauth.facts import PatientRecord, extract_facts
from priorauth.fhir import load_chart

SIGS = Path(__file__).resolve().parents[1] / "data" / "charts" / "sigs"
AS_OF = dt.date(2026, 11, 25)
CHARTS = sorted(p.name.removesuffix(".expected.yaml") for p in SIGS.glob("*.expected.yaml"))


@cache
def _load(name: str) -> tuple[dict[str, Any], PatientRecord]:
    expected = yaml.safe_load((SIGS / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    return expected, extract_facts(load_chart(SIGS / f"{name}.json"), as_of=AS_OF)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def test_every_chart_has_an_expectation():
    assert sorted(p.stem for p in SIGS.glob("*.json")) == CHARTS
    assert len(CHARTS) == 8


@pytest.mark.parametrize("name", CHARTS)
def test_trial_table(name):
    expected, record = _load(name)
    actual = [t.model_dump() for t in record.trials]
    assert [t["ingredient"] for t in actual] == [t["ingredient"] for t in expected["trials"]]
    for got, want in zip(actual, expected["trials"], strict=True):
        diff = {k: (got[k], v) for k, v in want.items() if _plain(got[k]) != _plain(v)}
        assert diff == {}, got["ingredient"]


@pytest.mark.parametrize("name", CHARTS)
def test_notes(name):
    expected, record = _load(name)
    for want in expected["notes"]:
        found = [
            n for n in record.notes if n.code == want["code"] and n.resource == want["resource"]
        ]
        assert found, want
        assert want["says"] in found[0].message


@pytest.mark.parametrize("name", CHARTS)
def test_determinations(name):
    expected, record = _load(name)
    rules = load_rules()
    policies = {p.id: p for p in select_policies(rules, payer="all", record=record, as_of=AS_OF)}
    after = expected["determinations"]["after"]
    assert {pid: evaluate(record, policies[pid], as_of=AS_OF).status for pid in after} == after
    before = expected["determinations"]["before"]
    changed = {pid for pid in after if before[pid] != after[pid]}
    assert changed, f"{name}: no policy's determination changed from the old code"
