"""Flatten parsed documents into a flat list of raw resources, each with its location.

Accepted shapes, found by looking at the top-level JSON value of each document:

* a ``Bundle`` of any type (collection, transaction, batch, searchset, document, history,
  ``$everything`` output); a Bundle entry that is itself a Bundle is flattened in place;
* a single resource; a JSON list of resources or Bundles; one resource per NDJSON line;
* a CDS Hooks request (resources in ``context`` and ``prefetch``) or response (``resource`` of
  each card suggestion action and system action).

Locations name where a resource sits, for notes and errors (never its content)::

    entry[5]                    entry 5 of a Bundle file
    entry[2].resource.entry[0]  entry 0 of a Bundle nested in entry 2
    $                           the whole file is one resource
    [3]                         item 3 of a JSON list
    Patient.000.ndjson:17       line 17 of an NDJSON file
    bundle.json:entry[5]        a file inside a bulk-export folder
    prefetch.coverage.entry[0]  a CDS Hooks prefetch Bundle

A broken *document* (not FHIR, wrong top-level ``resourceType``) raises ``ChartError``. A broken
*entry* (no resource object, no ``resourceType``) becomes a data-quality note and is left out,
unless ``strict`` is set, in which case it raises too. The walk is iterative, so nesting depth
never turns into Python recursion.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from priorauth.errors import ChartError
from priorauth.fhir.notes import DataQualityNote
from priorauth.fhir.reader import Document, Source
from priorauth.fhir.resource_types import FHIR_RESOURCE_TYPES

MAX_BUNDLE_NESTING = 8
"""Bundles inside Bundles deeper than this are rejected (real data nests at most 2)."""

_TYPE_NAME = re.compile(r"[A-Z][A-Za-z]{0,63}")


@dataclass(slots=True)
class RawEntry:
    """One resource as parsed, before any validation."""

    resource: dict[str, Any]
    resource_type: str
    location: str
    """Where the resource sits: ``entry[5]``, ``Patient.000.ndjson:17``, ``$``."""
    field_prefix: str
    """Prepended to a field path inside the resource: ``entry[5].resource.``."""
    full_url: str | None = None


@dataclass(slots=True)
class _Where:
    """The location of a JSON value, in the forms notes and errors need."""

    location: str
    child: str
    fields: str
    error_source: str
    error_location: str

    def sub(self, path: str) -> _Where:
        """A value at ``path`` below this one (``[3]``, ``prefetch.patient``)."""
        location = f"{self.child}{path}"
        joined = f"{self.error_location}.{path}" if self.error_location else path
        return _Where(location, f"{location}.", f"{location}.", self.error_source, joined)

    def error(self, message: str) -> ChartError:
        """A ChartError at this place."""
        return ChartError(message, source=self.error_source, location=self.error_location)


@dataclass(slots=True)
class Collected:
    """The raw resources of a chart, plus notes about entries that had to be left out."""

    entries: list[RawEntry]
    notes: list[DataQualityNote]


def collect(source: Source, *, strict: bool) -> Collected:
    """Every resource in ``source``'s documents, in input order."""
    collector = _Collector(source.name, strict=strict)
    for document in source.documents:
        collector.document(document, source.name)
    return Collected(collector.entries, collector.notes)


def _type_label(value: Any) -> str:
    """A resourceType safe to show: type names only, never arbitrary text."""
    if isinstance(value, str) and _TYPE_NAME.fullmatch(value):
        return f"'{value}'"
    return "(not a type name)"


