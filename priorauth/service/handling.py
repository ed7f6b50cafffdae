"""One audited request: read the body, run the pipeline in the thread pool, record the audit row.

:class:`Handler` holds what the app shares between requests (settings, pipeline, audit store,
key ring). :meth:`Handler.run` is the only path to the pipeline: it checks the content type,
reads the body under the size limit, parses it, calls the route's work function in a worker
thread, turns library errors into OperationOutcomes, and writes exactly one audit row whatever
happens after authentication.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import anyio
import anyio.to_thread
import orjson
from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from priorauth.determination import Determination
from priorauth.errors import (
    AmbiguousPolicyError,
    AuditError,
    BudgetExceededError,
    ChartError,
    PayerNotOnChartError,
    PriorAuthError,
    RenderError,
    ReviewError,
    SeveralPatientsError,
    UnknownAttestationError,
    UnknownPayerError,
)
from priorauth.render import LetterOptions
from priorauth.service.audit import AuditEvent, AuditStore
from priorauth.service.auth import KeyRing
from priorauth.service.body import check_content_type, parse_bundle, read_body
from priorauth.service.config import Settings
from priorauth.service.context import describe_exception
from priorauth.service.outcome import ApiError, Issue, fhir_path, issue
from priorauth.service.pipeline import LetterFormat, Pipeline, unmet_criteria

__all__ = [
    "Call",
    "DeterminationList",
    "Handler",
    "LetterRequest",
    "PatientDeterminations",
    "PatientList",
    "Result",
    "ambiguous_error",
    "letter_format",
]

log = logging.getLogger("priorauth.service")

MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "json": "application/json"}
_ACCEPTS: dict[str, LetterFormat] = {
    "application/pdf": "pdf",
    "text/html": "html",
    "application/json": "json",
    "application/fhir+json": "json",
    "*/*": "pdf",
    "application/*": "pdf",
    "text/*": "html",
}


class DeterminationList(BaseModel):
    """``payer=all`` (or ``auto`` when several policies fit): one determination per policy."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    count: int
    determinations: tuple[Determination, ...]


class PatientDeterminations(BaseModel):
    """One patient of a chart of several: its determinations, or why there are none."""

    model_config = ConfigDict(frozen=True)

    patient: str
    determinations: tuple[Determination, ...] = ()
    error: str | None = None


