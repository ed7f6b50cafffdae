"""The HTTP service: FastAPI routes over the pipeline, errors as FHIR OperationOutcome.

``create_app(settings)`` loads the payer policies once (read-only) and opens the audit store; the
app keeps no other state, so any number of instances can run behind a load balancer. Routes:

* ``POST /evaluate?payer=ID|auto|all&as_of=YYYY-MM-DD`` — a FHIR Bundle in, Determination JSON out
* ``POST /letters?payer=ID|auto&format=pdf|html|json&force=false`` — the letter (PDF by default),
  addressed to the policy's payer: 409 when several policies fit (the candidates listed), 400
  when that payer is not among the chart's coverages in force (``allow_uncovered_payer=true``)
* ``GET /payers``, ``GET /payers/{id}`` — policies and their metadata
* ``GET /healthz``; OpenAPI at ``/docs`` (Swagger UI) and ``/redoc``, served with their assets
  from the ``fastapi-offline`` package (no CDN), with an Authorize button for the API key
* ``/web/...`` — the staff pages (``priorauth.service.web``)

Every 4xx/5xx body is an OperationOutcome. Parsing, evaluation and rendering run in the thread
pool so the event loop keeps accepting requests; each audited request writes one audit row.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, FastAPI, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from priorauth.budget import ChartPool
from priorauth.determination import Determination
from priorauth.render import LetterOptions
from priorauth.service.audit import AuditStore
from priorauth.service.auth import AuthError, KeyRing
from priorauth.service.body import JSON_TYPES
from priorauth.service.config import ConfigError, Settings
from priorauth.service.context import RequestContext
from priorauth.service.davinci import router as davinci_router
from priorauth.service.docs import add_docs
from priorauth.service.handling import (
    Call,
    DeterminationList,
    Handler,
    LetterRequest,
    PatientList,
    letter_format,
)
from priorauth.service.outcome import ApiError, issue, operation_outcome
from priorauth.service.payers import PayerDetail, PayerSummary, payer_detail, payer_summaries
from priorauth.service.pipeline import Pipeline

__all__ = ["create_app"]

log = logging.getLogger("priorauth.service")
FHIR_JSON = "application/fhir+json"

PayerParam = Annotated[
    str, Query(description="A payer id, `auto` (match the chart's Coverage) or `all`.")
]
PatientParam = Annotated[
    str | None,
    Query(
        description="The patient (Patient/123 or 123) of a chart that holds several; without "
        "it /evaluate answers for every patient and /letters lists them (422).",
        max_length=200,
    ),
]
AsOfParam = Annotated[
    dt.date | None, Query(description="Evaluation date, YYYY-MM-DD [default: today, UTC].")
]
AttestParam = Annotated[
    list[str] | None,
    Query(
        description="Attestation criterion id the signer confirms (repeatable); unconfirmed "
        "attestation criteria are unknown. An id the selected policy does not have is a 400."
    ),
]
ReviewedParam = Annotated[
    list[str] | None,
    Query(
        description="A relative safety alert id (docs/safety.md) the reviewer has reviewed "
        "(repeatable); needs reviewer. An id the chart has no relative alert for is a 400."
    ),
]
ReviewerParam = Annotated[
    str | None,
    Query(description="The clinician who reviewed the reviewed alerts (name, credentials)."),
]
_BUNDLE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A FHIR R4 Bundle (the patient's chart).",
        "content": {media: {"schema": {"type": "object"}} for media in JSON_TYPES},
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {FHIR_JSON: {}}}
    for code, text in {
        400: "Not JSON, not a Bundle, nested too deep, or a bad parameter (OperationOutcome)",
        401: "Missing or malformed bearer token",
        403: "Unknown or revoked API key",
        404: "Unknown payer",
        409: "Several policies fit (payer=auto or a payer id): the candidates are listed; choose "
        "one with payer=POLICY_ID",
        413: "Request body over the configured limit",
        415: "Content-Type is not application/fhir+json or application/json",
        422: "The Bundle is not a usable chart, needs more work than the chart budget, or no "
        "policy applies",
    }.items()
}


def _app_version() -> str:
    try:
        return version("priorauth")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def _start_watching(app: FastAPI, settings: Settings) -> asyncio.Task[None] | None:
    """The watched folder's loop (``watch_dir``), when one is configured."""
    if settings.watch_dir is None:
        return None
    from priorauth.service.web.watch import watch_folder

    return asyncio.create_task(
        watch_folder(app.state.web, settings.watch_dir, settings.watch_seconds)
    )


