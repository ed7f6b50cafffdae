"""Which antidepressant or augmentation ingredients a medication element names.

Order of evidence: an RxNorm coding, then an NDC coding, then any other coding the terminology
knows; then the concept text and coding displays (generic or brand names). A ``medicationReference``
is resolved (contained ``#id``, bundle entry) and its Medication's ``code`` and ``ingredient`` items
are read; when it cannot be resolved, the reference ``display`` is matched as text (Epic-style
``Medication/<opaque id>`` with ``display: "sertraline 50 mg tablet"``).

A product strength missing from the code table is taken from a strength written next to the drug
name in the text (``"Fluoxetine 25MG"``) or from ``Medication.ingredient.strength``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from priorauth.facts.dosing import is_count_unit, quantity_to_mg
from priorauth.fhir.codes import NDC_SYSTEMS, RXNORM_SYSTEMS, in_system
from priorauth.fhir.datatypes import cc_text, codings, field
from priorauth.fhir.index import ResourceIndex
from priorauth.terminology import DrugMatch, drugs_for_code, drugs_in_text

__all__ = ["Identified", "identify_concept", "identify_medication"]


@dataclass(frozen=True)
class Identified:
    """Ingredients found, and the drug code (if any) the terminology did not know."""

    matches: tuple[DrugMatch, ...] = ()
    unknown_code: str | None = None


NOTHING = Identified()


def _rank(system: str | None) -> int:
    if in_system(system, RXNORM_SYSTEMS):
        return 0
    return 1 if in_system(system, NDC_SYSTEMS) else 2


def _drug_code(concept: Any) -> str | None:
    for system, code, _display in codings(concept):
        if code and _rank(system) < 2:
            label = "rxnorm" if _rank(system) == 0 else "ndc"
            return f"{label} {code}"
    return None


def _texts(concept: Any, extra: Sequence[str]) -> list[str]:
    texts = [cc_text(concept), *(d for _s, _c, d in codings(concept) if d), *extra]
    return [t for t in dict.fromkeys(texts) if t]


def _with_text_strength(
    matches: tuple[DrugMatch, ...], texts: Sequence[str]
) -> tuple[DrugMatch, ...]:
    """Fill a missing strength from a strength written in the text for the same ingredient."""
    if all(m.strength_mg is not None for m in matches):
        return matches
    written = {
        m.ingredient.name: m.strength_mg
        for text in texts
        for m in drugs_in_text(text)
        if m.strength_mg is not None
    }
    return tuple(
        m
        if m.strength_mg is not None or m.ingredient.name not in written
        else m.model_copy(update={"strength_mg": written[m.ingredient.name]})
        for m in matches
    )


def identify_concept(concept: Any, extra_texts: Sequence[str] = ()) -> Identified:
    """Ingredients named by a CodeableConcept (codes first, then text)."""
    texts = _texts(concept, extra_texts)
    for system, code, _display in sorted(codings(concept), key=lambda c: _rank(c[0])):
        found = drugs_for_code(system, code)
        if found:
            return Identified(_with_text_strength(found, texts))
    for text in texts:
        found = drugs_in_text(text)
        if found:
            return Identified(found, _drug_code(concept))
    return NOTHING


def _ratio_strength(strength: Any) -> float | None:
    """mg per unit from ``Medication.ingredient.strength`` (``50 mg / 1 tablet``)."""
    numerator, denominator = field(strength, "numerator"), field(strength, "denominator")
    mass = quantity_to_mg(
        field(numerator, "value"), field(numerator, "code") or field(numerator, "unit")
    )
    if mass is None:
        return None
    per = field(denominator, "value")
    unit = field(denominator, "code") or field(denominator, "unit")
    if per is None or not is_count_unit(unit) or float(per) <= 0:
        return mass if per is None else None
    return mass / float(per)


def _from_ingredients(medication: Any) -> Identified:
    matches: list[DrugMatch] = []
    for item in field(medication, "ingredient") or []:
        found = identify_concept(field(item, "itemCodeableConcept")).matches
        strength = _ratio_strength(field(item, "strength"))
        for match in found:
            if strength is not None:
                match = match.model_copy(update={"strength_mg": strength})
            matches.append(match)
    return Identified(tuple(matches))


def identify_medication(index: ResourceIndex, resource: Any) -> Identified:
    """Ingredients of a MedicationRequest/Statement/Dispense/Administration's medication[x]."""
    concept = field(resource, "medicationCodeableConcept")
    if concept is not None:
        return identify_concept(concept)
    reference = field(resource, "medicationReference")
    if reference is None:
        return NOTHING
    medication = index.resolve(reference, context=resource)
    display = field(reference, "display")
    extra = [display] if isinstance(display, str) else []
    if medication is None:
        return identify_concept(None, extra)
    found = identify_concept(field(medication, "code"), extra)
    if found.matches:
        return found
    by_items = _from_ingredients(medication)
    return by_items if by_items.matches else found
