"""Depression-severity scores: PHQ-9 (and PHQ-A, PHQ-2), HAM-D, MADRS, BDI-II, QIDS-SR.

Sources, in order:

1. Observations whose code is an instrument's total (LOINC, e.g. 44261-6; the SNOMED CT PHQ-9
   total 720433000; or the instrument named in the code text), with ``valueInteger``,
   ``valueQuantity`` or a numeric ``valueString`` (US Core writes ``"12"``).
2. Panels (44249-1) without a total member: the total is the sum of all item members
   (``computed_from_items``). A panel whose total is a member is read through that member.
3. QuestionnaireResponses: a total item (linkId naming the total LOINC), else the sum of the
   item answers: LOINC answer codes LA6568-5…LA6571-9 → 0-3, ``valueInteger``/``valueDecimal``, or
   an ``ordinalValue``/``itemWeight`` extension on the answer or on the Questionnaire's
   answerOption. Every item must be answered; otherwise a note and no score.

The same instrument, date and value found twice (an Observation derived from a
QuestionnaireResponse) is one score citing both resources.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from typing import Any

from priorauth.facts.instruments import Hit, identify, make_score, names_instrument
from priorauth.facts.models import ScoreFact
from priorauth.facts.notes import Notes
from priorauth.facts.questionnaires import questionnaire_scores
from priorauth.fhir.datatypes import field, parse_date
from priorauth.fhir.index import ResourceIndex
from priorauth.limits import bounded

__all__ = ["extract_scores", "observation_value"]

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*$")
_SKIP_STATUS = {"cancelled", "entered-in-error"}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        match = _NUMBER.match(bounded(value))
        return float(match.group(1)) if match else None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def observation_value(obs: Any) -> float | None:
    """A numeric score from valueInteger, valueQuantity or a numeric valueString."""
    for value in (
        field(obs, "valueInteger"),
        field(field(obs, "valueQuantity"), "value"),
        field(obs, "valueString"),
    ):
        number = _number(value)
        if number is not None:
            return number
    return None


def _obs_date(obs: Any) -> dt.date | None:
    for value in (
        field(obs, "effectiveDateTime"),
        field(field(obs, "effectivePeriod"), "start"),
        field(obs, "effectiveInstant"),
        field(obs, "issued"),
    ):
        if parse_date(value) is not None:
            return parse_date(value)
    return None


class _Scorer:
    def __init__(self, index: ResourceIndex, notes: Notes) -> None:
        self.index = index
        self.notes = notes

    def observations(self) -> Iterator[ScoreFact]:
        for obs in self.index.resources("Observation", code=names_instrument):
            found = identify(field(obs, "code"))
            if found is None or field(obs, "status") in _SKIP_STATUS:
                continue
            fact = self.observation(obs, found)
            if fact is not None:
                yield fact

    def observation(self, obs: Any, found: Hit) -> ScoreFact | None:
        ref = self.index.ref_of(obs)
        date = _obs_date(obs)
        value = observation_value(obs)
        members = field(obs, "hasMember") or []
        if value is None and members:
            return self.panel(obs, found, ref, date)
        if found.role != "total" or date is None or value is None:
            if found.role == "total":
                self.notes.add(
                    "score-unreadable",
                    f"{ref}: {found.instrument.id} score has no usable value or date",
                    resource=ref,
                    severity="info",
                )
            return None
        return make_score(self.notes, found, value, date, [ref])

    def panel(self, obs: Any, found: Hit, ref: str, date: dt.date | None) -> ScoreFact | None:
        members = [self.index.resolve(m, context=obs) for m in field(obs, "hasMember") or []]
        members = [m for m in members if m is not None]
        roles = [identify(field(m, "code")) for m in members]
        if any(r is not None and r.role == "total" for r in roles) or date is None:
            return None  # the total member is read as an Observation of its own
        inst = found.instrument
        points = {
            r.code: observation_value(m)
            for m, r in zip(members, roles, strict=True)
            if r is not None and r.role == "item" and r.instrument.id == inst.id
        }
        if not inst.item_loincs or len(points) < len(inst.item_loincs) or None in points.values():
            self.notes.add(
                "incomplete-panel",
                f"{ref}: {inst.id} panel without a total and without every item; no score computed",
                resource=ref,
            )
            return None
        refs = [ref, *(self.index.ref_of(m) for m in members)]
        total = sum(v or 0.0 for v in points.values())
        return make_score(self.notes, found, total, date, refs, computed=True)


def extract_scores(index: ResourceIndex, notes: Notes) -> tuple[ScoreFact, ...]:
    """Every score in the chart, by date then instrument, duplicates merged."""
    scorer = _Scorer(index, notes)
    found = [*scorer.observations(), *questionnaire_scores(index, notes)]
    return _merge(found)


def _merge(scores: Sequence[ScoreFact]) -> tuple[ScoreFact, ...]:
    merged: dict[tuple[str, dt.date, float], ScoreFact] = {}
    for score in scores:
        key = (score.instrument, score.date, score.value)
        first = merged.get(key)
        if first is None:
            merged[key] = score
            continue
        evidence = tuple(dict.fromkeys((*first.evidence, *score.evidence)))
        keep = first if not first.computed_from_items else score
        merged[key] = keep.model_copy(update={"evidence": evidence})
    return tuple(sorted(merged.values(), key=lambda s: s.date))  # stable: chart order per day
