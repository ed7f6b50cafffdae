"""The ``where=`` and ``code=`` prefilters of the extractors change no result.

Each extractor hands ``ResourceIndex.resources`` a cheap test, on the raw dict (``where``) or on
the frozen ``code`` element (``code``, run once per distinct code), so that only candidates are
validated. The model-level logic re-checks every candidate, so a prefilter may accept too much
but must never reject a resource that logic would use. These tests run every chart and fixture
twice, with the prefilters and with them switched off (every resource validated), and require the
same PatientRecord, notes included except the ``invalid-resource`` notes of resources that only
the unfiltered run validates.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from priorauth.facts import PatientRecord, extract_facts
from priorauth.facts.diagnoses import _is_recognised_diagnosis
from priorauth.facts.exposures import may_name_drug
from priorauth.facts.instruments import names_instrument
from priorauth.facts.providers import _has_service_provider
from priorauth.facts.safety import _is_completed, _is_screen, _names_safety_finding
from priorauth.facts.therapy import (
    _is_therapy_encounter,
    _is_therapy_observation,
    _is_therapy_procedure,
    _may_be_therapy_plan,
)
from priorauth.fhir import load_chart
from priorauth.fhir.index import ResourceIndex

from .conftest import AS_OF, CHARTS, EXAMPLES, FIXTURES

SHARED = Path("/work/shared/fixtures/synthea_r4_smart")

# Prefilters whose extractor re-checks every resource on the model (switching one off must
# change nothing). ``diagnoses._pregnancy_observation`` is not one: it is the whole test.
PREFILTERS = {
    _is_therapy_encounter,
    _may_be_therapy_plan,
    _is_therapy_observation,
    _is_screen,
    names_instrument,
    _has_service_provider,
    may_name_drug,
    _is_therapy_procedure,
    _is_completed,
    _names_safety_finding,
    _is_recognised_diagnosis,
}


def _sources() -> Iterator[Path]:
    yield from sorted(CHARTS.glob("*.json"))
    yield from (p for p in sorted(CHARTS.iterdir()) if p.is_dir())
    yield from sorted(EXAMPLES.glob("*.json"))
    yield from sorted((FIXTURES / "synthea_r4_smart").glob("*.json"))
    yield from sorted((FIXTURES / "ecqm_qicore_2024").rglob("*.json"))
    yield from sorted((FIXTURES / "us_core").rglob("*.json"))
    yield from sorted((FIXTURES / "fhir_r4_spec").glob("*.json"))
    if SHARED.is_dir():
        yield from sorted(p for p in SHARED.glob("*.json"))


def _unfiltered(monkeypatch: pytest.MonkeyPatch) -> None:
    original = ResourceIndex.resources

    def resources(
        self: ResourceIndex, resource_type: str, where: Any = None, *, code: Any = None
    ) -> list[Any]:
        where = None if where in PREFILTERS else where
        return original(self, resource_type, where, code=None if code in PREFILTERS else code)

    monkeypatch.setattr(ResourceIndex, "resources", resources)


def _record(path: Path) -> PatientRecord | None:
    try:
        index = load_chart(path)
        patients = index.patients()
        return extract_facts(index, as_of=AS_OF, patient=patients[0] if patients else None)
    except Exception:  # not a chart extraction reads (a lone resource, a CDS Hooks response)
        return None


def _comparable(record: PatientRecord) -> dict[str, Any]:
    data = record.model_dump()
    data["notes"] = [n for n in data["notes"] if n["code"] != "invalid-resource"]
    return data


SOURCES = list(dict.fromkeys(_sources()))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name[:40])
def test_prefilters_change_no_record(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    filtered = _record(path)
    _unfiltered(monkeypatch)
    unfiltered = _record(path)
    if filtered is None or unfiltered is None:
        assert filtered is None
        assert unfiltered is None
        return
    assert _comparable(filtered) == _comparable(unfiltered)


def _plan(*activities: Any, status: str = "active") -> dict[str, Any]:
    return {"resourceType": "CarePlan", "status": status, "activity": list(activities)}


def test_plan_prefilter_accepts_what_it_cannot_read() -> None:
    cbt = {"detail": {"code": {"text": "CBT weekly"}, "status": "in-progress"}}
    assert _may_be_therapy_plan(_plan(cbt))
    assert _may_be_therapy_plan(_plan({"detail": "odd"}))
    assert _may_be_therapy_plan({"resourceType": "CarePlan", "activity": {"detail": {}}})
    assert not _may_be_therapy_plan(_plan({"detail": {"code": {"text": "Diet"}}}))
    assert not _may_be_therapy_plan(_plan(cbt, status="draft"))


def test_encounter_prefilter_reads_type_service_type_and_reason() -> None:
    cpt = {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "90837"}]}
    assert _is_therapy_encounter({"type": [cpt]})
    assert _is_therapy_encounter({"serviceType": {"text": "Cognitive behavioral therapy"}})
    assert _is_therapy_encounter({"reasonCode": [{"text": "rTMS session"}]})
    assert not _is_therapy_encounter({"type": [{"text": "Well child visit"}]})
