"""``chart_facts``: stages 1 and 2 in one call, the way the CLI and the HTTP service read charts."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pytest

from priorauth import ChartError, chart_facts, extract_facts, load_chart

DATA = Path(__file__).resolve().parent / "data"
CHARTS = sorted(
    p for p in (DATA / "charts").iterdir() if p.suffix == ".json" or p.name == "bulk_ndjson"
)
AS_OF = dt.date(2026, 11, 25)


@pytest.mark.parametrize("chart", CHARTS, ids=lambda p: p.name)
def test_chart_facts_is_load_then_extract(chart: Path) -> None:
    assert chart_facts(chart, as_of=AS_OF) == extract_facts(load_chart(chart), as_of=AS_OF)
    assert gc.isenabled()


def test_chart_facts_passes_the_patient_choice_through() -> None:
    two = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "a", "birthDate": "1980-01-01"}},
            {"resource": {"resourceType": "Patient", "id": "b", "birthDate": "1990-01-01"}},
        ],
    }
    with pytest.raises(ChartError, match="2 patients"):
        chart_facts(two, as_of=AS_OF)
    record = chart_facts(two, as_of=AS_OF, patient="b")
    assert record.patient.birth_date == dt.date(1990, 1, 1)
    assert gc.isenabled()


def test_chart_facts_in_strict_mode_refuses_an_invalid_resource() -> None:
    chart = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "p"}},
            {"resource": {"resourceType": "Condition", "id": "c", "onsetDateTime": "someday"}},
        ],
    }
    assert chart_facts(chart, as_of=AS_OF).notes[0].code == "invalid-resource"
    with pytest.raises(ChartError, match=r"Condition/c is not valid FHIR R4"):
        chart_facts(chart, as_of=AS_OF, strict=True, source_name="chart.json")
    assert gc.isenabled()
