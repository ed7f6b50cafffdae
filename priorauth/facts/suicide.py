"""Suicide risk: PHQ-9 item 9, the C-SSRS screener and diagnoses, each one SuicideRiskFact.

* **PHQ-9 item 9** (LOINC 44260-8) wherever it is recorded: an Observation of its own, a
  component of another Observation (e.g. the PHQ-9 total), or a QuestionnaireResponse item whose
  linkId (or code) names 44260-8. The answer (:func:`item9_answer`) is 0-3; ``positive`` is
  answer > 0 (kind ``ideation``), a 0 ("not at all") is a documented negative (kind ``screen``).
  An item without a readable answer gives no fact.
* **C-SSRS screener** (panel 93245-9, items 93246-7 ... 93269-9, risk level 93374-7; the LOINC
  table and its source are in ``terminology/data/suicide_screens.yaml``): one fact per resource
  holding answers. Yes on question 3, 4 or 5 (method, intent, plan) is positive ``ideation``; yes
  on "within the past 3 months" after the behaviour question is positive ``behavior``; a risk
  level of moderate or high is a positive ``screen``; anything else answered is a negative
  ``screen``.
* **Diagnoses**: Conditions coded R45.851 (``ideation``), T14.91- (``attempt``), intentional
  self-harm X71-X83 and T36-T65/T71 with the self-harm intent character (``self_harm``),
  Z91.5- (``history``): ``terminology/data/suicide_risk_codes.csv``. ``active`` and the date
  (onset, else recorded) as in :mod:`priorauth.facts.diagnoses`.

Entered-in-error / cancelled records and refuted Conditions are skipped. The same answer found
twice on one day (an item Observation derived from a QuestionnaireResponse) is one fact citing
both. Descriptions are code displays or fixed labels, never chart text. Facts are sorted oldest
first, undated last.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from priorauth.facts.diagnoses import condition_state
from priorauth.facts.models import SuicideRiskFact
from priorauth.fhir.datatypes import field, parse_date
from priorauth.fhir.index import ResourceIndex
from priorauth.limits import bounded
from priorauth.terminology.suicide import suicide_risk_code, suicide_screens

__all__ = ["extract_suicide_risk", "item9_answer"]

_SKIP_STATUS = {"cancelled", "entered-in-error"}
_SKIP_VERIFICATION = {"refuted", "entered-in-error"}
_QR_DONE = {"completed", "amended"}
_LEVEL = re.compile(r"\b(low|moderate|high)\b", re.I)
_ITEM9_LABEL = "PHQ-9 item 9 (thoughts of death or self-harm)"


# ------------------------------------------------------------------------ reading answers


def _codes_and_texts(value: Any) -> tuple[list[str], list[str]]:
    """Codes and texts (displays, ``text``) of a Coding or CodeableConcept of any shape."""
    if value is None or isinstance(value, str | int | float | Decimal | list):
        return [], []
    codings = field(value, "coding")
    items = codings if isinstance(codings, list) else [value]
    codes = [c for item in items if isinstance(c := field(item, "code"), str)]
    texts = [t for item in items if isinstance(t := field(item, "display"), str)]
    if isinstance(text := field(value, "text"), str):
        texts.append(text)
    return codes, texts


def _integer(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return int(value) if 0 <= value <= 3 and value == int(value) else None


def item9_answer(element: Any) -> int | None:
    """The PHQ-9 item 9 answer (0-3) of an Observation, a component or a QuestionnaireResponse
    answer; None when it holds no valid answer. Never raises.

    >>> item9_answer({"valueCodeableConcept": {"coding": [{"code": "LA6569-3"}]}})
    1
    >>> item9_answer({"valueInteger": 0})
    0
    >>> item9_answer({"valueCoding": {"display": "Nearly every day"}})
    3
    >>> item9_answer({"valueInteger": 7}), item9_answer("3"), item9_answer({"valueBoolean": True})
    (None, None, None)
    """
    if not isinstance(element, dict) and not hasattr(element, "valueInteger"):
        return None
    table = suicide_screens()
    for number in (field(element, "valueInteger"), field(field(element, "valueQuantity"), "value")):
        if (points := _integer(number)) is not None:
            return points
    for name in ("valueCodeableConcept", "valueCoding"):
        codes, texts = _codes_and_texts(field(element, name))
        for code in codes:
            if code in table.item9_answers:
                return table.item9_answers[code]
        for text in texts:
            if text.strip().lower() in table.item9_text:
                return table.item9_text[text.strip().lower()]
    return None


def _yes_no(element: Any) -> bool | None:
    """True / False for a yes-no answer (valueBoolean, LOINC/SNOMED yes-no codes or words)."""
    boolean = field(element, "valueBoolean")
    if isinstance(boolean, bool):
        return boolean
    table = suicide_screens()
    for name in ("valueCodeableConcept", "valueCoding"):
        codes, texts = _codes_and_texts(field(element, name))
        words = [*codes, *(t.strip().lower() for t in texts)]
        if any(w in table.yes or w == "yes" for w in words):
            return True
        if any(w in table.no or w == "no" for w in words):
            return False
    text = field(element, "valueString")
    return {"yes": True, "no": False}.get(text.strip().lower()) if isinstance(text, str) else None


_INTERPRETATION = {"POS": True, "A": True, "NEG": False, "N": False}


def _overall_result(obs: Any) -> bool | None:
    """A C-SSRS panel Observation's own result: its yes/no value, else its interpretation
    (v3 ObservationInterpretation POS / A positive, NEG / N negative), else None."""
    said = _yes_no(obs)
    if said is not None:
        return said
    for concept in field(obs, "interpretation") or []:
        for code in _codes_and_texts(concept)[0]:
            if code in _INTERPRETATION:
                return _INTERPRETATION[code]
    return None


def _risk_level(element: Any) -> str | None:
    """``low`` / ``moderate`` / ``high`` from a risk-level answer."""
    table = suicide_screens()
    for name in ("valueCodeableConcept", "valueCoding"):
        codes, texts = _codes_and_texts(field(element, name))
        for code in codes:
            if code in table.risk_answers:
                return table.risk_answers[code]
        for text in texts:
            if (match := _LEVEL.search(bounded(text))) is not None:
                return match.group(1).lower()
    return None


# ------------------------------------------------------------------------ where answers live


def _loincs(element: Any) -> list[str]:
    return _codes_and_texts(field(element, "code"))[0]


def _obs_date(obs: Any) -> dt.date | None:
    for value in (
        field(obs, "effectiveDateTime"),
        field(field(obs, "effectivePeriod"), "start"),
        field(obs, "issued"),
    ):
        if parse_date(value) is not None:
            return parse_date(value)
    return None


def _items(items: Any) -> Iterator[Any]:
    """Every QuestionnaireResponse item, depth first, including items nested under answers."""
    for item in items or []:
        yield item
        yield from _items(field(item, "item"))
        for answer in field(item, "answer") or []:
            yield from _items(field(answer, "item"))


def _item_loinc(item: Any, wanted: Iterable[str]) -> str | None:
    """The wanted LOINC an item's linkId contains (``/44260-8``) or its code names."""
    link = str(field(item, "linkId") or "")
    codes = _loincs(item)
    return next((code for code in wanted if code in link or code in codes), None)


