"""AllergyIntolerance and AdverseEvent resources that name an antidepressant or augmentation drug.

Each becomes a :class:`~priorauth.facts.records.Reaction`; ``trials.py`` attaches it to the trial
of that drug running at the reaction's date and sets the outcome to ``intolerance`` with the
reaction (``reaction.manifestation``, ``AdverseEvent.event``) as the detail. Refuted or
entered-in-error allergies and *potential* adverse events are skipped with a note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from priorauth.facts.medications import Identified, identify_concept, identify_medication
from priorauth.facts.notes import Notes
from priorauth.facts.records import Reaction
from priorauth.fhir.datatypes import cc_text, codings, field, parse_date
from priorauth.fhir.index import ResourceIndex

__all__ = ["drug_reactions"]

_SKIP_VERIFICATION = {"refuted", "entered-in-error"}
_MEDICATION_TYPES = {
    "Medication",
    "MedicationRequest",
    "MedicationStatement",
    "MedicationDispense",
    "MedicationAdministration",
}


def _status_code(concept: Any) -> str | None:
    return next((code for _s, code, _d in codings(concept) if code), None)


def _manifestations(allergy: Any) -> str | None:
    names: list[str] = []
    for reaction in field(allergy, "reaction") or []:
        names += [cc_text(m) for m in field(reaction, "manifestation") or [] if cc_text(m)]
        if not names and field(reaction, "description"):
            names.append(str(field(reaction, "description")))
    return "; ".join(dict.fromkeys(names)) or None


def _allergy_date(allergy: Any) -> dt.date | None:
    for value in (
        field(allergy, "onsetDateTime"),
        field(field(allergy, "onsetPeriod"), "start"),
        field(allergy, "lastOccurrence"),
        field(allergy, "recordedDate"),
    ):
        if parse_date(value) is not None:
            return parse_date(value)
    return None


def _allergy_drugs(allergy: Any) -> Identified:
    found = identify_concept(field(allergy, "code"))
    if found.matches:
        return found
    for reaction in field(allergy, "reaction") or []:
        found = identify_concept(field(reaction, "substance"))
        if found.matches:
            return found
    return found


def _allergies(index: ResourceIndex, notes: Notes) -> Iterator[Reaction]:
    for allergy in index.resources("AllergyIntolerance"):
        found = _allergy_drugs(allergy)
        if not found.matches:
            continue
        ref = index.ref_of(allergy)
        status = _status_code(field(allergy, "verificationStatus"))
        if status in _SKIP_VERIFICATION:
            notes.add("refuted", f"{ref} is {status} and is ignored", resource=ref, severity="info")
            continue
        kind = str(field(allergy, "type") or "intolerance")
        detail = _manifestations(allergy) or kind
        date = _allergy_date(allergy)
        for match in found.matches:
            yield Reaction(match.ingredient.name, ref, date, detail, match.how)


def _suspect_drugs(index: ResourceIndex, event: Any) -> Identified:
    for suspect in field(event, "suspectEntity") or []:
        instance = field(suspect, "instance")
        target = index.resolve(instance, context=event) if instance is not None else None
        target_type = _type_of(target)
        if target is not None and target_type == "Medication":
            found = identify_concept(field(target, "code"))
        elif target is not None and target_type in _MEDICATION_TYPES:
            found = identify_medication(index, target)
        else:
            found = identify_concept(None, [str(field(instance, "display") or "")])
        if found.matches:
            return found
    return Identified()


def _adverse_events(index: ResourceIndex, notes: Notes) -> Iterator[Reaction]:
    for event in index.resources("AdverseEvent"):
        found = _suspect_drugs(index, event)
        if not found.matches:
            continue
        ref = index.ref_of(event)
        if field(event, "actuality") == "potential":
            notes.add(
                "not-exposure",
                f"{ref} is a potential adverse event and is ignored",
                resource=ref,
                severity="info",
            )
            continue
        date = parse_date(field(event, "date")) or parse_date(field(event, "detected"))
        detail = cc_text(field(event, "event")) or "adverse event"
        for match in found.matches:
            yield Reaction(match.ingredient.name, ref, date, detail, match.how)


def drug_reactions(index: ResourceIndex, notes: Notes) -> list[Reaction]:
    """Every allergy, intolerance or adverse event of the chart that names a tracked drug."""
    return [*_allergies(index, notes), *_adverse_events(index, notes)]


def _type_of(resource: Any) -> str | None:
    if isinstance(resource, dict):
        value = resource.get("resourceType")
        return value if isinstance(value, str) else None
    value = getattr(resource, "__resource_type__", None)
    return value if isinstance(value, str) else None
