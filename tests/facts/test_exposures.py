"""Medication resources → exposure records: dates, statuses, drug identification, notes."""

from __future__ import annotations

import datetime as dt

import pytest

from priorauth.facts.exposures import exclusive_end

from .conftest import RXNORM, facts, request, rx, statement

D = dt.date
SERTRALINE_100 = rx("312938", "sertraline 100 MG Oral Tablet")


def codes(record) -> set[tuple[str, str | None]]:
    return {(n.code, n.resource) for n in record.notes}


@pytest.mark.parametrize(
    ("value", "end"),
    [
        ("2024-02-18", D(2024, 2, 19)),
        ("2023-12", D(2024, 1, 1)),
        ("2024-02", D(2024, 3, 1)),
        ("2024", D(2025, 1, 1)),
        ("2024-02-18T23:30:00-05:00", D(2024, 2, 19)),
        (None, None),
    ],
)
def test_exclusive_end_of_partial_dates(value, end):
    assert exclusive_end(value) == end


def test_partial_dates_use_period_semantics():
    """start "2023-07" → July 1; end "2023-12" → the whole of December → exclusive 2024-01-01."""
    record = facts(
        statement("w", "Wellbutrin XL 300 mg", "2023-07", "2023-12", dose_text="300 mg once daily")
    )
    trial = record.trials[0]
    assert (trial.start, trial.end, trial.days, trial.weeks) == (
        D(2023, 7, 1),
        D(2024, 1, 1),
        184,
        26.2,
    )
    assert ("partial-date", "MedicationStatement/w") in codes(record)


def test_timezone_datetimes_keep_their_local_date():
    """23:30 at -05:00 is still the 5th locally (the 6th in UTC); the local date is used."""
    trial = facts(
        request(
            "a", SERTRALINE_100, start="2024-03-05T23:30:00-05:00", end="2024-04-01T01:00:00+09:00"
        )
    ).trials[0]
    assert (trial.start, trial.end) == (D(2024, 3, 5), D(2024, 4, 2))


@pytest.mark.parametrize(
    ("status", "note"),
    [
        ("entered-in-error", "entered-in-error"),
        ("draft", "not-exposure"),
        ("cancelled", "not-exposure"),
    ],
)
def test_statuses_that_are_not_exposure(status, note):
    record = facts(
        request("a", SERTRALINE_100, start="2024-01-01", end="2024-03-01", status=status)
    )
    assert record.trials == ()
    assert (note, "MedicationRequest/a") in codes(record)


@pytest.mark.parametrize("status", ["not-taken", "intended"])
def test_statement_statuses_that_are_not_exposure(status):
    record = facts(statement("s", "sertraline 50 mg", "2024-01-01", "2024-03-01", status=status))
    assert record.trials == ()
    assert ("not-exposure", "MedicationStatement/s") in codes(record)


def test_do_not_perform_is_not_exposure():
    record = facts(request("a", SERTRALINE_100, start="2024-01-01", doNotPerform=True))
    assert record.trials == ()


def test_unknown_status_is_kept_with_a_note():
    record = facts(
        request("a", SERTRALINE_100, start="2024-01-01", end="2024-03-01", status="discontinued")
    )
    assert record.trials[0].end == D(2024, 3, 2)
    assert ("unknown-status", "MedicationRequest/a") in codes(record)


def test_record_without_a_date_is_a_note():
    record = facts(request("a", SERTRALINE_100))
    assert record.trials == ()
    assert ("no-date", "MedicationRequest/a") in codes(record)


def test_future_record_is_not_counted():
    record = facts(request("a", SERTRALINE_100, start="2030-01-01"), as_of=D(2026, 1, 1))
    assert record.trials == ()
    assert ("future-record", "MedicationRequest/a") in codes(record)