def _mentions_any(raw: dict[str, Any], codes: frozenset[str]) -> bool:
    """Raw prefilter: the Observation or one of its components is coded with one of ``codes``."""
    elements = [raw, *(c for c in raw.get("component") or () if isinstance(c, dict))]
    texts = [str(e.get("code")) for e in elements]  # once per element, not once per code
    return any(code in text for text in texts for code in codes)


# ------------------------------------------------------------------------ the extractor


class _Risk:
    def __init__(self, index: ResourceIndex, as_of: dt.date) -> None:
        self.index = index
        self.as_of = as_of
        self.table = suicide_screens()
        self.cssrs_codes = frozenset([*self.table.cssrs_items, self.table.risk_level])
        self.panels = frozenset(self.table.cssrs_panels)

    def item9(self, answer: int, date: dt.date | None, refs: Sequence[str]) -> SuicideRiskFact:
        positive = answer > 0
        return SuicideRiskFact(
            source="phq9_item9", date=date, positive=positive, value=float(answer),
            kind="ideation" if positive else "screen", code=self.table.item9_loinc,
            description=_ITEM9_LABEL, how=f"LOINC {self.table.item9_loinc}",
            evidence=tuple(refs),
        )  # fmt: skip

    def observations(self) -> Iterator[SuicideRiskFact]:
        wanted = frozenset([self.table.item9_loinc, *self.cssrs_codes, *self.panels])
        for obs in self.index.resources("Observation", lambda raw: _mentions_any(raw, wanted)):
            if field(obs, "status") in _SKIP_STATUS:
                continue
            elements = [obs, *(field(obs, "component") or [])]
            ref, date = self.index.ref_of(obs), _obs_date(obs)
            for element in elements:
                answer = item9_answer(element)
                if self.table.item9_loinc in _loincs(element) and answer is not None:
                    yield self.item9(answer, date, [ref])
            answers = [
                (code, e) for e in elements for code in _loincs(e) if code in self.cssrs_codes
            ]
            if self.panels & set(_loincs(obs)):
                answers.append(("panel", obs))  # the screen's overall result, when it has one
            fact = self.cssrs(answers, date, ref)
            if fact is not None:
                yield fact

    def questionnaire_responses(self) -> Iterator[SuicideRiskFact]:
        for response in self.index.resources("QuestionnaireResponse"):
            if field(response, "status") not in _QR_DONE:
                continue
            ref, date = self.index.ref_of(response), parse_date(field(response, "authored"))
            cssrs: list[tuple[str, Any]] = []
            for item in _items(field(response, "item")):
                answers = field(item, "answer") or []
                if _item_loinc(item, [self.table.item9_loinc]) is not None:
                    points = next((p for a in answers if (p := item9_answer(a)) is not None), None)
                    if points is not None:
                        yield self.item9(points, date, [ref])
                code = _item_loinc(item, self.cssrs_codes)
                if code is not None:
                    cssrs += [(code, a) for a in answers]
            fact = self.cssrs(cssrs, date, ref)
            if fact is not None:
                yield fact

    def cssrs(
        self, answers: Sequence[tuple[str, Any]], date: dt.date | None, ref: str
    ) -> SuicideRiskFact | None:
        """One fact for the C-SSRS answers of one resource (None when nothing is answered)."""
        yes: set[str] = set()
        answered = False
        level: str | None = None
        for code, element in answers:
            if code == self.table.risk_level:
                level = _risk_level(element) or level
                continue
            if code == "panel":
                overall = _overall_result(element)
                answered = answered or overall is not None
                if overall:
                    yes.add("overall_positive")
                continue
            said = _yes_no(element)
            answered = answered or said is not None
            if said:
                yes.add(self.table.cssrs_items[code])
        if not answered and level is None:
            return None
        return self._cssrs_fact(yes, level, date, ref)

    def _cssrs_fact(
        self, yes: set[str], level: str | None, date: dt.date | None, ref: str
    ) -> SuicideRiskFact:
        table = self.table
        fact = SuicideRiskFact(
            source="cssrs", date=date, positive=False, kind="screen",
            code=min(table.cssrs_panels), description="C-SSRS: negative screen",
            how="C-SSRS LOINC items", evidence=(ref,),
        )  # fmt: skip
        if yes & table.positive_behavior:
            label = "C-SSRS: suicidal behaviour within the past 3 months"
            return fact.model_copy(
                update={"positive": True, "kind": "behavior", "description": label}
            )
        if yes & table.positive_ideation:
            label = "C-SSRS: suicidal ideation with method, intent or plan"
            return fact.model_copy(
                update={"positive": True, "kind": "ideation", "description": label}
            )
        if "overall_positive" in yes:
            label = "C-SSRS: positive screen (overall result)"
            return fact.model_copy(update={"positive": True, "description": label})
        if level in table.positive_risk_levels:
            label = f"C-SSRS risk level: {level}"
            return fact.model_copy(update={"positive": True, "description": label})
        return (
            fact.model_copy(update={"description": f"C-SSRS: negative screen (risk level {level})"})
            if level
            else fact
        )

    def conditions(self) -> Iterator[SuicideRiskFact]:
        for condition in self.index.resources("Condition", code=_names_risk_code):
            found = next(
                ((c, hit) for s, c, _d in _codings(field(condition, "code"))
                 if (hit := suicide_risk_code(s, c)) is not None),
                None,
            )  # fmt: skip
            verification = _codes_and_texts(field(condition, "verificationStatus"))[0]
            if found is None or _SKIP_VERIFICATION & set(verification):
                continue
            code, (kind, description) = found
            state = condition_state(condition, self.as_of)
            yield SuicideRiskFact(
                source="diagnosis", date=state.onset or state.recorded, positive=True,
                kind=kind, code=code, description=description, active=state.active,
                how=f"ICD-10-CM {code}", evidence=(self.index.ref_of(condition),),
            )  # fmt: skip


