"""Validate one raw resource with its ``fhir.resources.R4B`` model.

R4B (4.3.0), not the package's default R5: R4B keeps R4's ``MedicationRequest.medication[x]``,
``Coverage`` and ``Claim`` shapes, so real R4 data validates. A resource nested deeper than
:data:`MAX_DEPTH` JSON levels is refused *before* the models recurse into it. A failure is
returned as :class:`Invalid`, whose message names the field path and pydantic's reason but never
the offending value.

>>> result = validate({"resourceType": "Condition", "subject": {"reference": "Patient/1"},
...                    "onsetDateTime": "2024-01-01T10:00:00"}, "Condition")
>>> result.path, result.message
('onsetDateTime', 'Value error, DateTime value string does not match spec regex.')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from priorauth.fhir._text import one_line

MAX_DEPTH = 100
"""JSON nesting levels allowed inside one resource (real resources use fewer than 20)."""

_SHORTEST_REDACTED = 3
_PATH_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}|[0-9]{1,9}")
"""A field name or list index as pydantic reports it. Anything else in a path is a key taken
from the input (an unknown field), which could be any text: it is shown as ``<key>``."""


@dataclass(frozen=True, slots=True)
class Invalid:
    """Why a resource failed validation: the first failing field path and a safe message."""

    path: str
    """Dotted pydantic path inside the resource, ``dosageInstruction.0.timing``; may be empty."""
    message: str


def validate(raw: dict[str, Any], resource_type: str) -> Any:
    """The R4B model instance for ``raw``, or :class:`Invalid`; never raises."""
    if _deeper_than(raw, MAX_DEPTH):
        return Invalid("", f"nested deeper than {MAX_DEPTH} JSON levels")
    model_class = get_fhir_model_class(resource_type)
    try:
        return model_class.model_validate(raw)
    except ValidationError as exc:
        return _invalid(exc)
    except Exception as exc:  # hostile input must become a note, not a crash
        return Invalid("", f"could not be read ({type(exc).__name__})")


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` levels of objects and arrays.

    Walks one level at a time (no recursion), so the check itself is safe at any depth.
    """
    level: list[Any] = [value]
    depth = 1
    while level:
        if depth > limit:
            return True
        below: list[Any] = []
        for container in level:
            for child in container.values() if type(container) is dict else container:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        level = below
        depth += 1
    return False


def _invalid(exc: ValidationError) -> Invalid:
    errors = exc.errors(include_url=False)
    if not errors:
        return Invalid("", "failed validation")
    first = errors[0]
    path = ".".join(
        str(part) if _PATH_PART.fullmatch(str(part)) else "<key>" for part in first["loc"]
    )
    message = _redact(first["msg"], first.get("input"))
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return Invalid(path, message)


def _redact(message: str, value: Any) -> str:
    """Make sure a pydantic message never quotes the input value, and keep it on one line."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value)
        if len(text) >= _SHORTEST_REDACTED and text in message:
            message = message.replace(text, "<value>")
    return one_line(message)
