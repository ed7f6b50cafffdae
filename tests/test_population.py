"""priorauth.population: one patient's chart → one ScreenRow."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from pathlib import Path

import pytest

from priorauth.fhir.bulk import BulkExport
from priorauth.population import TIERS, ScreenRow, screen_patient, sort_key

AS_OF = dt.date(2026, 11, 25)
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = DATA.parent.parent / "examples" / "trd_meets_policies.json"
SAFETY = DATA / "charts" / "safety"


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_a_patient_who_meets():
    row = screen_patient(_bytes(EXAMPLE), as_of=AS_OF)
    assert (row.screened, row.tier, row.payer, row.age) == ("candidate", "meets", "aetna", 45)
    assert [(p.policy_id, p.status) for p in row.policies] == [("cpb-0469-tms-2026-02", "meets")]
    assert (row.failed_trials, row.failed_classes) == (4, ("bupropion", "snri", "ssri"))
    assert row.latest_score == "hamd 24 on 2026-11-10"
    assert (row.safety, row.top_gaps, row.gap_count) == ((), (), 0)


def test_one_gap_away():
    row = screen_patient(_bytes(SAFETY / "no_suicide_screen.json"), as_of=AS_OF)
    assert (row.tier, row.gap_count) == ("one gap away", 1)
    assert row.top_gaps[0].startswith("Document a suicide-risk screen")


def test_a_safety_hold_is_flagged():
    row = screen_patient(_bytes(SAFETY / "cssrs_positive.json"), as_of=AS_OF)
    assert (row.tier, row.safety, row.urgent) == (
        "safety hold",
        ("SAFETY HOLD: acute-suicide-risk",),
        True,
    )


@pytest.mark.parametrize(
    ("chart", "screened"),
    [("deceased.json", "deceased"), ("coverage_ended.json", "coverage_ended")],
)
def test_exclusions(chart, screened):
    assert screen_patient(_bytes(SAFETY / chart), as_of=AS_OF).screened == screened


def test_no_depression_diagnosis():
    chart = next(BulkExport(DATA / "fixtures" / "synthea_bulk_10pt_ndjson").charts())
    row = screen_patient(chart, as_of=AS_OF)
    assert (row.patient, row.screened) == (chart.patient, "no_depression")


def test_a_broken_chart_is_an_error_row_not_an_exception():
    row = screen_patient(b'{"resourceType": "Patient", "id": ', as_of=AS_OF)
    assert row.screened == "error"
    assert row.error.startswith("<chart>: line 1")


def test_the_work_and_its_row_pickle():
    """What a process pool or a cluster sends back and forth."""
    row = screen_patient(_bytes(EXAMPLE), as_of=AS_OF)
    assert pickle.loads(pickle.dumps(row)) == row
    assert pickle.loads(pickle.dumps(screen_patient)) is screen_patient
    assert ScreenRow.model_validate(json.loads(row.model_dump_json())) == row


def test_nearest_first():
    rows = [
        ScreenRow(patient="d", screened="candidate", tier="safety hold"),
        ScreenRow(patient="c", screened="candidate", tier="needs documentation", gap_count=2),
        ScreenRow(patient="b", screened="candidate", tier="one gap away", gap_count=1),
        ScreenRow(patient="a", screened="candidate", tier="meets"),
        ScreenRow(patient="e", screened="candidate", tier="needs documentation", gap_count=1),
    ]
    assert [r.patient for r in sorted(rows, key=sort_key)] == ["a", "b", "e", "c", "d"]
    assert TIERS[:2] == ("meets", "one gap away")
