"""The audit store against SQLite (default) and a real PostgreSQL server."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.errors import AuditError
from priorauth.service.audit import AuditEvent, AuditStore, events

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def event(i: int, **changes) -> AuditEvent:
    base = AuditEvent(
        at=T0 + dt.timedelta(minutes=i),
        request_id=f"req-{i}",
        key_id="clinic-a",
        action="evaluate",
        payer="aetna",
        policy_id="aetna.cpb-0469",
        policy_version="3",
        policy_hash="ab" * 32,
        as_of=dt.date(2026, 11, 1),
        input_sha256="11" * 32,
        output_sha256="22" * 32,
        outcome="meets",
        status=200,
        duration_ms=12.5,
    )
    return base.model_copy(update=changes)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'sub' / 'audit.sqlite'}"
    else:
        url = request.getfixturevalue("pg_url")
    opened = AuditStore(url)
    with opened.engine.begin() as conn:
        conn.execute(events.delete())
    yield opened
    opened.close()


def test_rows_round_trip(store):
    for i in range(3):
        store.record(event(i))
    rows = store.events()
    assert [r.request_id for r in rows] == ["req-2", "req-1", "req-0"]
    assert rows[0].at == T0 + dt.timedelta(minutes=2)
    assert rows[0].at.tzinfo is not None
    assert rows[0].model_dump(exclude={"id"}) == event(2).model_dump(exclude={"id"})
    assert store.count() == 3


def test_since_and_limit(store):
    for i in range(5):
        store.record(event(i))
    assert [r.request_id for r in store.events(since=T0 + dt.timedelta(minutes=3))] == [
        "req-4",
        "req-3",
    ]
    assert len(store.events(limit=2)) == 2
    naive = (T0 + dt.timedelta(minutes=4)).replace(tzinfo=None)
    assert [r.request_id for r in store.events(since=naive)] == ["req-4"]


def test_export_csv_and_json(store):
    store.record(event(0))
    store.record(event(1, outcome="error", status=422, error_code="invalid", policy_id=None))
    out = io.StringIO()
    assert store.export(out, "csv") == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["request_id"] for r in rows] == ["req-0", "req-1"]
    assert rows[1]["policy_id"] == ""
    assert rows[1]["status"] == "422"
    out = io.StringIO()
    assert store.export(out, "json") == 2
    parsed = json.loads(out.getvalue())
    assert parsed[0]["input_sha256"] == "11" * 32
    assert parsed[1]["error_code"] == "invalid"


def test_export_of_an_empty_log_is_valid(store):
    out = io.StringIO()
    assert store.export(out, "json") == 0
    assert json.loads(out.getvalue()) == []


def test_concurrent_writers(store):
    def write(start):
        for i in range(start, start + 20):
            store.record(event(i))

    threads = [threading.Thread(target=write, args=(n * 100,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count() == 80


def test_two_stores_share_one_database(store):
    """Two service instances = two engines on one database."""
    other = AuditStore(store.url)
    store.record(event(1))
    other.record(event(2))
    assert {r.request_id for r in store.events()} == {"req-1", "req-2"}
    other.close()


def test_schema_holds_no_name_or_identifier_columns():
    names = {c.name for c in events.columns}
    assert not names & {"patient", "name", "mrn", "member_id", "birth_date", "identifier"}


def test_unwritable_database_raises_audit_error(tmp_path):
    with pytest.raises(AuditError, match="audit log"):
        AuditStore("postgresql+psycopg://nobody:x@127.0.0.1:1/none")


def test_bad_url_raises_audit_error():
    with pytest.raises(AuditError, match="not a database URL"):
        AuditStore("not a url")


def test_password_is_hidden_in_errors():
    with pytest.raises(AuditError) as info:
        AuditStore("postgresql+psycopg://user:hunter2@127.0.0.1:1/db")
    assert "hunter2" not in str(info.value)


@pytest.fixture
def filled_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    store = AuditStore(url)
    for i in range(3):
        store.record(event(i))
    store.close()
    return url


def test_cli_audit_list(filled_db):
    result = CliRunner().invoke(cli, ["audit", "list", "--db", filled_db, "--limit", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["id", "at", "request_id", "key_id"]
    assert "req-2" in lines[1]
    assert len(lines) == 3


def test_cli_audit_list_json_since(filled_db):
    args = ["audit", "list", "--db", filled_db, "--json", "--since", "2026-11-01T12:01:00"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["request_id"] for r in rows] == ["req-2", "req-1"]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_cli_audit_export(filled_db, tmp_path, fmt):
    out = tmp_path / f"audit.{fmt}"
    args = ["audit", "export", "--db", filled_db, "--format", fmt, "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "3 rows" in result.output
    text = out.read_text()
    count = len(json.loads(text)) if fmt == "json" else len(text.splitlines()) - 1
    assert count == 3


def test_cli_audit_reports_store_errors():
    args = ["audit", "list", "--db", "postgresql+psycopg://u:p@127.0.0.1:1/x"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.output.startswith("error: cannot open the audit log")


@pytest.mark.postgres
def test_postgres_table_uses_bigint_ids(pg_url):
    store = AuditStore(pg_url)
    columns = {c["name"]: c for c in sa.inspect(store.engine).get_columns("priorauth_audit")}
    assert isinstance(columns["id"]["type"], sa.BigInteger)
    assert isinstance(columns["at"]["type"], sa.DateTime)
    store.close()
