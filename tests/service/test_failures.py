"""Server-side failures: the audit store goes away, the library raises something unexpected."""

from __future__ import annotations

import logging
import warnings

import pytest
import sqlalchemy as sa

from priorauth.service.app import create_app
from priorauth.service.config import ConfigError, load_settings

from .conftest import ROOT, RULES_DIR, auth_header, key_env

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the project pins
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

EXAMPLE = (ROOT / "examples" / "trd_meets_policies.json").read_bytes()
HEADERS = {"Content-Type": "application/fhir+json", **auth_header()}


@pytest.fixture
def app(tmp_path):
    env = {**key_env(), "PRIORAUTH_AUDIT_URL": f"sqlite:///{tmp_path / 'audit.sqlite'}"}
    return create_app(load_settings(env=env, rules_dir=RULES_DIR))


def test_audit_store_failure_is_503_and_returns_no_result(app):
    with app.state.handler.audit.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE priorauth_audit"))
    with TestClient(app) as client:
        response = client.post("/evaluate", content=EXAMPLE, headers=HEADERS)
    assert response.status_code == 503
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "transient"


def test_unexpected_error_is_500_without_its_message(app, monkeypatch, caplog):
    def boom(*_args, **_kwargs):
        raise RuntimeError("patient Avery Example-Patient, MRN EX-450622")

    monkeypatch.setattr(app.state.handler.pipeline, "determinations", boom)
    with caplog.at_level(logging.INFO, logger="priorauth"), TestClient(app) as client:
        response = client.post("/evaluate", content=EXAMPLE, headers=HEADERS)
    assert response.status_code == 500
    issue = response.json()["issue"][0]
    assert issue["code"] == "exception"
    assert response.headers["x-request-id"] in issue["diagnostics"]
    assert "Avery" not in response.text
    assert "RuntimeError at" in caplog.text
    assert "Avery" not in caplog.text
    assert "EX-450622" not in caplog.text
    (row,) = app.state.handler.audit.events()
    assert row.status == 500


def test_access_log_line_has_ids_status_and_timing_only(app, caplog):
    with caplog.at_level(logging.INFO, logger="priorauth"), TestClient(app) as client:
        client.post("/evaluate?as_of=2026-11-25", content=EXAMPLE, headers=HEADERS)
    (line,) = [r.getMessage() for r in caplog.records if "path=/evaluate" in r.getMessage()]
    assert line.startswith("request_id=")
    assert "key_id=clinic-a method=POST path=/evaluate status=" in line
    assert "as_of" not in line  # no query string
    assert "duration_ms=" in line


def test_auth_on_without_keys_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="no API keys configured"):
        create_app(load_settings(env={"PRIORAUTH_AUDIT_URL": f"sqlite:///{tmp_path / 'a.db'}"}))


def test_auth_off_accepts_anonymous_requests(tmp_path):
    env = {"PRIORAUTH_AUTH": "false", "PRIORAUTH_AUDIT_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    app = create_app(load_settings(env=env, rules_dir=RULES_DIR))
    with TestClient(app) as client:
        response = client.get("/payers")
    assert response.status_code == 200
