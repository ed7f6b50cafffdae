"""Suicide-risk terminology: ICD-10-CM codes (ideation, attempt, self-harm, history) and the LOINC
questions that ask about suicide (PHQ-9 item 9, the C-SSRS screener).

Data: ``data/suicide_risk_codes.csv`` (``match=prefix`` rows cover the 7th-character extensions:
``T14.91`` → ``T14.91XA``) and ``data/suicide_screens.yaml``; sources in ``data/SOURCES.md``.

>>> suicide_risk_code("http://hl7.org/fhir/sid/icd-10-cm", "T43.222A")
('self_harm', 'Poisoning by selective serotonin reuptake inhibtr, self-harm')
>>> suicide_risk_code("icd10cm", "R45851")[0], suicide_risk_code("icd10cm", "R45.89")
('ideation', None)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, Literal, cast

from priorauth.terminology._data import read_csv, read_yaml
from priorauth.terminology.systems import ICD10CM, MAX_STEM, canonical_system, normalise_code

__all__ = ["RiskKind", "SuicideScreens", "suicide_risk_code", "suicide_screens"]

RiskKind = Literal["ideation", "attempt", "self_harm", "history"]


@cache
def _codes() -> tuple[Mapping[str, tuple[RiskKind, str]], Mapping[str, tuple[RiskKind, str]]]:
    exact: dict[str, tuple[RiskKind, str]] = {}
    prefixes: dict[str, tuple[RiskKind, str]] = {}
    for row in read_csv("suicide_risk_codes.csv"):
        code = normalise_code(ICD10CM, row["code"])
        entry = (cast(RiskKind, row["kind"]), row["description"])
        (prefixes if row["match"] == "prefix" else exact)[code] = entry
    return MappingProxyType(exact), MappingProxyType(prefixes)


def suicide_risk_code(system: str | None, code: str | None) -> tuple[RiskKind, str] | None:
    """(kind, description) of an ICD-10-CM code about suicide risk; None for any other code."""
    if not code or canonical_system(system) != ICD10CM:
        return None
    norm = normalise_code(ICD10CM, code)
    exact, prefixes = _codes()
    if norm in exact:
        return exact[norm]
    for n in range(min(len(norm), MAX_STEM), 2, -1):  # linear in the code length
        found = prefixes.get(norm[:n].rstrip("."))
        if found is not None:
            return found
    return None


class SuicideScreens:
    """The LOINC questions and answers of ``suicide_screens.yaml``, as plain lookups."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        item9 = data["phq9_item9"]
        cssrs = data["cssrs"]
        self.item9_loinc: str = item9["loinc"]
        self.item9_answers: Mapping[str, int] = dict(item9["answers"])
        self.item9_text: Mapping[str, int] = dict(item9["answer_text"])
        self.cssrs_panels: frozenset[str] = frozenset(cssrs["panels"])
        self.cssrs_items: Mapping[str, str] = dict(cssrs["items"])
        self.positive_ideation: frozenset[str] = frozenset(cssrs["positive_ideation"])
        self.positive_behavior: frozenset[str] = frozenset(cssrs["positive_behavior"])
        self.risk_level: str = cssrs["risk_level"]
        self.risk_answers: Mapping[str, str] = dict(cssrs["risk_answers"])
        self.positive_risk_levels: frozenset[str] = frozenset(cssrs["positive_risk_levels"])
        self.yes: frozenset[str] = frozenset(str(c) for c in data["answer_yes"])
        self.no: frozenset[str] = frozenset(str(c) for c in data["answer_no"])


@cache
def suicide_screens() -> SuicideScreens:
    """The packaged suicide-screen LOINC table (read once)."""
    return SuicideScreens(read_yaml("suicide_screens.yaml"))
