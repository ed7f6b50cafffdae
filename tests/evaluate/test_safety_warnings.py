"""Safety findings a payer's criteria do not cover still reach the user as warnings.

The contraindicated chart (tests/data/charts/contraindicated.json) records epilepsy (G40.909,
Condition/99002), a cochlear implant (Device/dev-ci-1) and an aneurysm clip (Device/dev-clip-1).
New York State Medicaid's 2025 criteria say nothing about seizures or implants, so nothing in
the policy fails on them (the status is needs_documentation only because citalopram's weeks at an
adequate dose are unknown); the determination must still say a clinician has to look at those
findings.
"""

import datetime as dt
from pathlib import Path

from priorauth import evaluate_file, load_rules

CHARTS = Path(__file__).resolve().parents[1] / "data" / "charts"
ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 25)


def test_uncovered_findings_become_warnings_whatever_the_status():
    [d] = evaluate_file(CHARTS / "contraindicated.json", payer="nys-medicaid-tms-2025", as_of=AS_OF)
    assert d.status == "needs_documentation"  # a gap on citalopram's duration, not on safety
    joined = "\n".join(d.warnings)
    assert "seizure recorded (Condition/99002)" in joined
    assert "implanted device recorded (Device/dev-ci-1)" in joined
    assert "implanted device recorded (Device/dev-clip-1)" in joined


def test_a_clean_safety_screen_gives_no_warning():
    [d] = evaluate_file(ROOT / "examples" / "trd_meets_policies.json", payer="auto", as_of=AS_OF)
    assert d.warnings == ()


def test_findings_a_policy_does_check_are_not_repeated_as_warnings():
    [d] = evaluate_file(CHARTS / "contraindicated.json", payer="l34998-tms-2022", as_of=AS_OF)
    covered = {
        category
        for leaf in load_rules().get(d.policy.id).leaves()
        if leaf.kind == "contraindication"
        for category in leaf.categories
    }
    for category in covered:
        assert not any(f"{category.replace('_', ' ')} recorded" in w for w in d.warnings)
