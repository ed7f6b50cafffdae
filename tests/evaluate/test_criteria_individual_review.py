"""individual_review: a case the policy considers case by case is never met from the chart."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from priorauth.evaluate import evaluate

TEEN = {"min_age": 15, "max_age": 17, "text": "members 15-17 are reviewed case by case"}


@pytest.mark.parametrize(
    ("birth_date", "expected"),
    [
        ("2011-11-25", "unknown"),  # 15 on the as-of date
        ("2009-11-26", "unknown"),  # 17, a day before turning 18
        ("2011-11-26", "not_met"),  # 14, a day before turning 15
        ("2008-11-25", "not_met"),  # 18: the adult criterion applies, not review
    ],
)
def test_only_the_reviewed_ages_go_to_individual_review(birth_date, expected, h):
    rec = h.record(patient={"birth_date": birth_date})
    assert h.run("individual_review", rec, **TEEN).outcome == expected


def test_the_gap_asks_for_individual_review_in_the_policy_words(h):
    verdict = h.run("individual_review", h.record(patient={"birth_date": "2010-06-01"}), **TEEN)
    assert verdict.gaps == (
        "Individual review: members 15-17 are reviewed case by case; request individual review "
        "with the payer",
    )


def test_no_birth_date_is_a_gap(h):
    verdict = h.run("individual_review", h.record(), **TEEN)
    assert (verdict.outcome, verdict.gaps) == ("unknown", ("Record the patient's date of birth",))


def test_beside_the_adult_criterion_a_teen_needs_review_and_an_adult_meets(h):
    pol = h.policy(
        {"any": [h.leaf("age", id="adult", min=18), h.leaf("individual_review", id="teen", **TEEN)]}
    )
    teen = evaluate(h.record(patient={"birth_date": "2010-06-01"}), pol, as_of=h.AS_OF)
    adult = evaluate(h.record(patient={"birth_date": "1990-06-01"}), pol, as_of=h.AS_OF)
    assert (teen.criteria_status, adult.criteria_status) == ("needs_documentation", "meets")


def test_an_age_condition_is_required(h):
    with pytest.raises(ValidationError, match="give min_age and/or max_age"):
        h.policy(h.leaf("individual_review", text="x"))
