"""The staff pages over HTTP (Starlette's TestClient, no browser): cookies, headers, uploads of
every chart shape, refusals, and nothing from the chart in the log."""

from __future__ import annotations

import io
import logging
import re
import warnings
import zipfile
from collections.abc import Iterator

import pytest

from priorauth.service.app import create_app
from priorauth.service.config import load_settings
from priorauth.service.web.users import add_user

from ..conftest import ROOT

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the project pins
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"
EXAMPLE = ROOT / "examples" / "trd_meets_policies.json"
BULK = ROOT / "tests" / "data" / "charts" / "bulk_ndjson"
CONTRAINDICATED = ROOT / "tests" / "data" / "charts" / "contraindicated.json"


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Iterator[TestClient]:
    audit = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'audit.sqlite'}"
    app = create_app(load_settings(env={}, auth=False, audit_url=audit, chart_budget_seconds=0))
    add_user(app.state.web.store, "dana", "clinician", PASSWORD)
    add_user(app.state.web.store, "sam", "billing", PASSWORD)
    with TestClient(app, base_url="https://testserver") as running:
        yield running


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def _log_in(client: TestClient, user: str = "dana") -> str:
    client.cookies.clear()
    token = _csrf(client.get("/web/login").text)
    form = {"username": user, "password": PASSWORD, "csrf_token": token}
    answer = client.post("/web/login", data=form, follow_redirects=False)
    assert answer.status_code == 303
    return _csrf(client.get("/web/").text)


def _upload(client: TestClient, csrf: str, name: str, data: bytes, **form: str):
    files = {"chart": (name, data, "application/octet-stream")}
    fields = {"csrf_token": csrf, "payer": "auto", "as_of": "2026-11-25", **form}
    return client.post("/web/requests", data=fields, files=files, follow_redirects=False)


