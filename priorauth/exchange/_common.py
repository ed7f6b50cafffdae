"""Shared pieces of the standards output: canonical URLs, deterministic ids, small builders."""

from __future__ import annotations

import uuid
from typing import Any

BASE = "urn:priorauth"
"""Namespace of the identifiers and canonical URLs priorauth mints (no network location)."""
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
DTR = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/"
CRD = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/"
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
CPT = "http://www.ama-assn.org/go/cpt"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CRD_TEMP = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp"
EVIDENCE_EXT = "urn:priorauth:StructureDefinition:evidence"
"""Answer extension (valueReference): a chart resource the prefilled answer was derived from."""
TMS_CPT = frozenset({"90867", "90868", "90869"})
_NS = uuid.UUID("5b0d3f7e-2f0a-4c51-9a53-6f1f1e0c7a12")


def stable_id(*parts: object) -> str:
    """A UUID derived from ``parts``: the same inputs give the same id (deterministic output)."""
    return str(uuid.uuid5(_NS, "|".join(str(p) for p in parts)))


def reference(ref: str, display: str | None = None) -> dict[str, Any]:
    """A Reference, with ``display`` when given."""
    return {"reference": ref} | ({"display": display} if display else {})


def questionnaire_url(policy_id: str) -> str:
    """The canonical URL of the DTR Questionnaire generated from ``policy_id``."""
    return f"{BASE}:Questionnaire:{policy_id}"


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """A Coding."""
    return {"system": system, "code": code} | ({"display": display} if display else {})
