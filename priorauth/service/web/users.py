"""Staff accounts: Argon2id password hashes (argon2-cffi), verified in constant time.

``add_user`` is what ``priorauth users add`` calls. A login with an unknown name costs the same
Argon2 verification as one with a known name, so timing does not reveal which names exist.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from priorauth.errors import AuditError
from priorauth.service.audit import AuditStore
from priorauth.service.web.store import ROLES, Role, User, WebStore

__all__ = [
    "MIN_PASSWORD",
    "USERNAME",
    "add_user",
    "add_user_at",
    "check_login",
    "hash_password",
    "list_users_at",
]

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MIN_PASSWORD = 12
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("priorauth: no such user")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (with its own salt)."""
    return _HASHER.hash(password)


def add_user(store: WebStore, username: str, role: str, password: str) -> User:
    """Create a staff user; :class:`AuditError` (one line) for a bad name, role or password."""
    if not USERNAME.fullmatch(username):
        raise AuditError(
            f"user name {username[:64]!r} must be lowercase letters, digits, '.', '_' or '-' "
            "(at most 64, starting with a letter or digit)"
        )
    if role not in ROLES:
        raise AuditError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AuditError(f"the password must have at least {MIN_PASSWORD} characters")
    checked: Role = "clinician" if role == "clinician" else "billing"
    store.add_user(username, hash_password(password), checked)
    return User(username=username, role=checked)


def add_user_at(audit_url: str, username: str, role: str, password: str) -> User:
    """``add_user`` in the database at ``audit_url`` (the service's audit store)."""
    audit = AuditStore(audit_url)
    try:
        return add_user(WebStore(audit.engine), username, role, password)
    finally:
        audit.close()


def list_users_at(audit_url: str) -> list[User]:
    """Every staff user in the database at ``audit_url``."""
    audit = AuditStore(audit_url)
    try:
        return WebStore(audit.engine).users()
    finally:
        audit.close()


def check_login(store: WebStore, username: str, password: str) -> User | None:
    """The user when the password matches, else None (rehashing an outdated hash)."""
    found = store.user_hash(username) if USERNAME.fullmatch(username) else None
    digest = found[1] if found else _DUMMY
    try:
        _HASHER.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if found is None:
        return None
    if _HASHER.check_needs_rehash(digest):
        store.set_password(username, hash_password(password))
    return found[0]
