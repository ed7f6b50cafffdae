"""The shared state behind a ResourceIndex and its per-patient views.

A :class:`Store` holds every raw resource of one chart in a :class:`Slot`, the lookup tables
references resolve through (``fullUrl``, ``Type/id``, identifiers), and the validation cache:
a slot is validated the first time someone asks for it, and the model (or the reason it is
invalid) is kept for every later request, from any view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from priorauth.errors import ChartError
from priorauth.fhir.entries import RawEntry
from priorauth.fhir.notes import DataQualityNote
from priorauth.fhir.ranges import findings
from priorauth.fhir.references import type_and_id
from priorauth.fhir.resource_types import VALIDATED_TYPES
from priorauth.fhir.validation import Invalid, validate

_SAFE_ID = re.compile(r"[A-Za-z0-9\-.]{1,256}")
"""FHIR id characters (the 64-character limit relaxed: vendor ids run longer). Anything else is
not shown in notes, since it could be any text."""

Owner = tuple["Slot", str | None]
"""The slot a Python object belongs to, and the contained id when it is a contained resource."""


@dataclass(slots=True, eq=False)
class Slot:
    """One top-level resource of the chart and its lazily validated model."""

    entry: RawEntry
    position: int
    model: Any = None
    note: DataQualityNote | None = None
    checked: bool = False
    ranges: tuple[DataQualityNote, ...] | None = None
    """Values out of bounds (:mod:`priorauth.fhir.ranges`), found once (at the latest when
    the slot is validated), reported with a valid model."""

    @property
    def ref(self) -> str:
        """``Type/id``, or the location when the resource has no id."""
        resource_id = self.entry.resource.get("id")
        if is_safe_id(resource_id):
            return f"{self.entry.resource_type}/{resource_id}"
        return self.entry.location


def is_safe_id(value: Any) -> bool:
    """Whether ``value`` is made of FHIR id characters, and so may be shown in notes.

    >>> is_safe_id("abc-1.2"), is_safe_id("Jane Doe"), is_safe_id(None)
    (True, False, False)
    """
    return isinstance(value, str) and _SAFE_ID.fullmatch(value) is not None


def field_location(prefix: str, path: str) -> str:
    """Join a resource's field prefix and a field path: ``entry[7].resource.status``.

    >>> field_location("entry[7].resource.", "status"), field_location("entry[7].resource.", "")
    ('entry[7].resource.status', 'entry[7].resource')
    >>> field_location("Patient.000.ndjson:3: ", "birthDate"), field_location("", "")
    ('Patient.000.ndjson:3: birthDate', '$')
    """
    if path:
        return prefix + path
    return prefix.rstrip(". :") or "$"


class Store:
    """Every resource of one chart, its lookups, and the validation cache."""

    def __init__(
        self, entries: list[RawEntry], *, source: str, strict: bool, refuse_absurd: bool = False
    ) -> None:
        self.source = source
        self.strict = strict
        self.refuse_absurd = refuse_absurd or strict
        self.slots = [Slot(entry, position) for position, entry in enumerate(entries)]
        self.by_full_url: dict[str, Slot] = {}
        self.by_type_id: dict[tuple[str, str], Slot] = {}
        self.owners: dict[int, Owner] = {}
        self.contained: dict[int, tuple[Any, DataQualityNote | None]] = {}
        self.notes: list[DataQualityNote] = []
        self._identifiers: dict[str, list[tuple[str | None, Slot]]] | None = None
        for slot in self.slots:
            self._register(slot)
        for slot in self.slots:  # "Encounter/9" also finds fullUrl "https://x/Encounter/9"
            url = slot.entry.full_url
            key = type_and_id(url) if url and "/" in url else None  # urn:uuid:… holds no Type/id
            if key is not None and key[0] == slot.entry.resource_type:
                self.by_type_id.setdefault(key, slot)

    def _register(self, slot: Slot) -> None:
        resource = slot.entry.resource
        self.owners[id(resource)] = (slot, None)
        if slot.entry.full_url is not None:
            self.by_full_url.setdefault(slot.entry.full_url, slot)
        resource_id = resource.get("id")
        if isinstance(resource_id, str):
            self._register_id(slot, (slot.entry.resource_type, resource_id))
        contained = resource.get("contained")
        if isinstance(contained, list):
            for item in contained:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    self.owners[id(item)] = (slot, item["id"])

    def _register_id(self, slot: Slot, key: tuple[str, str]) -> None:
        first = self.by_type_id.setdefault(key, slot)
        if first is not slot:
            self.notes.append(
                DataQualityNote(
                    code="duplicate-resource",
                    message=f"{slot.ref} appears again; references use the first, at "
                    f"{first.entry.location}",
                    resource=slot.ref,
                    location=slot.entry.location,
                )
            )

    def identifiers(self) -> dict[str, list[tuple[str | None, Slot]]]:
        """Identifier value → ``[(system, slot)]`` over the whole chart, built on first use."""
        if self._identifiers is None:
            table: dict[str, list[tuple[str | None, Slot]]] = {}
            for slot in self.slots:
                for system, value in _identifiers_of(slot.entry.resource):
                    table.setdefault(value, []).append((system, slot))
            self._identifiers = table
        return self._identifiers

    def model(self, slot: Slot) -> Any:
        """The validated model of ``slot``, or ``None`` if it is invalid (see ``slot.note``)."""
        if not slot.checked:
            self._check(slot)
        return slot.model

    def _check(self, slot: Slot) -> None:
        entry = slot.entry
        result = validate(entry.resource, entry.resource_type)
        slot.checked = True
        if isinstance(result, Invalid):
            slot.note = self.invalid(result, slot.ref, entry.field_prefix)
            return
        slot.model = result
        if slot.ranges is None:
            slot.ranges = self.range_notes(slot)
        self.owners[id(result)] = (slot, None)
        for item in getattr(result, "contained", None) or ():
            item_id = getattr(item, "id", None)
            if isinstance(item_id, str):
                self.owners[id(item)] = (slot, item_id)

    def contained_model(
        self, raw: dict[str, Any], owner: Owner | None, prefix: str
    ) -> tuple[Any, DataQualityNote | None]:
        """A contained resource validated on its own, cached: ``(model, None)`` or ``(None, note)``.

        Used when resolving ``#id`` from a raw container (Synthea puts Coverage inside
        ExplanationOfBenefit.contained), so the container itself need not be validated.
        """
        cached = self.contained.get(id(raw))
        if cached is not None:
            return cached
        result = validate(raw, raw["resourceType"])
        base = owner[0].ref if owner is not None else "(outside the chart)"
        ref = f"{base}#{owner[1] if owner is not None and is_safe_id(owner[1]) else '…'}"
        if isinstance(result, Invalid):
            outcome: tuple[Any, DataQualityNote | None] = (None, self.invalid(result, ref, prefix))
        else:
            outcome = (result, None)
        if owner is not None:  # cache only what belongs to the chart (raw stays alive with it)
            if outcome[0] is not None:
                self.owners[id(result)] = owner
            self.contained[id(raw)] = outcome
        return outcome

    def invalid(self, problem: Invalid, ref: str, prefix: str) -> DataQualityNote:
        """The note for an invalid resource; in strict mode, a ChartError instead."""
        where = field_location(prefix, problem.path)
        if self.strict:
            message = f"{ref} is not valid FHIR R4: {problem.message}"
            raise ChartError(message, source=self.source, location=where)
        return DataQualityNote(
            severity="error",
            code="invalid-resource",
            message=f"{ref} is not valid FHIR R4 and was left out: {problem.message}",
            resource=ref,
            location=f"{where}: {problem.message}",
        )

    def range_notes(self, slot: Slot) -> tuple[DataQualityNote, ...]:
        """The notes of ``slot``'s values out of bounds; with ``refuse_absurd``, a ChartError
        for the first absurd one (a code of 80,000 characters, a 48 KB run of digits)."""
        notes = []
        for finding in findings(slot.entry.resource):
            where = field_location(slot.entry.field_prefix, finding.path)
            if finding.absurd and self.refuse_absurd:
                raise ChartError(
                    f"{slot.ref}: {finding.message}", source=self.source, location=where
                )
            notes.append(
                DataQualityNote(
                    severity="error" if finding.absurd else "warning",
                    code=finding.code,
                    message=f"{slot.ref}: {finding.path}: {finding.message}",
                    resource=slot.ref,
                    location=where,
                )
            )
        return tuple(notes)

    def refuse_absurd_values(self) -> None:
        """Raise ChartError for the first absurd value of any resource priorauth reads."""
        for slot in self.slots:
            if slot.entry.resource_type in VALIDATED_TYPES and slot.ranges is None:
                slot.ranges = self.range_notes(slot)

    def validate_all(self) -> None:
        """Validate every resource of a validated type now (strict mode raises on the first)."""
        for slot in self.slots:
            if slot.entry.resource_type in VALIDATED_TYPES:
                self.model(slot)


def _identifiers_of(resource: dict[str, Any]) -> list[tuple[str | None, str]]:
    identifiers = resource.get("identifier")
    if isinstance(identifiers, dict):
        identifiers = [identifiers]
    if not isinstance(identifiers, list):
        return []
    pairs: list[tuple[str | None, str]] = []
    for identifier in identifiers:
        if isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
            system = identifier.get("system")
            pairs.append((system if isinstance(system, str) else None, identifier["value"]))
    return pairs
