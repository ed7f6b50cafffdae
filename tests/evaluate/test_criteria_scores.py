"""severity_score: comparators, ranges, recency, which scores count."""

from __future__ import annotations

import pytest

PHQ = "phq9"


def scores(*pairs):
    return [
        {"instrument": i, "date": d, "value": v, "evidence": [f"Observation/{n}"]}
        for n, (i, d, v) in enumerate(pairs)
    ]


@pytest.mark.parametrize(
    ("op", "threshold", "value", "expected"),
    [
        (">", 15, 15, "not_met"),
        (">", 15, 16, "met"),
        (">=", 15, 15, "met"),
        (">=", 15, 14, "not_met"),
        ("<", 10, 10, "not_met"),
        ("<", 10, 9, "met"),
        ("<=", 10, 10, "met"),
        ("<=", 10, 11, "not_met"),
    ],
)
def test_comparators_at_the_boundary(op, threshold, value, expected, h):
    rec = h.record(scores=scores((PHQ, "2026-11-20", value)))
    assert (
        h.run("severity_score", rec, instruments=[PHQ], op=op, value=threshold).outcome == expected
    )


@pytest.mark.parametrize(
    ("value", "expected"), [(29, "not_met"), (30, "met"), (63, "met"), (64, "not_met")]
)
def test_range_is_inclusive(value, expected, h):
    rec = h.record(scores=scores(("bdi2", "2026-11-20", value)))
    assert h.run("severity_score", rec, instruments=["bdi2"], range=[30, 63]).outcome == expected


@pytest.mark.parametrize(("date", "expected"), [("2026-10-26", "met"), ("2026-10-25", "unknown")])
def test_within_days_boundary(date, expected, h):
    rec = h.record(scores=scores((PHQ, date, 20)))
    verdict = h.run("severity_score", rec, instruments=[PHQ], op=">=", value=15, within_days=30)
    assert verdict.outcome == expected


def test_no_recent_score_gap_names_instrument_window_and_date(h):
    verdict = h.run(
        "severity_score", h.record(), instruments=[PHQ], op=">=", value=15, within_days=30
    )
    assert verdict.gaps == ("No PHQ-9 within 30 days before 2026-11-25: document a current PHQ-9",)


def test_latest_score_decides_by_default(h):
    rec = h.record(scores=scores((PHQ, "2026-11-01", 20), (PHQ, "2026-11-20", 12)))
    verdict = h.run("severity_score", rec, instruments=[PHQ], op=">=", value=15)
    assert verdict.outcome == "not_met"
    assert [e.fact for e in verdict.evidence] == ["scores[1]"]
    assert verdict.evidence[0].resources == ("Observation/1",)


@pytest.mark.parametrize(
    ("which", "expected"), [("any", "met"), ("all", "not_met"), ("latest", "not_met")]
)
def test_which(which, expected, h):
    rec = h.record(scores=scores((PHQ, "2026-11-01", 20), (PHQ, "2026-11-20", 12)))
    assert (
        h.run("severity_score", rec, instruments=[PHQ], op=">", value=15, which=which).outcome
        == expected
    )


def test_other_instruments_are_ignored(h):
    rec = h.record(scores=scores(("hamd", "2026-11-20", 25)))
    assert h.run("severity_score", rec, instruments=[PHQ], op=">=", value=15).outcome == "unknown"


def test_since_episode_onset(h):
    rec = h.record(current_episode_onset="2026-06-01", scores=scores((PHQ, "2026-05-01", 20)))
    assert (
        h.run("severity_score", rec, instruments=[PHQ], since_episode_onset=True).outcome
        == "unknown"
    )
    no_onset = h.record(scores=scores((PHQ, "2026-05-01", 20)))
    verdict = h.run("severity_score", no_onset, instruments=[PHQ], since_episode_onset=True)
    assert verdict.gaps == ("Document the onset date of the current depressive episode",)


def test_same_instrument_attestation(h):
    rec = h.record(scores=scores(("madrs", "2026-11-20", 30)))
    verdict = h.run(
        "severity_score", rec, instruments=["madrs", PHQ], same_instrument_at_baseline=True
    )
    assert verdict.outcome == "met"
    assert [a.id for a in verdict.attestations] == ["severity-score.same-instrument"]
    assert "MADRS" in verdict.attestations[0].text


def test_future_scores_do_not_count(h):
    rec = h.record(scores=scores((PHQ, "2026-11-26", 20)))
    assert h.run("severity_score", rec, instruments=[PHQ]).outcome == "unknown"
