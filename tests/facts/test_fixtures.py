"""Trials from the real public fixtures (tests/data/fixtures), checked by reading the JSON.

Each expectation below was derived by hand from the resources named in its docstring or comment
(dates, codes, dosage) with docs/trial-conventions.md; day counts were re-checked with
``datetime`` (``(end - start).days``; weeks = days * 10 // 7 / 10).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from priorauth.facts import PatientRecord, extract_facts
from priorauth.fhir import load_chart

from .conftest import FIXTURES

SYNTHEA = FIXTURES / "synthea_r4_smart"
CMS128 = FIXTURES / "ecqm_qicore_2024" / "CMS128_AntidepressantMedicationManagement"
CMS2 = FIXTURES / "ecqm_qicore_2024" / "CMS2_DepressionScreenFollowUp"
D = dt.date


def _record(path: Path, as_of: dt.date, **options: object) -> PatientRecord:
    return extract_facts(load_chart(path), as_of=as_of, **options)  # type: ignore[arg-type]


def _row(record: PatientRecord) -> list[tuple[object, ...]]:
    return [
        (
            t.ingredient,
            t.start,
            t.end,
            t.ongoing,
            t.days,
            t.weeks,
            t.peak_daily_dose_mg,
            t.adequate_dose,
            t.weeks_at_adequate_dose,
            t.adherence_pdc,
            t.outcome,
            t.evidence,
        )
        for t in record.trials
    ]


def test_milan_beatty_two_fluoxetine_orders_are_one_ongoing_trial():
    """Milan_Beatty: MedicationRequest 86c267dc (stopped, authoredOn 1993-01-09, no end) and
    2ca8e3ef (active, authoredOn 1993-01-17), both RxNorm 406022 "Fluoxetine 25MG" with a
    unitless doseQuantity 1 and timing 1/1 d → 1 x 25 mg x 1 = 25 mg/day (minimum 20).
    The stopped order has no end, so it covers only its start; the active one starts 8 days
    later (≤ 30) → one trial, ongoing to the as-of date 2020-01-01: 9853 days → 1407.5 weeks.
    Adequate days = only the active order (the stopped one has no known span): 1993-01-17 to
    2020-01-01 = 9845 days → 1406.4 weeks."""
    record = _record(
        SYNTHEA / "Milan_Beatty_e78d0ed2-1b54-4c30-90ae-f7405af1e402.json", D(2020, 1, 1)
    )
    assert _row(record) == [
        (
            "fluoxetine",
            D(1993, 1, 9),
            None,
            True,
            9853,
            1407.5,
            25.0,
            True,
            1406.4,
            None,
            "unknown",
            (
                "MedicationRequest/86c267dc-e655-4a0e-9046-00dc12ba1419",
                "MedicationRequest/2ca8e3ef-9568-4c8a-b639-40c65069ce70",
            ),
        ),
    ]
    assert record.trials[0].how == ("rxnorm 406022 (SCDC)",)
    assert record.current_episode_onset == D(1993, 1, 9)  # Condition 370143000, onset 1993-01-09


def test_sherman_mcglynn_fluoxetine_ends_at_death():
    """Sherman_McGlynn: MedicationRequest 49b9d190, active, authoredOn 1955-11-22, RxNorm 406022
    (25 mg) x doseQuantity 1 x 1/day = 25 mg/day. Patient.deceasedDateTime 2012-07-31, so the
    open order ends 2012-08-01 (not ongoing): 20707 days → 2958.1 weeks, all adequate."""
    record = _record(
        SYNTHEA / "Sherman_McGlynn_8ef2ef98-48c5-427e-80d4-5e8f30ac8bf5.json", D(2020, 1, 1)
    )
    assert _row(record) == [
        (
            "fluoxetine",
            D(1955, 11, 22),
            D(2012, 8, 1),
            False,
            20707,
            2958.1,
            25.0,
            True,
            2958.1,
            None,
            "unknown",
            ("MedicationRequest/49b9d190-7d2c-42db-baab-3c656c884592",),
        ),
    ]
    assert ("patient-deceased", "Patient/ffb8ae8f-8c7f-4475-8c42-d38419108e94") in {
        (n.code, n.resource) for n in record.notes
    }


def test_donnell_torphy_sertraline():
    """Donnell_Torphy: MedicationRequest 18961f09, active, authoredOn 1936-09-26, RxNorm 328670
    "Sertraline 100MG" x 1 x 1/day = 100 mg/day (minimum 50). Died 1992-06-11 → end 1992-06-12:
    20348 days → 2906.8 weeks."""
    record = _record(
        SYNTHEA / "Donnell_Torphy_9c154119-26ef-45d6-b560-c41380868b5f.json", D(2020, 1, 1)
    )
    assert _row(record) == [
        (
            "sertraline",
            D(1936, 9, 26),
            D(1992, 6, 12),
            False,
            20348,
            2906.8,
            100.0,
            True,
            2906.8,
            None,
            "unknown",
            ("MedicationRequest/18961f09-f34a-4293-88c3-54f2bf3cf947",),
        ),
    ]


def test_eliseo_cummings_sertraline_for_ptsd():
    """Eliseo_Cummings: MedicationRequest 9fc12f3b, active, authoredOn 2015-07-03, RxNorm 328670
    (100 mg) x 1 x 1/day = 100 mg/day; reasonReference → Condition 47505003 Posttraumatic stress
    disorder → indication "ptsd" (a non-depression indication that does not change adequacy).
    Ongoing to 2020-01-01: 1643 days → 234.7 weeks."""
    record = _record(
        SYNTHEA / "Eliseo_Cummings_55c373ad-af55-46ed-8f69-9c7a40a89d46.json", D(2020, 1, 1)
    )
    assert _row(record) == [
        (
            "sertraline",
            D(2015, 7, 3),
            None,
            True,
            1643,
            234.7,
            100.0,
            True,
            234.7,
            None,
            "unknown",
            ("MedicationRequest/9fc12f3b-f974-48a6-b84c-08eb2ebac438",),
        ),
    ]
    assert record.trials[0].indication == "ptsd"


@pytest.mark.parametrize(
    "name",
    [
        "Fletcher_Hyatt_fe0562b5-f517-4951-8366-32fdab088930",
        "Vito_Feeney_63dd4423-56ec-4f40-9dd6-82bc133aaddc",
    ],
)
def test_large_synthea_bundles_without_antidepressants(name):
    """Fletcher_Hyatt and Vito_Feeney hold no antidepressant or augmentation agent (their
    MedicationRequests were listed by code: none maps to a tracked ingredient)."""
    record = _record(SYNTHEA / f"{name}.json", D(2020, 1, 1))
    assert record.trials == ()
    assert record.coverages  # EOB-contained Coverage (payer as display)


# ---------------------------------------------------------------------------------- CMS128
# Every CMS128 bundle dispenses RxNorm 1099316 desipramine hydrochloride 75 MG Oral Tablet with
# whenHandedOver 2025-01-01T01:00Z (a second fill, when present, on 2025-03-01T01:00Z), a
# daysSupply (code "days") and NO quantity or dosage: the daily dose is unknown, so peak,
# adequacy and weeks at an adequate dose are null; PDC over one fill is 1.0.
# Two 10-day fills: Jan 1 → Jan 11, then Mar 1: gap 2025-01-11 .. 2025-03-01 = 49 d > 30 → two
# trials of 10 d (1.4 wk) each.
_CMS128_SINGLE = {
    "006165b0-ab24-4823-bcee-61d64ae5f581": (84, D(2025, 3, 26), 12.0),
    "0c8ea277-b375-40a1-84b5-d05bfbaa5657": (83, D(2025, 3, 25), 11.8),
    "bff2a70b-b2df-4c6b-9d98-be4edde798e0": (180, D(2025, 6, 30), 25.7),
    "fcfaba77-8917-48de-993e-438eb8d5b77b": (179, D(2025, 6, 29), 25.5),
    "3727f922-3b68-4b35-82cf-a7876b0bea5e": (10, D(2025, 1, 11), 1.4),
    "84a1aec5-0730-446f-bd5c-328938534e5e": (10, D(2025, 1, 11), 1.4),
}
_CMS128_TWO_FILLS = [
    "0b61ffb2-9d2d-4eb4-a208-f34f74824543",
    "3207b0d6-43cb-4dd7-a71f-db8ad4b9e07a",
    "35317aef-07fd-4c19-aa61-01a0f61dfe4c",
    "40ed567d-9ecf-4bf8-b552-be9b87a6834d",
    "4365633e-3edf-4bcf-a30e-33efb41fd496",
    "62ea0c3d-46da-48a1-87dd-d1927ed2df75",
    "71cc96f3-e525-4e60-b6ad-1037d16a3c17",
    "76e30d44-a803-4b4b-a6ba-f11de6fa6329",
    "778e804e-7356-400f-bc36-8d202d775509",
    "7bda86fd-7b20-45e1-8c2e-e0a24c785dd0",
    "925ef058-b2e2-489e-8d5e-1a33299efa30",
    "a3733b4f-0049-45cf-8b30-3e56ec3d5301",
    "b371fd28-5026-43db-840e-21466bde11c9",
    "b4cd38ff-6828-49bc-b8e6-d4a24b9624b1",
    "bdbc73af-00ed-4eca-b5a4-dfaab4fc2c8c",
    "ce747de2-3f8f-4ad8-8370-3ed53b990094",
    "dc4c8b59-2a44-4a74-9983-48baabe5679f",
    "ee6d52b0-149c-4ffe-b260-bb214151652c",
]
AS_OF_ECQM = D(2025, 12, 31)


def _cms128(case: str) -> PatientRecord:
    return _record(CMS128 / f"tests-{case}-bundle.json", AS_OF_ECQM)


@pytest.mark.parametrize("case", sorted(_CMS128_SINGLE))
def test_cms128_single_fill(case):
    days, end, weeks = _CMS128_SINGLE[case]
    (trial,) = _cms128(case).trials
    assert (trial.ingredient, trial.drug_class, trial.start, trial.end) == (
        "desipramine",
        "tca",
        D(2025, 1, 1),
        end,
    )
    assert (trial.days, trial.weeks, trial.adherence_pdc) == (days, weeks, 1.0)
    assert (trial.peak_daily_dose_mg, trial.adequate_dose, trial.weeks_at_adequate_dose) == (
        None,
        None,
        None,
    )
    assert trial.adequate_dose_mg == 150  # desipramine minimum (terminology table)


@pytest.mark.parametrize("case", _CMS128_TWO_FILLS)
def test_cms128_two_fills_49_days_apart_are_two_trials(case):
    trials = _cms128(case).trials
    assert [(t.start, t.end, t.days, t.weeks, t.adherence_pdc) for t in trials] == [
        (D(2025, 1, 1), D(2025, 1, 11), 10, 1.4, 1.0),
        (D(2025, 3, 1), D(2025, 3, 11), 10, 1.4, 1.0),
    ]
    assert all(
        len(t.evidence) == 1 and t.evidence[0].startswith("MedicationDispense/") for t in trials
    )


@pytest.mark.parametrize(
    ("case", "order", "end", "days", "weeks"),
    [
        # MedicationRequest 34fd2756: active, boundsPeriod 2023-01-01 .. 2024-09-17T23:59:59Z
        # → [2023-01-01, 2024-09-18) = 626 d
        (
            "925b4f30-ea5c-47c3-a24f-8bfcec5dcdf6",
            "34fd2756-7a7d-457d-ae08-ed462b9ffac9",
            D(2024, 9, 18),
            626,
            89.4,
        ),
        # MedicationRequest ab8650a0: bounds end 2024-09-18T00:00Z → [2023-01-01, 2024-09-19)
        (
            "9ab27fb9-1253-4b89-b88c-693d5f8ae65d",
            "ab8650a0-d6e2-4448-bfa7-4eec2ead140e",
            D(2024, 9, 19),
            627,
            89.5,
        ),
    ],
)
def test_cms128_order_then_a_fill_after_a_long_gap(case, order, end, days, weeks):
    """The order has a bounds end, so "active" does not make it ongoing; the 10-day dispense on
    2025-01-01 starts > 30 days after the order's end → a second trial (PDC 1.0)."""
    first, second = _cms128(case).trials
    assert (first.start, first.end, first.ongoing, first.days, first.weeks) == (
        D(2023, 1, 1),
        end,
        False,
        days,
        weeks,
    )
    assert (first.evidence, first.adherence_pdc) == ((f"MedicationRequest/{order}",), None)
    assert (second.start, second.end, second.adherence_pdc) == (D(2025, 1, 1), D(2025, 1, 11), 1.0)


