"""Scores from QuestionnaireResponses: a total item, else the sum of every item's points.

The instrument comes from the ``questionnaire`` canonical (``.../phq-9-example``), a linkId that
names one of its LOINC codes (``/44250-9``), or the text of the items. Points per answer:

* ``valueInteger`` / ``valueDecimal``;
* an ``ordinalValue`` (or ``itemWeight``) extension on the answer's ``valueCoding``, or on the
  matching ``answerOption`` of the Questionnaire when the chart holds it;
* the PHQ LOINC answers LA6568-5 (0), LA6569-3 (1), LA6570-1 (2), LA6571-9 (3).

A total is computed only when every item of the instrument is answered; a partial response
gives a note (``incomplete-questionnaire``) and no score.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from priorauth.facts.instruments import Hit, identify, make_score
from priorauth.facts.models import ScoreFact
from priorauth.facts.notes import Notes
from priorauth.fhir.datatypes import field, parse_date
from priorauth.fhir.index import ResourceIndex
from priorauth.terminology import Instrument

__all__ = ["answer_points", "questionnaire_scores"]

_LA_POINTS = {"LA6568-5": 0.0, "LA6569-3": 1.0, "LA6570-1": 2.0, "LA6571-9": 3.0}
_ORDINAL_URLS = frozenset(
    {
        "http://hl7.org/fhir/StructureDefinition/ordinalValue",
        "http://hl7.org/fhir/StructureDefinition/itemWeight",
        "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value",
    }
)
_DONE = {"completed", "amended"}
Ordinals = dict[tuple[str | None, str | None], float]


def _items(items: Any) -> Iterator[Any]:
    """Every item, depth first, including items nested under answers."""
    for item in items or []:
        yield item
        yield from _items(field(item, "item"))
        for answer in field(item, "answer") or []:
            yield from _items(field(answer, "item"))


def _ordinal(element: Any) -> float | None:
    for extension in field(element, "extension") or []:
        if field(extension, "url") in _ORDINAL_URLS:
            value = field(extension, "valueDecimal")
            value = value if value is not None else field(extension, "valueInteger")
            if value is not None:
                return float(value)
    return None


def answer_points(answer: Any, ordinals: Ordinals | None = None) -> float | None:
    """The points of one answer, or None when it carries none.

    >>> answer_points({"valueCoding": {"system": "http://loinc.org", "code": "LA6570-1"}})
    2.0
    >>> answer_points({"valueInteger": 3})
    3.0
    """
    for name in ("valueInteger", "valueDecimal"):
        if field(answer, name) is not None:
            return float(field(answer, name))
    coding = field(answer, "valueCoding")
    if coding is None:
        return None
    points = _ordinal(coding)
    key = (field(coding, "system"), field(coding, "code"))
    if points is None and ordinals:
        points = ordinals.get(key)
    return points if points is not None else _LA_POINTS.get(str(key[1]))


def _questionnaire_ordinals(index: ResourceIndex, canonical: str | None) -> Ordinals:
    if not canonical:
        return {}
    url = canonical.split("|", 1)[0]
    table: Ordinals = {}
    for questionnaire in index.raw("Questionnaire"):
        if questionnaire.get("url") != url:
            continue
        for item in _items(questionnaire.get("item")):
            for option in field(item, "answerOption") or []:
                coding = field(option, "valueCoding")
                points = _ordinal(option) if _ordinal(option) is not None else _ordinal(coding)
                if coding is not None and points is not None:
                    table[(field(coding, "system"), field(coding, "code"))] = points
    return table


def _loinc_in_link(link_id: str | None, codes: tuple[str, ...]) -> str | None:
    if not link_id:
        return None
    return next((code for code in codes if code in link_id), None)


def _instrument(response: Any) -> Hit | None:
    canonical = field(response, "questionnaire")
    if canonical:
        found = identify({"text": str(canonical).rsplit("/", 1)[-1].replace("-example", "")})
        if found is not None:
            return found
    for item in _items(field(response, "item")):
        link = field(item, "linkId")
        found = identify({"coding": [{"system": "http://loinc.org", "code": str(link).strip("/")}]})
        found = found or identify({"text": field(item, "text")})
        if found is not None:
            return found
    return None


def _total_item(response: Any, inst: Instrument) -> float | None:
    if not inst.loinc_total:
        return None
    for item in _items(field(response, "item")):
        if _loinc_in_link(field(item, "linkId"), (inst.loinc_total,)):
            answers = field(item, "answer") or []
            points = [answer_points(a) for a in answers]
            if points and points[0] is not None:
                return points[0]
    return None


def _item_points(response: Any, inst: Instrument, ordinals: Ordinals) -> dict[str, float]:
    """Points per answered item, keyed by item LOINC (or linkId when linkIds are not LOINC)."""
    points: dict[str, float] = {}
    for item in _items(field(response, "item")):
        link = str(field(item, "linkId") or "")
        key = _loinc_in_link(link, inst.item_loincs)
        if inst.item_loincs and key is None and _loinc_in_link(link, _all_loincs(inst)):
            continue  # the total or another coded question (difficulty 69722-7)
        answers = field(item, "answer") or []
        value = answer_points(answers[0], ordinals) if answers else None
        if value is not None:
            points[key or link] = value
    return points


def _all_loincs(inst: Instrument) -> tuple[str, ...]:
    return (*(c for c in (inst.loinc_total, inst.loinc_panel) if c), "69722-7")


def _score(index: ResourceIndex, notes: Notes, response: Any, hit: Hit) -> ScoreFact | None:
    ref = index.ref_of(response)
    date = parse_date(field(response, "authored"))
    if date is None:
        notes.add(
            "no-date", f"{ref}: {hit.instrument.id} response has no authored date", resource=ref
        )
        return None
    total = _total_item(response, hit.instrument)
    if total is not None:
        return make_score(notes, hit, total, date, [ref])
    ordinals = _questionnaire_ordinals(index, field(response, "questionnaire"))
    points = _item_points(response, hit.instrument, ordinals)
    needed = len(hit.instrument.item_loincs)
    if not needed or len(points) < needed:
        notes.add(
            "incomplete-questionnaire",
            f"{ref}: {hit.instrument.id} response has "
            f"{len(points)} of {needed or '?'} items answered; no total computed",
            resource=ref,
        )
        return None
    return make_score(notes, hit, sum(points.values()), date, [ref], computed=True)


def questionnaire_scores(index: ResourceIndex, notes: Notes) -> Iterator[ScoreFact]:
    """Scores of every completed QuestionnaireResponse for a tracked instrument."""
    for response in index.resources("QuestionnaireResponse"):
        hit = _instrument(response)
        if hit is None:
            continue
        if field(response, "status") not in _DONE:
            ref = index.ref_of(response)
            notes.add(
                "incomplete-questionnaire",
                f"{ref}: status {field(response, 'status')}; not scored",
                resource=ref,
                severity="info",
            )
            continue
        as_total = Hit(hit.instrument, "total", f"QuestionnaireResponse ({hit.how})")
        score = _score(index, notes, response, as_total)
        if score is not None:
            yield score
