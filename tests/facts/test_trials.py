"""Episodes from exposure records (docs/trial-conventions.md), on small hand-built charts."""

from __future__ import annotations

import datetime as dt

import pytest

from priorauth.facts.records import Exposure
from priorauth.facts.trials import split_episodes, weeks_from_days
from priorauth.terminology import ingredient

from .conftest import facts, request, rx, statement

D = dt.date
SERTRALINE_50 = rx("312941", "sertraline 50 MG Oral Tablet")
ONCE_DAILY = {
    "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
    "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}],
}


def exposure(start: dt.date, end: dt.date | None, ref: str = "x") -> Exposure:
    return Exposure(
        ingredient("sertraline"), f"MedicationRequest/{ref}", "MedicationRequest", start, end
    )


@pytest.mark.parametrize(
    ("days", "weeks"),
    [(41, 5.8), (42, 6.0), (55, 7.8), (56, 8.0), (6, 0.8), (0, 0.0), (98, 14.0), (569, 81.2)],
)
def test_weeks_round_down(days, weeks):
    assert weeks_from_days(days) == weeks


@pytest.mark.parametrize(("gap", "trials"), [(0, 1), (29, 1), (30, 1), (31, 2), (90, 2)])
def test_gap_splitting(gap, trials):
    """The first record covers [Jan 1, Jan 31); the next starts ``gap`` days after Jan 31."""
    first = exposure(D(2024, 1, 1), D(2024, 1, 31), "a")
    start = D(2024, 1, 31) + dt.timedelta(days=gap)
    second = exposure(start, start + dt.timedelta(days=30), "b")
    assert len(split_episodes([second, first], gap_days=30)) == trials


def test_gap_tolerance_is_configurable():
    first = exposure(D(2024, 1, 1), D(2024, 1, 31), "a")
    second = exposure(D(2024, 3, 1), D(2024, 4, 1), "b")  # gap 30 days
    assert len(split_episodes([first, second], gap_days=30)) == 1
    assert len(split_episodes([first, second], gap_days=14)) == 2


def test_gap_through_the_api():
    records = [
        request("a", SERTRALINE_50, start="2024-01-01", end="2024-01-30", dosage=ONCE_DAILY),
        request("b", SERTRALINE_50, start="2024-03-01", end="2024-04-30", dosage=ONCE_DAILY),
    ]  # [Jan 1, Jan 31), then Mar 1: gap 30 days → one trial; 31 days with a Mar 2 start
    assert len(facts(*records).trials) == 1
    records[1] = request(
        "b", SERTRALINE_50, start="2024-03-02", end="2024-04-30", dosage=ONCE_DAILY
    )
    assert len(facts(*records).trials) == 2
    assert len(facts(*records, gap_days=31).trials) == 1


def test_41_days_is_5_8_weeks():
    trial = facts(
        request("a", SERTRALINE_50, start="2024-01-01", end="2024-02-10", dosage=ONCE_DAILY)
    ).trials[0]
    assert (trial.days, trial.weeks, trial.weeks_at_adequate_dose) == (41, 5.8, 5.8)


def test_titration_peak_and_weeks_at_adequate_dose():
    """25 mg for 14 days (below the 50 mg minimum), then 100 mg for 42 days."""
    low = {**ONCE_DAILY, "doseAndRate": [{"doseQuantity": {"value": 25, "unit": "mg"}}]}
    high = {**ONCE_DAILY, "doseAndRate": [{"doseQuantity": {"value": 100, "unit": "mg"}}]}
    trial = facts(
        request("a", SERTRALINE_50, start="2024-01-01", end="2024-01-14", dosage=low),
        request("b", SERTRALINE_50, start="2024-01-15", end="2024-02-25", dosage=high),
    ).trials[0]
    assert (trial.days, trial.weeks, trial.peak_daily_dose_mg) == (56, 8.0, 100.0)
    assert (trial.adequate_dose_mg, trial.adequate_dose, trial.weeks_at_adequate_dose) == (
        50.0,
        True,
        6.0,
    )
    assert trial.evidence == ("MedicationRequest/a", "MedicationRequest/b")


