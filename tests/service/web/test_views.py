"""The work queue's filter and sort (priorauth.service.web.views)."""

from __future__ import annotations

import datetime as dt

from priorauth.service.web.store import QueueRow
from priorauth.service.web.views import filter_rows


def row(patient: str, status: str, minute: int, alert: str | None = None) -> QueueRow:
    at = dt.datetime(2026, 12, 2, 9, minute, tzinfo=dt.UTC)
    return QueueRow(
        id=patient,
        created_at=at,
        as_of=dt.date(2026, 11, 25),
        patient=patient,
        payer="Aetna",
        policy_id=None,
        status=status,
        gaps=0,
        alert=alert,
        attested=(),
        attested_by=None,
        reviewed={},
        last_action="uploaded",
        last_actor="dana",
        updated_at=at,
    )


ROWS = [
    row("Avery", "meets", 30),
    row("Blake", "clinician_review", 10, "Seizure history (relative)"),
    row("Casey", "needs_documentation", 20),
    row("Drew", "safety_hold", 5, "Implant or metal near the coil (absolute)"),
]


def test_safety_holds_then_reviews_come_first_whatever_the_sort():
    newest = filter_rows(ROWS, text="", status="", sort="updated", descending=True)
    assert [r.patient for r in newest] == ["Drew", "Blake", "Avery", "Casey"]
    by_name = filter_rows(ROWS, text="", status="", sort="patient", descending=True)
    assert [r.patient for r in by_name] == ["Drew", "Blake", "Casey", "Avery"]


def test_filters_keep_the_safety_order():
    assert [
        r.patient
        for r in filter_rows(ROWS, text="aetna", status="", sort="patient", descending=False)
    ] == ["Drew", "Blake", "Avery", "Casey"]
    assert [
        r.patient
        for r in filter_rows(ROWS, text="", status="meets", sort="patient", descending=False)
    ] == ["Avery"]
