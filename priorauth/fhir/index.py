"""ResourceIndex: a loaded chart, its resources by type, and reference resolution.

Resources are stored raw and validated with the R4B models the first time they are asked for;
an invalid one becomes a data-quality note and is left out, the rest of the chart stays usable.

>>> from priorauth.fhir import load_chart
>>> index = load_chart({"resourceType": "Bundle", "type": "collection", "entry": [
...     {"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient", "id": "p1"}},
...     {"resource": {"resourceType": "Condition", "id": "c1",
...                   "subject": {"reference": "urn:uuid:p1"}}},
...     {"resource": {"resourceType": "Claim", "id": "x"}}]})
>>> index.count(), index.skipped, index.patients()
(3, {'Claim': 1}, ['Patient/p1'])
>>> condition = index.resources("Condition")[0]
>>> index.ref_of(condition), index.location_of(condition)
('Condition/c1', 'entry[1]')
>>> index.ref_of(index.resolve(condition.subject, context=condition))
'Patient/p1'
>>> index.resolve("Practitioner/gone", context=condition) is None, index.notes[0].code
(True, 'dangling-reference')
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from priorauth.errors import ChartError
from priorauth.fhir.datatypes import Concept, concept, field
from priorauth.fhir.notes import DataQualityNote
from priorauth.fhir.references import (
    Identifier,
    conditional,
    describe,
    reference_parts,
    token,
    type_and_id,
    without_history,
)
from priorauth.fhir.resource_types import VALIDATED_TYPES
from priorauth.fhir.store import Owner, Slot, Store, is_safe_id

Where = Callable[[dict[str, Any]], bool]
CodeTest = Callable[[Concept], bool]


class _Missing(enum.Enum):
    """Marks "no such resource" apart from ``None`` ("found, but invalid")."""

    NOT_FOUND = enum.auto()


_NOT_FOUND = _Missing.NOT_FOUND
_PATIENT_FIELDS = ("subject", "patient", "beneficiary")


class ResourceIndex:
    """The resources of one chart, by type, with lazy validation and reference resolution.

    Build one with :func:`priorauth.fhir.load_chart`. ``notes`` collects what loading,
    validation and resolution found unusable; it grows as resources are first touched.
    """

    source: str
    """File name, ``"<bytes>"`` or ``"<json>"``; never derived from the chart's content."""
    skipped: dict[str, int]
    """Resource types present but not validated (priorauth does not read them), with counts."""
    notes: list[DataQualityNote]

    def __init__(self, store: Store, slots: list[Slot], notes: list[DataQualityNote]) -> None:
        """Internal: use ``load_chart`` (or ``for_patient`` for a per-patient view)."""
        self.source = store.source
        self.notes = notes
        self._store = store
        self._slots = slots
        self._members = None if slots is store.slots else {id(slot) for slot in slots}
        self._by_type: dict[str, list[Slot]] = {}
        for slot in slots:
            self._by_type.setdefault(slot.entry.resource_type, []).append(slot)
        self.skipped = {
            name: len(group) for name, group in self._by_type.items() if name not in VALIDATED_TYPES
        }
        self._reported: set[int] = set()
        self._code_cache: dict[str, list[tuple[Slot, Concept]]] = {}
        self._dangling: set[tuple[str | None, str | None, Identifier | None]] = set()
        self._wrong_type: set[tuple[str | None, str | None, str]] = set()

    def __repr__(self) -> str:
        return f"<ResourceIndex {self.source}: {self.count()} resources>"

    # -- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        """How many resources were loaded (all types, validated or not)."""
        return len(self._slots)

    def raw(self, resource_type: str) -> list[dict[str, Any]]:
        """The raw JSON dicts of one type, in input order (treat them as read-only)."""
        return [slot.entry.resource for slot in self._by_type.get(resource_type, ())]

    def resources(
        self, resource_type: str, where: Where | None = None, *, code: CodeTest | None = None
    ) -> list[Any]:
        """Validated R4B models of one type, in input order; invalid ones are left out (noted).

        ``where`` is a cheap test on the *raw* dict, run before validation, so resources the
        caller does not need are never validated::

            index.resources("Observation", where=lambda raw: "44261-6" in str(raw.get("code")))

        ``code`` is a test on the resource's ``code`` element, frozen into a
        :class:`~priorauth.fhir.datatypes.Concept`. The index freezes each resource's code once
        and runs the test once per distinct code, so the extractors that each look for their
        own codes among hundreds of Observations share the work (a chart repeats a few dozen
        codes). With both, a resource must pass both.

        Raises ``ValueError`` for a type priorauth does not validate (see ``VALIDATED_TYPES``);
        read those with :meth:`raw`.
        """
        if resource_type not in VALIDATED_TYPES:
            raise ValueError(f"{resource_type} is not validated by priorauth; use raw()")
        slots: list[Slot] | tuple[Slot, ...] = self._by_type.get(resource_type, ())
        if code is not None:
            verdicts: dict[Concept, bool] = {}
            chosen = []
            for slot, key in self._codes(resource_type):
                verdict = verdicts.get(key)
                if verdict is None:
                    verdict = verdicts[key] = code(key)
                if verdict:
                    chosen.append(slot)
            slots = chosen
        models = []
        for slot in slots:
            if where is None or where(slot.entry.resource):
                model = self._model(slot)
                if model is not None:
                    models.append(model)
        return models

    def _codes(self, resource_type: str) -> list[tuple[Slot, Concept]]:
        """Each resource of a type with its frozen ``code``, computed once per index."""
        found = self._code_cache.get(resource_type)
        if found is None:
            slots = self._by_type.get(resource_type, ())
            found = [(slot, concept(slot.entry.resource.get("code"))) for slot in slots]
            self._code_cache[resource_type] = found
        return found

    def _model(self, slot: Slot) -> Any:
        model = self._store.model(slot)
        if model is None and slot.note is not None:
            self._report(slot.note)
        if model is not None and slot.ranges:
            for note in slot.ranges:
                self._report(note)
        return model

    def _report(self, note: DataQualityNote) -> None:
        if id(note) not in self._reported:
            self._reported.add(id(note))
            self.notes.append(note)

    # -- identity -----------------------------------------------------------------------------

    def ref_of(self, resource: Any) -> str:
        """``MedicationRequest/abc``; ``MedicationRequest/abc#med1`` for a contained resource;
        the location (``entry[5]``) for a resource without an id.

        Works on models and raw dicts from this index. Raises ``ValueError`` for an object that
        is neither from this chart nor carries a ``resourceType`` and ``id``.
        """
        owner = self._store.owners.get(id(resource))
        if owner is not None:
            slot, contained_id = owner
            if contained_id is None:
                return slot.ref
            return f"{slot.ref}#{contained_id if is_safe_id(contained_id) else '…'}"
        resource_type = (
            resource.get("resourceType")
            if isinstance(resource, dict)
            else getattr(resource, "__resource_type__", None)
        )
        resource_id = field(resource, "id")
        if isinstance(resource_type, str) and isinstance(resource_id, str):
            return f"{resource_type}/{resource_id}"
        raise ValueError("not a resource of this chart")

    def _ref_or_none(self, resource: Any) -> str | None:
        if resource is None:
            return None
        try:
            return self.ref_of(resource)
        except ValueError:
            return None

    def location_of(self, resource: Any) -> str:
        """Where a resource sits in the input: ``entry[5]``, ``MedicationRequest.000.ndjson:17``.

        A contained resource gives its container's location. Raises ``ValueError`` for an
        object that did not come from this chart.
        """
        owner = self._store.owners.get(id(resource))
        if owner is None:
            raise ValueError("not a resource of this chart")
        return owner[0].entry.location

    # -- patients -----------------------------------------------------------------------------

    def patients(self) -> list[str]:
        """References of the Patient resources present: ``["Patient/123"]``."""
        return [slot.ref for slot in self._by_type.get("Patient", ())]

    def for_patient(self, patient_ref: str) -> ResourceIndex:
        """A view holding one patient's resources plus the shared ones.

        A resource belongs to the patient its ``subject``, ``patient`` or ``beneficiary``
        reference resolves to; one naming no patient (Organization, Practitioner, Medication,
        Location, a Group-subject Observation) is shared and kept in every view. A resource
        whose patient reference cannot be resolved is left out of every view. The view shares
        validated models with this index but keeps its own ``notes``.
        """
        target = self._patient_slot(patient_ref)
        if target is None:
            raise ChartError(f"no {describe(patient_ref)} in this chart", source=self.source)
        members = [slot for slot in self._slots if self._belongs(slot, target)]
        view_refs = {slot.ref for slot in members}
        notes = [n for n in self._store.notes if n.resource is None or n.resource in view_refs]
        return ResourceIndex(self._store, members, notes)

    def raw_resources(self) -> list[dict[str, Any]]:
        """The raw JSON dicts of every resource in this view, in input order (read-only)."""
        return [slot.entry.resource for slot in self._slots]

    def find_raw(self, ref: str) -> dict[str, Any] | None:
        """The raw JSON of the top-level resource ``Type/id`` in this view, or None."""
        resource_type, _, resource_id = ref.partition("/")
        for resource in self.raw(resource_type):
            if resource.get("id") == resource_id:
                return resource
        return None

    def _patient_slot(self, patient_ref: str) -> Slot | None:
        for slot in self._by_type.get("Patient", ()):
            if patient_ref in (slot.ref, slot.entry.full_url):
                return slot
        found = self._lookup(patient_ref)
        return found if found is not None and found.entry.resource_type == "Patient" else None

    def _belongs(self, slot: Slot, target: Slot) -> bool:
        if slot.entry.resource_type == "Patient":
            return slot is target
        reference = _patient_reference(slot.entry.resource)
        if reference is None:
            return True
        text, identifier, ref_type = reference_parts(reference)
        owner = self._lookup(text) if text is not None else None
        if owner is None and identifier is not None:
            owner = self._by_identifier(identifier, ref_type or "Patient")
        if owner is not None:
            return owner is target or owner.entry.resource_type != "Patient"
        parsed = type_and_id(text) if text is not None else None
        return parsed is not None and parsed[0] != "Patient"

    # -- references ---------------------------------------------------------------------------

    def resolve(
        self, reference: Any, *, context: Any | None = None, expect: str | None = None
    ) -> Any | None:
        """The resource a reference points to, or ``None``.

        ``reference`` is an R4B Reference, its raw dict, a reference string, or ``None``.
        ``context`` is the resource holding the reference (model or raw dict): needed for
        ``#contained`` references, and named in notes. Forms tried, first match wins:

        1. ``"#med1"``: the resource with id ``med1`` contained in ``context``;
        2. an entry ``fullUrl``: ``"urn:uuid:8adf7251-…"``, ``"http://x/fhir/Patient/1"``;
        3. ``"Patient/123"`` (relative; ``/_history/2`` ignored);
        4. an absolute URL ending in ``Type/id``: ``"http://x/fhir/Patient/1"`` → Patient/1;
        5. ``"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|99"`` (conditional;
           ``identifier`` and ``_id`` parameters, exactly one match required);
        6. ``Reference.identifier`` (logical reference), within ``Reference.type`` if given.

        Returns the validated model for a type in ``VALIDATED_TYPES`` (``None`` if that
        resource is invalid; its note is recorded), the raw dict for other types. From a raw
        ``context``, a ``#contained`` resource is validated on its own (the container is not).
        A reference that matches nothing gives ``None`` and a ``dangling-reference`` note, once
        per (context, reference). A display-only reference gives ``None`` and no note. With
        ``expect`` (a resource type), a reference to another type gives ``None`` and a
        ``wrong-reference-type`` note.
        """
        text, identifier, ref_type = reference_parts(reference)
        if text is None and identifier is None:
            return None
        found = self._find(text, identifier, ref_type, context)
        if found is _NOT_FOUND:
            self._note_dangling(text, identifier, context)
            return None
        if expect is not None and found is not None and _type_of(found) != expect:
            self._note_wrong_type(text, expect, context)
            return None
        return found

    def _note_wrong_type(self, text: str | None, expect: str, context: Any) -> None:
        context_ref = self._ref_or_none(context)
        key = (context_ref, text, expect)
        if key in self._wrong_type:
            return
        self._wrong_type.add(key)
        where = context_ref or "a reference"
        self.notes.append(
            DataQualityNote(
                code="wrong-reference-type",
                message=f"{where} points to {describe(text, None)}, which is not a {expect}",
                resource=context_ref,
            )
        )

    def _find(
        self, text: str | None, identifier: Identifier | None, ref_type: str | None, context: Any
    ) -> Any:
        if text is not None and text.startswith("#"):
            return self._contained(text[1:], context)
        slot = self._lookup(text) if text is not None else None
        if slot is None and identifier is not None:
            slot = self._by_identifier(identifier, ref_type)
        return _NOT_FOUND if slot is None else self._target(slot)

    def _lookup(self, text: str) -> Slot | None:
        """Steps 2 to 5 of :meth:`resolve`, without notes."""
        store = self._store
        slot = store.by_full_url.get(text) or store.by_full_url.get(without_history(text))
        if slot is None:
            key = type_and_id(text)
            slot = store.by_type_id.get(key) if key is not None else None
        if slot is None:
            parsed = conditional(text)
            slot = self._conditional(*parsed) if parsed is not None else None
        return slot if slot is not None and self._visible(slot) else None

    def _visible(self, slot: Slot) -> bool:
        return self._members is None or id(slot) in self._members

    def _target(self, slot: Slot) -> Any:
        if slot.entry.resource_type in VALIDATED_TYPES:
            return self._model(slot)
        return slot.entry.resource

    def _conditional(self, resource_type: str, params: list[tuple[str, str]]) -> Slot | None:
        matches: list[Slot] | None = None
        for name, value in params:
            if name == "identifier":
                found = self._matching(*token(value), resource_type)
            elif name == "_id":
                found = [
                    slot
                    for slot in self._by_type.get(resource_type, ())
                    if slot.entry.resource.get("id") == value
                ]
            else:
                return None
            matches = found if matches is None else [slot for slot in matches if slot in found]
        return matches[0] if matches is not None and len(matches) == 1 else None

    def _by_identifier(self, identifier: Identifier, resource_type: str | None) -> Slot | None:
        matches = self._matching(identifier[0], identifier[1], resource_type)
        return matches[0] if len(matches) == 1 else None

    def _matching(self, system: str | None, value: str, resource_type: str | None) -> list[Slot]:
        """Slots with identifier ``value``; ``system`` None matches any, ``""`` only none."""
        found: dict[int, Slot] = {}
        for slot_system, slot in self._store.identifiers().get(value, ()):
            if system is not None and (slot_system or "") != system:
                continue
            if resource_type is not None and slot.entry.resource_type != resource_type:
                continue
            if self._visible(slot):
                found.setdefault(id(slot), slot)
        return list(found.values())

    def _contained(self, contained_id: str, context: Any) -> Any:
        owner = self._store.owners.get(id(context)) if context is not None else None
        if contained_id == "":
            is_contained = owner is not None and owner[1] is not None
            return self._target(owner[0]) if owner is not None and is_contained else _NOT_FOUND
        if isinstance(context, dict):
            return self._contained_in_raw(context, contained_id, owner)
        return _contained_in_model(context, contained_id)

    def _contained_in_raw(self, context: dict[str, Any], contained_id: str, owner: Any) -> Any:
        """A contained resource found from the container's raw dict.

        Reuses the container's model when it was already validated (and is valid); otherwise
        validates only the contained resource. Validating a whole ExplanationOfBenefit to reach
        its contained Coverage would cost a millisecond per EOB (Synthea has hundreds).
        """
        if owner is not None and owner[1] is None and owner[0].model is not None:
            found = _contained_in_model(owner[0].model, contained_id)
            if found is not _NOT_FOUND:
                return found
        items = context.get("contained")
        for index, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, dict) and item.get("id") == contained_id:
                return self._contained_raw_target(item, index, owner)
        return _NOT_FOUND

    def _contained_raw_target(self, item: dict[str, Any], index: int, owner: Any) -> Any:
        if item.get("resourceType") not in VALIDATED_TYPES:
            return item
        if owner is None:  # a dict from outside this chart: validate, but do not cache
            model, note = self._store.contained_model(item, None, f"contained.{index}.")
        else:
            container: Owner = owner
            prefix = f"{container[0].entry.field_prefix}contained.{index}."
            model, note = self._store.contained_model(item, (container[0], item["id"]), prefix)
        if note is not None:
            self._report(note)
        return model

    def _note_dangling(self, text: str | None, identifier: Identifier | None, context: Any) -> None:
        owner = self._store.owners.get(id(context)) if context is not None else None
        context_ref = self._ref_or_none(context)
        key = (context_ref, text, identifier)
        if key in self._dangling:
            return
        self._dangling.add(key)
        self.notes.append(
            DataQualityNote(
                code="dangling-reference",
                message=f"{context_ref or 'a reference'} points to {describe(text, identifier)}, "
                "which is not in the chart",
                resource=context_ref,
                location=owner[0].entry.location if owner is not None else None,
            )
        )


def _contained_in_model(model: Any, contained_id: str) -> Any:
    for item in getattr(model, "contained", None) or ():
        if getattr(item, "id", None) == contained_id:
            return item
    return _NOT_FOUND


def _patient_reference(resource: dict[str, Any]) -> Any:
    for name in _PATIENT_FIELDS:
        value = resource.get(name)
        if isinstance(value, dict):
            return value
    return None


def build_index(store: Store, notes: list[DataQualityNote]) -> ResourceIndex:
    """The index over every resource of ``store``, starting with ``notes`` from loading."""
    store.notes[:0] = notes
    return ResourceIndex(store, store.slots, list(store.notes))


def _type_of(resource: Any) -> str | None:
    """The resourceType of a validated model or a raw dict."""
    if isinstance(resource, dict):
        kind = resource.get("resourceType")
        return kind if isinstance(kind, str) else None
    kind = getattr(resource, "__resource_type__", None)
    return kind if isinstance(kind, str) else None
