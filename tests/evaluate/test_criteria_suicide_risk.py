"""The ``suicide_risk`` contraindication category: read from ``record.suicide_risk``.

A positive record in the 30 days up to the as-of date, or an active ideation / attempt /
self-harm diagnosis, is not met; a negative PHQ-9 item 9 or C-SSRS in those 30 days is met;
nothing (or only old or undated screens) is unknown with a gap asking for a screen.
"""

from __future__ import annotations

import pytest

SR = {"categories": ["suicide_risk"]}
GAP = "Document a suicide-risk screen (PHQ-9 item 9 or C-SSRS) within 30 days before 2026-11-25"


def item9(date, value, **extra):
    return {
        "source": "phq9_item9",
        "date": date,
        "positive": value > 0,
        "kind": "ideation" if value > 0 else "screen",
        "value": value,
        "description": "PHQ-9 item 9",
        "evidence": ["Observation/item9"],
        **extra,
    }


def cssrs(date, positive):
    return {
        "source": "cssrs",
        "date": date,
        "positive": positive,
        "kind": "ideation" if positive else "screen",
        "description": "C-SSRS screen",
    }


def diagnosis(code, kind, *, active=True, date=None):
    return {
        "source": "diagnosis",
        "date": date,
        "positive": True,
        "kind": kind,
        "code": code,
        "description": f"diagnosis {code}",
        "active": active,
    }


def test_nothing_recorded_is_unknown_with_a_screen_gap(h):
    verdict = h.run("contraindication", h.record(suicide_risk=[]), **SR)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == (GAP,)


@pytest.mark.parametrize("screen", [item9("2026-11-20", 0), cssrs("2026-10-26", False)])
def test_recent_negative_screen_is_met(screen, h):
    verdict = h.run("contraindication", h.record(suicide_risk=[screen]), **SR)
    assert verdict.outcome == "met"
    assert verdict.evidence[0].fact == "suicide_risk[0]"


@pytest.mark.parametrize("date", ["2026-10-25", "2026-11-26", None])
def test_negative_screen_outside_30_days_or_undated_is_unknown(date, h):
    rec = h.record(suicide_risk=[item9(date, 0)])
    verdict = h.run("contraindication", rec, **SR)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == (GAP,)


def test_recent_positive_item9_is_not_met(h):
    rec = h.record(suicide_risk=[item9("2026-11-01", 1)])
    verdict = h.run("contraindication", rec, **SR)
    assert verdict.outcome == "not_met"
    assert verdict.evidence[0].resources == ("Observation/item9",)


def test_recent_positive_wins_over_a_later_negative(h):
    rec = h.record(suicide_risk=[cssrs("2026-11-01", True), item9("2026-11-20", 0)])
    assert h.run("contraindication", rec, **SR).outcome == "not_met"


def test_old_positive_with_a_recent_negative_is_met(h):
    rec = h.record(suicide_risk=[item9("2026-06-01", 2), item9("2026-11-20", 0)])
    assert h.run("contraindication", rec, **SR).outcome == "met"
    with_history = h.run("contraindication", rec, include_history=True, **SR)
    assert with_history.outcome == "not_met"


@pytest.mark.parametrize(
    ("code", "kind"), [("R45.851", "ideation"), ("T14.91XA", "attempt"), ("X78.9XXA", "self_harm")]
)
def test_active_ideation_attempt_or_self_harm_diagnosis_is_not_met(code, kind, h):
    rec = h.record(suicide_risk=[diagnosis(code, kind, date="2025-01-10"), item9("2026-11-20", 0)])
    assert h.run("contraindication", rec, **SR).outcome == "not_met"


def test_inactive_old_diagnosis_or_history_code_alone_does_not_exclude(h):
    rec = h.record(
        suicide_risk=[
            diagnosis("R45.851", "ideation", active=False, date="2025-01-10"),
            diagnosis("Z91.51", "history", date="2026-11-10"),
            item9("2026-11-20", 0),
        ]
    )
    assert h.run("contraindication", rec, **SR).outcome == "met"
    no_screen = h.record(suicide_risk=[diagnosis("Z91.51", "history", date="2026-11-10")])
    assert h.run("contraindication", no_screen, **SR).outcome == "unknown"


def test_suicide_risk_beside_other_categories(h):
    keys = {"categories": ["seizure", "suicide_risk"]}
    screened = {"screened_negative": ["seizure"]}
    both = h.record(safety=screened, suicide_risk=[item9("2026-11-20", 0)])
    assert h.run("contraindication", both, **keys).outcome == "met"
    no_risk_screen = h.run("contraindication", h.record(safety=screened, suicide_risk=[]), **keys)
    assert no_risk_screen.outcome == "unknown"
    assert no_risk_screen.gaps == (GAP,)
    positive = h.record(suicide_risk=[item9("2026-11-20", 3)])
    verdict = h.run("contraindication", positive, **keys)
    assert verdict.outcome == "not_met"
    assert verdict.gaps == ()


def test_seizure_only_criterion_ignores_suicide_risk(h):
    rec = h.record(safety={"screened_negative": ["seizure"]}, suicide_risk=[item9("2026-11-20", 3)])
    assert h.run("contraindication", rec, categories=["seizure"]).outcome == "met"