class PatientList(BaseModel):
    """``POST /evaluate`` on a chart of several patients and no ``patient``: one item each."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    count: int
    patients: tuple[PatientDeterminations, ...]


class LetterRequest(NamedTuple):
    """What ``POST /letters`` asked for."""

    format: LetterFormat
    force: bool
    options: LetterOptions
    allow_uncovered_payer: bool = False
    """Write the letter even when the policy's payer is not one of the chart's coverages."""


@dataclass
class Call:
    """One audited request, filled in as it proceeds."""

    request_id: str
    key_id: str
    action: str
    payer: str
    as_of: dt.date
    started: float
    attested: tuple[str, ...] = ()
    """Attestation ids the signer confirms (``attest`` query parameters)."""
    reviewed: dict[str, str] = field(default_factory=dict)
    """Relative safety alert id → the clinician who reviewed it (``reviewed`` + ``reviewer``)."""
    input_sha256: str | None = None
    determinations: list[Determination] = field(default_factory=list)
    patient: str | None = None
    """The patient of a chart that holds several (``patient`` query parameter)."""

    @classmethod
    def start(
        cls,
        request: Request,
        key_id: str,
        *,
        action: str,
        payer: str,
        as_of: dt.date | None,
        attested: Sequence[str] = (),
        reviewed: Sequence[str] = (),
        reviewer: str | None = None,
        patient: str | None = None,
    ) -> Call:
        """A call starting now; ``as_of`` defaults to today (UTC), read here at the edge.

        ``reviewed`` alert ids need a ``reviewer`` (and a reviewer needs ids): else a 400.
        """
        who = (reviewer or "").strip()
        if bool(reviewed) != bool(who):
            raise ApiError(
                400,
                "invalid",
                "reviewed (alert ids) and reviewer (the clinician's name) come together",
                expression=["http.reviewer" if reviewed else "http.reviewed"],
            )
        return cls(
            request_id=request.state.request_id,
            key_id=key_id,
            action=action,
            payer=payer,
            as_of=as_of or dt.datetime.now(dt.UTC).date(),
            started=time.perf_counter(),
            attested=tuple(attested),
            reviewed=dict.fromkeys(reviewed, who),
            patient=patient or None,
        )


@dataclass(frozen=True)
class Result:
    """A successful response body."""

    body: bytes
    media_type: str


Work = Callable[[Call, dict[str, Any]], Result]


def letter_format(requested: str | None, accept: str | None) -> LetterFormat:
    """The ``format`` parameter if given, else the first acceptable type in ``Accept`` (PDF)."""
    if requested is not None:
        return requested  # type: ignore[return-value]  # validated by FastAPI as a Literal
    if not accept:
        return "pdf"
    ranked = sorted(_media_ranges(accept), key=lambda item: -item[1])
    for media, quality in ranked:
        if quality > 0 and media in _ACCEPTS:
            return _ACCEPTS[media]
    raise ApiError(
        406,
        "not-supported",
        "no acceptable letter format; Accept application/pdf, text/html or application/json",
        expression=["http.Accept"],
    )


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


@dataclass
class Handler:
    """What every request shares: settings, pipeline, audit store, keys."""

    settings: Settings
    pipeline: Pipeline
    audit: AuditStore
    keys: KeyRing

    _limiters: dict[int, anyio.CapacityLimiter] = field(default_factory=dict)

    def _limiter(self) -> anyio.CapacityLimiter:
        """One limiter per event loop (TestClient and uvicorn each run their own)."""
        loop = id(asyncio.get_running_loop())
        if loop not in self._limiters:
            self._limiters[loop] = anyio.CapacityLimiter(self.settings.work_threads)
        return self._limiters[loop]

    def work_limiter(self) -> anyio.CapacityLimiter:
        """The limit on pipeline calls at once in this event loop (``work_threads``)."""
        return self._limiter()

    def authenticate(self, request: Request) -> str:
        """The caller's key id (``anonymous`` when auth is off); raises AuthError."""
        key_id = (
            self.keys.authenticate(request.headers.get("authorization"))
            if self.settings.auth
            else "anonymous"
        )
        request.state.key_id = key_id
        return key_id

    async def run(self, call: Call, request: Request, work: Work) -> Response:
        """Read, parse, run ``work`` in the thread pool and audit; errors become ApiError."""
        try:
            check_content_type(request.headers.get("content-type"))
            body = await read_body(
                request.stream(),
                request.headers.get("content-length"),
                self.settings.max_body_bytes,
            )
        except ClientDisconnect:
            exc = ApiError(400, "incomplete", "the client disconnected before sending the body")
            await run_in_threadpool(self._record_error, call, exc)
            raise exc from None
        except ApiError as exc:
            await run_in_threadpool(self._record_error, call, exc)
            raise
        result = await anyio.to_thread.run_sync(
            self._work, call, body, work, limiter=self._limiter()
        )
        return Response(result.body, media_type=result.media_type)

    def _work(self, call: Call, body: bytes, work: Work) -> Result:
        call.input_sha256 = hashlib.sha256(body).hexdigest()
        try:
            try:
                result = work(call, parse_bundle(body, self.settings.max_json_depth))
            except PriorAuthError as exc:
                raise _api_error(exc, call) from exc
            except ApiError:
                raise
            except Exception as exc:
                log.error("request_id=%s unexpected %s", call.request_id, describe_exception(exc))
                raise ApiError(
                    500, "exception", f"internal error; quote request id {call.request_id}"
                ) from exc
        except ApiError as exc:
            self._record_error(call, exc)
            raise
        self._record(call, status=200, output=result.body)
        return result

    def _record_error(self, call: Call, exc: ApiError) -> None:
        self._record(call, status=exc.status, output=orjson.dumps(exc.outcome()), error=exc.code)

    def _record(self, call: Call, *, status: int, output: bytes, error: str | None = None) -> None:
        policies = [d.policy for d in call.determinations]
        outcome = ",".join(d.status for d in call.determinations) or None
        event = AuditEvent(
            at=dt.datetime.now(dt.UTC),
            request_id=call.request_id,
            key_id=call.key_id,
            action=call.action,
            payer=call.payer[:64],
            policy_id=",".join(p.id for p in policies) or None,
            policy_version=",".join(p.version for p in policies) or None,
            policy_hash=",".join(p.content_hash for p in policies) or None,
            as_of=call.as_of,
            input_sha256=call.input_sha256,
            output_sha256=hashlib.sha256(output).hexdigest(),
            outcome=outcome or ("error" if error else None),
            status=status,
            error_code=error,
            duration_ms=round((time.perf_counter() - call.started) * 1000, 3),
        )
        try:
            self.audit.record(event)
        except AuditError as exc:
            log.error(
                "request_id=%s audit write failed: %s", call.request_id, describe_exception(exc)
            )
            raise ApiError(
                503, "transient", "the audit log cannot be written; the request was not completed"
            ) from exc

    # --- the routes' work functions (run in the thread pool) ---------------------------------

    def _require_known_payer(self, call: Call) -> None:
        """A 404 before any work when ``payer`` names no payer or policy."""
        if not self.pipeline.known(call.payer):
            raise ApiError(
                404,
                "not-found",
                str(self.pipeline.unknown_payer(call.payer)),
                expression=["http.payer"],
            )

    def _determinations(self, call: Call, bundle: dict[str, Any]) -> list[Determination]:
        self._require_known_payer(call)
        found = self.pipeline.determinations(
            bundle,
            payer=call.payer,
            as_of=call.as_of,
            attested=call.attested,
            reviewed=call.reviewed,
            patient=call.patient,
        )
        call.determinations = found
        if not found:
            raise UnknownPayerError(
                f"no policy of payer {call.payer!r} is in force on {call.as_of}"
            )
        return found

    def evaluate(self, call: Call, bundle: dict[str, Any]) -> Result:
        """``POST /evaluate``: one Determination, or a list for ``payer=all`` and for ``auto``
        when several policies fit (never one of them silently); for a chart of several patients
        and no ``patient``, a :class:`PatientList` with every patient's."""
        try:
            found = self._determinations(call, bundle)
        except SeveralPatientsError as exc:
            return self._every_patient(call, bundle, exc.patients)
        if call.payer == "all" or len(found) > 1:
            listing = DeterminationList(
                as_of=call.as_of, count=len(found), determinations=tuple(found)
            )
            return Result(listing.model_dump_json().encode(), MEDIA["json"])
        return Result(found[0].model_dump_json().encode(), MEDIA["json"])

    def _every_patient(
        self, call: Call, bundle: dict[str, Any], patients: tuple[str, ...]
    ) -> Result:
        if call.attested or call.reviewed:
            raise ApiError(
                400,
                "invalid",
                "attest and reviewed confirm one patient's chart: choose it with patient=",
                expression=["http.patient"],
            )
        items = []
        for ref in patients:
            try:
                found = self.pipeline.determinations(
                    bundle, payer=call.payer, as_of=call.as_of, patient=ref
                )
            except PriorAuthError as exc:
                items.append(PatientDeterminations(patient=ref, error=str(exc)))
                continue
            call.determinations.extend(found)
            items.append(PatientDeterminations(patient=ref, determinations=tuple(found)))
        listing = PatientList(as_of=call.as_of, count=len(items), patients=tuple(items))
        return Result(listing.model_dump_json().encode(), MEDIA["json"])

    def letter(self, call: Call, bundle: dict[str, Any], spec: LetterRequest) -> Result:
        """``POST /letters``: the letter, or 422 listing what is missing (unless ``force``)."""
        if call.payer == "all":
            raise ApiError(
                400,
                "invalid",
                "a letter is for one payer: use payer=ID or payer=auto",
                expression=["http.payer"],
            )
        self._require_known_payer(call)
        determination = self.pipeline.letter_determination(
            bundle,
            payer=call.payer,
            as_of=call.as_of,
            attested=call.attested,
            reviewed=call.reviewed,
            allow_uncovered_payer=spec.allow_uncovered_payer,
            patient=call.patient,
        )
        call.determinations = [determination]
        if determination.status != "meets" and not spec.force:
            raise _not_met(determination)
        body = self.pipeline.letter(determination, spec.format, spec.options)
        return Result(body, MEDIA[spec.format])