def _codings(concept: Any) -> list[tuple[str | None, str | None, str | None]]:
    return [
        (field(c, "system"), field(c, "code"), field(c, "display"))
        for c in field(concept, "coding") or []
    ]


def _names_risk_code(code: Any) -> bool:
    """Code prefilter: a Condition coded with a suicide-risk ICD-10-CM code."""
    return any(suicide_risk_code(s, c) is not None for s, c, _d in code.codings)


def _merge(facts: Iterable[SuicideRiskFact]) -> list[SuicideRiskFact]:
    """One fact per (source, date, value, kind, code); evidence joined."""
    merged: dict[tuple[Any, ...], SuicideRiskFact] = {}
    for fact in facts:
        own = fact.evidence if fact.source == "diagnosis" else ()  # each Condition is its own fact
        key = (fact.source, fact.date, fact.value, fact.kind, fact.code, own)
        first = merged.get(key)
        evidence = (*first.evidence, *fact.evidence) if first else fact.evidence
        merged[key] = (first or fact).model_copy(
            update={"evidence": tuple(dict.fromkeys(evidence))}
        )
    return list(merged.values())


def extract_suicide_risk(index: ResourceIndex, *, as_of: dt.date) -> tuple[SuicideRiskFact, ...]:
    """Every item answer, C-SSRS screen and diagnosis about suicide risk, oldest first."""
    risk = _Risk(index, as_of)
    found = _merge([*risk.observations(), *risk.questionnaire_responses(), *risk.conditions()])
    return tuple(sorted(found, key=lambda f: (f.date or dt.date.max, f.source, f.code or "")))
