"""severity_score with a scale set: a threshold per scale, one failed scale is not "unknown",
``same_scale``, thresholds checked against each instrument's range, the added instruments."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

SCALES = {"phq9": {"op": ">=", "value": 15}, "hamd": {"op": ">=", "value": 20}}


def scores(*triples):
    return [
        {"instrument": i, "date": d, "value": v, "evidence": [f"Observation/{n}"]}
        for n, (i, d, v) in enumerate(triples)
    ]


def judge(h, *triples, **keys):
    rec = h.record(scores=scores(*triples))
    return h.run("severity_score", rec, scales=keys.pop("scales", SCALES), within_days=30, **keys)


def test_one_passing_scale_meets(h):
    verdict = judge(h, ("phq9", "2026-11-20", 12), ("hamd", "2026-11-18", 23))
    assert verdict.outcome == "met"
    assert "HAM-D 23 on 2026-11-18 meets the threshold >= 20" in verdict.explanation


def test_a_failed_documented_scale_is_not_met_without_gaps_for_the_other_scales(h):
    verdict = judge(h, ("phq9", "2026-11-20", 12))
    assert (verdict.outcome, verdict.gaps) == ("not_met", ())
    assert verdict.explanation == (
        "Latest score PHQ-9 12 on 2026-11-20 does not meet the threshold >= 15."
    )


def test_every_documented_scale_failing_is_not_met(h):
    assert judge(h, ("phq9", "2026-11-20", 12), ("hamd", "2026-11-18", 17)).outcome == "not_met"


def test_no_listed_scale_documented_is_unknown_with_one_gap(h):
    verdict = judge(h, ("madrs", "2026-11-20", 40))
    assert verdict.outcome == "unknown"
    assert verdict.gaps == (
        "No PHQ-9 or HAM-D within 30 days before 2026-11-25: document a current PHQ-9",
    )


def test_each_scale_is_judged_on_its_own_latest_score(h):
    verdict = judge(h, ("phq9", "2026-11-01", 18), ("phq9", "2026-11-20", 11))
    assert verdict.outcome == "not_met"


def test_same_scale_judges_only_the_most_recent_scale_and_asks_to_keep_it(h):
    triples = (("hamd", "2026-11-05", 24), ("phq9", "2026-11-20", 12))
    assert judge(h, *triples).outcome == "met"
    verdict = judge(h, *triples, same_scale=True)
    assert verdict.outcome == "not_met"
    met = judge(h, ("phq9", "2026-11-05", 11), ("hamd", "2026-11-20", 22), same_scale=True)
    assert met.outcome == "met"
    assert [a.text for a in met.attestations] == [
        "Response to treatment will be measured with the baseline instrument (HAM-D)."
    ]


def test_which_all_applies_per_scale(h):
    triples = (("phq9", "2026-11-01", 16), ("phq9", "2026-11-20", 14), ("hamd", "2026-11-18", 21))
    assert judge(h, *triples[:2], which="all").outcome == "not_met"
    assert judge(h, *triples, which="all").outcome == "met"


@pytest.mark.parametrize(
    ("scales", "message"),
    [
        ({"phq9": {"op": ">", "value": 30}}, "phq9 > 30 is outside the scale"),
        ({"phq9": {"op": ">", "value": 27}}, "phq9 > 27 is outside the scale"),
        ({"hamd": {"op": "<", "value": 0}}, "hamd < 0 is outside the scale"),
        ({"bdi2": {"range": [30, 70]}}, "range [30, 70] is outside the scale"),
        ({"zung_sds": {"op": ">=", "value": 20}}, "zung_sds >= 20 is outside the scale"),
    ],
)
def test_a_threshold_no_score_can_meet_is_refused(scales, message, h):
    with pytest.raises(ValidationError, match=message.replace("[", r"\[")):
        h.policy(h.leaf("severity_score", scales=scales))


def test_the_shared_threshold_of_instruments_is_checked_against_every_instrument(h):
    with pytest.raises(ValidationError, match=r"phq9 >= 40 is outside the scale.*0-27"):
        h.policy(h.leaf("severity_score", instruments=["hamd", "phq9"], op=">=", value=40))


def test_scales_and_instruments_are_exclusive(h):
    with pytest.raises(ValidationError, match=r"give instruments .* or scales, not both"):
        h.policy(h.leaf("severity_score", instruments=["phq9"], scales=SCALES))
    with pytest.raises(ValidationError, match="give each scale its own threshold"):
        h.policy(h.leaf("severity_score", scales=SCALES, op=">=", value=15))


@pytest.mark.parametrize(
    ("instrument", "value"), [("bdi1", 31), ("ids_c", 40), ("ids_sr", 43), ("zung_sds", 72)]
)
def test_the_added_instruments_count_with_their_own_thresholds(instrument, value, h):
    scales = {
        "bdi1": {"op": ">=", "value": 30},
        "ids_c": {"op": ">=", "value": 37},
        "ids_sr": {"op": ">=", "value": 39},
        "zung_sds": {"op": ">=", "value": 70},
    }
    assert judge(h, (instrument, "2026-11-20", value), scales=scales).outcome == "met"
    assert judge(h, (instrument, "2026-11-20", value - 5), scales=scales).outcome == "not_met"