def create_app(
    settings: Settings, *, pipeline: Pipeline | None = None, audit: AuditStore | None = None
) -> FastAPI:
    """The FastAPI application; raises :class:`ConfigError` when it cannot serve safely."""
    if settings.auth and not any(not key.revoked for key in settings.keys):
        raise ConfigError(
            "no API keys configured: set PRIORAUTH_API_KEYS=keyid:sha256hex (make one with "
            "`priorauth serve --hash-key ID`) or set auth = false for local use"
        )
    # The PDF stack loads with the app, not inside the first /letters request (a worker thread
    # importing it would hold the GIL for long stretches and stall the event loop).
    importlib.import_module("priorauth.render.pdf")
    pool = None
    if pipeline is None and settings.chart_budget_seconds > 0:
        # load + facts in child processes, so a chart over budget is cut off there (issue 15)
        pool = ChartPool(settings.work_threads, settings.chart_budget_seconds)
    handler = Handler(
        settings=settings,
        pipeline=pipeline
        or Pipeline(settings.rules_dir, facts=pool.facts if pool else None, refuse_absurd=True),
        audit=audit or AuditStore(settings.audit_url),
        keys=KeyRing(settings.keys),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if pool is not None:
            pool.start()  # the children warm up while the server starts accepting requests
        watcher = _start_watching(_app, settings)
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
            if pool is not None:
                pool.close()
            handler.audit.close()

    app = FastAPI(
        title="priorauth",
        docs_url=None,
        redoc_url=None,
        version=_app_version(),
        summary="TMS prior-authorization determinations and letters from FHIR R4 charts.",
        lifespan=lifespan,
    )
    app.state.handler = handler
    add_docs(app)
    _add_error_handlers(app)
    _add_routes(app, handler)
    app.include_router(davinci_router)
    from priorauth.service.web.routes import add_web  # the pages load with the app only

    add_web(app, handler)
    app.add_middleware(RequestContext)
    return app


_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key made by `priorauth serve --hash-key ID` (the token KEY_ID.SECRET).",
)


def _key_id(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)],
) -> str:
    """Dependency: the caller's API key id (401/403 otherwise); declares the bearer scheme."""
    handler: Handler = request.app.state.handler
    return handler.authenticate(request)


KeyId = Annotated[str, Depends(_key_id)]


