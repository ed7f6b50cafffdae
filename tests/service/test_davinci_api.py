"""The Da Vinci routes through a real ``priorauth serve`` process: a CDS Hooks round trip with
the CRD guide's request shape, the PAS Bundle and the DTR Questionnaire, and bad input as 4xx
OperationOutcomes."""

import json

import pytest

from priorauth.exchange.conformance import (
    Profiles,
    check_bundle,
    check_cds_response,
    check_resource,
)
from tests.service.conftest import ROOT, auth_header

DATA = ROOT / "tests" / "data" / "davinci"
SAFETY = ROOT / "tests" / "data" / "charts" / "safety" / "phq9_item9_nearly_every_day.json"
EXAMPLE = ROOT / "examples" / "trd_meets_policies.json"
COVERAGE_INFO = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"
SIGN = "/cds-services/priorauth-tms-order-sign?as_of=2026-11-25"


@pytest.fixture(scope="module")
def client(server):
    with server.client(headers=auth_header()) as http:
        yield http


@pytest.fixture(scope="module")
def profiles():
    return Profiles.from_dir(DATA)


def _hook_request(chart):
    request = json.loads((DATA / "examples" / "CRDServiceRequest.json").read_text("utf-8"))
    request["prefetch"] = {"chart": json.loads(chart.read_text("utf-8"))}
    order = request["context"]["draftOrders"]["entry"][0]["resource"]
    order["code"]["coding"] = [{"system": "http://www.ama-assn.org/go/cpt", "code": "90867"}]
    return request


def test_discovery(client):
    response = client.get("/cds-services")
    assert response.status_code == 200
    services = {s["id"]: s for s in response.json()["services"]}
    assert {s["hook"] for s in services.values()} == {"order-select", "order-sign"}
    assert "patient" in services["priorauth-tms-order-sign"]["prefetch"]


def test_order_sign_round_trip_puts_the_safety_alert_first(client, profiles):
    response = client.post(SIGN, json=_hook_request(SAFETY))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert check_cds_response(answer, profiles) == []
    assert answer["cards"][0]["indicator"] == "critical"
    assert "URGENT" in answer["cards"][0]["summary"]
    assert "Prior authorization required" in answer["cards"][-1]["summary"]
    (action,) = answer["systemActions"]
    assert action["type"] == "update"
    assert action["resource"]["id"] == "1357"
    ext = action["resource"]["extension"][-1]
    assert check_resource(ext, COVERAGE_INFO, profiles) == []


def test_order_sign_for_a_chart_that_meets(client):
    answer = client.post(SIGN, json=_hook_request(EXAMPLE)).json()
    assert [c["indicator"] for c in answer["cards"]] == ["info"]
    codes = {
        e["url"]: e for e in answer["systemActions"][0]["resource"]["extension"][-1]["extension"]
    }
    assert codes["covered"]["valueCode"] == "covered"
    assert codes["pa-needed"]["valueCode"] == "auth-needed"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        (SIGN, b"{not json", 400),
        (SIGN, b"[1, 2]", 400),
        ("/cds-services/priorauth-tms-order-select", b'{"hook": "order-sign"}', 400),
        ("/cds-services/no-such-service", b'{"hook": "order-sign"}', 404),
    ],
)
def test_bad_hook_requests_are_operation_outcomes(client, path, body, status):
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert response.json()["resourceType"] == "OperationOutcome"


def test_hook_needs_a_key(server):
    with server.client() as anonymous:
        response = anonymous.post(SIGN, json=_hook_request(EXAMPLE))
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_pas_route(client, profiles):
    response = client.post(
        "/pas?payer=auto&as_of=2026-11-25",
        content=EXAMPLE.read_bytes(),
        headers={"Content-Type": "application/fhir+json"},
    )
    assert response.status_code == 200, response.text
    bundle = response.json()
    assert bundle["entry"][0]["resource"]["use"] == "preauthorization"
    assert check_bundle(bundle, profiles) == []


def test_pas_route_rejects_a_non_bundle(client):
    response = client.post(
        "/pas",
        content=b'{"resourceType": "Patient"}',
        headers={"Content-Type": "application/fhir+json"},
    )
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_dtr_questionnaire_route(client, profiles):
    form = client.get("/dtr/questionnaire/cpb-0469-tms-2026-02")
    assert form.status_code == 200
    assert (
        check_resource(
            form.json(),
            "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/dtr-std-questionnaire",
            profiles,
        )
        == []
    )
    missing = client.get("/dtr/questionnaire/no-such-policy")
    assert missing.status_code == 404
    assert missing.json()["resourceType"] == "OperationOutcome"


_ORDER = {
    "resourceType": "ServiceRequest",
    "id": "1",
    "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "90867"}]},
}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"hook": "order-sign", "context": []}, "context"),
        ({"hook": "order-sign", "context": {"draftOrders": []}}, "context.draftOrders"),
        (
            {
                "hook": "order-sign",
                "context": {"draftOrders": {"resourceType": "Bundle", "entry": {}}},
            },
            "context.draftOrders.entry",
        ),
        (
            {
                "hook": "order-sign",
                "context": {
                    "draftOrders": {"resourceType": "Bundle", "entry": [{"resource": _ORDER}]}
                },
                "prefetch": [1],
            },
            "prefetch",
        ),
        (
            {
                "hook": "order-sign",
                "context": {
                    "draftOrders": {"resourceType": "Bundle", "entry": [{"resource": _ORDER}]}
                },
                "prefetch": {"patient": "Patient/1"},
            },
            "prefetch.patient",
        ),
    ],
)
def test_malformed_hook_requests_are_400_with_the_location(client, body, where):
    response = client.post(SIGN, json=body)
    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["expression"] == [where]


def test_order_select_considers_only_the_selected_orders(client):
    request = _hook_request(EXAMPLE)
    request["hook"] = "order-select"
    request["context"]["selections"] = ["ServiceRequest/2468"]  # not the TMS order
    response = client.post(
        "/cds-services/priorauth-tms-order-select?as_of=2026-11-25", json=request
    )
    assert response.status_code == 200
    assert response.json() == {"cards": []}
    request["context"]["selections"] = ["ServiceRequest/1357"]
    answer = client.post(
        "/cds-services/priorauth-tms-order-select?as_of=2026-11-25", json=request
    ).json()
    assert [a["resource"]["id"] for a in answer["systemActions"]] == ["1357"]


def test_pas_route_refuses_an_unknown_attestation(client):
    response = client.post(
        "/pas?payer=mp-170-tms-2023&as_of=2026-11-25&attest=nope",
        content=EXAMPLE.read_bytes(),
        headers={"Content-Type": "application/fhir+json"},
    )
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"
