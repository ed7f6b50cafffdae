"""Problems found in rule files, and the translation of pydantic errors into them.

A :class:`Problem` names the file, the 1-based line, the field (a dotted path such as
``criteria.all.1.antidepressant_trials.min_weeks``), what is wrong and a hint (``did you mean
'min_weeks'?``). It prints as ``path:line: field: message (hint)``.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from priorauth.errors import RuleFileError
from priorauth.rules.yamlio import LineMap

__all__ = ["Problem", "fields_at", "problems_from_validation"]

_HINTS = {
    "sources": "add the URL of the payer's policy page",
    "effective": "add effective: {from: YYYY-MM-DD, until: null}",
    "last_reviewed": "add the date you last checked the policy against its source, YYYY-MM-DD",
    "quote": "quote the policy sentence this criterion encodes",
    "version": 'quote it if it is not a whole number, e.g. version: "2025.1"',
}


_GROUP_TAGS = ("all", "any", "at_least")


class Problem(BaseModel):
    """One thing wrong (or worth a look) in one rule or test file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    line: int | None = None
    field: str = ""
    message: str
    hint: str = ""
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line is not None else "")
        text = f"{where}: {self.field + ': ' if self.field else ''}{self.message}"
        if self.severity == "warning":
            text = f"{where}: warning: {text[len(where) + 2 :]}"
        return text + (f" ({self.hint})" if self.hint else "")

    def to_error(self) -> RuleFileError:
        """This problem as the exception the loader raises."""
        return RuleFileError(
            self.message, path=self.path, line=self.line, field=self.field, hint=self.hint
        )


def problems_from_validation(
    exc: ValidationError, *, path: str, lines: LineMap, model: type[BaseModel], prefix: str = ""
) -> list[Problem]:
    """One problem per pydantic error, with line, field and a hint."""
    return [_problem(err, path, lines, model, prefix) for err in _useful(exc.errors())]


def _useful(errors: list[ErrorDetails]) -> Iterator[ErrorDetails]:
    """Drop errors implied by others (e.g. the 'too short' that follows a failed item)."""
    for err in errors:
        if err["type"] == "too_short" and "after validation" in err["msg"]:
            continue
        yield err


def _problem(
    err: ErrorDetails, path: str, lines: LineMap, model: type[BaseModel], prefix: str
) -> Problem:
    loc = tuple(err["loc"])
    message, hint, field_loc = _explain(err, loc, model, lines)
    field_name = ".".join(str(part) for part in _without_group_tags(field_loc))
    return Problem(
        path=path,
        line=lines.line_for(field_loc),
        field=f"{prefix}{field_name}" if field_name else prefix.rstrip("."),
        message=message,
        hint=hint,
    )


def _without_group_tags(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """``criteria.all.all.1`` -> ``criteria.all.1``: drop the union tag pydantic adds for groups."""
    return tuple(
        part
        for i, part in enumerate(loc)
        if not (part in _GROUP_TAGS and i + 1 < len(loc) and loc[i + 1] == part)
    )


def _explain(
    err: ErrorDetails, loc: tuple[str | int, ...], model: type[BaseModel], lines: LineMap
) -> tuple[str, str, tuple[str | int, ...]]:
    kind = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    last = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        return "unknown key", _did_you_mean(last, fields_at(model, loc[:-1])), loc
    if kind == "missing":
        return "required key is missing", _HINTS.get(last, ""), loc
    if kind == "union_tag_invalid":
        tags = re.findall(r"'([^']+)'", str(ctx.get("expected_tags", "")))
        tag = str(ctx.get("tag", ""))
        hint = _did_you_mean(tag, tags) or "kinds: " + ", ".join(tags)
        return f"unknown criterion kind '{tag}'", hint, (*loc, "kind")
    if kind == "union_tag_not_found":
        return "a criterion needs a 'kind'", "or write a group: all, any or at_least", loc
    if kind in ("literal_error", "enum"):
        options = re.findall(r"'([^']+)'", str(ctx.get("expected", "")))
        value = str(err.get("input", ""))
        return _strip(err["msg"]), _did_you_mean(value, options), loc
    hint = "" if kind == "value_error" else _HINTS.get(last, "")
    return _strip(err["msg"]), hint, loc


def _strip(message: str) -> str:
    return message.removeprefix("Value error, ")


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else ""


def fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys allowed at ``loc`` inside ``model`` (following union tags and list indexes)."""
    current: Any = model
    for segment in loc:
        current = _step(current, segment)
        if current is None:
            return []
    return _keys(current)


def _keys(tp: Any) -> list[str]:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [info.alias or name for name, info in tp.model_fields.items()]
    return []


def _step(tp: Any, segment: str | int) -> Any:
    """The type reached from ``tp`` by one location segment."""
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _field_type(tp, segment)
    origin = typing.get_origin(tp)
    if origin is tuple and isinstance(segment, int):
        return typing.get_args(tp)[0]
    if origin in (typing.Union, types.UnionType):
        return _member_for_tag(typing.get_args(tp), segment)
    return None


def _field_type(model: type[BaseModel], segment: str | int) -> Any:
    for name, info in model.model_fields.items():
        if segment in (name, info.alias):
            return info.annotation
    return None


def _member_for_tag(members: tuple[Any, ...], segment: str | int) -> Any:
    for raw in members:
        tags = {getattr(meta, "tag", None) for meta in getattr(raw, "__metadata__", ())}
        member = _unwrap(raw)
        if segment in tags:
            return member
        if isinstance(member, type) and issubclass(member, BaseModel):
            if segment in member.model_fields:
                return _field_type(member, segment)
    return None


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``None`` from a type."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return tp