def test_contained_medication():
    order = request(
        "a",
        SERTRALINE_100,
        start="2024-01-01",
        end="2024-02-25",
        dosage={
            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [{"doseQuantity": {"value": 2, "unit": "tablet"}}],
        },
    )
    del order["medicationCodeableConcept"]
    order["contained"] = [
        {
            "resourceType": "Medication",
            "id": "m1",
            "code": rx("312941", "sertraline 50 MG Oral Tablet"),
        }
    ]
    order["medicationReference"] = {"reference": "#m1"}
    trial = facts(order).trials[0]
    assert (trial.ingredient, trial.peak_daily_dose_mg, trial.how) == (
        "sertraline",
        100.0,
        ("rxnorm 312941 (SCD)",),
    )


def test_dangling_medication_reference_uses_its_display():
    order = request("a", SERTRALINE_100, start="2024-01-01", end="2024-02-25")
    del order["medicationCodeableConcept"]
    order["medicationReference"] = {
        "reference": "Medication/gone",
        "display": "sertraline (ZOLOFT) 50 MG tablet",
    }
    record = facts(order)
    assert record.trials[0].ingredient == "sertraline"
    assert ("dangling-reference", "MedicationRequest/a") in codes(record)


def test_unknown_code_matched_by_name_is_noted():
    medication = {"coding": [{"system": RXNORM, "code": "999999999", "display": "Lexapro 10mg"}]}
    record = facts(request("a", medication, start="2024-01-01", end="2024-02-25"))
    assert record.trials[0].ingredient == "escitalopram"
    assert ("unknown-drug-code", "MedicationRequest/a") in codes(record)


def test_unreadable_dose_is_noted():
    record = facts(
        request(
            "a",
            SERTRALINE_100,
            start="2024-01-01",
            end="2024-02-25",
            dosage={"text": "as directed"},
        )
    )
    assert record.trials[0].peak_daily_dose_mg is None
    assert ("unparseable-dose", "MedicationRequest/a") in codes(record)


def test_medication_administration_is_one_day():
    record = facts(
        {
            "resourceType": "MedicationAdministration",
            "id": "ma",
            "status": "completed",
            "medicationCodeableConcept": {"text": "Spravato (esketamine) nasal spray"},
            "subject": {"reference": "Patient/p1"},
            "effectiveDateTime": "2024-05-01T10:00:00Z",
            "dosage": {"dose": {"value": 56, "unit": "mg"}},
        }
    )
    trial = record.trials[0]
    assert (trial.ingredient, trial.start, trial.end, trial.days, trial.peak_daily_dose_mg) == (
        "esketamine",
        D(2024, 5, 1),
        D(2024, 5, 2),
        1,
        56.0,
    )


def test_dispense_prepared_but_not_handed_over():
    record = facts(
        {
            "resourceType": "MedicationDispense",
            "id": "md",
            "status": "completed",
            "medicationCodeableConcept": SERTRALINE_100,
            "subject": {"reference": "Patient/p1"},
            "whenPrepared": "2024-06-18",
            "quantity": {"value": 30},
            "daysSupply": {"value": 30},
        }
    )
    trial = record.trials[0]
    assert (trial.start, trial.end, trial.peak_daily_dose_mg, trial.adherence_pdc) == (
        D(2024, 6, 18),
        D(2024, 7, 18),
        100.0,
        1.0,
    )


def test_open_order_of_a_deceased_patient_ends_at_death():
    chart_patient = {"deceasedDateTime": "2024-03-10T08:00:00Z"}
    record = facts(
        request("a", SERTRALINE_100, status="active", authoredOn="2024-01-01"),
        as_of=D(2025, 1, 1),
        patient_extra=chart_patient,
    )
    trial = record.trials[0]
    assert (trial.end, trial.ongoing, trial.days) == (D(2024, 3, 11), False, 70)
    assert "patient-deceased" in {n.code for n in record.notes}


def test_class_name_without_a_drug_is_noted():
    record = facts(request("a", {"text": "SSRI (patient unsure which)"}, start="2020-01-01"))
    assert record.trials == ()
    assert ("unrecognised-drug", "MedicationRequest/a") in codes(record)


def test_end_before_start_is_an_unknown_end():
    record = facts(request("a", SERTRALINE_100, start="2024-03-01", end="2024-01-01"))
    assert (record.trials[0].end, record.trials[0].end_known) == (None, False)
    assert ("end-before-start", "MedicationRequest/a") in codes(record)
