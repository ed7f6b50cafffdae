"""Helpers for evaluation tests: hand-written records and one-criterion policies."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from priorauth.evaluate._verdict import Context, Verdict
from priorauth.evaluate.criteria import evaluate_leaf
from priorauth.facts.models import PatientRecord
from priorauth.rules.cases import expand_record
from priorauth.rules.models import Policy

AS_OF = dt.date(2026, 11, 25)


NEGATIVE_SUICIDE_SCREEN = {
    "source": "phq9_item9",
    "date": "2026-11-20",
    "positive": False,
    "kind": "screen",
    "value": 0,
    "description": "PHQ-9 item 9",
    "evidence": ["Observation/item9-negative"],
}
"""A documented negative suicide-risk screen five days before AS_OF: records built here pass
the safety floor's screen check unless a test gives ``suicide_risk`` itself."""


def record(**facts: Any) -> PatientRecord:
    """A PatientRecord from test-case shorthand (see payer_rules/README.md, Test cases), with a
    negative suicide-risk screen unless ``suicide_risk`` is given."""
    facts.setdefault("suicide_risk", [NEGATIVE_SUICIDE_SCREEN])
    return PatientRecord.model_validate(expand_record(facts, as_of=AS_OF))


def policy(criteria: dict[str, Any], **extra: Any) -> Policy:
    """A minimal valid policy around ``criteria``."""
    data = {
        "id": "test-policy",
        "version": "1",
        "status": "active",
        "payer": {
            "id": "testpayer",
            "name": "Test Payer",
            "match": {"names": ["Test Payer"], "ids": ["99999"]},
        },
        "title": "TMS test policy",
        "sources": ["https://example.org/policy"],
        "effective": {"from": "2025-01-01"},
        "last_reviewed": "2026-01-01",
        "criteria": criteria,
    }
    return Policy.model_validate({**data, **extra})


def leaf(kind: str, **keys: Any) -> dict[str, Any]:
    """A leaf criterion mapping with id/title/quote filled in."""
    return {
        "id": keys.pop("id", kind.replace("_", "-")),
        "kind": kind,
        "title": kind,
        "quote": "q",
        **keys,
    }


def run(
    kind: str,
    rec: PatientRecord,
    *,
    as_of: dt.date = AS_OF,
    attested: frozenset[str] = frozenset(),
    **keys: Any,
) -> Verdict:
    """Evaluate one criterion of ``kind`` against ``rec``."""
    criterion = policy(leaf(kind, **keys)).criteria
    return evaluate_leaf(criterion, Context(rec, as_of, attested))  # type: ignore[arg-type]


@pytest.fixture
def h() -> SimpleNamespace:
    """The helpers above: ``h.record(...)``, ``h.run(kind, record, **keys)``, ``h.policy(...)``."""
    return SimpleNamespace(AS_OF=AS_OF, record=record, policy=policy, leaf=leaf, run=run)
