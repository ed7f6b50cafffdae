"""antidepressant_trials with ``adequate_dose: max_label_or_tolerated``: "maximal FDA-recommended
or maximal tolerated dose" (label maxima from priorauth/terminology/data/ingredients.csv)."""

from __future__ import annotations

import pytest

MAX = "max_label_or_tolerated"


def sertraline(peak, outcome="inadequate_response", **extra):
    return {
        "ingredient": "sertraline",
        "drug_class": "ssri",
        "start": "2026-01-05",
        "days": 70,
        "peak_daily_dose_mg": peak,
        "adequate_dose": peak is not None and peak >= 50,
        "outcome": outcome,
        **extra,
    }


def judge(h, trial, **keys):
    keys = {"window": "lifetime", "intolerance": "any_duration", "adequate_dose": MAX, **keys}
    return h.run("antidepressant_trials", h.record(trials=[trial]), **keys)


@pytest.mark.parametrize(("peak", "expected"), [(200, "met"), (150, "not_met"), (50, "not_met")])
def test_an_inadequate_response_counts_only_at_the_label_maximum(peak, expected, h):
    assert judge(h, sertraline(peak)).outcome == expected


def test_the_reason_names_the_maximum(h):
    assert "peak 150 mg/day below the maximum 200 mg/day and not stopped for intolerance" in (
        judge(h, sertraline(150)).explanation
    )


def test_a_lower_dose_stopped_for_intolerance_was_the_maximal_tolerated(h):
    assert judge(h, sertraline(25, "intolerance", outcome_detail="nausea")).outcome == "met"


def test_an_unknown_outcome_below_the_maximum_asks_whether_side_effects_limited_it(h):
    verdict = judge(
        h, sertraline(100, "unknown"), outcomes=["inadequate_response"], intolerance=None
    )
    assert verdict.outcome == "unknown"
    assert (
        "whether side effects limited the dose (peak 100 mg/day below the maximum"
        in (verdict.gaps[0])
    )


def test_the_minimum_adequate_dose_rule_counts_the_same_trial(h):
    assert judge(h, sertraline(150), adequate_dose=True).outcome == "met"


def test_weeks_are_calendar_weeks(h):
    assert judge(h, sertraline(200, days=27)).outcome == "not_met"
    assert judge(h, sertraline(200, days=28)).outcome == "met"
