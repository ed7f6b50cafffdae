"""Fixtures for the priorauth.fhir tests: paths into tests/data/fixtures and small charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"
# ../shared beside the repository (as on the developers' machines and in CI), when present
SHARED_FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
MILAN = FIXTURES / "synthea_r4_smart" / "Milan_Beatty_e78d0ed2-1b54-4c30-90ae-f7405af1e402.json"
FLETCHER = (
    FIXTURES / "synthea_r4_smart" / "Fletcher_Hyatt_fe0562b5-f517-4951-8366-32fdab088930.json"
)
VITO = FIXTURES / "synthea_r4_smart" / "Vito_Feeney_63dd4423-56ec-4f40-9dd6-82bc133aaddc.json"
BULK = FIXTURES / "synthea_bulk_10pt_ndjson"


def patient(id_: str = "p1", **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": id_, **extra}


def medication_request(
    id_: str = "mr1", subject: str = "Patient/p1", **extra: Any
) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": id_,
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "1190110",
                    "display": "fluoxetine 60 MG Oral Tablet",
                }
            ]
        },
        "subject": {"reference": subject},
        "authoredOn": "2024-06-22T08:00:00+00:00",
        **extra,
    }


def bundle(
    *resources: dict[str, Any], full_urls: bool = False, kind: str = "collection"
) -> dict[str, Any]:
    entries = []
    for resource in resources:
        entry: dict[str, Any] = {"resource": resource}
        if full_urls:
            entry["fullUrl"] = f"urn:uuid:{resource['id']}"
        entries.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


@pytest.fixture
def small_bundle() -> dict[str, Any]:
    """Patient + 3 MedicationRequests + an Organization and a Claim (not validated)."""
    return bundle(
        patient(),
        medication_request("mr1"),
        medication_request("mr2"),
        medication_request("mr3"),
        {"resourceType": "Organization", "id": "org1", "name": "Acme"},
        {"resourceType": "Claim", "id": "c1"},
    )
