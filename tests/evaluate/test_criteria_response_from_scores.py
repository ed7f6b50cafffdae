"""antidepressant_trials with ``response_from_scores``: a trial whose outcome is undocumented is
judged from its baseline and best score on one instrument."""

from __future__ import annotations

import pytest

RULE = {"max_reduction_pct": 50}
TRIAL = {
    "ingredient": "fluoxetine",
    "drug_class": "ssri",
    "start": "2025-01-06",
    "days": 203,
    "adequate_dose": True,
    "outcome": "unknown",
}


def scores(*triples):
    return [
        {"instrument": i, "date": d, "value": v, "evidence": [f"Observation/s{n}"]}
        for n, (i, d, v) in enumerate(triples)
    ]


def judge(h, *triples, trial=None, **keys):
    rec = h.record(trials=[{**TRIAL, **(trial or {})}], scores=scores(*triples))
    keys.setdefault("response_from_scores", RULE)
    return h.run(
        "antidepressant_trials",
        rec,
        min_trials=1,
        window="lifetime",
        outcomes=["inadequate_response"],
        **keys,
    )


def test_a_29_week_trial_whose_phq9_went_20_to_22_is_an_inadequate_response(h):
    verdict = judge(h, ("phq9", "2025-01-02", 20), ("phq9", "2025-07-21", 22))
    assert verdict.outcome == "met"
    assert verdict.explanation.endswith(
        "Response judged from scores: fluoxetine: PHQ-9 20 on 2025-01-02, best 22 on "
        "2025-07-21: 10% worse."
    )
    assert ["Observation/s0"] in [list(e.resources) for e in verdict.evidence]


def test_without_the_option_the_same_trial_stays_unknown(h):
    verdict = judge(
        h, ("phq9", "2025-01-02", 20), ("phq9", "2025-07-21", 22), response_from_scores=None
    )
    assert verdict.outcome == "unknown"


@pytest.mark.parametrize(("best", "expected"), [(11, "met"), (10, "not_met"), (4, "not_met")])
def test_the_limit_is_a_reduction_below_max_reduction_pct(best, expected, h):
    verdict = judge(h, ("phq9", "2025-01-02", 20), ("phq9", "2025-04-01", best))
    assert verdict.outcome == expected


def test_a_responder_is_not_counted_and_says_why(h):
    verdict = judge(h, ("phq9", "2025-01-02", 20), ("phq9", "2025-04-01", 6))
    assert "responded on scores (PHQ-9 20 on 2025-01-02, best 6 on 2025-04-01: 70% reduction;" in (
        verdict.explanation
    )


def test_the_best_score_in_the_window_decides_not_the_latest(h):
    triples = (("phq9", "2025-01-02", 20), ("phq9", "2025-03-03", 9), ("phq9", "2025-07-21", 21))
    assert judge(h, *triples).outcome == "not_met"


def test_baseline_and_follow_up_must_be_on_the_same_instrument(h):
    verdict = judge(h, ("phq9", "2025-01-02", 20), ("hamd", "2025-07-21", 25))
    assert verdict.outcome == "unknown"


def test_a_baseline_older_than_baseline_days_does_not_count(h):
    triples = (("phq9", "2024-11-01", 20), ("phq9", "2025-07-21", 22))
    assert judge(h, *triples).outcome == "unknown"
    rule = {"max_reduction_pct": 50, "baseline_days": 90}
    assert judge(h, *triples, response_from_scores=rule).outcome == "met"


def test_scores_long_after_the_trial_ended_do_not_count(h):
    triples = (("phq9", "2025-01-02", 20), ("phq9", "2025-09-30", 22))
    assert judge(h, *triples).outcome == "unknown"


def test_a_documented_outcome_is_never_overridden_by_scores(h):
    triples = (("phq9", "2025-01-02", 20), ("phq9", "2025-07-21", 6))
    assert judge(h, *triples, trial={"outcome": "inadequate_response"}).outcome == "met"


def test_dose_and_duration_still_apply_to_a_trial_judged_from_scores(h):
    triples = (("phq9", "2025-01-02", 20), ("phq9", "2025-07-21", 22))
    assert judge(h, *triples, trial={"adequate_dose": False}).outcome == "not_met"
