"""The pages' tables live in the audit database: the same on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from priorauth.service.audit import AuditStore
from priorauth.service.web.store import PracticeSettings, Summary, WebStore, metadata

SUMMARY = Summary(payer="Aetna", policy_id="p1", status="meets", gaps=0, alert=None)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    else:
        url = request.getfixturevalue("pg_url")
    audit = AuditStore(url)
    metadata.drop_all(audit.engine)  # a clean slate on the shared test server
    web = WebStore(audit.engine)
    yield web
    audit.close()


def test_a_session_is_found_by_its_token_and_stored_as_a_hash(store):
    store.add_user("dana", "$argon2id$x", "clinician")
    token = store.new_session("dana")
    session = store.session(token)
    assert session is not None
    assert (session.user.username, session.user.role) == ("dana", "clinician")
    with store.engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT token_sha256 FROM priorauth_web_sessions")).scalars()
        assert list(kept) == [hashlib.sha256(token.encode()).hexdigest()]
    store.end_session(token)
    assert store.session(token) is None
    assert store.session("forged") is None


def test_an_expired_session_is_refused(store):
    store.add_user("sam", "$argon2id$x", "billing")
    token = store.new_session("sam")
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE priorauth_web_sessions SET expires_at = :past"),
            {"past": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
        )
    assert store.session(token) is None


def test_settings_are_saved_once_and_replaced(store):
    assert store.settings() == PracticeSettings()
    store.save_settings(PracticeSettings(practice_name="Lakeside", npi="1234567893"), "dana")
    store.save_settings(PracticeSettings(practice_name="Lakeside TMS"), "dana")
    assert store.settings().practice_name == "Lakeside TMS"
    assert store.settings().npi == ""


def test_the_queue_keeps_each_action_and_who(store):
    first = store.add_request(
        b"{}", as_of=dt.date(2026, 11, 25), patient="A", summary=SUMMARY, username="sam"
    )
    store.update(first, action="attested", username="dana", attested=["b", "a"], attested_by="dana")
    row, chart = store.row(first) or (None, b"")
    assert chart == b"{}"
    assert row is not None
    assert (row.last_action, row.last_actor, row.attested, row.attested_by) == (
        "attested",
        "dana",
        ("a", "b"),
        "dana",
    )
    assert row.updated_at.tzinfo is not None
    assert [r.id for r in store.rows()] == [first]
    assert store.row("0" * 32) is None
