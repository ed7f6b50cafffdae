"""The audit log: one row per evaluation or letter, with hashes instead of patient data.

A row says when, which request (id) from which client (API key id), which payer and policy
(id, version, content hash), the SHA-256 of the input and of the output, the outcome, the HTTP
status and the duration. It never holds names, identifiers or chart content: the input hash lets
an auditor prove which chart was evaluated without the log holding it.

The store is SQLAlchemy Core over any URL: a SQLite file by default (zero set-up; WAL mode so
several worker processes can write), PostgreSQL (``postgresql+psycopg://...``) when several
service instances share one log. The table is created on first use.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from priorauth.errors import AuditError

__all__ = ["AuditEvent", "AuditStore", "ExportFormat", "format_table", "open_audit_store"]

log = logging.getLogger("priorauth.audit")

ExportFormat = Literal["csv", "json"]

metadata = sa.MetaData()
events = sa.Table(
    "priorauth_audit",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("request_id", sa.String(64), nullable=False),
    sa.Column("key_id", sa.String(64)),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("payer", sa.String(64)),
    sa.Column("policy_id", sa.String(512)),
    sa.Column("policy_version", sa.String(128)),
    sa.Column("policy_hash", sa.String(1024)),
    sa.Column("as_of", sa.Date),
    sa.Column("input_sha256", sa.String(64)),
    sa.Column("output_sha256", sa.String(64)),
    sa.Column("outcome", sa.String(32)),
    sa.Column("status", sa.Integer),
    sa.Column("error_code", sa.String(32)),
    sa.Column("duration_ms", sa.Float, nullable=False),
)


class AuditEvent(BaseModel):
    """One audited evaluation or letter. Hashes and ids only: no patient data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: dt.datetime
    request_id: str
    key_id: str | None = None
    action: str
    """``evaluate``, ``letter`` (HTTP) or ``batch``."""
    payer: str | None = None
    policy_id: str | None = None
    """Comma-separated when one request evaluated several policies (``payer=all``)."""
    policy_version: str | None = None
    policy_hash: str | None = None
    as_of: dt.date | None = None
    input_sha256: str | None = None
    output_sha256: str | None = None
    outcome: str | None = None
    """The determination status, or ``error``."""
    status: int | None = None
    """HTTP status (HTTP requests) or ``None`` (batch)."""
    error_code: str | None = None
    duration_ms: float
    id: int | None = None


class AuditStore:
    """Append and read audit rows in a SQLite or PostgreSQL database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _make_engine(url)
        self._create_table()

    def _create_table(self) -> None:
        for attempt in range(3):  # instances starting together race on CREATE TABLE (PostgreSQL)
            try:
                metadata.create_all(self.engine, checkfirst=True)
                return
            except SQLAlchemyError as exc:
                if attempt == 2:
                    raise AuditError(
                        f"cannot open the audit log ({_safe_url(self.url)}): {_first_line(exc)}"
                    ) from exc
                time.sleep(0.2 * (attempt + 1))

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def record(self, event: AuditEvent) -> None:
        """Append one row; :class:`AuditError` when the database cannot be written."""
        row = event.model_dump(exclude={"id"})
        try:
            with self.engine.begin() as conn:
                conn.execute(events.insert(), row)
        except SQLAlchemyError as exc:
            raise AuditError(
                f"cannot write the audit log ({_safe_url(self.url)}): {_first_line(exc)}"
            ) from exc

    def events(
        self,
        *,
        since: dt.datetime | None = None,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> list[AuditEvent]:
        """Rows at or after ``since``, newest first by default."""
        return list(self.iter_events(since=since, limit=limit, newest_first=newest_first))

    def iter_events(
        self,
        *,
        since: dt.datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> Iterator[AuditEvent]:
        """Stream rows (oldest first by default) without loading them all."""
        query = sa.select(events)
        if since is not None:
            query = query.where(events.c.at >= _utc(since))
        order = events.c.id.desc() if newest_first else events.c.id.asc()
        query = query.order_by(order).limit(limit)
        try:
            with self.engine.connect() as conn:
                for row in conn.execution_options(stream_results=True).execute(query):
                    yield _event(row._mapping)
        except SQLAlchemyError as exc:
            raise AuditError(
                f"cannot read the audit log ({_safe_url(self.url)}): {_first_line(exc)}"
            ) from exc

    def count(self) -> int:
        """How many rows the log holds."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())

    def export(self, out: IO[str], fmt: ExportFormat, *, since: dt.datetime | None = None) -> int:
        """Write every row (oldest first) as CSV or a JSON array; returns the row count."""
        rows = self.iter_events(since=since)
        return _write_csv(out, rows) if fmt == "csv" else _write_json(out, rows)


def open_audit_store(config: Path | None = None, url: str | None = None) -> AuditStore:
    """The store named by ``url``, else by the settings (``config`` file, environment)."""
    from priorauth.service.config import load_settings

    return AuditStore(url or load_settings(config).audit_url)


TABLE_COLUMNS = (
    "id",
    "at",
    "request_id",
    "key_id",
    "action",
    "payer",
    "policy_id",
    "outcome",
    "status",
    "duration_ms",
)


def format_table(rows: list[AuditEvent]) -> str:
    """Rows as an aligned text table (``priorauth audit list``)."""
    cells = [[_cell(getattr(row, name)) for name in TABLE_COLUMNS] for row in rows]
    widths = [max([len(name), *(len(r[i]) for r in cells)]) for i, name in enumerate(TABLE_COLUMNS)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(TABLE_COLUMNS, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


FIELDS = tuple(name for name in AuditEvent.model_fields if name != "id")


def _write_csv(out: IO[str], rows: Iterator[AuditEvent]) -> int:
    writer = csv.DictWriter(out, fieldnames=("id", *FIELDS), lineterminator="\n")
    writer.writeheader()
    n = 0
    for n, event in enumerate(rows, 1):  # noqa: B007
        writer.writerow(event.model_dump(mode="json"))
    return n


def _write_json(out: IO[str], rows: Iterator[AuditEvent]) -> int:
    out.write("[")
    n = 0
    for n, event in enumerate(rows, 1):
        out.write(("\n" if n == 1 else ",\n") + json.dumps(event.model_dump(mode="json")))
    out.write("\n]\n" if n else "]\n")
    return n


def _make_engine(url: str) -> Engine:
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise AuditError(f"audit URL is not a database URL: {_safe_url(url)}") from exc
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, connect_args={"timeout": 30})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _event(row: Any) -> AuditEvent:
    data = dict(row)
    data["at"] = _utc(data["at"])
    return AuditEvent(**data)


def _first_line(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]


def _safe_url(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable URL>"
