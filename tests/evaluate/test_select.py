"""Payer selection: policy id, payer id, auto (coverage), all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from priorauth.errors import UnknownPayerError
from priorauth.evaluate import select_policies
from priorauth.rules.loader import RuleSet


@pytest.fixture
def ruleset(h):
    adult = {"all": [{"id": "adult", "kind": "age", "min": 18, "title": "Adult", "quote": "q"}]}
    old = h.policy(adult, id="old", effective={"from": "2024-01-01", "until": "2025-12-31"})
    new = h.policy(adult, id="new", effective={"from": "2026-01-01"})
    draft = h.policy(adult, id="draft", status="draft", effective={"from": "2024-01-01"})
    other = h.policy(
        adult, id="other", payer={"id": "acme", "name": "Acme Health", "match": {"ids": ["12345"]}}
    )
    return RuleSet(Path("."), (old, new, draft, other))


def ids(policies):
    return [p.id for p in policies]


def test_all_is_every_policy_in_force(ruleset, h):
    assert ids(
        select_policies(ruleset, payer="all", record=h.record(), as_of=dt.date(2026, 3, 1))
    ) == ["new", "other"]
    assert ids(
        select_policies(ruleset, payer="all", record=h.record(), as_of=dt.date(2025, 3, 1))
    ) == ["old", "other"]


def test_policy_id_whatever_its_window(ruleset, h):
    assert ids(select_policies(ruleset, payer="draft", record=h.record(), as_of=h.AS_OF)) == [
        "draft"
    ]


def test_payer_id_in_force(ruleset, h):
    assert ids(
        select_policies(ruleset, payer="testpayer", record=h.record(), as_of=dt.date(2025, 12, 31))
    ) == ["old"]


@pytest.mark.parametrize(
    ("coverage", "expected"),
    [
        ({"payer_name": "TEST  payer of Ohio"}, ["new"]),
        ({"payer_name": "Someone", "payer_identifiers": ["12345"]}, ["other"]),
        ({"payer_name": "Test Payer", "status": "cancelled"}, None),
        ({"payer_name": "Unknown Mutual"}, None),
    ],
)
def test_auto_matches_coverage(coverage, expected, ruleset, h):
    rec = h.record(coverages=[coverage])
    if expected is None:
        with pytest.raises(UnknownPayerError, match="known payers: acme, testpayer"):
            select_policies(ruleset, payer="auto", record=rec, as_of=h.AS_OF)
    else:
        assert ids(select_policies(ruleset, payer="auto", record=rec, as_of=h.AS_OF)) == expected


def test_unknown_payer_lists_known(ruleset, h):
    with pytest.raises(UnknownPayerError) as exc:
        select_policies(ruleset, payer="cigna", record=h.record(), as_of=h.AS_OF)
    assert str(exc.value) == "unknown payer or policy 'cigna'; known payers: acme, testpayer"


def test_payer_with_nothing_in_force(ruleset, h):
    with pytest.raises(UnknownPayerError, match="testpayer has no policy in force on 2023-01-01"):
        select_policies(ruleset, payer="testpayer", record=h.record(), as_of=dt.date(2023, 1, 1))
