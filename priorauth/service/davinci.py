"""HTTP routes for the Da Vinci standards (thin: parse, call priorauth.exchange, answer).

* ``GET /cds-services`` — CDS Hooks discovery (CRD order-select and order-sign services)
* ``POST /cds-services/{id}`` — a CDS Hooks request in, cards + coverage-information out
* ``POST /pas`` — a chart Bundle in, the PAS request Bundle (``Claim/$submit`` body) out
* ``GET /dtr/questionnaire/{policy_id}`` — the DTR Questionnaire of one policy

Errors are FHIR OperationOutcomes, as everywhere in the service.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from priorauth.errors import AmbiguousPolicyError, BudgetExceededError, PriorAuthError
from priorauth.service.body import check_content_type, json_depth_error, read_body
from priorauth.service.handling import Call, Handler, Result, ambiguous_error
from priorauth.service.outcome import ApiError

__all__ = ["router"]

router = APIRouter(tags=["da vinci"])
_FHIR = "application/fhir+json"


def _handler(request: Request) -> Handler:
    handler: Handler = request.app.state.handler
    return handler


@router.get("/cds-services")
def cds_discovery() -> dict[str, Any]:
    """CDS Hooks discovery: the CRD services and their prefetch templates."""
    from priorauth.exchange.crd import discovery

    return discovery()


@router.post("/cds-services/{service_id}")
async def cds_service(
    request: Request, service_id: str, payer: str = "auto", as_of: dt.date | None = None
) -> Response:
    """A CRD call (order-select / order-sign): safety cards first, then the PA card."""
    from priorauth.exchange.build import crd_for_request
    from priorauth.exchange.crd import SERVICES, request_problems

    handler = _handler(request)
    handler.authenticate(request)
    if service_id not in SERVICES:
        raise ApiError(404, "not-found", f"unknown CDS service {service_id!r}")
    check_content_type(request.headers.get("content-type"))
    body = await read_body(
        request.stream(), request.headers.get("content-length"), handler.settings.max_body_bytes
    )
    try:
        hook_request = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "structure", f"request body is not valid JSON: {exc}") from None
    if not isinstance(hook_request, dict) or hook_request.get("hook") != SERVICES[service_id]:
        raise ApiError(
            400,
            "invalid",
            f"expected a CDS Hooks {SERVICES[service_id]} request",
            expression=["hook"],
        )
    depth = json_depth_error(hook_request, handler.settings.max_json_depth)
    if depth is not None:
        raise ApiError(400, "too-long", "JSON nested too deep", expression=[depth])
    problems = request_problems(hook_request)
    if problems:
        where, message = problems[0]
        raise ApiError(400, "invalid", message, expression=[where])
    day = as_of or dt.datetime.now(dt.UTC).date()
    try:
        answer = await run_in_threadpool(
            crd_for_request,
            hook_request,
            handler.pipeline.ruleset,
            payer=payer,
            as_of=day,
            facts=handler.pipeline.facts,
        )
    except BudgetExceededError as exc:
        raise ApiError(422, "too-costly", str(exc)) from exc
    except AmbiguousPolicyError as exc:
        raise ambiguous_error(exc) from exc
    except PriorAuthError as exc:
        raise ApiError(422, "processing", str(exc)) from exc
    return Response(orjson.dumps(answer), media_type="application/json")


@router.post("/pas")
async def pas(
    request: Request,
    payer: str = "auto",
    as_of: dt.date | None = None,
    attest: Annotated[list[str] | None, Query()] = None,
    allow_uncovered_payer: bool = False,
) -> Response:
    """A chart Bundle in; the PAS request Bundle (Claim use=preauthorization) out.

    The policy is chosen as a letter's: several that fit are 409 (one issue per candidate), a
    payer not among the chart's coverages 400 unless ``allow_uncovered_payer=true``."""
    from priorauth.exchange.build import pas_for_chart

    handler = _handler(request)
    key = handler.authenticate(request)
    call = Call.start(request, key, action="pas", payer=payer, as_of=as_of, attested=attest or ())

    def work(call: Call, chart: dict[str, Any]) -> Result:
        bundle = pas_for_chart(
            chart,
            handler.pipeline.ruleset,
            payer=call.payer,
            as_of=call.as_of,
            attested=call.attested,
            allow_uncovered_payer=allow_uncovered_payer,
            facts=handler.pipeline.facts,
        )
        return Result(orjson.dumps(bundle), _FHIR)

    return await handler.run(call, request, work)


@router.get("/dtr/questionnaire/{policy_id}")
def dtr_questionnaire(request: Request, policy_id: str) -> Response:
    """The DTR Questionnaire generated from one policy's rule file."""
    from priorauth.exchange.dtr import questionnaire

    handler = _handler(request)
    handler.authenticate(request)
    policy = next((p for p in handler.pipeline.policies if p.id == policy_id), None)
    if policy is None:
        raise ApiError(404, "not-found", f"unknown policy {policy_id!r}")
    return Response(orjson.dumps(questionnaire(policy)), media_type=_FHIR)
