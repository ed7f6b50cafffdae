"""Daily dose parsing: structured doses, unit counts x strength, text, timing codes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fhir.resources.R4B.dosage import Dosage
from fhir.resources.R4B.quantity import Quantity

from priorauth.facts.dosing import (
    daily_dose,
    dispense_daily_dose,
    dosage_daily_dose,
    dose_in_text,
    frequency_from_code,
    frequency_from_repeat,
    frequency_in_text,
    quantity_to_mg,
)

GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"


def dosage(**fields) -> Dosage:
    return Dosage.model_validate(fields)


def daily(per_day=None, code=None, **dose):
    """A dosage with an optional ``timing.repeat`` frequency per day and a ``timing.code``."""
    timing = {}
    if per_day is not None:
        timing["repeat"] = {"frequency": per_day, "period": 1, "periodUnit": "d"}
    if code is not None:
        timing["code"] = {"coding": [{"system": GTS, "code": code}]}
    fields = {"timing": timing} if timing else {}
    if dose:
        fields["doseAndRate"] = [dose]
    return fields


@pytest.mark.parametrize(
    ("fields", "strength", "expected"),
    [
        # structured mass dose x frequency
        (daily(1, doseQuantity={"value": 150, "unit": "mg"}), None, 150.0),
        (daily(2, doseQuantity={"value": 0.1, "code": "g"}), None, 200.0),
        (daily(1, doseQuantity={"value": 500, "unit": "mcg"}), None, 0.5),
        # count of tablets x product strength
        (daily(1, doseQuantity={"value": 2, "unit": "tablet"}), 50.0, 100.0),
        (daily(1, doseQuantity={"value": 1}), 25.0, 25.0),  # Synthea: unitless = one unit
        (daily(1, doseQuantity={"value": 5, "unit": "mL"}), 4.0, 20.0),  # 20 mg/5 mL solution
        (daily(3, doseQuantity={"value": 1, "code": "{tbl}"}), 10.0, 30.0),
        # count but no strength: unknown, never guessed
        (daily(1, doseQuantity={"value": 2, "unit": "tablet"}), None, None),
        # doseRange counts at its low bound
        (daily(1, doseRange={"low": {"value": 1}, "high": {"value": 2}}), 50.0, 50.0),
        # timing codes instead of repeat
        (daily(code="BID", doseQuantity={"value": 1, "unit": "capsule"}), 300.0, 600.0),
        (daily(code="TID", doseQuantity={"value": 10, "unit": "mg"}), None, 30.0),
        (daily(code="QHS", doseQuantity={"value": 2, "unit": "tablet"}), 15.0, 30.0),
        # no frequency anywhere: unknown
        ({"doseAndRate": [{"doseQuantity": {"value": 20, "unit": "mg"}}]}, None, None),
        # strength written in the dosage text x frequency from the text
        ({"text": "20 mg by mouth once daily"}, None, 20.0),
        ({"text": "Take 1 tablet by mouth twice daily"}, 37.5, 75.0),
        ({"text": "50 mg at bedtime"}, None, 50.0),
        ({"text": "take 2 x 50 mg tablets every morning"}, None, 100.0),
        ({"text": "Take 2 tablets (100 mg) daily"}, 50.0, 100.0),
        ({"text": "sertraline 50 mg: take 3 tablets daily"}, None, 150.0),
        ({"text": "one tablet three times a day"}, 25.0, 75.0),
        ({"text": "1 cap every 12 hours"}, 37.5, 75.0),
        ({"text": "Take as needed."}, 50.0, None),
        ({"text": "unsure of dose"}, None, None),
        # repeat.when without frequency: one administration per time of day
        (
            {
                "timing": {"repeat": {"when": ["MORN", "HS"]}},
                "doseAndRate": [{"doseQuantity": {"value": 25, "unit": "mg"}}],
            },
            None,
            50.0,
        ),
    ],
)
def test_daily_dose_table(fields, strength, expected):
    assert dosage_daily_dose(dosage(**fields), strength).mg == expected


def test_the_mass_entry_wins_over_a_unit_count():
    """Epic writes several doseAndRate entries; the mass one is used when present."""
    fields = daily(
        1, doseQuantity={"value": 2, "unit": "tablet"}
    )  # admin-amount first, then calculated
    fields["doseAndRate"].append({"doseQuantity": {"value": 150, "unit": "mg"}})
    assert dosage_daily_dose(dosage(**fields), 50.0).mg == 150.0


def test_combination_products_use_only_unit_counts():
    mass = dosage(**daily(1, doseQuantity={"value": 25, "unit": "mg"}))
    count = dosage(**daily(1, doseQuantity={"value": 1, "unit": "capsule"}))
    assert dosage_daily_dose(mass, 6.0, mass_ok=False).mg is None
    assert dosage_daily_dose(count, 6.0, mass_ok=False).mg == 6.0


def test_same_sequence_adds_up_different_sequences_take_the_peak():
    morning = {"sequence": 1, **daily(1, doseQuantity={"value": 50, "unit": "mg"})}
    evening = {"sequence": 1, **daily(1, doseQuantity={"value": 100, "unit": "mg"})}
    later = {"sequence": 2, **daily(1, doseQuantity={"value": 125, "unit": "mg"})}
    assert daily_dose([dosage(**morning), dosage(**evening), dosage(**later)], None).mg == 150.0


@pytest.mark.parametrize(
    ("code", "per_day"),
    [
        ("QD", 1.0),
        ("BID", 2.0),
        ("TID", 3.0),
        ("QID", 4.0),
        ("QHS", 1.0),
        ("QAM", 1.0),
        ("Q12H", 2.0),
        ("Q8H", 3.0),
        ("Q6H", 4.0),
        ("QOD", 0.5),
        ("q.h.s.", 1.0),
        ("2100", None),
        (None, None),
    ],
)
def test_frequency_codes(code, per_day):
    assert frequency_from_code(code) == per_day


@pytest.mark.parametrize(
    ("text", "per_day"),
    [
        ("twice daily", 2.0),
        ("twice a day", 2.0),
        ("BID", 2.0),
        ("b.i.d.", 2.0),
        ("three times a day", 3.0),
        ("TID", 3.0),
        ("four times daily", 4.0),
        ("at bedtime", 1.0),
        ("nightly", 1.0),
        ("once daily in the morning", 1.0),
        ("every other day", 0.5),
        ("every 8 hours", 3.0),
        ("5 times a day", 5.0),
        ("once weekly", 1 / 7),
        ("as directed", None),
        ("", None),
    ],
)
def test_frequency_in_text(text, per_day):
    assert frequency_in_text(text) == per_day


@pytest.mark.parametrize(
    ("repeat", "per_day"),
    [
        ({"frequency": 1, "period": 1, "period_unit": "d"}, 1.0),
        ({"frequency": 2, "period": 1, "period_unit": "d"}, 2.0),
        ({"frequency": 1, "period": 12, "period_unit": "h"}, 2.0),
        ({"frequency": 1, "period": 1, "period_unit": "wk"}, round(1 / 7, 6)),
        ({"frequency": None, "period": 1, "period_unit": "d"}, 1.0),
        ({"frequency": 3, "period": None, "period_unit": None}, None),
    ],
)
def test_frequency_from_repeat(repeat, per_day):
    assert frequency_from_repeat(**repeat) == per_day


def test_quantity_units():
    assert quantity_to_mg(Decimal("1.5"), "g") == 1500.0
    assert quantity_to_mg(250, "ug") == 0.25
    assert quantity_to_mg(2, "tablet") is None


def test_dispense_quantity_times_strength_over_days_supply():
    """60 tablets of 100 mg over 30 days = 200 mg/day."""
    quantity = Quantity(value=60, unit="tablet")
    assert dispense_daily_dose(quantity, 30, 100.0).mg == 200.0
    assert dispense_daily_dose(quantity, None, 100.0).mg is None
    assert dispense_daily_dose(quantity, 30, None).mg is None


def test_dose_text_explains_itself():
    assert dose_in_text("take 2 tablets", 25.0) == (50.0, "text 2 unit(s) x 25 mg")
