"""ASGI middleware: a request id, one access-log line per request, and a last-resort 500.

The log line holds the request id, the API key id, method, path (never the query string),
status and duration: nothing from the chart. An unexpected exception is logged by type and
code location only (its message could quote input), and answered with an OperationOutcome.
"""

from __future__ import annotations

import logging
import re
import time
import traceback
import uuid
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from priorauth.service.outcome import issue, operation_outcome

__all__ = ["RequestContext", "describe_exception"]

log = logging.getLogger("priorauth.service")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def describe_exception(exc: BaseException) -> str:
    """``TypeName at file.py:12 in func`` (no message: it may quote patient data)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno} in {frames[-1].name}"
    return type(exc).__name__ + (where if frames else "")


class RequestContext:
    """Give each request an id (``X-Request-ID``, echoed), log it, and catch stray exceptions."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        sent_start = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent_start
            if message["type"] == "http.response.start":
                status = message["status"]
                sent_start = True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            log.error("request_id=%s unexpected %s", request_id, describe_exception(exc))
            if not sent_start:
                await _send_500(send_with_id, request_id)
        finally:
            log.info(
                "request_id=%s key_id=%s method=%s path=%s status=%d duration_ms=%.1f",
                request_id,
                state.get("key_id", "-"),
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = bytes(value).decode("latin-1")
            if _REQUEST_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


async def _send_500(send: Send, request_id: str) -> None:
    body = orjson.dumps(
        operation_outcome(
            [issue("exception", f"internal error; quote request id {request_id} when reporting it")]
        )
    )
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/fhir+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
