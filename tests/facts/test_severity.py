"""Current severity: the latest score per instrument as of the as-of date, its range and trend."""

from __future__ import annotations

import datetime as dt

import pytest

from priorauth.facts.severity import current_severity, severity_range

from .conftest import LOINC, facts

D = dt.date


def phq9(id_: str, day: str, value: int) -> dict:
    return {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "44261-6"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": day,
        "valueInteger": value,
    }


def test_remission_after_a_drop_is_improving():
    (current,) = facts(phq9("a", "2026-06-01", 18), phq9("b", "2026-11-01", 3)).current_severity
    assert (current.instrument, current.date, current.value, current.band, current.range) == (
        "phq9",
        D(2026, 11, 1),
        3.0,
        "minimal",
        "remission",
    )
    assert (current.previous_value, current.previous_date, current.trend) == (
        18.0,
        D(2026, 6, 1),
        "improving",
    )
    assert current.evidence == ("Observation/b", "Observation/a")


@pytest.mark.parametrize(
    ("previous", "latest", "trend"),
    [(12, 8, "stable"), (8, 12, "stable"), (7, 12, "worsening"), (14, 9, "improving")],
)
def test_trend_needs_a_five_point_phq9_change(previous, latest, trend):
    record = facts(phq9("a", "2026-09-01", previous), phq9("b", "2026-10-01", latest))
    assert record.current_severity[0].trend == trend


def test_a_single_score_has_no_trend_and_mild_range():
    (current,) = facts(phq9("a", "2026-10-01", 7)).current_severity
    assert (current.range, current.trend, current.previous_value) == ("mild", None, None)


def test_scores_after_the_as_of_date_are_ignored():
    record = facts(phq9("a", "2026-10-01", 22), phq9("later", "2026-12-01", 4))
    (current,) = record.current_severity
    assert (current.value, current.range, current.trend) == (22.0, "moderate_or_worse", None)


def test_no_scores_no_current_severity():
    assert facts().current_severity == ()


@pytest.mark.parametrize(
    ("instrument", "value", "expected"),
    [
        ("madrs", 6, "remission"),
        ("madrs", 19, "mild"),
        ("madrs", 20, "moderate_or_worse"),
        ("hamd", 7, "remission"),
        ("hamd", 8, "mild"),
        ("qids_sr", 5, "remission"),
        ("phq9", 10, "moderate_or_worse"),
    ],
)
def test_range_from_the_instrument_bands(instrument, value, expected):
    assert severity_range(instrument, value) == expected


def test_one_entry_per_instrument_latest_first():
    record = facts(phq9("p", "2026-09-01", 16))
    hamd = record.scores[0].model_copy(update={"instrument": "hamd", "date": D(2026, 10, 1)})
    found = current_severity([*record.scores, hamd], as_of=D(2026, 11, 25))
    assert [(c.instrument, c.date) for c in found] == [
        ("hamd", D(2026, 10, 1)),
        ("phq9", D(2026, 9, 1)),
    ]
