"""TMS safety screen: seizure history, implanted devices and retained metal.

Findings come from Condition, Procedure, Device and DeviceUseStatement codes (terminology code
sets ``seizure``, ``implanted_device``, ``implant_unspecified``, ``retained_metal``;
``seizure_risk`` gives category ``other``), or, when no code matches, from the code text
(``contraindication_in_text``, which skips negated mentions). Screening Observations (or their
components) that ask about a category and answer *no* (``valueBoolean false``, SNOMED 373067005,
LOINC LA32-8, "no"/"none"/"denies"/"negative") record the category as ``screened_negative``; a
*yes* answer is a finding. A refuted Condition is a negative screen too. Nothing recorded gives an
empty screen, which evaluation reads as "not documented".

An active finding beside a negative screen of the same category (an active G40.909 epilepsy
diagnosis and "Seizure history: no") is a :class:`Contradiction` citing both sides, and a
data-quality note; the finding and the negative screen are both kept.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, Literal

from priorauth.facts.models import Contradiction, SafetyFinding, SafetyScreen
from priorauth.facts.notes import Notes
from priorauth.fhir.datatypes import (
    Concept,
    cc_text,
    codings,
    concept,
    field,
    parse_date,
    period_bounds,
)
from priorauth.fhir.index import ResourceIndex
from priorauth.limits import bounded
from priorauth.terminology import code_set, contraindication_in_text

__all__ = ["extract_safety", "screen_answer"]

Category = Literal["seizure", "implanted_device", "retained_metal", "other"]
_SETS: tuple[tuple[str, Category], ...] = (
    ("seizure", "seizure"),
    ("implanted_device", "implanted_device"),
    ("implant_unspecified", "implanted_device"),
    ("retained_metal", "retained_metal"),
    ("seizure_risk", "other"),
)
_LABELS: dict[str, str] = {
    "seizure": "seizure history",
    "implanted_device": "implanted device",
    "retained_metal": "retained metal",
    "other": "seizure risk factor",
}
_QUESTION: tuple[tuple[re.Pattern[str], Category], ...] = (
    (re.compile(r"seizure|epilep|convuls", re.I), "seizure"),
    (re.compile(r"implant|pacemaker|stimulator|clip|shunt|stent", re.I), "implanted_device"),
    (re.compile(r"metal|shrapnel|fragment|bullet|foreign body", re.I), "retained_metal"),
)
_YES = {"373066001", "LA33-6", "Y", "yes", "true", "positive", "present", "10828004"}
_NO = {"373067005", "LA32-8", "N", "no", "false", "negative", "none", "absent", "denies",
       "denied", "260385009", "2667000"}  # fmt: skip
_INACTIVE = {"inactive", "remission", "resolved"}


@lru_cache(maxsize=8192)
def _code_hit(system: str | None, code: str | None) -> tuple[str, Category] | None:
    """The first of ``_SETS`` holding (system, code), memoised: a chart repeats its codes."""
    for set_name, category in _SETS:
        if code_set(set_name).contains(system, code):
            return set_name, category
    return None


def _coded(code: Concept) -> tuple[Category, str, str] | None:
    """(category, description, how) from the code sets."""
    for system, value, display in code.codings:
        found = _code_hit(system, value)
        if found is not None:
            set_name, category = found
            return category, display or _LABELS[category], f"{set_name} code {value}"
    return None


def _category(element: Any) -> tuple[Category, str, str] | None:
    """(category, description, how) of a code or text naming a safety finding."""
    return _concept_category(concept(element))


@lru_cache(maxsize=4096)
def _concept_category(code: Concept) -> tuple[Category, str, str] | None:
    coded = _coded(code)
    if coded is not None:
        return coded
    found = contraindication_in_text(cc_text(code))
    if found in ("seizure", "implanted_device", "retained_metal"):
        category: Category = found  # type: ignore[assignment]
        return category, _LABELS[category], "text"
    return None


def _question(element: Any) -> tuple[Category, ...]:
    """The categories a screening question asks about ("metal or implanted device" → two)."""
    return _concept_question(concept(element))


@lru_cache(maxsize=4096)
def _concept_question(code: Concept) -> tuple[Category, ...]:
    coded = _coded(code)
    if coded is not None:
        return (coded[0],)
    text = " ".join([cc_text(code), *(d or "" for _s, _c, d in code.codings)])
    return _text_question(bounded(text))


@lru_cache(maxsize=4096)
def _text_question(text: str) -> tuple[Category, ...]:
    return tuple(category for pattern, category in _QUESTION if pattern.search(text))


_ANSWER_KEYS = frozenset({"valueBoolean", "valueCodeableConcept", "valueString"})


def screen_answer(element: Any) -> bool | None:
    """True (yes / present), False (no / absent) or None for an Observation or component value.

    >>> screen_answer({"valueBoolean": False}), screen_answer({"valueString": "Denies"})
    (False, False)
    >>> screen_answer({"valueCodeableConcept": {"coding": [{"code": "373066001"}]}})
    True
    """
    if type(element) is dict and _ANSWER_KEYS.isdisjoint(element):
        return None  # most raw Observations (vitals, labs) carry a quantity: no answer
    boolean = field(element, "valueBoolean")
    if isinstance(boolean, bool):
        return boolean
    concept = field(element, "valueCodeableConcept")
    words = [code for _s, code, _d in codings(concept) if code] + [cc_text(concept)]
    words.append(str(field(element, "valueString") or ""))
    for word in (w.strip() for w in words if w):
        key = word if word in _YES | _NO else word.lower().rstrip(".")
        if key in _NO:
            return False
        if key in _YES:
            return True
    return None


class _Screen:
    def __init__(self, index: ResourceIndex, as_of: dt.date, notes: Notes) -> None:
        self.index = index
        self.as_of = as_of
        self.notes = notes
        self.findings: list[SafetyFinding] = []
        self.negative: dict[str, dict[str, None]] = {}
        self.evidence: dict[str, None] = {}

    def add(
        self,
        hit: tuple[Category, str, str],
        resource: Any,
        date: dt.date | None,
        active: bool,
        refs: tuple[str, ...] = (),
    ) -> None:
        category, description, how = hit
        ref = self.index.ref_of(resource)
        self.findings.append(SafetyFinding(
            category=category, description=description, date=date, active=active, how=how,
            evidence=tuple(dict.fromkeys((ref, *refs))),
        ))  # fmt: skip

    def negative_screen(self, category: str, resource: Any) -> None:
        ref = self.index.ref_of(resource)
        self.negative.setdefault(category, {})[ref] = None
        self.evidence[ref] = None

    def contradictions(self) -> list[Contradiction]:
        """An active finding beside a negative screen of the same category (each a note too)."""
        found = []
        for finding in self.findings:
            negative = self.negative.get(finding.category)
            if not finding.active or not negative:
                continue
            label = _LABELS[finding.category]
            found.append(Contradiction(
                category=finding.category,
                description=f"active {label}{_detail(finding, label)} beside a negative "
                            f"{label} screen",
                evidence=tuple(dict.fromkeys((*finding.evidence, *negative))),
            ))  # fmt: skip
            self.notes.add(
                "safety-contradiction",
                f"{finding.evidence[0]} records an active {label} but "
                f"{', '.join(negative)} records a negative {label} screen",
                resource=finding.evidence[0],
            )
        return found

    def conditions(self) -> None:
        for condition in self.index.resources("Condition", code=_names_safety_finding):
            hit = _category(field(condition, "code"))
            if hit is None:
                continue
            verification = next(
                (c for _s, c, _d in codings(field(condition, "verificationStatus"))), None
            )
            if verification == "entered-in-error":
                continue
            if verification == "refuted":
                self.negative_screen(hit[0], condition)
                continue
            status = next((c for _s, c, _d in codings(field(condition, "clinicalStatus"))), None)
            abatement = parse_date(field(condition, "abatementDateTime"))
            active = status not in _INACTIVE and (abatement is None or abatement > self.as_of)
            date = parse_date(field(condition, "onsetDateTime")) or parse_date(
                field(condition, "recordedDate")
            )
            self.add(hit, condition, date, active)

    def procedures(self) -> None:
        for procedure in self.index.resources(
            "Procedure", where=_is_completed, code=_names_safety_finding
        ):
            hit = _category(field(procedure, "code"))
            if hit is None or field(procedure, "status") != "completed":
                continue
            start = parse_date(field(procedure, "performedDateTime"))
            self.add(
                hit, procedure, start or period_bounds(field(procedure, "performedPeriod"))[0], True
            )

    def devices(self) -> None:
        used: set[str] = set()
        for statement in self.index.resources("DeviceUseStatement"):
            if field(statement, "status") == "entered-in-error":
                continue
            device = self.index.resolve(field(statement, "device"), context=statement)
            hit = self._device_hit(device)
            if hit is None:
                continue
            active = field(statement, "status") in (None, "active", "intended", "on-hold")
            date = parse_date(field(statement, "timingDateTime")) or parse_date(
                field(statement, "recordedOn")
            )
            device_ref = self.index.ref_of(device) if device is not None else None
            used.add(device_ref or "")
            self.add(hit, statement, date, active, (device_ref,) if device_ref else ())
        for device in self.index.resources("Device"):
            hit = self._device_hit(device)
            if hit is None or self.index.ref_of(device) in used:
                continue
            if field(device, "status") == "entered-in-error":
                continue
            self.add(hit, device, None, field(device, "status") in (None, "active"))

    @staticmethod
    def _device_hit(device: Any) -> tuple[Category, str, str] | None:
        if device is None:
            return None
        hit = _category(field(device, "type"))
        names = [field(n, "name") for n in field(device, "deviceName") or []]
        return hit or next((h for h in (_category({"text": n}) for n in names if n) if h), None)

    def observations(self) -> None:
        for obs in self.index.resources("Observation", where=_is_screen):
            if field(obs, "status") in ("cancelled", "entered-in-error"):
                continue
            for element in [obs, *(field(obs, "component") or [])]:
                self._answer(obs, element)

    def _answer(self, obs: Any, element: Any) -> None:
        categories = _question(field(element, "code"))
        answer = screen_answer(element)
        if not categories or answer is None:
            return
        if not answer:
            for category in categories:
                self.negative_screen(category, obs)
            return
        date = parse_date(field(obs, "effectiveDateTime")) or parse_date(field(obs, "issued"))
        hit = (categories[0], _LABELS[categories[0]], "screening answer yes")
        self.add(hit, obs, date, True)


def _detail(finding: SafetyFinding, label: str) -> str:
    """`` (G40.909, Epilepsy)``: the finding's code and display, when it has them.

    >>> _detail(SafetyFinding(category="seizure", description="seizure history",
    ...                       how="seizure code G40.909"), "seizure history")
    ' (G40.909)'
    """
    code = finding.how.split(" code ", 1)[1] if " code " in finding.how else None
    display = finding.description if finding.description != label else None
    parts = [part for part in (code, display) if part]
    return f" ({', '.join(parts)})" if parts else ""


def _names_safety_finding(code: Concept) -> bool:
    """Code prefilter: a Condition or Procedure code (or text) in a safety category."""
    return _concept_category(code) is not None


def _is_completed(raw: dict[str, Any]) -> bool:
    """Raw prefilter: a completed Procedure."""
    return raw.get("status") == "completed"


def _is_screen(raw: dict[str, Any]) -> bool:
    """Raw prefilter: the Observation or one of its components answers a safety question."""
    return _answers_screen(raw) or any(
        _answers_screen(c) for c in raw.get("component") or () if isinstance(c, dict)
    )


def _answers_screen(element: dict[str, Any]) -> bool:
    return screen_answer(element) is not None and bool(_question(element.get("code")))


def extract_safety(index: ResourceIndex, *, as_of: dt.date, notes: Notes) -> SafetyScreen:
    """Findings and negative screens for seizure, implanted devices and retained metal."""
    screen = _Screen(index, as_of, notes)
    screen.conditions()
    screen.procedures()
    screen.devices()
    screen.observations()
    findings = sorted(screen.findings, key=lambda f: (f.date or dt.date.min, f.category))
    screen.findings = findings
    return SafetyScreen(
        findings=tuple(findings),
        screened_negative=tuple(sorted(screen.negative)),
        screen_evidence=tuple(screen.evidence),
        contradictions=tuple(screen.contradictions()),
    )
