"""antidepressant_trials and intolerance: counting, classes, adequacy, windows, unknowns."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest


@pytest.fixture
def h(h: SimpleNamespace) -> SimpleNamespace:
    """The shared helpers, with ``intolerance: any_duration`` (the old default) filled in when a
    criterion counts intolerance and the test does not say how."""
    base_run = h.run

    def run(kind: str, rec: Any, **keys: Any) -> Any:
        outcomes = keys.get("outcomes", ("inadequate_response", "intolerance"))
        if kind == "antidepressant_trials" and "intolerance" in outcomes:
            keys.setdefault("intolerance", "any_duration")
        return base_run(kind, rec, **keys)

    return SimpleNamespace(**{**vars(h), "run": run})


def trial(
    ingredient, drug_class, start="2026-01-05", days=56, outcome="inadequate_response", **extra
):
    return {
        "ingredient": ingredient,
        "drug_class": drug_class,
        "start": start,
        "days": days,
        "adequate_dose": True,
        "outcome": outcome,
        **extra,
    }


TWO = {"min_trials": 2, "min_classes": 2, "min_weeks": 6, "window": "lifetime"}


@pytest.mark.parametrize(("days", "expected"), [(41, "not_met"), (42, "met")])
def test_six_weeks_is_42_days(days, expected, h):
    rec = h.record(
        trials=[trial("sertraline", "ssri", days=days), trial("bupropion", "bupropion", days=60)]
    )
    assert h.run("antidepressant_trials", rec, **TWO).outcome == expected


def test_two_drugs_of_one_class_are_one_class(h):
    rec = h.record(trials=[trial("sertraline", "ssri"), trial("escitalopram", "ssri")])
    verdict = h.run("antidepressant_trials", rec, **TWO)
    assert verdict.outcome == "not_met"
    assert "2 failed trials (2 required), 1 class (2 required)" in verdict.explanation


def test_repeated_trials_of_one_drug_count_once(h):
    rec = h.record(
        trials=[trial("sertraline", "ssri", start="2025-01-05"), trial("sertraline", "ssri")]
    )
    assert h.run("antidepressant_trials", rec, min_trials=2, window="lifetime").outcome == "not_met"


def test_unknown_dose_makes_the_trial_and_criterion_unknown_with_gap(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri"),
            {**trial("bupropion", "bupropion", start="2026-04-06"), "adequate_dose": None},
        ]
    )
    verdict = h.run("antidepressant_trials", rec, **TWO)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == (
        "bupropion (started 2026-04-06): document the daily dose reached, "
        "the weeks at an adequate dose",
    )


def test_unknown_trial_not_needed_when_enough_are_definite(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri"),
            trial("bupropion", "bupropion"),
            {**trial("venlafaxine", "snri"), "adequate_dose": None},
        ]
    )
    verdict = h.run("antidepressant_trials", rec, **TWO)
    assert verdict.outcome == "met"
    assert verdict.gaps == ()


def test_below_adequate_dose_does_not_count(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri"),
            {**trial("bupropion", "bupropion"), "adequate_dose": False},
        ]
    )
    assert h.run("antidepressant_trials", rec, **TWO).outcome == "not_met"


def test_adequate_dose_not_required(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri"),
            {**trial("bupropion", "bupropion"), "adequate_dose": None},
        ]
    )
    assert h.run("antidepressant_trials", rec, adequate_dose=False, **TWO).outcome == "met"


@pytest.mark.parametrize(
    ("outcome", "outcomes", "expected"),
    [
        ("intolerance", ["inadequate_response", "intolerance"], "met"),
        ("intolerance", ["inadequate_response"], "not_met"),
        ("unknown", ["inadequate_response", "intolerance"], "unknown"),
        ("other", ["inadequate_response", "intolerance"], "not_met"),
    ],
)
def test_outcome_filter(outcome, outcomes, expected, h):
    rec = h.record(
        trials=[trial("sertraline", "ssri"), trial("venlafaxine", "snri", days=10, outcome=outcome)]
    )
    verdict = h.run("antidepressant_trials", rec, outcomes=outcomes, **TWO)
    assert verdict.outcome == expected


EIGHT = {"min_trials": 2, "min_classes": 2, "min_weeks": 8, "window": "lifetime"}


@pytest.mark.parametrize(
    ("intolerance", "expected"),
    [
        ("any_duration", "met"),
        ("adequate_trial", "not_met"),
        ({"min_weeks": 2}, "not_met"),
        ({"min_weeks": 3 / 7}, "met"),
    ],
)
def test_a_3_day_intolerance_counts_only_as_the_policy_says(intolerance, expected, h):
    """A 3-day intolerance below the adequate dose is not an 8-week trial unless the rule file
    says intolerance counts at any duration (or after a minimum it reached)."""
    rec = h.record(
        trials=[
            trial("sertraline", "ssri", days=70),
            {**trial("venlafaxine", "snri", days=3, outcome="intolerance"), "adequate_dose": False},
        ]
    )
    verdict = h.run("antidepressant_trials", rec, intolerance=intolerance, **EIGHT)
    assert verdict.outcome == expected


def test_an_adequate_intolerant_trial_counts_under_adequate_trial(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri", days=70),
            trial("venlafaxine", "snri", days=56, outcome="intolerance"),
        ]
    )
    assert h.run("antidepressant_trials", rec, intolerance="adequate_trial", **EIGHT).outcome == (
        "met"
    )


def test_weeks_are_weeks_at_an_adequate_dose_by_default(h):
    """One week at an adequate dose inside a 10-week trial does not meet an 8-week minimum."""
    rec = h.record(
        trials=[
            trial("sertraline", "ssri", days=70, weeks_at_adequate_dose=1.0),
            trial("bupropion", "bupropion", days=70),
        ]
    )
    verdict = h.run("antidepressant_trials", rec, **EIGHT)
    assert verdict.outcome == "not_met"
    assert "1 weeks at an adequate dose < 8" in verdict.explanation
    calendar = h.run("antidepressant_trials", rec, duration_at_adequate_dose=False, **EIGHT)
    assert calendar.outcome == "met"


def test_a_10_day_trial_is_not_an_adequate_trial(h):
    """No min_weeks in the rule: an adequate trial still needs 4 weeks at an adequate dose."""
    rec = h.record(trials=[trial("sertraline", "ssri", days=10)])
    keys = {"min_trials": 1, "window": "lifetime", "outcomes": ["inadequate_response"]}
    assert h.run("antidepressant_trials", rec, **keys).outcome == "not_met"
    assert h.run("antidepressant_trials", rec, min_weeks=0, **keys).outcome == "met"
    rec28 = h.record(trials=[trial("sertraline", "ssri", days=28)])
    assert h.run("antidepressant_trials", rec28, **keys).outcome == "met"


def test_unknown_outcome_takes_the_easier_path(h):
    """Outcome unknown, 10 days: could be an intolerance (any duration) -> unknown, not not_met."""
    rec = h.record(trials=[trial("sertraline", "ssri", days=10, outcome="unknown")])
    keys = {"min_trials": 1, "window": "lifetime", "min_weeks": 8}
    assert h.run("antidepressant_trials", rec, intolerance="any_duration", **keys).outcome == (
        "unknown"
    )
    assert h.run("antidepressant_trials", rec, intolerance="adequate_trial", **keys).outcome == (
        "not_met"
    )


@pytest.mark.parametrize(("pdc", "expected"), [(0.8, "met"), (0.79, "not_met"), (None, "unknown")])
def test_adherence(pdc, expected, h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri", adherence_pdc=0.95),
            trial("bupropion", "bupropion", adherence_pdc=pdc),
        ]
    )
    assert h.run("antidepressant_trials", rec, min_adherence_pdc=0.8, **TWO).outcome == expected


def test_class_list_restricts(h):
    rec = h.record(
        trials=[trial("sertraline", "ssri"), trial("vortioxetine", "serotonin_modulator")]
    )
    verdict = h.run(
        "antidepressant_trials",
        rec,
        classes=["ssri", "snri", "tca", "bupropion", "mirtazapine"],
        **TWO,
    )
    assert verdict.outcome == "not_met"


def test_other_indication_never_counts(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri"),
            trial("trazodone", "serotonin_modulator", indication="insomnia"),
        ]
    )
    verdict = h.run("antidepressant_trials", rec, **TWO)
    assert verdict.outcome == "not_met"
    assert "prescribed for insomnia" in verdict.explanation


def test_longer_k_of_n(h):
    """Four trials, at least two of them 6+ weeks (Centene CP.MP.172 style)."""
    base = [
        trial("sertraline", "ssri", days=42),
        trial("bupropion", "bupropion", days=28),
        trial("venlafaxine", "snri", days=28),
    ]
    keys = {
        "min_trials": 4,
        "min_classes": 2,
        "window": "lifetime",
        "longer": {"n": 2, "min_weeks": 6},
    }
    short = h.record(trials=[*base, trial("mirtazapine", "mirtazapine", days=41)])
    long = h.record(trials=[*base, trial("mirtazapine", "mirtazapine", days=42)])
    assert h.run("antidepressant_trials", short, **keys).outcome == "not_met"
    assert h.run("antidepressant_trials", long, **keys).outcome == "met"


def test_augmentation_counted_separately(h):
    ads = [trial("sertraline", "ssri"), trial("bupropion", "bupropion")]
    keys = {**TWO, "min_augmentation_trials": 1}
    assert h.run("antidepressant_trials", h.record(trials=ads), **keys).outcome == "not_met"
    with_aug = h.record(trials=[*ads, trial("aripiprazole", "sga", augments=["bupropion"])])
    assert h.run("antidepressant_trials", with_aug, **keys).outcome == "met"


def test_an_augmenting_agent_that_augments_nothing_is_no_augmentation_trial(h):
    """Aripiprazole held with no antidepressant (given alone, or only across a cross-taper)."""
    ads = [trial("sertraline", "ssri"), trial("bupropion", "bupropion")]
    keys = {**TWO, "min_augmentation_trials": 1}
    alone = h.record(trials=[*ads, trial("aripiprazole", "sga")])
    assert h.run("antidepressant_trials", alone, **keys).outcome == "not_met"


def test_one_drug_is_not_both_a_class_trial_and_the_augmentation_trial(h):
    """Bupropion added to sertraline is a combination (an augmentation strategy) and a second
    class, but not both at once: two classes plus one augmentation need three drugs."""
    keys = {**TWO, "min_augmentation_trials": 1}
    two = h.record(
        trials=[
            trial("sertraline", "ssri"),
            trial("bupropion", "bupropion", augments=["sertraline"]),
        ]
    )
    verdict = h.run("antidepressant_trials", two, **keys)
    assert verdict.outcome == "not_met"
    three = h.record(
        trials=[
            trial("sertraline", "ssri"),
            trial("bupropion", "bupropion", augments=["sertraline"]),
            trial("venlafaxine", "snri", start="2026-04-06"),
        ]
    )
    verdict = h.run("antidepressant_trials", three, **keys)
    assert verdict.outcome == "met"  # sertraline + venlafaxine: classes; bupropion: augmentation
    assert "2 failed trials (2 required)" in verdict.explanation
    assert "1 augmentation trial (1 required)" in verdict.explanation


def test_antidepressant_added_to_another_class_is_augmentation(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri"),
            trial("mirtazapine", "mirtazapine", augments=["sertraline"]),
        ]
    )
    keys = {"min_trials": 0, "min_augmentation_trials": 1, "window": "lifetime"}
    assert h.run("antidepressant_trials", rec, **keys).outcome == "met"
    same_class = h.record(
        trials=[trial("sertraline", "ssri"), trial("fluoxetine", "ssri", augments=["sertraline"])]
    )
    assert h.run("antidepressant_trials", same_class, **keys).outcome == "not_met"


def test_include_augmentation_in_main_count(h):
    rec = h.record(trials=[trial("sertraline", "ssri"), trial("lithium", "lithium")])
    assert h.run("antidepressant_trials", rec, **TWO).outcome == "not_met"
    assert h.run("antidepressant_trials", rec, include_augmentation=True, **TWO).outcome == "met"


@pytest.mark.parametrize(
    ("onset", "expected"),
    [("2026-01-01", "met"), ("2026-03-02", "met"), ("2026-03-03", "not_met")],
)
def test_current_episode_window_by_overlap(onset, expected, h):
    # bupropion from 2026-01-05 for 57 days: last day 2026-03-02 (end, exclusive, 2026-03-03)
    rec = h.record(
        current_episode_onset=onset,
        trials=[
            trial("sertraline", "ssri", start="2026-05-04"),
            trial("bupropion", "bupropion", days=57),
        ],
    )
    keys = {**TWO, "window": "current_episode"}
    assert h.run("antidepressant_trials", rec, **keys).outcome == expected


def test_current_episode_unknown_without_onset(h):
    rec = h.record(trials=[trial("sertraline", "ssri"), trial("bupropion", "bupropion")])
    verdict = h.run("antidepressant_trials", rec, **{**TWO, "window": "current_episode"})
    assert verdict.outcome == "unknown"
    assert "onset date of the current episode" in verdict.gaps[0]


def test_lookback_window(h):
    rec = h.record(
        trials=[trial("sertraline", "ssri", start="2023-01-02"), trial("bupropion", "bupropion")]
    )
    keys = {**TWO, "window": "lookback", "lookback_days": 730}
    assert h.run("antidepressant_trials", rec, **keys).outcome == "not_met"


def test_no_trials_at_all_is_a_gap(h):
    verdict = h.run("antidepressant_trials", h.record(), **TWO)
    assert verdict.outcome == "unknown"
    assert verdict.gaps[0].startswith("Document the antidepressant history")


def test_evidence_names_trials_and_resources(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri", peak_daily_dose_mg=150, evidence=["MedicationRequest/m1"]),
            trial("bupropion", "bupropion"),
        ]
    )
    verdict = h.run("antidepressant_trials", rec, **TWO)
    first = verdict.evidence[0]
    assert first.fact == "trials[0]"
    assert first.resources == ("MedicationRequest/m1",)
    assert first.summary == "sertraline [ssri] 150 mg/day (adequate), 8 weeks, inadequate response"


INTOL = {"min_trials": 2, "window": "lifetime"}


def test_intolerance_counts_distinct_trials(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri", outcome="intolerance", outcome_detail="nausea"),
            trial("venlafaxine", "snri", outcome="intolerance", outcome_detail="hypertension"),
        ]
    )
    assert h.run("intolerance", rec, distinct_side_effects=True, **INTOL).outcome == "met"


def test_intolerance_same_side_effect_twice(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri", outcome="intolerance", outcome_detail="Nausea"),
            trial("venlafaxine", "snri", outcome="intolerance", outcome_detail="nausea"),
        ]
    )
    assert h.run("intolerance", rec, distinct_side_effects=True, **INTOL).outcome == "not_met"
    assert h.run("intolerance", rec, **INTOL).outcome == "met"


def test_intolerance_unknown_outcome_and_missing_side_effect(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri", outcome="intolerance"),
            trial("venlafaxine", "snri", outcome="unknown"),
        ]
    )
    verdict = h.run("intolerance", rec, distinct_side_effects=True, **INTOL)
    assert verdict.outcome == "unknown"
    assert len(verdict.gaps) == 2


def test_ongoing_trial_is_not_an_intolerance(h):
    rec = h.record(
        trials=[
            trial("sertraline", "ssri", outcome="intolerance"),
            {**trial("venlafaxine", "snri", outcome="unknown"), "ongoing": True},
        ]
    )
    assert h.run("intolerance", rec, **INTOL).outcome == "not_met"