def _alert_issues(determination: Determination) -> list[Issue]:
    """The safety alerts as the first issues: urgent and absolute ones ``fatal``."""
    return [
        issue(
            "business-rule",
            f"{'URGENT ' if a.urgent else ''}safety alert {a.id} ({a.level}): {a.title}. "
            f"{a.message}",
            severity="fatal" if a.level == "absolute" else "error",
        )
        for a in determination.alerts
        if a.reviewed_by is None
    ]


def _not_met(determination: Determination) -> ApiError:
    unmet = unmet_criteria(determination)
    extra = _alert_issues(determination)
    extra += [issue("business-rule", f"criterion {c.id} not met: {c.explanation}") for c in unmet]
    extra += [
        issue("incomplete", f"{gap.criterion_id}: {gap.action}", severity="warning")
        for gap in determination.gaps
    ]
    if determination.status in ("safety_hold", "clinician_review"):
        first = determination.alerts[0]
        lead = (
            f"{'URGENT: ' if first.urgent else ''}{determination.status} for policy "
            f"{determination.policy.id}: {first.title}; no letter to submit "
            "(force=true renders a draft marked not for submission)"
        )
    else:
        lead = (
            f"the chart does not meet policy {determination.policy.id} "
            f"({determination.status}); close the gaps listed, or pass force=true to render anyway"
        )
    return ApiError(422, "business-rule", lead, extra=extra)