def test_dose_table_is_configurable():
    trial = facts(
        request("a", SERTRALINE_50, start="2024-01-01", end="2024-02-25", dosage=ONCE_DAILY),
        dose_table={"sertraline": 100},
    ).trials[0]
    assert (trial.adequate_dose_mg, trial.adequate_dose, trial.weeks_at_adequate_dose) == (
        100,
        False,
        0.0,
    )


def test_combination_product_counts_for_both_ingredients():
    """RxNorm 403969 olanzapine 6 MG / fluoxetine 25 MG capsule, 1 capsule daily: fluoxetine
    25 mg/day (antidepressant) and olanzapine 6 mg/day (augmentation, augments fluoxetine)."""
    symbyax = rx("403969", "olanzapine 6 MG / fluoxetine 25 MG Oral Capsule")
    dose = {**ONCE_DAILY, "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "capsule"}}]}
    trials = facts(request("a", symbyax, start="2024-01-01", end="2024-03-31", dosage=dose)).trials
    by_name = {t.ingredient: t for t in trials}
    assert sorted(by_name) == ["fluoxetine", "olanzapine"]
    assert (by_name["fluoxetine"].peak_daily_dose_mg, by_name["fluoxetine"].role) == (
        25.0,
        "antidepressant",
    )
    assert (by_name["olanzapine"].peak_daily_dose_mg, by_name["olanzapine"].role) == (
        6.0,
        "augmentation",
    )
    assert by_name["olanzapine"].augments == ("fluoxetine",)
    assert (
        by_name["fluoxetine"].evidence == by_name["olanzapine"].evidence == ("MedicationRequest/a",)
    )


def test_trazodone_50_mg_at_bedtime_for_insomnia_is_never_adequate():
    record = facts(
        statement(
            "t",
            "trazodone 50 mg tablet",
            "2024-01-01",
            "2024-06-30",
            dose_text="50 mg at bedtime",
            reasonCode=[{"text": "insomnia"}],
        ),
        statement(
            "u", "trazodone", "2024-07-01", "2024-12-31", reasonCode=[{"text": "Insomnia"}]
        ),  # no dose at all: still not adequate
        as_of=D(2025, 6, 1),
    )
    (trial,) = record.trials
    assert (trial.indication, trial.peak_daily_dose_mg, trial.adequate_dose) == (
        "insomnia",
        50.0,
        False,
    )
    assert trial.weeks_at_adequate_dose == 0.0


def test_a_reason_naming_depression_is_no_indication():
    record = facts(
        statement(
            "t",
            "trazodone 150 mg",
            "2024-01-01",
            "2024-03-31",
            dose_text="150 mg at bedtime",
            reasonCode=[{"text": "Insomnia"}, {"text": "Major depression"}],
        )
    )
    assert record.trials[0].indication is None


def test_augmentation_overlap():
    """Bupropion [Jan 1, May 1); aripiprazole from Mar 1 overlaps it; escitalopram from May 1
    (the exclusive end) does not."""
    record = facts(
        statement("b", "bupropion XL 300 mg", "2024-01-01", "2024-04-30", dose_text="300 mg daily"),
        statement("a", "aripiprazole 5 mg", "2024-03-01", "2024-06-30", dose_text="5 mg daily"),
        statement("e", "escitalopram 10 mg", "2024-05-01", "2024-07-31", dose_text="10 mg daily"),
        as_of=D(2025, 1, 1),
    )
    augments = {t.ingredient: t.augments for t in record.trials}
    assert augments == {
        "bupropion": (),
        "aripiprazole": ("bupropion", "escitalopram"),
        "escitalopram": (),
    }


def test_a_second_antidepressant_added_to_a_first():
    record = facts(
        statement("s", "sertraline 100 mg", "2024-01-01", "2024-06-30", dose_text="100 mg daily"),
        statement("m", "mirtazapine 15 mg", "2024-03-01", "2024-06-30", dose_text="15 mg nightly"),
        as_of=D(2025, 1, 1),
    )
    augments = {t.ingredient: t.augments for t in record.trials}
    assert augments == {"sertraline": (), "mirtazapine": ("sertraline",)}


def test_unknown_end_gives_unknown_duration():
    trial = facts(
        request("a", SERTRALINE_50, status="stopped", dosage=ONCE_DAILY, authoredOn="2024-01-01")
    ).trials[0]
    assert (trial.end, trial.ongoing, trial.end_known, trial.days, trial.weeks) == (
        None,
        False,
        False,
        None,
        None,
    )
    assert (trial.adequate_dose, trial.weeks_at_adequate_dose) == (True, None)


def test_active_order_is_ongoing_to_the_as_of_date():
    trial = facts(
        request("a", SERTRALINE_50, status="active", dosage=ONCE_DAILY, authoredOn="2024-01-01"),
        as_of=D(2024, 3, 1),
    ).trials[0]
    assert (trial.end, trial.ongoing, trial.days, trial.outcome) == (None, True, 60, "unknown")


def test_supply_rule_for_the_end():
    """expectedSupplyDuration 30 d x (1 + 2 repeats) = 90 days from authoredOn."""
    trial = facts(
        request(
            "a",
            SERTRALINE_50,
            status="completed",
            dosage=ONCE_DAILY,
            authoredOn="2024-01-15",
            dispenseRequest={
                "numberOfRepeatsAllowed": 2,
                "expectedSupplyDuration": {"value": 30, "unit": "days"},
            },
        )
    ).trials[0]
    assert (trial.start, trial.end, trial.days) == (D(2024, 1, 15), D(2024, 4, 14), 90)


def test_pdc_for_fills_with_a_late_refill():
    """Fills of 30 days on Jan 1 and Feb 15 (15 days late): covered 60 of 75 days = 0.8."""
    fills = [
        {
            "resourceType": "MedicationDispense",
            "id": f"d{i}",
            "status": "completed",
            "medicationCodeableConcept": SERTRALINE_50,
            "subject": {"reference": "Patient/p1"},
            "whenHandedOver": day,
            "quantity": {"value": 30, "unit": "tablet"},
            "daysSupply": {"value": 30, "unit": "days"},
        }
        for i, day in enumerate(["2024-01-01", "2024-02-15"])
    ]
    trial = facts(*fills).trials[0]
    assert (trial.start, trial.end, trial.days) == (D(2024, 1, 1), D(2024, 3, 16), 75)
    assert (trial.peak_daily_dose_mg, trial.adherence_pdc) == (50.0, 0.8)
    assert trial.weeks_at_adequate_dose == 8.5  # 60 covered days / 7


def test_trials_are_ordered_by_start_then_ingredient():
    record = facts(
        statement("z", "sertraline 50 mg", "2024-02-01", "2024-03-01"),
        statement("y", "bupropion 150 mg", "2024-01-01", "2024-03-01"),
        statement("x", "aripiprazole 2 mg", "2024-01-01", "2024-03-01"),
    )
    assert [t.ingredient for t in record.trials] == ["aripiprazole", "bupropion", "sertraline"]


def test_a_cross_taper_is_no_combination():
    """Sertraline 100 mg [Jan 1, Mar 1) is switched to venlafaxine 150 mg from Feb 15: both are
    held 14 days (< 28), one ends within the taper window -> neither augments nor is combined."""
    record = facts(
        statement("s", "sertraline 100 mg", "2024-01-01", "2024-02-29", dose_text="100 mg daily"),
        statement("v", "venlafaxine 150 mg", "2024-02-15", "2024-05-31", dose_text="150 mg daily"),
        as_of=D(2025, 1, 1),
    )
    assert {t.ingredient: (t.augments, t.combination_with) for t in record.trials} == {
        "sertraline": ((), ()),
        "venlafaxine": ((), ()),
    }


def test_a_deliberate_8_week_combination_is_one():
    """Control: sertraline 100 mg all along, bupropion 300 mg added for 8 weeks (56 days held
    together at adequate doses) -> a combination; bupropion augments sertraline."""
    record = facts(
        statement("s", "sertraline 100 mg", "2024-01-01", "2024-06-30", dose_text="100 mg daily"),
        statement("b", "bupropion XL 300 mg", "2024-03-01", "2024-04-25", dose_text="300 mg daily"),
        as_of=D(2025, 1, 1),
    )
    by_name = {t.ingredient: t for t in record.trials}
    assert by_name["bupropion"].augments == ("sertraline",)
    assert by_name["bupropion"].combination_with == ("sertraline",)
    assert by_name["sertraline"].combination_with == ("bupropion",)
    assert by_name["sertraline"].augments == ()


def test_27_days_together_is_a_cross_taper_28_a_combination():
    def chart(end: str) -> dict[str, tuple[str, ...]]:
        record = facts(
            statement("s", "sertraline 100 mg", "2024-01-01", end, dose_text="100 mg daily"),
            statement("v", "venlafaxine 150 mg", "2024-02-01", "2024-05-31", dose_text="150 mg"),
            as_of=D(2025, 1, 1),
        )
        return {t.ingredient: t.combination_with for t in record.trials}

    assert chart("2024-02-27")["venlafaxine"] == ()  # [Feb 1, Feb 28) = 27 days
    assert chart("2024-02-28")["venlafaxine"] == ("sertraline",)  # 28 days


def test_days_below_the_adequate_dose_are_not_held_together():
    """Sertraline tapered to 25 mg (below 50) while venlafaxine starts: the 6 weeks of overlap are
    a taper, not a combination."""
    record = facts(
        statement("s1", "sertraline 100 mg", "2024-01-01", "2024-03-31", dose_text="100 mg daily"),
        statement("s2", "sertraline 25 mg", "2024-04-01", "2024-05-12", dose_text="25 mg daily"),
        statement("v", "venlafaxine 150 mg", "2024-04-01", "2024-07-31", dose_text="150 mg daily"),
        as_of=D(2025, 1, 1),
    )
    assert {t.ingredient: t.augments for t in record.trials} == {
        "sertraline": (),
        "venlafaxine": (),
    }


def test_an_augmenting_agent_across_a_cross_taper_augments_nothing():
    """Aripiprazole started 10 days before bupropion was stopped, then taken alone: no
    augmentation (10 days < 28 held together)."""
    record = facts(
        statement("b", "bupropion XL 300 mg", "2024-01-01", "2024-03-10", dose_text="300 mg daily"),
        statement("a", "aripiprazole 5 mg", "2024-03-01", "2024-05-31", dose_text="5 mg daily"),
        as_of=D(2025, 1, 1),
    )
    assert {t.ingredient: t.augments for t in record.trials}["aripiprazole"] == ()


def test_one_week_at_an_adequate_dose_inside_a_10_week_trial():
    """9 weeks at 25 mg (below 50), 1 week at 100 mg: 10.0 weeks, 1.0 at an adequate dose."""
    low = {**ONCE_DAILY, "doseAndRate": [{"doseQuantity": {"value": 25, "unit": "mg"}}]}
    high = {**ONCE_DAILY, "doseAndRate": [{"doseQuantity": {"value": 100, "unit": "mg"}}]}
    trial = facts(
        request("a", SERTRALINE_50, start="2024-01-01", end="2024-03-03", dosage=low),
        request("b", SERTRALINE_50, start="2024-03-04", end="2024-03-10", dosage=high),
    ).trials[0]
    assert (trial.days, trial.weeks, trial.adequate_dose, trial.weeks_at_adequate_dose) == (
        70,
        10.0,
        True,
        1.0,
    )