class _Collector:
    def __init__(self, source_name: str, *, strict: bool) -> None:
        self.source_name = source_name
        self.strict = strict
        self.entries: list[RawEntry] = []
        self.notes: list[DataQualityNote] = []
        self._seen: set[int] = set()

    def own(self, resource: dict[str, Any]) -> dict[str, Any]:
        """``resource``, or a copy when the same dict object was collected before (a list or
        dict given to ``load_chart`` may hold one object twice; resources are told apart by
        identity)."""
        if id(resource) in self._seen:
            resource = copy.deepcopy(resource)
        self._seen.add(id(resource))
        return resource

    def document(self, document: Document, source_name: str) -> None:
        """Collect one parsed file (or the bytes / object given directly)."""
        error_source = f"{source_name}/{document.name}" if document.in_folder else source_name
        if document.lines is not None:
            for number, value in document.lines:
                where = _line_where(document.name, number, error_source)
                self.top(value, where, allow_list=False)
            return
        if document.in_folder:
            name = document.name
            where = _Where(name, f"{name}:", f"{name}: ", error_source, "")
        else:
            where = _Where("$", "", "", error_source, "")
        self.top(document.value, where, allow_list=True)

    def top(self, value: Any, where: _Where, *, allow_list: bool) -> None:
        """A top-level value: a resource, a Bundle, a list of them, or a CDS Hooks payload."""
        if allow_list and isinstance(value, list):
            for index, item in enumerate(value):
                self.top(item, where.sub(f"[{index}]"), allow_list=False)
        elif isinstance(value, dict) and "resourceType" not in value:
            self.envelope(value, where)
        else:
            self.resource(value, where, top=True)

    def envelope(self, value: dict[str, Any], where: _Where) -> None:
        """A JSON object with no resourceType: CDS Hooks, a bulk manifest, or not FHIR."""
        if isinstance(value.get("hook"), str) and ("prefetch" in value or "context" in value):
            self.cds_request(value, where)
        elif isinstance(value.get("cards"), list) or isinstance(value.get("systemActions"), list):
            self.cds_response(value, where)
        elif "transactionTime" in value and isinstance(value.get("output"), list):
            if where.location == "$":
                raise where.error("a bulk-data manifest, not a chart: load its folder of .ndjson")
        else:
            raise where.error("not FHIR: the JSON object has no resourceType")

    def cds_request(self, value: dict[str, Any], where: _Where) -> None:
        """Resources embedded in a CDS Hooks request's ``context`` and ``prefetch``."""
        for section in ("context", "prefetch"):
            members = value.get(section)
            if not isinstance(members, dict):
                continue
            for key, member in members.items():
                self.embedded(member, where.sub(f"{section}.{key}"))

    def cds_response(self, value: dict[str, Any], where: _Where) -> None:
        """Resources in a CDS Hooks response's suggestion actions and system actions."""
        for i, card in enumerate(_dicts(value.get("cards"))):
            for j, suggestion in enumerate(_dicts(card.get("suggestions"))):
                for k, action in enumerate(_dicts(suggestion.get("actions"))):
                    path = f"cards[{i}].suggestions[{j}].actions[{k}].resource"
                    self.embedded(action.get("resource"), where.sub(path))
        for i, action in enumerate(_dicts(value.get("systemActions"))):
            self.embedded(action.get("resource"), where.sub(f"systemActions[{i}].resource"))

    def embedded(self, value: Any, where: _Where) -> None:
        """A CDS Hooks member: a resource, a list of resources, or other data (ignored)."""
        if isinstance(value, dict) and "resourceType" in value:
            self.resource(value, where, top=False)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict) and "resourceType" in item:
                    self.resource(item, where.sub(f"[{index}]"), top=False)

    def resource(self, value: Any, where: _Where, *, top: bool) -> None:
        """Check one resource candidate, then flatten it (Bundle) or keep it."""
        resource_type = self.check(value, where, top=top)
        if resource_type == "Bundle":
            self.bundle(value, where)
        elif resource_type is not None:
            self.entries.append(
                RawEntry(self.own(value), resource_type, where.location, where.fields)
            )

    def check(self, value: Any, where: _Where, *, top: bool) -> str | None:
        """The resourceType of a usable resource; otherwise raise (top level) or note it."""
        problem = _shape_problem(value)
        if problem is None:
            resource_type: str = value["resourceType"]
            if top and resource_type == "OperationOutcome":
                raise where.error("an OperationOutcome (a server's error report), not a chart")
            return resource_type
        code, message = problem
        if top:
            raise where.error(message)
        self.note(code, f"left out: {message}", where.fields.rstrip(". :") or "$")
        return None

    def bundle(self, bundle: dict[str, Any], where: _Where) -> None:
        """Every entry of a Bundle and of the Bundles nested in it, in order, without recursion."""
        stack = [(_entries(bundle, where), where.child)]
        while stack:
            items, prefix = stack[-1]
            step = next(items, None)
            if step is None:
                stack.pop()
                continue
            index, entry = step
            location = f"{prefix}entry[{index}]"
            if not isinstance(entry, dict):
                self.note("invalid-entry", "left out: the entry is not a JSON object", location)
                continue
            resource = entry.get("resource")
            if resource is None:
                continue  # a transaction-response or delete entry: nothing to read
            inner = f"{location}.resource."
            resource_type = _plain_type(resource)
            if resource_type is None:
                entry_where = _Where(location, inner, inner, where.error_source, location)
                resource_type = self.check(resource, entry_where, top=False)
                if resource_type == "Bundle":
                    if len(stack) >= MAX_BUNDLE_NESTING:
                        nested = f"Bundles nested more than {MAX_BUNDLE_NESTING} deep"
                        raise entry_where.error(nested)
                    stack.append((_entries(resource, entry_where), inner))
                    continue
                if resource_type is None:
                    continue
            full_url = entry.get("fullUrl")
            url = full_url if isinstance(full_url, str) else None
            self.entries.append(RawEntry(self.own(resource), resource_type, location, inner, url))

    def note(self, code: str, message: str, location: str) -> None:
        """Record a left-out entry; in strict mode, raise instead."""
        if self.strict:
            raise ChartError(message, source=self.source_name, location=location)
        severity = "warning" if code == "unknown-resource-type" else "error"
        self.notes.append(
            DataQualityNote(severity=severity, code=code, message=message, location=location)
        )


def _plain_type(resource: Any) -> str | None:
    """The resourceType of an ordinary (non-Bundle) resource; ``None`` sends it to ``check``."""
    if type(resource) is dict:
        resource_type = resource.get("resourceType")
        if type(resource_type) is str and resource_type != "Bundle":
            return resource_type if resource_type in FHIR_RESOURCE_TYPES else None
    return None


def _line_where(name: str, number: int, error_source: str) -> _Where:
    location = f"{name}:{number}"
    return _Where(location, f"{location}:", f"{location}: ", error_source, f"line {number}")


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _entries(bundle: dict[str, Any], where: _Where) -> Iterator[tuple[int, Any]]:
    entries = bundle.get("entry")
    if entries is None:
        return iter(())
    if not isinstance(entries, list):
        raise where.error("Bundle.entry is not a list")
    return enumerate(entries)


def _shape_problem(value: Any) -> tuple[str, str] | None:
    """``(note code, reason)`` when ``value`` is not a FHIR resource, else ``None``."""
    if not isinstance(value, dict):
        kind = _json_kind(value)
        return "invalid-entry", f"not FHIR: expected a resource object, found a JSON {kind}"
    resource_type = value.get("resourceType")
    if resource_type is None:
        return "invalid-entry", "not FHIR: the JSON object has no resourceType"
    if not isinstance(resource_type, str) or resource_type not in FHIR_RESOURCE_TYPES:
        label = _type_label(resource_type)
        return "unknown-resource-type", f"resourceType {label} is not a FHIR R4 resource type"
    return None


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, int | float) else type(value).__name__