def test_the_session_cookie_is_httponly_secure_and_strict(client):
    client.cookies.clear()
    token = _csrf(client.get("/web/login").text)
    answer = client.post(
        "/web/login",
        data={"username": "dana", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookies = answer.headers.get_list("set-cookie")
    cookie = next(c for c in cookies if c.startswith("priorauth_session="))
    assert {"HttpOnly", "Secure", "SameSite=strict", "Path=/"} <= {
        part.strip() for part in cookie.split(";")
    }


def test_pages_send_no_script_policy_and_are_not_cached(client):
    _log_in(client)
    answer = client.get("/web/")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert answer.headers["cache-control"] == "no-store"
    assert "<script" not in answer.text


def test_a_wrong_password_is_401_and_audited_without_a_user(client):
    client.cookies.clear()
    token = _csrf(client.get("/web/login").text)
    answer = client.post(
        "/web/login", data={"username": "dana", "password": "nope", "csrf_token": token}
    )
    assert answer.status_code == 401
    assert "Wrong user name or password." in answer.text
    events = client.app.state.handler.audit.events(limit=1)  # type: ignore[attr-defined]
    assert (events[0].action, events[0].key_id, events[0].status) == ("web-login-fail", None, 401)


def test_a_zip_of_a_bulk_export_and_a_bundle_queues_one_row_per_patient(client):
    csrf = _log_in(client)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(BULK.glob("*.ndjson")):
            z.write(path, f"export/{path.name}")
        z.write(CONTRAINDICATED, "export/other.json")
    answer = _upload(client, csrf, "export.zip", archive.getvalue())
    assert answer.status_code == 303
    assert answer.headers["location"] == "/web/?notice=2+requests+queued"
    queue = client.get("/web/?q=placeholder").text
    assert "Walter J Placeholder" in queue
    assert "1 of " in queue


def test_an_ndjson_export_is_one_request(client):
    csrf = _log_in(client)
    lines = b"".join(p.read_bytes() for p in sorted(BULK.glob("*.ndjson")))
    answer = _upload(client, csrf, "export.ndjson", lines)
    assert answer.status_code == 303
    assert re.fullmatch(r"/web/requests/[0-9a-f]{32}", answer.headers["location"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "upload: line 1, column 2: not JSON"),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": []}', "no FHIR resources"),
        (b"PK\x03\x04broken", "not a readable zip archive"),
    ],
)
def test_an_unusable_chart_is_a_422_naming_the_problem(client, data, message):
    csrf = _log_in(client)
    answer = _upload(client, csrf, "chart.json", data)
    assert answer.status_code == 422
    assert message in answer.text


def test_a_billing_user_cannot_confirm_attestations(client):
    csrf = _log_in(client, "sam")
    url = _upload(client, csrf, "chart.json", EXAMPLE.read_bytes()).headers["location"]
    page = client.get(url).text
    assert re.search(r"<fieldset disabled", page)
    answer = client.post(
        f"{url}/attestations", data={"csrf_token": csrf, "attest": "fda-cleared-device"}
    )
    assert answer.status_code == 403
    refused = client.post(f"{url}/packet", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert "A clinician must confirm the attestations." in refused.text


def test_an_attestation_the_policy_lacks_is_refused(client):
    csrf = _log_in(client)
    url = _upload(client, csrf, "chart.json", EXAMPLE.read_bytes()).headers["location"]
    answer = client.post(f"{url}/attestations", data={"csrf_token": csrf, "attest": "made-up"})
    assert answer.status_code == 400


def _choose(client: TestClient, url: str, csrf: str, policy_id: str) -> str:
    answer = client.post(
        f"{url}/policy", data={"csrf_token": csrf, "policy_id": policy_id}, follow_redirects=False
    )
    assert answer.status_code == 303
    return client.get(url).text


def test_choosing_a_policy_from_the_matrix(client):
    csrf = _log_in(client)
    url = _upload(client, csrf, "chart.json", EXAMPLE.read_bytes()).headers["location"]
    uncovered = _choose(client, url, csrf, "l34522-tms-2022")
    assert '<tr class="selected"' not in uncovered
    assert "No policy selected" in uncovered
    blockers = uncovered.split('class="blockers"')[1].split("</div>")[0]
    assert "policy l34522-tms-2022 is Medicare (LCD L34522)&#39;s" in blockers
    assert "--payer" not in blockers  # the CLI's advice is left out
    covered = _choose(client, url, csrf, "cpb-0469-tms-2026-02")
    selected = re.search(r'<tr class="selected".*?</tr>', covered, re.S)
    assert selected
    assert "cpb-0469-tms-2026-02" in selected.group(0)
    assert "selected cpb-0469-tms-2026-02 by dana" in client.get("/web/").text


def test_evidence_links_open_the_cited_resource(client):
    csrf = _log_in(client)
    url = _upload(client, csrf, "chart.json", EXAMPLE.read_bytes()).headers["location"]
    links = re.findall(rf'href="({url}/resources/[^"]+)"', client.get(url).text)
    assert links
    shown = client.get(links[0]).text
    assert "resourceType" in shown
    assert client.get(f"{url}/resources/Condition/not-there").status_code == 404


def test_settings_are_validated_and_kept(client):
    csrf = _log_in(client)
    bad = client.post("/web/settings", data={"csrf_token": csrf, "npi": "123"})
    assert bad.status_code == 400
    assert "An NPI is 10 digits." in bad.text
    good = client.post(
        "/web/settings",
        data={"csrf_token": csrf, "practice_name": "Lakeside", "tin": "12-3456789"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert client.app.state.web.store.settings().tin == "12-3456789"  # type: ignore[attr-defined]


def test_no_patient_data_reaches_the_log(client, caplog):
    caplog.set_level(logging.DEBUG)
    csrf = _log_in(client)
    url = _upload(client, csrf, "Walter_Placeholder.json", EXAMPLE.read_bytes()).headers["location"]
    client.get(url)
    name = client.get(url).text.split("<h1>")[1].split("</h1>")[0]
    assert name
    assert name not in caplog.text
    assert "Placeholder" not in caplog.text


def test_the_docs_are_offline_and_declare_the_api_key_scheme(client):
    page = client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in page
    assert not re.search(r'(src|href)="https?://', page)
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs-assets/redoc.standalone.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    assert spec["paths"]["/evaluate"]["post"]["security"] == [{"ApiKey": []}]
    assert not any(path.startswith("/web") for path in spec["paths"])


def test_the_home_page_is_the_work_queue(client):
    assert client.get("/", follow_redirects=False).headers["location"] == "/web/"


def test_a_clinician_reviews_a_relative_alert_and_the_packet_is_ready(client):
    pregnancy = ROOT / "tests" / "data" / "charts" / "safety" / "pregnancy.json"
    csrf = _log_in(client, "sam")
    url = _upload(client, csrf, "chart.json", pregnancy.read_bytes()).headers["location"]
    page = client.get(url).text
    assert "Clinician review" in page.split('id="alerts-title"')[1].split("</section>")[0]
    form = {"csrf_token": csrf, "reviewed": "pregnancy", "reviewer": "Sam"}
    assert client.post(f"{url}/reviews", data=form).status_code == 403

    csrf = _log_in(client, "dana")
    bad = {"csrf_token": csrf, "reviewed": "bipolar", "reviewer": "Dana Reyes, MD"}
    assert client.post(f"{url}/reviews", data=bad).status_code == 400
    form = {"csrf_token": csrf, "reviewed": "pregnancy", "reviewer": "Dana Reyes, MD"}
    assert client.post(f"{url}/reviews", data=form, follow_redirects=False).status_code == 303
    page = client.get(url).text
    assert "(reviewed by Dana Reyes, MD)" in page
    assert "Meets policy" in page.split('id="status-title"')[1]
    ids = re.findall(r'name="attest" value="([^"]+)"', page)
    client.post(f"{url}/attestations", data={"csrf_token": csrf, "attest": ids})
    packet = client.post(f"{url}/packet", data={"csrf_token": csrf})
    assert packet.status_code == 200
    assert packet.content.startswith(b"%PDF-")
    events = client.app.state.handler.audit.events(limit=10)  # type: ignore[attr-defined]
    assert ("web-review", "user:dana", 303) in [(e.action, e.key_id, e.status) for e in events]


def test_the_signed_off_packet_also_comes_as_a_pas_bundle(client):
    csrf = _log_in(client)
    url = _upload(client, csrf, "chart.json", EXAMPLE.read_bytes()).headers["location"]
    refused = client.post(f"{url}/packet", data={"csrf_token": csrf, "format": "pas"})
    assert refused.status_code == 409
    ids = re.findall(r'name="attest" value="([^"]+)"', client.get(url).text)
    client.post(f"{url}/attestations", data={"csrf_token": csrf, "attest": ids})
    answer = client.post(f"{url}/packet", data={"csrf_token": csrf, "format": "pas"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/fhir+json"
    assert answer.headers["content-disposition"].startswith('attachment; filename="priorauth-pas-')
    bundle = answer.json()
    assert bundle["resourceType"] == "Bundle"
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert "Claim" in types
    assert "PAS Bundle generated by dana" in client.get("/web/").text
