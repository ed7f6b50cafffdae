"""retreatment with ``min_worsening_pct_of_best``: relapse as "N % worse than the best score"."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

COURSE = {
    "start": "2026-01-05",
    "end": "2026-02-20",
    "instrument": "phq9",
    "baseline_score": 20,
    "best_score": 8,
}
RULE = {
    "min_improvement_pct": 50,
    "min_days_since_last_course": 90,
    "min_worsening_pct_of_best": 50,
}


def judge(h, current, instrument="phq9", **keys):
    rec = h.record(
        prior_tms=[COURSE],
        scores=[{"instrument": instrument, "date": "2026-11-20", "value": current}],
    )
    return h.run("retreatment", rec, **{**RULE, **keys})


@pytest.mark.parametrize(("current", "expected"), [(12, "met"), (11, "not_met"), (20, "met")])
def test_relapse_is_50_percent_above_the_best_score(current, expected, h):
    assert judge(h, current).outcome == expected


def test_the_current_score_must_be_on_the_prior_course_scale(h):
    assert judge(h, 30, instrument="hamd").outcome == "unknown"


def test_90_days_after_the_prior_course(h):
    assert judge(h, 14, min_days_since_last_course=300).outcome == "not_met"


def test_it_is_a_relapse_measure(h):
    keys = {"min_improvement_pct": 50, "min_worsening_pct_of_best": 50, "relapse": "attested"}
    with pytest.raises(ValidationError, match="only used with relapse: measured"):
        h.policy(h.leaf("retreatment", **keys))
