"""What each staff-page action does, run in a worker thread: the library call (``work``), the
store update and the audit row naming the user. The routes (``routes``) only parse and answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from starlette.requests import Request

from priorauth.service.audit import AuditEvent
from priorauth.service.handling import Handler
from priorauth.service.web import work
from priorauth.service.web.store import QueueRow, Session, WebStore

__all__ = [
    "Loaded",
    "Web",
    "attest",
    "choose",
    "load",
    "queue_chart",
    "queue_upload",
    "record_packet",
    "review_alerts",
]


@dataclass
class Web:
    """What the pages share: the service's handler (pipeline, audit, limits) and the store."""

    handler: Handler
    store: WebStore

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker thread, under the service's work limit."""
        return await anyio.to_thread.run_sync(fn, *args, limiter=self.handler.work_limiter())

    def audit(self, request: Request, user: str | None, action: str, **fields: Any) -> None:
        """One audit row for a page action."""
        started = getattr(request.state, "started", time.perf_counter())
        self.record(request.state.request_id, user, action, started, **fields)

    def record(
        self, request_id: str, user: str | None, action: str, started: float, **fields: Any
    ) -> None:
        """One audit row: ``user`` as ``key_id`` ``user:NAME``, the time since ``started``."""
        self.handler.audit.record(
            AuditEvent(
                at=dt.datetime.now(dt.UTC),
                request_id=request_id,
                key_id=f"user:{user}"[:64] if user else None,
                action=action,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                **fields,
            )
        )

    def today(self) -> dt.date:
        """The default as-of date (read here, at the edge)."""
        return dt.datetime.now(dt.UTC).date()


def queue_upload(
    web: Web, request: Request, session: Session, data: bytes, as_of: dt.date, payer: str
) -> list[str]:
    """Split the upload into patients, review each and queue it (one audit row each)."""
    started = getattr(request.state, "started", time.perf_counter())
    return queue_chart(
        web,
        data,
        as_of=as_of,
        payer=payer,
        username=session.user.username,
        request_id=request.state.request_id,
        started=started,
        action="web-upload",
    )


def queue_chart(
    web: Web,
    data: bytes,
    *,
    as_of: dt.date,
    payer: str,
    username: str,
    request_id: str,
    started: float,
    action: str,
) -> list[str]:
    """Split a chart file into patients, review each and queue it as ``username`` (one audit
    row each, ``action``); the queue's request ids. Raises ``PriorAuthError`` for a chart that
    cannot be read (nothing is queued then)."""
    pipeline = web.handler.pipeline
    ids = []
    for chart in work.split_upload(data, max_bytes=web.handler.settings.max_body_bytes):
        sha = hashlib.sha256(chart).hexdigest()
        record = work.facts(pipeline, chart, sha, as_of)
        chosen = None if payer == "auto" else payer
        found = work.review(pipeline, record, as_of=as_of, policy_id=chosen)
        summary = found.summary()
        patient = record.patient.name or "(no name in chart)"
        queued = web.store.add_request(
            chart, as_of=as_of, patient=patient, summary=summary, username=username
        )
        ids.append(queued)
        web.record(
            request_id,
            username,
            action,
            started,
            payer=payer,
            policy_id=summary.policy_id,
            as_of=as_of,
            input_sha256=sha,
            outcome=summary.status,
            status=303,
        )
    return ids


@dataclass(frozen=True)
class Loaded:
    row: QueueRow
    chart: bytes
    review: work.Review


def load(web: Web, request_id: str) -> Loaded | None:
    found = web.store.row(request_id) if len(request_id) == 32 else None
    if found is None:
        return None
    row, chart = found
    sha = hashlib.sha256(chart).hexdigest()
    record = work.facts(web.handler.pipeline, chart, sha, row.as_of)
    reviewed = work.review(
        web.handler.pipeline,
        record,
        as_of=row.as_of,
        policy_id=row.policy_id,
        attested=row.attested,
        signed_off_by=row.attested_by,
        reviewed=row.reviewed,
    )
    return Loaded(row, chart, reviewed)


def choose(web: Web, request: Request, session: Session, found: Loaded, policy_id: str) -> None:
    """Select a policy (the attestations start again: they belong to a policy)."""
    _apply(
        web,
        request,
        session,
        found,
        "web-policy",
        f"selected {policy_id}"[:64],
        policy_id=policy_id,
        attested=(),
        signed_off_by=None,
        reviewed=found.row.reviewed,
    )


def attest(web: Web, request: Request, session: Session, found: Loaded, ticked: list[str]) -> None:
    """A clinician's confirmations (the sign-off)."""
    _apply(
        web,
        request,
        session,
        found,
        "web-attest",
        "attested",
        policy_id=found.row.policy_id,
        attested=tuple(ticked),
        signed_off_by=session.user.username,
        reviewed=found.row.reviewed,
    )


def review_alerts(
    web: Web, request: Request, session: Session, found: Loaded, reviews: dict[str, str]
) -> None:
    """A clinician's review of relative safety alerts (alert id → reviewer)."""
    _apply(
        web,
        request,
        session,
        found,
        "web-review",
        "alerts reviewed",
        policy_id=found.row.policy_id,
        attested=found.row.attested,
        signed_off_by=found.row.attested_by,
        reviewed={**found.row.reviewed, **reviews},
    )


def _apply(
    web: Web,
    request: Request,
    session: Session,
    found: Loaded,
    audit_action: str,
    label: str,
    *,
    policy_id: str | None,
    attested: tuple[str, ...],
    signed_off_by: str | None,
    reviewed: dict[str, str],
) -> None:
    """Review the request with the new choices, store them and the summary, audit the action."""
    after = work.review(
        web.handler.pipeline,
        found.review.record,
        as_of=found.row.as_of,
        policy_id=policy_id,
        attested=attested,
        signed_off_by=signed_off_by,
        reviewed=reviewed,
    )
    summary = after.summary()
    if summary.policy_id is None and policy_id:  # not on the chart: keep the choice visible
        summary = summary.model_copy(update={"policy_id": policy_id})
    web.store.update(
        found.row.id,
        action=label,
        username=session.user.username,
        summary=summary,
        attested=attested,
        attested_by=signed_off_by,
        reviewed=reviewed,
    )
    web.audit(
        request,
        session.user.username,
        audit_action,
        policy_id=summary.policy_id,
        as_of=found.row.as_of,
        outcome=summary.status,
        status=303,
    )


def record_packet(
    web: Web, request: Request, session: Session, found: Loaded, output: bytes, action: str
) -> None:
    d = found.review.determination
    assert d is not None  # noqa: S101 - checked by the route
    web.store.update(
        found.row.id,
        action="PAS Bundle generated" if action == "web-pas" else "packet generated",
        username=session.user.username,
    )
    web.audit(
        request,
        session.user.username,
        action,
        payer=d.policy.payer[:64],
        policy_id=d.policy.id,
        policy_version=d.policy.version,
        policy_hash=d.policy.content_hash,
        as_of=d.as_of,
        input_sha256=hashlib.sha256(found.chart).hexdigest(),
        output_sha256=hashlib.sha256(output).hexdigest(),
        outcome=d.status,
        status=200,
    )
