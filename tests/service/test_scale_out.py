"""Real server processes: --workers 2 on one SQLite file, and two instances on one PostgreSQL."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.service.audit import AuditStore, events
from priorauth.service.auth import hash_token

from .conftest import ROOT, auth_header, start_server, stop_server

EXAMPLE = (ROOT / "examples" / "trd_meets_policies.json").read_bytes()
HEADERS = {"Content-Type": "application/fhir+json", **auth_header()}


def post_many(urls: list[str], count: int) -> list[tuple[int, str]]:
    import httpx

    def one(i: int) -> tuple[int, str]:
        response = httpx.post(
            f"{urls[i % len(urls)]}/evaluate",
            content=EXAMPLE,
            headers={**HEADERS, "X-Request-ID": f"scale-{i}"},
            params={"as_of": "2026-11-25"},
            timeout=120,
        )
        return response.status_code, response.headers["x-request-id"]

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


def test_two_workers_share_the_sqlite_audit_file(tmp_path):
    server = start_server(tmp_path, workers=2)
    try:
        results = post_many([server.url], 16)
    finally:
        stop_server(server)
    assert {status for status, _ in results} <= {200, 422}
    store = AuditStore(server.audit_url)
    rows = store.events(limit=100)
    store.close()
    assert sorted(r.request_id for r in rows) == sorted(rid for _, rid in results)
    assert {r.input_sha256 for r in rows} == {hashlib.sha256(EXAMPLE).hexdigest()}


@pytest.mark.postgres
def test_two_instances_share_one_postgresql_audit_store(tmp_path, pg_url):
    store = AuditStore(pg_url)
    with store.engine.begin() as conn:
        conn.execute(events.delete())
    env = {"PRIORAUTH_AUDIT_URL": pg_url}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = start_server(tmp_path / "a", env=env)
    second = start_server(tmp_path / "b", env=env)
    try:
        results = post_many([first.url, second.url], 20)
    finally:
        stop_server(first)
        stop_server(second)
    assert {status for status, _ in results} <= {200, 422}
    rows = store.events(limit=100)
    store.close()
    assert sorted(r.request_id for r in rows) == sorted(rid for _, rid in results)


def test_serve_refuses_to_start_without_keys(monkeypatch, tmp_path):
    for name in ("PRIORAUTH_API_KEYS", "PRIORAUTH_CONFIG", "PRIORAUTH_AUTH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRIORAUTH_AUDIT_URL", f"sqlite:///{tmp_path / 'a.sqlite'}")
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 1
    assert "no API keys configured" in result.output


def test_serve_reports_a_bad_config_file(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("max_body_bytes = 'lots'")
    result = CliRunner().invoke(cli, ["serve", "--config", str(config)])
    assert result.exit_code == 1
    assert "bad.toml: max_body_bytes" in result.output


@pytest.mark.parametrize("scheme", ["sha256", "scrypt"])
def test_hash_key_prints_a_token_and_its_config_line(scheme):
    result = CliRunner().invoke(cli, ["serve", "--hash-key", "clinic-b", "--scheme", scheme])
    assert result.exit_code == 0, result.output
    token = result.output.splitlines()[0].rsplit(" ", 1)[1]
    line = result.output.splitlines()[1].rsplit(" ", 1)[1]
    key_id, digest = line.split(":", 1)
    assert key_id == "clinic-b"
    assert token.startswith("clinic-b.")
    if scheme == "sha256":
        assert digest == hash_token(token)
    else:
        assert digest.startswith("scrypt$")


def test_hash_key_rejects_a_bad_id():
    result = CliRunner().invoke(cli, ["serve", "--hash-key", "bad id"])
    assert result.exit_code == 2
    assert "must match" in result.output
