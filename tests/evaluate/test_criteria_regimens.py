"""antidepressant_trials with ``count: regimens``: a base antidepressant and the drug held with it
(augmenting agent or second antidepressant) are one regimen-trial."""

from __future__ import annotations

from priorauth.evaluate.criteria._trials import regimen_of
from priorauth.facts.models import MedicationTrial


def trial(ingredient, drug_class, start, **extra):
    return {
        "ingredient": ingredient,
        "drug_class": drug_class,
        "start": start,
        "days": 56,
        "adequate_dose": True,
        "outcome": "inadequate_response",
        **extra,
    }


SERTRALINE = trial("sertraline", "ssri", "2026-01-05")
CITALOPRAM = trial("citalopram", "ssri", "2026-04-06")
BUPROPION_WITH_CITALOPRAM = trial(
    "bupropion", "bupropion", "2026-04-06", combination_with=["citalopram"]
)
ARIPIPRAZOLE_ON_SERTRALINE = trial(
    "aripiprazole", "sga", "2026-01-19", role="augmentation", augments=["sertraline"]
)


def judge(h, *trials, count="regimens", **keys):
    rec = h.record(trials=list(trials))
    keys = {"min_trials": 2, "window": "lifetime", "intolerance": "adequate_trial", **keys}
    return h.run("antidepressant_trials", rec, count=count, **keys)


def test_a_combination_is_one_regimen(h):
    trials = (CITALOPRAM, BUPROPION_WITH_CITALOPRAM)
    assert judge(h, *trials, count="ingredients").outcome == "met"
    verdict = judge(h, *trials)
    assert verdict.outcome == "not_met"
    assert verdict.explanation.startswith("1 failed regimen (2 required)")


def test_a_monotherapy_and_a_combination_are_two_regimens(h):
    assert judge(h, SERTRALINE, CITALOPRAM, BUPROPION_WITH_CITALOPRAM).outcome == "met"


def test_an_augmented_trial_is_one_regimen_when_augmentation_counts(h):
    trials = (SERTRALINE, ARIPIPRAZOLE_ON_SERTRALINE)
    assert judge(h, *trials, include_augmentation=True, count="ingredients").outcome == "met"
    assert judge(h, *trials, include_augmentation=True).outcome == "not_met"


def test_regimens_join_every_drug_held_together_in_name_order():
    trials = [
        MedicationTrial.model_validate({**t, "role": t.get("role", "antidepressant")})
        for t in (SERTRALINE, ARIPIPRAZOLE_ON_SERTRALINE, CITALOPRAM, BUPROPION_WITH_CITALOPRAM)
    ]
    assert regimen_of(trials) == {
        "sertraline": "aripiprazole+sertraline",
        "aripiprazole": "aripiprazole+sertraline",
        "citalopram": "bupropion+citalopram",
        "bupropion": "bupropion+citalopram",
    }
