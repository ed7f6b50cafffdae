"""Staff accounts: Argon2id hashes, refused names and passwords, ``priorauth users``."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.errors import AuditError
from priorauth.service.audit import AuditStore
from priorauth.service.web.store import WebStore
from priorauth.service.web.users import add_user, check_login

PASSWORD = "correct horse battery staple"


@pytest.fixture
def store(tmp_path) -> WebStore:
    return WebStore(AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}").engine)


def test_a_user_logs_in_with_the_right_password_only(store):
    add_user(store, "dana", "clinician", PASSWORD)
    user = check_login(store, "dana", PASSWORD)
    assert user is not None
    assert (user.username, user.role, user.clinician) == ("dana", "clinician", True)
    assert check_login(store, "dana", PASSWORD + "x") is None
    assert check_login(store, "nobody", PASSWORD) is None


def test_the_password_is_stored_as_an_argon2id_hash(store):
    add_user(store, "sam", "billing", PASSWORD)
    _, digest = store.user_hash("sam") or (None, "")
    assert digest.startswith("$argon2id$")
    assert PASSWORD not in digest


def test_an_outdated_hash_is_replaced_at_login(store):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    store.add_user("old", weak, "billing")
    assert check_login(store, "old", PASSWORD) is not None
    assert store.user_hash("old")[1] != weak  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("Dana Reyes", "clinician", PASSWORD, "user name 'Dana Reyes' must be lowercase"),
        ("dana", "admin", PASSWORD, "role 'admin' is not one of billing, clinician"),
        ("dana", "billing", "short", "at least 12 characters"),
    ],
)
def test_bad_accounts_are_refused_with_one_line(store, name, role, password, message):
    with pytest.raises(AuditError, match=message):
        add_user(store, name, role, password)


def test_a_name_is_taken_once(store):
    add_user(store, "dana", "clinician", PASSWORD)
    with pytest.raises(AuditError, match="user 'dana' already exists"):
        add_user(store, "dana", "billing", PASSWORD)


def test_users_add_and_list(tmp_path):
    db = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["users", "add", "dana", "--role", "clinician", "--password-stdin", "--db", db],
        input=PASSWORD + "\n",
    )
    assert (added.exit_code, added.output) == (0, "added dana (clinician)\n")
    prompted = runner.invoke(
        cli,
        ["users", "add", "sam", "--role", "billing", "--db", db],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert prompted.exit_code == 0, prompted.output
    listed = runner.invoke(cli, ["users", "list", "--db", db])
    assert listed.output == "dana\tclinician\nsam\tbilling\n"
    again = runner.invoke(
        cli,
        ["users", "add", "dana", "--role", "billing", "--password-stdin", "--db", db],
        input=PASSWORD + "\n",
    )
    assert again.exit_code == 1
    assert "error: user 'dana' already exists" in again.output