def _add_routes(app: FastAPI, handler: Handler) -> None:
    @app.get("/", include_in_schema=False)
    def home() -> Response:
        """The staff pages."""
        return RedirectResponse("/web/", status_code=303)

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, Any]:
        """Liveness: the policies are loaded."""
        return {"status": "ok", "policies": len(handler.pipeline.policies)}

    @app.get("/payers", tags=["payers"])
    def payers(_key: KeyId) -> list[PayerSummary]:
        """Every payer with its policies (id, version, effective dates, content hash)."""
        return payer_summaries(handler.pipeline)

    @app.get("/payers/{payer_id}", tags=["payers"], responses=_ERRORS)
    def payer(payer_id: str, _key: KeyId) -> PayerDetail:
        """One payer's policies in full (criteria, quotes, sources)."""
        return payer_detail(handler.pipeline, payer_id)

    @app.post(
        "/evaluate",
        tags=["evaluate"],
        openapi_extra=_BUNDLE_BODY,
        responses={
            200: {
                "model": Determination | DeterminationList | PatientList,
                "description": "The Determination (a DeterminationList for payer=all, and for "
                "payer=auto when several policies fit; a PatientList, one item per patient, for "
                "a chart of several patients and no patient=)",
            },
            **_ERRORS,
        },
    )
    async def evaluate(
        request: Request,
        key: KeyId,
        payer: PayerParam = "auto",
        as_of: AsOfParam = None,
        attest: AttestParam = None,
        reviewed: ReviewedParam = None,
        reviewer: ReviewerParam = None,
        patient: PatientParam = None,
    ) -> Response:
        """Evaluate the chart against the payer's policy; returns the Determination JSON.

        Safety alerts come first in it (``status``, then ``alerts``): see docs/safety.md.
        """
        call = Call.start(
            request,
            key,
            action="evaluate",
            payer=payer,
            as_of=as_of,
            attested=attest or (),
            reviewed=reviewed or (),
            reviewer=reviewer,
            patient=patient,
        )
        return await handler.run(call, request, handler.evaluate)

    @app.post(
        "/letters",
        tags=["letters"],
        openapi_extra=_BUNDLE_BODY,
        responses={
            200: {
                "description": "The letter",
                "content": {"application/pdf": {}, "text/html": {}, "application/json": {}},
            },
            406: {"description": "No acceptable letter format"},
            **_ERRORS,
        },
    )
    async def letters(
        request: Request,
        key: KeyId,
        payer: PayerParam = "auto",
        as_of: AsOfParam = None,
        format: Annotated[
            Literal["pdf", "html", "json"] | None,
            Query(description="Overrides the Accept header [default: pdf]."),
        ] = None,
        force: Annotated[
            bool, Query(description="Render even when the policy is not met.")
        ] = False,
        kind: Annotated[Literal["initial", "continuation"], Query()] = "initial",
        allow_uncovered_payer: Annotated[
            bool,
            Query(
                description="Write the letter even though the policy's payer is not one of the "
                "chart's coverages in force (it is still addressed to the policy's payer)."
            ),
        ] = False,
        attest: AttestParam = None,
        reviewed: ReviewedParam = None,
        reviewer: ReviewerParam = None,
        patient: PatientParam = None,
    ) -> Response:
        """Render the letter of medical necessity; 422 listing safety alerts first, then the
        unmet criteria and gaps, when it is not ready to submit."""
        fmt = letter_format(format, request.headers.get("accept"))
        call = Call.start(
            request,
            key,
            action="letter",
            payer=payer,
            as_of=as_of,
            attested=attest or (),
            reviewed=reviewed or (),
            reviewer=reviewer,
            patient=patient,
        )
        spec = LetterRequest(fmt, force, LetterOptions(kind=kind), allow_uncovered_payer)
        return await handler.run(call, request, lambda c, b: handler.letter(c, b, spec))


def _outcome_response(
    status: int, outcome: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(outcome), status_code=status, media_type=FHIR_JSON, headers=headers
    )


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)  # noqa: S101 - registered for ApiError only
        return _outcome_response(exc.status, exc.outcome(), exc.headers)

    @app.exception_handler(AuthError)
    async def auth_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AuthError)  # noqa: S101
        code = {401: "login", 429: "throttled"}.get(exc.status, "forbidden")
        headers = {"WWW-Authenticate": 'Bearer realm="priorauth"'} if exc.status == 401 else None
        return _outcome_response(exc.status, operation_outcome([issue(code, exc.message)]), headers)

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # noqa: S101
        issues = [_parameter_issue(error) for error in exc.errors()]
        return _outcome_response(400, operation_outcome(issues))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101
        code = {404: "not-found", 405: "not-supported"}.get(exc.status_code, "processing")
        outcome = operation_outcome([issue(code, str(exc.detail))])
        return _outcome_response(exc.status_code, outcome, dict(exc.headers or {}))


def _parameter_issue(error: Any) -> dict[str, Any]:
    loc = [str(part) for part in error.get("loc", ())]
    name = loc[-1] if loc else "request"
    where = f"query parameter {name!r}" if loc[:1] == ["query"] else ".".join(loc) or "request"
    return issue(
        "invalid", f"{where}: {error.get('msg', 'invalid value')}", expression=[f"http.{name}"]
    )
