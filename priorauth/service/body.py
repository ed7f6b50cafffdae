"""Reading a request body safely: content type, size limit while streaming, JSON, depth.

Nothing here trusts the client: ``Content-Length`` is checked first (413 before reading a byte),
then the body is read chunk by chunk and abandoned as soon as it passes the limit, so a 5 GB
upload costs at most ``limit`` bytes of memory. JSON is parsed by orjson (which refuses nesting
deeper than 1024), then walked without recursion to enforce ``max_depth``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson

from priorauth.service.outcome import ApiError

__all__ = ["JSON_TYPES", "check_content_type", "json_depth_error", "parse_bundle", "read_body"]

JSON_TYPES = ("application/fhir+json", "application/json")


def check_content_type(content_type: str | None) -> None:
    """415 unless the media type is FHIR JSON or JSON (parameters such as charset allowed)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in JSON_TYPES:
        shown = media or "none"
        raise ApiError(
            415,
            "not-supported",
            f"Content-Type {shown!r} is not supported; "
            "send application/fhir+json or application/json",
        )


async def read_body(chunks: AsyncIterator[bytes], content_length: str | None, limit: int) -> bytes:
    """The whole body, or 413 as soon as it is known to exceed ``limit`` bytes."""
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            raise ApiError(400, "invalid", "Content-Length is not a number") from None
        if declared > limit:
            raise _too_large(limit)
    received = bytearray()
    async for chunk in chunks:
        received += chunk
        if len(received) > limit:
            raise _too_large(limit)
    return bytes(received)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413, "too-long", f"request body exceeds the limit of {limit} bytes (max_body_bytes)"
    )


def parse_bundle(body: bytes, max_depth: int) -> dict[str, Any]:
    """The body as a JSON object whose ``resourceType`` is ``Bundle`` (400 otherwise)."""
    if not body.strip():
        raise ApiError(400, "structure", "request body is empty; send a FHIR Bundle")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc) or "recursion" in str(exc):
            raise ApiError(400, "too-long", f"JSON nested deeper than {max_depth} levels") from None
        raise ApiError(400, "structure", f"request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(
            400, "structure", f"expected a FHIR Bundle (a JSON object), got a JSON {_kind(data)}"
        )
    error = json_depth_error(data, max_depth)
    if error is not None:
        raise ApiError(
            400, "too-long", f"JSON nested deeper than {max_depth} levels", expression=[error]
        )
    kind = data.get("resourceType")
    if kind != "Bundle":
        shown = f"resourceType {kind!r}" if isinstance(kind, str) else "no resourceType"
        raise ApiError(
            400,
            "structure",
            f"expected a FHIR Bundle, got {shown}",
            expression=["Bundle.resourceType"],
        )
    return data


def _kind(value: object) -> str:
    return {list: "array", str: "string", bool: "boolean"}.get(type(value), "number or null")


def json_depth_error(data: object, max_depth: int) -> str | None:
    """``None`` when ``data`` nests at most ``max_depth`` levels, else a path to the deep part.

    >>> json_depth_error({"a": [{"b": 1}]}, 3) is None
    True
    >>> json_depth_error({"a": [{"b": [1]}]}, 3)
    'Bundle.a[0].b'
    """
    level: list[object] = [data]
    for _depth in range(max_depth):
        deeper: list[object] = []
        for node in level:
            if isinstance(node, dict):
                deeper.extend(v for v in node.values() if isinstance(v, dict | list))
            elif isinstance(node, list):
                deeper.extend(v for v in node if isinstance(v, dict | list))
        if not deeper:
            return None
        level = deeper
    return _path_to_depth(data, max_depth)


def _path_to_depth(data: object, max_depth: int) -> str:
    """A path to a container at depth ``max_depth`` (only called on bad input)."""
    stack: list[tuple[object, str, int]] = [(data, "Bundle", 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > max_depth:
            return path
        items: list[tuple[str, object]]
        if isinstance(node, dict):
            items = [(f"{path}.{k}", v) for k, v in node.items()]
        elif isinstance(node, list):
            items = [(f"{path}[{i}]", v) for i, v in enumerate(node)]
        else:
            continue
        stack.extend((v, p, depth + 1) for p, v in items if isinstance(v, dict | list))
    return "Bundle"
