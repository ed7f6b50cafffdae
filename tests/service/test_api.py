"""The HTTP API, through the in-process TestClient AND a real uvicorn process.

Every test runs against both (``api`` is parametrised): happy paths compare the API's answer with
the library's, and every bad input must give its 4xx status and an OperationOutcome, never a 500.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the project pins
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

from priorauth.errors import UnknownPayerError
from priorauth.service.app import create_app
from priorauth.service.audit import AuditStore
from priorauth.service.config import load_settings
from priorauth.service.pipeline import Pipeline

from .conftest import (
    REVOKED_TOKEN,
    ROOT,
    RULES_DIR,
    auth_header,
    key_env,
    meeting_payer,
    start_server,
    stop_server,
)

AS_OF = "2026-11-25"
LIMIT = 2 * 1024 * 1024
EXAMPLE = ROOT / "examples" / "trd_meets_policies.json"
CHARTS = [*sorted((ROOT / "tests" / "data" / "charts").glob("*.json")), EXAMPLE]
FHIR = {"Content-Type": "application/fhir+json"}


@dataclass
class Api:
    kind: str
    client: httpx.Client
    audit: AuditStore
    payer: str
    log: Path | None = None

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None, **params: Any):
        """POST with the test key, FHIR JSON, and payer/as_of defaults."""
        merged = {**FHIR, **auth_header(), **(headers or {})}
        query = {"payer": self.payer, "as_of": AS_OF, **params}
        return self.client.post(path, content=body, headers=merged, params=query)


@pytest.fixture(scope="module", params=["inprocess", "server"])
def api(request, tmp_path_factory) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp(request.param)
    payer = meeting_payer(dt.date.fromisoformat(AS_OF))
    if request.param == "inprocess":
        env = {**key_env(), "PRIORAUTH_AUDIT_URL": f"sqlite:///{tmp / 'audit.sqlite'}"}
        app = create_app(load_settings(env=env, max_body_bytes=LIMIT, rules_dir=RULES_DIR))
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Api("inprocess", client, app.state.handler.audit, payer)
        return
    server = start_server(tmp)
    audit = AuditStore(server.audit_url)
    with server.client() as client:
        yield Api("server", client, audit, payer, server.log)
    audit.close()
    stop_server(server)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(RULES_DIR)


def library_json(pipeline: Pipeline, chart: Path, payer: str = "auto") -> list[dict[str, Any]]:
    """What the library itself says about ``chart`` ([] when no policy applies)."""
    try:
        found = pipeline.determinations(
            json.loads(chart.read_bytes()), payer=payer, as_of=dt.date.fromisoformat(AS_OF)
        )
    except UnknownPayerError:
        return []
    return [json.loads(d.model_dump_json()) for d in found]


def assert_outcome(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"], body
    first = body["issue"][0]
    assert first["severity"] == "error"
    assert first["code"] == code
    assert isinstance(first["diagnostics"], str)
    assert first["diagnostics"]
    return body


# --- happy paths --------------------------------------------------------------------------------


def test_healthz(api):
    response = api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["policies"] >= 1


@pytest.mark.parametrize("chart", CHARTS, ids=lambda p: p.stem)
def test_evaluate_matches_the_library(api, pipeline, chart):
    response = api.post("/evaluate", chart.read_bytes(), payer="auto", as_of=AS_OF)
    expected = library_json(pipeline, chart)
    if response.status_code == 422:  # no coverage matches a policy: the library says the same
        assert expected == [], response.text
        return
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == expected[0]


def test_evaluate_accepts_plain_json_and_explicit_payer(api, pipeline):
    response = api.post("/evaluate", EXAMPLE.read_bytes(), {"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json() == library_json(pipeline, EXAMPLE, api.payer)[0]
    assert response.json()["status"] == "meets"


def test_evaluate_all_returns_a_list(api, pipeline):
    response = api.post("/evaluate", EXAMPLE.read_bytes(), payer="all", as_of=AS_OF)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["as_of"] == AS_OF
    assert body["count"] == len(body["determinations"]) >= 1
    assert body["determinations"] == library_json(pipeline, EXAMPLE, "all")


def test_letter_pdf(api):
    response = api.post("/letters", EXAMPLE.read_bytes(), as_of=AS_OF)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("params", "headers", "media"),
    [
        ({"format": "html"}, {}, "text/html"),
        ({"format": "json"}, {}, "application/json"),
        ({}, {"Accept": "text/html"}, "text/html"),
        ({}, {"Accept": "application/json"}, "application/json"),
        ({}, {"Accept": "text/html;q=0.5, application/pdf"}, "application/pdf"),
        ({"format": "pdf"}, {"Accept": "text/html"}, "application/pdf"),
    ],
)
def test_letter_formats(api, params, headers, media):
    response = api.post("/letters", EXAMPLE.read_bytes(), headers, as_of=AS_OF, **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)


def not_meeting_chart(pipeline: Pipeline, payer: str) -> Path:
    for chart in CHARTS:
        found = library_json(pipeline, chart, payer) if chart != EXAMPLE else []
        if found and found[0]["status"] != "meets":
            return chart
    pytest.fail("no chart in tests/data/charts fails its policy")


def test_letter_for_a_chart_that_does_not_meet_is_422_with_the_gaps(api, pipeline):
    chart = not_meeting_chart(pipeline, api.payer)
    expected = library_json(pipeline, chart, api.payer)[0]
    # the chart's coverage is another payer's (or none): address this payer's policy anyway
    uncovered = {"allow_uncovered_payer": "true"}
    response = api.post("/letters", chart.read_bytes(), as_of=AS_OF, **uncovered)
    body = assert_outcome(response, 422, "business-rule")
    text = json.dumps(body)
    assert expected["policy"]["id"] in body["issue"][0]["diagnostics"]
    for gap in expected["gaps"]:
        assert gap["action"] in text
    forced = api.post("/letters", chart.read_bytes(), as_of=AS_OF, force="true", **uncovered)
    assert forced.status_code == 200
    assert forced.content.startswith(b"%PDF")


def test_payers(api, pipeline):
    response = api.client.get("/payers", headers=auth_header())
    assert response.status_code == 200
    payers = response.json()
    assert [p["id"] for p in payers] == pipeline.payer_ids()
    first = payers[0]["policies"][0]
    assert set(first) >= {"id", "version", "effective_from", "content_hash", "sources"}
    detail = api.client.get(f"/payers/{payers[0]['id']}", headers=auth_header())
    assert detail.status_code == 200
    assert detail.json()["documents"][0]["criteria"]


def test_openapi_docs(api):
    assert api.client.get("/docs").status_code == 200
    spec = api.client.get("/openapi.json").json()
    assert {"/evaluate", "/letters", "/payers", "/payers/{payer_id}", "/healthz"} <= set(
        spec["paths"]
    )
    body = spec["paths"]["/evaluate"]["post"]["requestBody"]["content"]
    assert "application/fhir+json" in body


# --- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "login"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401, "login"),
        ({"Authorization": "Bearer"}, 401, "login"),
        ({"Authorization": "Bearer clinic-a.wrong-secret"}, 403, "forbidden"),
        ({"Authorization": "Bearer someone-else.secret"}, 403, "forbidden"),
        ({"Authorization": f"Bearer {REVOKED_TOKEN}"}, 403, "forbidden"),
    ],
)
@pytest.mark.parametrize("route", ["/evaluate", "/letters", "/payers"])
def test_auth_errors(api, headers, status, code, route):
    if route == "/payers":
        response = api.client.get(route, headers=headers)
    else:
        response = api.client.post(route, content=EXAMPLE.read_bytes(), headers={**FHIR, **headers})
    assert_outcome(response, status, code)
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


# --- bad input: 4xx + OperationOutcome, never 500 -----------------------------------------------


@pytest.mark.parametrize("route", ["/evaluate", "/letters"])
@pytest.mark.parametrize(
    ("body", "status", "code", "expression"),
    [
        (b"this is not json", 400, "structure", None),
        (b"", 400, "structure", None),
        (b'[{"resourceType": "Bundle"}]', 400, "structure", None),
        (b'{"resourceType": "Patient", "id": "p"}', 400, "structure", "Bundle.resourceType"),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": []}', 422, "invalid", None),
        (
            b'{"resourceType": "Bundle", "entry": ' + b"[" * 80 + b"]" * 80 + b"}",
            400,
            "too-long",
            "Bundle.entry",
        ),
        (
            b'{"resourceType": "Bundle", "entry": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            400,
            "too-long",
            None,
        ),
    ],
    ids=["not-json", "empty", "array", "patient", "empty-bundle", "nested-80", "nested-5000"],
)
def test_bad_bodies(api, route, body, status, code, expression):
    response = api.post(route, body, as_of=AS_OF)
    outcome = assert_outcome(response, status, code)
    if expression:
        assert outcome["issue"][0]["expression"][0].startswith(expression)


def test_chart_error_points_into_the_bundle(api):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": 7}]}
    response = api.post("/evaluate", json.dumps(bundle).encode(), as_of=AS_OF)
    outcome = assert_outcome(response, 422, "invalid")
    assert outcome["issue"][0]["expression"][0].startswith("Bundle")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded", None]
)
def test_wrong_content_type_is_415(api, content_type):
    headers = {**auth_header()}
    if content_type:
        headers["Content-Type"] = content_type
    response = api.client.post("/evaluate", content=EXAMPLE.read_bytes(), headers=headers)
    assert_outcome(response, 415, "not-supported")


@pytest.mark.parametrize(
    ("route", "params", "status", "code", "expression"),
    [
        ("/evaluate", {"payer": "no-such-payer"}, 404, "not-found", "http.payer"),
        ("/letters", {"payer": "no-such-payer"}, 404, "not-found", "http.payer"),
        ("/evaluate", {"as_of": "2026-13-45"}, 400, "invalid", "http.as_of"),
        ("/evaluate", {"as_of": "yesterday"}, 400, "invalid", "http.as_of"),
        ("/letters", {"format": "docx"}, 400, "invalid", "http.format"),
        ("/letters", {"force": "maybe"}, 400, "invalid", "http.force"),
        ("/letters", {"payer": "all"}, 400, "invalid", "http.payer"),
        ("/evaluate", {"attest": ["west-regoin"]}, 400, "invalid", "http.attest"),
        ("/letters", {"attest": ["west-regoin"]}, 400, "invalid", "http.attest"),
    ],
)
def test_bad_parameters(api, route, params, status, code, expression):
    response = api.post(route, EXAMPLE.read_bytes(), **{"as_of": AS_OF, **params})
    outcome = assert_outcome(response, status, code)
    assert outcome["issue"][0]["expression"] == [expression]


def test_no_policy_in_force_is_422(api):
    response = api.post("/evaluate", EXAMPLE.read_bytes(), as_of="1990-01-01")
    assert_outcome(response, 422, "not-found")


def test_unacceptable_letter_format_is_406(api):
    response = api.post("/letters", EXAMPLE.read_bytes(), {"Accept": "image/png"}, as_of=AS_OF)
    assert_outcome(response, 406, "not-supported")


def test_unknown_payer_detail_is_404(api):
    response = api.client.get("/payers/nope", headers=auth_header())
    assert_outcome(response, 404, "not-found")


@pytest.mark.parametrize(
    ("method", "path", "status"), [("GET", "/evaluate", 405), ("GET", "/nope", 404)]
)
def test_routing_errors_are_outcomes(api, method, path, status):
    response = api.client.request(method, path, headers=auth_header())
    assert response.status_code == status
    assert response.json()["resourceType"] == "OperationOutcome"


def test_body_over_the_limit_is_413(api):
    body = b'{"resourceType": "Bundle", "entry": [' + b" " * (LIMIT + 10) + b"]}"
    response = api.post("/evaluate", body)
    assert_outcome(response, 413, "too-long")


def test_chunked_body_over_the_limit_is_413(api):
    def chunks():
        yield b'{"resourceType": "Bundle", "entry": ['
        for _ in range(LIMIT // 65536 + 2):
            yield b" " * 65536
        yield b"]}"

    response = api.client.post("/evaluate", content=chunks(), headers={**FHIR, **auth_header()})
    assert_outcome(response, 413, "too-long")


# --- audit --------------------------------------------------------------------------------------


def rows_for(api: Api, request_id: str) -> list[Any]:
    return [row for row in api.audit.events(limit=500) if row.request_id == request_id]


def test_each_request_writes_one_audit_row(api):
    body = EXAMPLE.read_bytes()
    response = api.post("/letters", body, {"X-Request-ID": f"pdf-{api.kind}"}, as_of=AS_OF)
    assert response.headers["x-request-id"] == f"pdf-{api.kind}"
    (row,) = rows_for(api, f"pdf-{api.kind}")
    assert row.key_id == "clinic-a"
    assert row.action == "letter"
    assert row.status == 200
    assert row.outcome == "meets"
    assert row.input_sha256 == hashlib.sha256(body).hexdigest()
    assert row.output_sha256 == hashlib.sha256(response.content).hexdigest()
    assert row.policy_id
    assert row.policy_version
    assert row.policy_hash
    assert row.as_of.isoformat() == AS_OF
    assert row.duration_ms > 0


def test_rejected_input_is_audited_with_its_status(api):
    response = api.post("/evaluate", b"nope", {"X-Request-ID": f"bad-{api.kind}"})
    (row,) = rows_for(api, f"bad-{api.kind}")
    assert row.status == 400
    assert row.error_code == "structure"
    assert row.outcome == "error"
    assert row.output_sha256 == hashlib.sha256(response.content).hexdigest()


def test_unauthenticated_requests_write_no_row(api):
    api.client.post("/evaluate", content=b"{}", headers={**FHIR, "X-Request-ID": "anon-1"})
    assert rows_for(api, "anon-1") == []


def test_bad_request_id_header_is_replaced(api):
    response = api.client.get("/healthz", headers={"X-Request-ID": "has spaces/and slashes"})
    assert len(response.headers["x-request-id"]) == 32


def test_no_patient_data_in_audit_or_logs(api):
    chart = json.loads(EXAMPLE.read_bytes())
    patient = next(
        e["resource"] for e in chart["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    secrets = [patient["name"][0]["family"], patient["identifier"][0]["value"], patient["id"]]
    api.post("/letters", EXAMPLE.read_bytes(), as_of=AS_OF)
    api.post("/evaluate", EXAMPLE.read_bytes(), as_of=AS_OF)
    dumped = json.dumps([row.model_dump(mode="json") for row in api.audit.events(limit=1000)])
    logs = api.log.read_text() if api.log else ""
    for secret in secrets:
        assert secret not in dumped
        assert secret not in logs


# --- raw socket against a real server ---------------------------------------------------------


def test_streamed_body_is_cut_off_at_the_limit(server):
    """A client streaming an endless body gets 413 after ~LIMIT bytes, not after all of it."""
    host, port = "127.0.0.1", int(server.url.rsplit(":", 1)[1])
    sent = 0
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(
            b"POST /evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\n"
            + f"Authorization: {auth_header()['Authorization']}\r\n".encode()
            + b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
        sock.settimeout(0.05)
        reply = b""
        while sent < 50 * LIMIT:
            try:
                sock.sendall(chunk)
                sent += 65536
            except OSError:
                break
            try:
                reply += sock.recv(65536)
                if reply:
                    break
            except TimeoutError:
                continue
        sock.settimeout(5)
        deadline = time.monotonic() + 5
        while b"\r\n\r\n" not in reply and time.monotonic() < deadline:
            reply += sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert sent < 4 * LIMIT


def test_event_loop_stays_responsive_during_renders(server):
    """Letters render in worker threads: /healthz answers while two letters are in flight."""
    payer = meeting_payer(dt.date.fromisoformat(AS_OF))
    headers = {**FHIR, **auth_header()}
    params = {"payer": payer, "as_of": AS_OF}
    with ThreadPoolExecutor(2) as pool, server.client() as client:
        letters = [
            pool.submit(
                client.post,
                "/letters",
                content=EXAMPLE.read_bytes(),
                headers=headers,
                params=params,
            )
            for _ in range(2)
        ]
        time.sleep(0.2)
        timings = []
        while not all(f.done() for f in letters):
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            timings.append(time.perf_counter() - started)
            time.sleep(0.05)
        assert all(f.result().status_code == 200 for f in letters)
    assert timings, "the letters finished before /healthz could be probed"
    assert max(timings) < 1.0, timings


TEEN = Path(__file__).resolve().parents[1] / "data" / "charts" / "teen_trd.json"


def test_attest_confirms_an_attestation_criterion(api):
    """TRICARE 2025 covers 15-17-year-olds through TriWest (West Region) only. The teen chart
    cannot show the region, so without `attest=west-region` the determination needs
    documentation; with it the adolescent branch is met (see tests/e2e for the facts) and only
    the safety floor's suicide-screen gap remains."""
    plain = api.post("/evaluate", TEEN.read_bytes(), payer="tricare-tms-2025")
    assert plain.status_code == 200, plain.text
    assert plain.json()["status"] == "needs_documentation"
    assert any("West Region" in g["action"] for g in plain.json()["gaps"])
    confirmed = api.post(
        "/evaluate", TEEN.read_bytes(), payer="tricare-tms-2025", attest=["west-region"]
    )
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["criteria_status"] == "meets"
    # the chart records no suicide-risk screen: the safety floor's gap is the only one left
    assert body["status"] == "needs_documentation"
    assert [g["criterion_id"] for g in body["gaps"]] == ["safety-floor.suicide-screen"]


def test_an_unknown_attestation_id_is_refused_with_the_known_ones(api):
    """A misspelt attest id would confirm nothing and leave its criterion unknown: 400 instead,
    naming the unknown id and the attestations the selected policy has."""
    response = api.post(
        "/evaluate", TEEN.read_bytes(), payer="tricare-tms-2025", attest=["west-regoin"]
    )
    outcome = assert_outcome(response, 400, "invalid")
    message = outcome["issue"][0]["diagnostics"]
    assert message.startswith("west-regoin: no such attestation in the selected policy (known: ")
    assert "west-region" in message
