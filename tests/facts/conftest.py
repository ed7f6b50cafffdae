"""Fixtures for the priorauth.facts tests: chart paths and small hand-built charts."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from priorauth.facts import PatientRecord, extract_facts
from priorauth.fhir import load_chart

DATA = Path(__file__).resolve().parents[1] / "data"
CHARTS = DATA / "charts"
FIXTURES = DATA / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AS_OF = dt.date(2026, 11, 25)

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"


def bundle(
    *resources: dict[str, Any], patient_extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A collection Bundle holding a Patient p1 and ``resources``."""
    patient = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1980-06-15"}
    entries = [{"resource": {**patient, **(patient_extra or {})}}]
    entries += [{"resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def facts(
    *resources: dict[str, Any],
    as_of: dt.date = AS_OF,
    patient_extra: dict[str, Any] | None = None,
    **options: Any,
) -> PatientRecord:
    """The PatientRecord of a small chart made of ``resources``."""
    chart = load_chart(bundle(*resources, patient_extra=patient_extra))
    return extract_facts(chart, as_of=as_of, **options)


def rx(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": RXNORM, "code": code, "display": display}], "text": display}


def request(
    id_: str,
    medication: dict[str, Any],
    *,
    start: str | None = None,
    end: str | None = None,
    status: str = "completed",
    dosage: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A MedicationRequest with an optional boundsPeriod and one dosage instruction."""
    instruction: dict[str, Any] = copy.deepcopy(dosage or {})
    if start or end:
        timing = instruction.setdefault("timing", {})
        timing.setdefault("repeat", {})["boundsPeriod"] = {
            k: v for k, v in (("start", start), ("end", end)) if v
        }
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": id_,
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": medication,
        "subject": {"reference": "Patient/p1"},
        **extra,
    }
    if instruction:
        resource["dosageInstruction"] = [instruction]
    return resource


def statement(
    id_: str,
    text: str,
    start: str,
    end: str | None = None,
    *,
    status: str = "completed",
    dose_text: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    period = {"start": start, **({"end": end} if end else {})}
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": id_,
        "status": status,
        "medicationCodeableConcept": {"text": text},
        "subject": {"reference": "Patient/p1"},
        "effectivePeriod": period,
        **extra,
    }
    if dose_text:
        resource["dosage"] = [{"text": dose_text}]
    return resource


@pytest.fixture
def as_of() -> dt.date:
    return AS_OF
