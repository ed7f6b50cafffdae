"""Stage 3: apply payer policies to a PatientRecord (pure; the as-of date is passed in).

Usage::

    from priorauth.evaluate import evaluate, select_policies
    policies = select_policies(rules, payer="auto", record=record, as_of=day)
    determinations = [evaluate(record, p, as_of=day) for p in policies]
"""

from __future__ import annotations

from priorauth.evaluate.engine import check_attested, evaluate, policy_ref
from priorauth.evaluate.select import (
    Choice,
    PolicyMatch,
    auto_matches,
    coverage_matches,
    payer_coverage,
    require_payer_on_chart,
    select_one,
    select_policies,
)

__all__ = [
    "Choice",
    "PolicyMatch",
    "auto_matches",
    "check_attested",
    "coverage_matches",
    "evaluate",
    "payer_coverage",
    "policy_ref",
    "require_payer_on_chart",
    "select_one",
    "select_policies",
]
