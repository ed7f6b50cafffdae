"""Effective windows marked ``uncertain``: the policy stays selectable and every determination
under it says its dates are unverified."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from priorauth.evaluate import evaluate
from priorauth.paths import rules_dir
from priorauth.rules.loader import load_rules

UNCERTAIN = {"from": None, "uncertain": True, "review": "effective date not in the reference"}


def test_an_active_policy_with_an_unknown_start_is_in_force_when_uncertain(h):
    policy = h.policy(h.leaf("age", min=18), effective=UNCERTAIN)
    assert policy.in_force(dt.date(2026, 11, 25))
    ended = h.policy(h.leaf("age", min=18), effective={**UNCERTAIN, "until": "2026-06-30"})
    assert ended.in_force(dt.date(2026, 6, 30))
    assert not ended.in_force(dt.date(2026, 7, 1))


def test_a_draft_with_an_unknown_start_is_still_never_in_force(h):
    draft = h.policy(h.leaf("age", min=18), status="draft", effective=UNCERTAIN)
    assert not draft.in_force(dt.date(2026, 11, 25))


def test_without_uncertain_an_active_policy_needs_its_start(h):
    with pytest.raises(ValidationError, match="add uncertain: true to keep it selectable"):
        h.policy(h.leaf("age", min=18), effective={"from": None, "review": "unknown"})


def test_uncertain_needs_the_reason(h):
    with pytest.raises(ValidationError, match="uncertain: true needs review"):
        h.policy(h.leaf("age", min=18), effective={"from": "2025-01-01", "uncertain": True})


def test_the_determination_says_the_dates_are_unverified(h):
    policy = h.policy(h.leaf("age", min=18), effective=UNCERTAIN)
    ref = evaluate(h.record(), policy, as_of=h.AS_OF).policy
    assert (ref.dates_unverified, ref.dates_review) == (True, "effective date not in the reference")
    dated = evaluate(h.record(), h.policy(h.leaf("age", min=18)), as_of=h.AS_OF).policy
    assert (dated.dates_unverified, dated.dates_review) == (False, "")


def test_centene_cp_bh_200_is_selectable_with_unverified_dates(h):
    rules = load_rules(rules_dir())
    assert "cp-bh-200-tms" in [p.id for p in rules.in_force(h.AS_OF)]
    ref = evaluate(h.record(), rules.get("cp-bh-200-tms"), as_of=h.AS_OF).policy
    assert ref.dates_unverified
    assert ref.effective_from is None