def ambiguous_error(exc: AmbiguousPolicyError) -> ApiError:
    """409: several policies fit where one is needed; one information issue per candidate."""
    return ApiError(
        409,
        "multiple-matches",
        str(exc).replace("--payer POLICY_ID (HTTP: payer=POLICY_ID)", "payer=POLICY_ID"),
        expression=["http.payer"],
        extra=[
            issue("multiple-matches", f"candidate policy {line}", severity="information")
            for line in exc.details
        ],
    )


def _api_error(exc: PriorAuthError, call: Call) -> ApiError:
    if isinstance(exc, BudgetExceededError):
        log.warning("request_id=%s chart over budget: %s", call.request_id, exc)
        return ApiError(422, "too-costly", str(exc), expression=["Bundle"])
    if isinstance(exc, ChartError):
        return ApiError(422, "invalid", exc.message, expression=[fhir_path(exc.location)])
    if isinstance(exc, ReviewError):
        return ApiError(400, "invalid", str(exc), expression=["http.reviewed"])
    if isinstance(exc, UnknownAttestationError):
        return ApiError(400, "invalid", str(exc), expression=["http.attest"])
    if isinstance(exc, AmbiguousPolicyError):
        return ambiguous_error(exc)
    if isinstance(exc, PayerNotOnChartError):
        return ApiError(400, "business-rule", str(exc), expression=["http.payer"])
    if isinstance(exc, UnknownPayerError):  # a known payer, but no policy applies
        where = "Bundle.entry.resource.ofType(Coverage)" if call.payer == "auto" else "http.as_of"
        return ApiError(422, "not-found", str(exc), expression=[where])
    if isinstance(exc, RenderError):
        log.error("request_id=%s render failed: %s", call.request_id, describe_exception(exc))
        return ApiError(500, "exception", f"the letter could not be rendered: {exc}")
    return ApiError(422, "processing", str(exc))