# ------------------------------------------------------------------------------------ CMS2
# Each CMS2 MedicationRequest is active, has authoredOn and no dosage, dispenseRequest or
# bounds → ongoing from authoredOn to the as-of date 2025-12-31, dose unknown. Codes: 1000048
# doxepin hydrochloride 10 MG Oral Capsule, 1190110 fluoxetine 60 MG Oral Tablet.
@pytest.mark.parametrize(
    ("case", "ingredient", "start", "days", "weeks"),
    [
        ("1c7bc947-8d2d-4668-8d77-4efed8471c22", "doxepin", D(2025, 6, 21), 193, 27.5),
        ("475f8854-f00c-4799-b1bb-d4bf455e3c32", "fluoxetine", D(2025, 6, 22), 192, 27.4),
        ("68eff8f9-d08a-4798-90b6-f64b551c5317", "doxepin", D(2025, 1, 1), 364, 52.0),
        ("82e5d95b-b448-4931-b166-2e432f7413d3", "doxepin", D(2025, 6, 22), 192, 27.4),
        ("87eda809-da30-4365-999d-d98c5212d947", "fluoxetine", D(2025, 6, 21), 193, 27.5),
        ("ae23bb73-6b5d-49b9-94db-6a774d8fc75b", "doxepin", D(2024, 6, 24), 555, 79.2),
        ("b51c3f3e-f4b5-41fc-b781-a1a98e25d1b3", "fluoxetine", D(2025, 6, 21), 193, 27.5),
        ("e6a46d78-cf52-4384-ab95-225d0524210f", "fluoxetine", D(2025, 6, 24), 190, 27.1),
    ],
)
def test_cms2_active_orders_are_ongoing(case, ingredient, start, days, weeks):
    record = _record(CMS2 / f"tests-{case}-bundle.json", AS_OF_ECQM)
    (trial,) = record.trials
    assert (trial.ingredient, trial.start, trial.end, trial.ongoing) == (
        ingredient,
        start,
        None,
        True,
    )
    assert (trial.days, trial.weeks, trial.peak_daily_dose_mg, trial.adequate_dose) == (
        days,
        weeks,
        None,
        None,
    )
    # the requester Practitioner/example is not in the bundle
    assert "dangling-reference" in {n.code for n in record.notes}


def test_shift_fluoxetine_without_a_date_is_a_note_not_a_trial():
    """SHIFT 1Asample: MedicationRequest CarlFredericksonFluoxetine (RxNorm 315952, 20 mg x 1/day)
    has no authoredOn and no boundsPeriod → no start date → a no-date note, no trial."""
    record = _record(FIXTURES / "shift_demo" / "1Asample.json", D(2024, 1, 1))
    assert record.trials == ()
    assert ("no-date", "MedicationRequest/CarlFredericksonFluoxetine") in {
        (n.code, n.resource) for n in record.notes
    }
    assert [(s.instrument, s.value, s.how) for s in record.scores] == [
        ("phq9", 15.0, "SNOMED CT 720433000")
    ]
    assert record.psychotherapy.types == ("cbt",)  # Observation 444175001


def test_bulk_export_has_no_antidepressants():
    """The 2025 Synthea bulk export (13 patients) has no antidepressant or augmentation agent;
    choosing each patient in turn gives no trials. Without --patient it is an error."""
    index = load_chart(FIXTURES / "synthea_bulk_10pt_ndjson")
    for ref in index.patients():
        assert extract_facts(index, as_of=D(2025, 1, 1), patient=ref).trials == ()
