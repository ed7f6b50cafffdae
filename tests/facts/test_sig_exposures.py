"""Issue 17 at the exposure level: unread sigs, tapers that stop, schedules of unknown end,
one-time orders, confirmed implausible doses, unmatched "taken with" sigs, lithium levels."""

from __future__ import annotations

from typing import Any

from .conftest import LOINC, facts, request, rx

SERTRALINE_50 = rx("312941", "sertraline 50 MG Oral Tablet")
BUPROPION_300 = rx("993557", "24 HR bupropion hydrochloride 300 MG Extended Release Oral Tablet")
LITHIUM_300 = rx("197889", "lithium carbonate 300 mg oral capsule")


def _codes(record: Any) -> dict[str, str]:
    return {n.code: n.message for n in record.notes}


def test_an_unread_schedule_leaves_the_dose_unknown_with_a_note():
    """Old code: "Take 1 tablet daily, increase as tolerated" was read as 50 mg/day."""
    record = facts(
        request("r1", SERTRALINE_50, start="2025-01-06", end="2025-03-30",
                dosage={"text": "Take 1 tablet daily, increase as tolerated"}),
    )  # fmt: skip
    [trial] = record.trials
    assert trial.peak_daily_dose_mg is None
    assert trial.adequate_dose is None
    assert "increase as tolerated" in _codes(record)["unread-sig"]
    assert "unparseable-dose" not in _codes(record)


def test_a_taper_that_stops_ends_the_record_after_its_steps():
    """2 x 50 mg for 14 days, then 50 mg for 14 days, then stop: [01-06, 02-03) = 28 days although
    the order runs to 03-30; both steps reach the 50 mg floor, so 28 days = 4.0 weeks adequate."""
    record = facts(
        request("r1", SERTRALINE_50, start="2025-01-06", end="2025-03-30", dosage={
            "text": "take 2 tabs daily for 2 weeks then 1 tab daily for 2 weeks then stop"}),
    )  # fmt: skip
    [trial] = record.trials
    assert (str(trial.end), trial.days, trial.peak_daily_dose_mg) == ("2025-02-03", 28, 100.0)
    assert trial.weeks_at_adequate_dose == 4.0


def test_a_schedule_of_unknown_end_gives_its_peak_step_and_unknown_weeks():
    record = facts(
        request("r1", SERTRALINE_50, start="2025-01-06", status="stopped",
                dosage={"text": "Take 1 tablet daily x7d then 2 tablets daily"}),
    )  # fmt: skip
    [trial] = record.trials
    assert (trial.peak_daily_dose_mg, trial.end_known, trial.weeks_at_adequate_dose) == (
        100.0,
        False,
        None,
    )


def test_a_one_time_order_is_not_a_trial():
    record = facts(
        request("r1", SERTRALINE_50, start="2025-01-06", end="2025-01-06",
                dosage={"text": "100 mg PO x1"}),
    )  # fmt: skip
    assert record.trials == ()
    assert "one-time dose" in _codes(record)["one-time-dose"]


def _fill(id_: str, day: str, days_supply: int) -> dict[str, Any]:
    return {
        "resourceType": "MedicationDispense",
        "id": id_,
        "status": "completed",
        "medicationCodeableConcept": BUPROPION_300,
        "subject": {"reference": "Patient/p1"},
        "whenHandedOver": day,
        "quantity": {"value": 30, "unit": "tablet"},
        "daysSupply": {"value": days_supply, "unit": "day"},
    }


def test_an_implausible_dose_confirmed_by_another_record_is_kept():
    """Two fills both give 3000 mg/day: confirmed (an info note), the dose stays."""
    record = facts(_fill("d1", "2025-01-06", 3), _fill("d2", "2025-01-09", 3))
    [trial] = record.trials
    assert trial.peak_daily_dose_mg == 3000.0
    assert "implausible-dose-confirmed" in _codes(record)
    assert "implausible-dose" not in _codes(record)


def test_taken_with_and_no_partner_is_noted():
    record = facts(
        request("r1", SERTRALINE_50, start="2025-01-06", end="2025-03-30",
                dosage={"text": "Take 1 tablet daily together with the 25 mg tablet"}),
    )  # fmt: skip
    [trial] = record.trials
    assert trial.peak_daily_dose_mg == 50.0
    assert "0 concurrent sertraline records" in _codes(record)["taken-with-unmatched"]


def _level(id_: str, day: str, value: float) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "14334-7"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": day,
        "valueQuantity": {"value": value, "unit": "mEq/L"},
    }


def test_lithium_levels_all_below_range_make_the_trial_not_adequate():
    record = facts(
        request("r1", LITHIUM_300, start="2025-01-06", end="2025-03-30",
                dosage={"text": "1 capsule twice daily"}),
        _level("o1", "2025-01-20", 0.3),
        _level("o2", "2025-04-20", 0.8),  # after the trial: not used
    )  # fmt: skip
    [trial] = record.trials
    assert (trial.adequate_dose, trial.weeks_at_adequate_dose) == (False, 0.0)
    assert trial.evidence == ("MedicationRequest/r1", "Observation/o1")


def test_lithium_without_levels_stays_unknown():
    record = facts(
        request("r1", LITHIUM_300, start="2025-01-06", end="2025-03-30",
                dosage={"text": "1 capsule twice daily"}),
    )  # fmt: skip
    [trial] = record.trials
    assert (trial.adequate_dose, trial.weeks_at_adequate_dose) == (None, None)


QUETIAPINE_100 = rx("312743", "quetiapine 100 mg oral tablet")
ESCITALOPRAM_10 = rx("349332", "escitalopram 10 MG Oral Tablet")


def test_a_scheduled_antipsychotic_for_agitation_augments_nothing():
    """Issue 17: an order whose reason is agitation is not an augmentation trial (old code: no
    indication label, so quetiapine 200 mg/day augmented escitalopram)."""
    record = facts(
        request("e1", ESCITALOPRAM_10, start="2025-01-06", end="2025-04-27",
                dosage={"text": "1 tablet daily"}),
        request("q1", QUETIAPINE_100, start="2025-02-03", end="2025-04-27",
                dosage={"text": "2 tablets at bedtime"}, reasonCode=[{"text": "Agitation"}]),
    )  # fmt: skip
    quetiapine = next(t for t in record.trials if t.ingredient == "quetiapine")
    assert (quetiapine.indication, quetiapine.adequate_dose, quetiapine.augments) == (
        "agitation",
        False,
        (),
    )
