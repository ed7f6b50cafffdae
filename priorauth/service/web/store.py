"""The staff pages' tables, in the audit log's database: users, sessions, practice settings and
the work queue.

Unlike the audit table (hashes only), the work queue holds the uploaded charts: it is the
practice's working copy, kept in the practice's own database so every service instance sees the
same queue. Nothing here is ever logged. SQLAlchemy Core over the audit store's engine (SQLite
or PostgreSQL); the tables are created on first use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from priorauth.errors import AuditError

__all__ = [
    "ROLES",
    "PracticeSettings",
    "QueueRow",
    "Role",
    "Session",
    "User",
    "WebStore",
]

Role = Literal["billing", "clinician"]
ROLES: tuple[Role, ...] = ("billing", "clinician")
SESSION_HOURS = 8

metadata = sa.MetaData()
users = sa.Table(
    "priorauth_web_users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
sessions = sa.Table(
    "priorauth_web_sessions",
    metadata,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
)
settings = sa.Table(
    "priorauth_web_settings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("updated_by", sa.String(64)),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)
requests = sa.Table(
    "priorauth_web_requests",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("chart", sa.LargeBinary, nullable=False),
    sa.Column("chart_sha256", sa.String(64), nullable=False),
    sa.Column("patient", sa.String(256), nullable=False),
    sa.Column("payer", sa.String(512), nullable=False),
    sa.Column("policy_id", sa.String(512)),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("gaps", sa.Integer, nullable=False),
    sa.Column("alert", sa.String(256)),
    sa.Column("attested", sa.Text, nullable=False, default="[]"),
    sa.Column("attested_by", sa.String(64)),
    sa.Column("reviewed", sa.Text, nullable=False, default="{}"),
    sa.Column("last_action", sa.String(64), nullable=False),
    sa.Column("last_actor", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)


class User(BaseModel):
    """A staff member who may log in."""

    model_config = ConfigDict(frozen=True)

    username: str
    role: Role

    @property
    def clinician(self) -> bool:
        """Whether this user may confirm attestations (sign off)."""
        return self.role == "clinician"


@dataclass(frozen=True)
class Session:
    """A logged-in browser: its user and the CSRF token its forms carry."""

    user: User
    csrf: str


class PracticeSettings(BaseModel):
    """Letterhead and signer profile, edited on the settings page (empty: the chart's)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    practice_name: str = Field("", max_length=200)
    address: str = Field("", max_length=500)
    phone: str = Field("", max_length=40)
    fax: str = Field("", max_length=40)
    npi: str = Field("", pattern=r"^(\d{10})?$")
    tin: str = Field("", pattern=r"^(\d{2}-?\d{7})?$")
    signer_name: str = Field("", max_length=200)
    signer_credentials: str = Field("", max_length=100)
    signer_npi: str = Field("", pattern=r"^(\d{10})?$")
    signature_block: str = Field("", max_length=500)


class QueueRow(BaseModel):
    """One patient's request in the work queue (the chart itself stays in the database)."""

    model_config = ConfigDict(frozen=True)

    id: str
    created_at: dt.datetime
    as_of: dt.date
    patient: str
    payer: str
    policy_id: str | None
    status: str
    gaps: int
    alert: str | None
    attested: tuple[str, ...]
    attested_by: str | None
    reviewed: dict[str, str]
    """Relative safety alert id → the clinician who reviewed it (name, credentials)."""
    last_action: str
    last_actor: str
    updated_at: dt.datetime


class Summary(BaseModel):
    """What the queue shows of a request's current determination."""

    model_config = ConfigDict(frozen=True)

    payer: str
    policy_id: str | None
    status: str
    gaps: int
    alert: str | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class WebStore:
    """Users, sessions, settings and the work queue over one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        try:
            metadata.create_all(engine, checkfirst=True)
        except SQLAlchemyError:  # another instance created them at the same moment
            metadata.create_all(engine, checkfirst=True)

    # --- users ------------------------------------------------------------------------------

    def add_user(self, username: str, password_hash: str, role: Role) -> None:
        """Create a user; :class:`AuditError` when the name is taken."""
        row = {"username": username, "password_hash": password_hash, "role": role}
        try:
            with self.engine.begin() as conn:
                conn.execute(users.insert(), {**row, "created_at": _now()})
        except IntegrityError as exc:
            raise AuditError(f"user {username!r} already exists") from exc

    def set_password(self, username: str, password_hash: str) -> None:
        """Store a new hash (a rehash after login, or a reset)."""
        with self.engine.begin() as conn:
            conn.execute(
                users.update()
                .where(users.c.username == username)
                .values(password_hash=password_hash)
            )

    def user_hash(self, username: str) -> tuple[User, str] | None:
        """The user and their password hash, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.username == username)).first()
        if row is None:
            return None
        return User(username=row.username, role=row.role), row.password_hash

    def users(self) -> list[User]:
        """Every user, by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(users).order_by(users.c.username)).all()
        return [User(username=r.username, role=r.role) for r in rows]

    # --- sessions ---------------------------------------------------------------------------

    def new_session(self, username: str) -> str:
        """A fresh session token (the cookie); only its SHA-256 is stored."""
        token = secrets.token_urlsafe(32)
        row = {
            "token_sha256": _sha256(token),
            "username": username,
            "csrf": secrets.token_urlsafe(32),
            "expires_at": _now() + dt.timedelta(hours=SESSION_HOURS),
        }
        with self.engine.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.expires_at < _now()))
            conn.execute(sessions.insert(), row)
        return token

    def session(self, token: str) -> Session | None:
        """The live session for a cookie token, or None."""
        query = (
            sa.select(sessions.c.csrf, users.c.username, users.c.role)
            .join(users, users.c.username == sessions.c.username)
            .where(sessions.c.token_sha256 == _sha256(token), sessions.c.expires_at > _now())
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return Session(User(username=row.username, role=row.role), row.csrf)

    def end_session(self, token: str) -> None:
        """Log out: forget the session."""
        with self.engine.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.token_sha256 == _sha256(token)))

    # --- practice settings ------------------------------------------------------------------

    def settings(self) -> PracticeSettings:
        """The saved settings (defaults before the first save)."""
        with self.engine.connect() as conn:
            body = conn.execute(sa.select(settings.c.body).where(settings.c.id == 1)).scalar()
        return PracticeSettings.model_validate_json(body) if body else PracticeSettings()

    def save_settings(self, value: PracticeSettings, username: str) -> None:
        """Replace the settings."""
        row = {"body": value.model_dump_json(), "updated_by": username, "updated_at": _now()}
        with self.engine.begin() as conn:
            done = conn.execute(settings.update().where(settings.c.id == 1).values(**row))
            if done.rowcount == 0:
                conn.execute(settings.insert(), {"id": 1, **row})

    # --- the work queue ---------------------------------------------------------------------

    def add_request(
        self, chart: bytes, *, as_of: dt.date, patient: str, summary: Summary, username: str
    ) -> str:
        """Queue one patient's chart; returns the request id."""
        request_id = uuid.uuid4().hex
        now = _now()
        row = {
            "id": request_id,
            "created_at": now,
            "as_of": as_of,
            "chart": chart,
            "chart_sha256": hashlib.sha256(chart).hexdigest(),
            "patient": patient[:256],
            "attested": "[]",
            "attested_by": None,
            "reviewed": "{}",
            "last_action": "uploaded",
            "last_actor": username,
            "updated_at": now,
            **_summary_values(summary),
        }
        with self.engine.begin() as conn:
            conn.execute(requests.insert(), row)
        return request_id

    def rows(self) -> list[QueueRow]:
        """Every request, newest first (the page filters and sorts)."""
        columns = [c for c in requests.c if c.name not in ("chart", "chart_sha256")]
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(*columns).order_by(requests.c.created_at.desc())).all()
        return [_queue_row(r._mapping) for r in found]

    def row(self, request_id: str) -> tuple[QueueRow, bytes] | None:
        """One request and its chart, or None."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(requests).where(requests.c.id == request_id)).first()
        if found is None:
            return None
        return _queue_row(found._mapping), found.chart

    def update(
        self,
        request_id: str,
        *,
        action: str,
        username: str,
        summary: Summary | None = None,
        attested: Sequence[str] | None = None,
        attested_by: str | None = None,
        reviewed: dict[str, str] | None = None,
    ) -> None:
        """Record an action on a request (and its new summary, attestations and who confirmed
        them, or alert reviews)."""
        values: dict[str, Any] = {"last_action": action, "last_actor": username}
        values["updated_at"] = _now()
        if summary is not None:
            values.update(_summary_values(summary))
        if attested is not None:
            values["attested"] = json.dumps(sorted(attested))
            values["attested_by"] = attested_by
        if reviewed is not None:
            values["reviewed"] = json.dumps(reviewed, sort_keys=True)
        with self.engine.begin() as conn:
            conn.execute(requests.update().where(requests.c.id == request_id).values(**values))


def _summary_values(summary: Summary) -> dict[str, Any]:
    values = summary.model_dump()
    values["payer"] = values["payer"][:512]
    values["alert"] = values["alert"][:256] if values["alert"] else None
    return values


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _queue_row(row: Any) -> QueueRow:
    data = {k: v for k, v in row.items() if k not in ("chart", "chart_sha256")}
    data["attested"] = tuple(json.loads(data["attested"] or "[]"))
    data["reviewed"] = json.loads(data["reviewed"] or "{}")
    data["created_at"] = _utc(data["created_at"])
    data["updated_at"] = _utc(data["updated_at"])
    return QueueRow(**data)
