"""Test cases beside each rule file (``<id>.test.yaml``): facts in, expected outcomes out.

A case is a partial :class:`~priorauth.facts.models.PatientRecord` written in YAML, an ``as_of``
date and the expected overall status plus (some) criterion outcomes. :func:`expand_record` fills
the boilerplate so a trial can be one line::

    trials:
      - {ingredient: sertraline, drug_class: ssri, start: 2025-01-06, days: 56,
         adequate_dose: true, outcome: inadequate_response}

becomes a full MedicationTrial (``role: antidepressant``, ``end: 2025-03-03``, ``weeks: 8.0``,
``weeks_at_adequate_dose: 8.0``). See ``payer_rules/README.md`` ("Test cases") for every default.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from pydantic import Field

from priorauth.determination import CriterionOutcome, DeterminationStatus
from priorauth.rules.criteria import Strict

__all__ = ["CaseExpectation", "RuleCase", "RuleTestFile", "case_record", "expand_record", "merge"]

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
_AUGMENTING_CLASSES = {"sga", "lithium", "thyroid", "augmentation_other"}


class CaseExpectation(Strict):
    """What evaluation must produce."""

    status: DeterminationStatus
    """The status the policy's criteria give (``Determination.criteria_status``): the safety
    floor is not part of a policy's cases (docs/safety.md)."""
    criteria: dict[str, CriterionOutcome] = Field(default_factory=dict)
    """Criterion (or named group) id -> expected outcome; unlisted criteria are not checked."""
    gaps_include: tuple[str, ...] = ()
    """Each text must appear (case-insensitive) in one of the determination's gap actions."""


class RuleCase(Strict):
    """One test case: a record, a date, and the expected result."""

    name: Annotated[str, Field(min_length=1)]
    as_of: dt.date | None = None
    """Defaults to the file's ``as_of``."""
    attested: tuple[str, ...] = ()
    """Ids of the attestation criteria (and ``relapse: attested`` retreatment criteria) the signer
    confirmed; omitted = none (they are unknown, "Signer to confirm: ...")."""
    record: dict[str, Any] = Field(default_factory=dict)
    expect: CaseExpectation


class RuleTestFile(Strict):
    """A ``<id>.test.yaml`` file."""

    policy: str
    """The id of the policy file beside it."""
    as_of: dt.date | None = None
    base: dict[str, Any] = Field(default_factory=dict)
    """Facts merged into every case's record (deep merge: the case's keys win, nested mappings
    are merged key by key, lists are replaced whole). A case's ``patient.age`` replaces the base's
    ``patient.birth_date`` and vice versa."""
    cases: tuple[RuleCase, ...] = Field(min_length=1)


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge two mappings; ``override`` wins, lists are replaced, not concatenated."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_AGE_KEYS = ("age", "birth_date")


def case_record(base: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """A case's record: ``base`` deep-merged with the case's own ``record``.

    The two ways of giving the age exclude each other: a case that gives ``patient.age`` drops
    the base's ``patient.birth_date`` (and the other way round), so ``patient: {age: 17}`` in a
    case really is 17. A patient with both keys written in one place is refused (ValueError).
    """
    own = record.get("patient")
    base_patient = base.get("patient")
    if isinstance(own, dict) and isinstance(base_patient, dict):
        given = [k for k in _AGE_KEYS if k in own]
        if given:
            dropped = {k: v for k, v in base_patient.items() if k not in _AGE_KEYS}
            base = {**base, "patient": dropped}
    merged = merge(base, record)
    patient = merged.get("patient")
    if isinstance(patient, dict) and all(k in patient for k in _AGE_KEYS):
        raise ValueError(
            "patient has both birth_date and age: give one (a case's own age or birth_date "
            "replaces the base's)"
        )
    return merged


def expand_record(record: dict[str, Any], *, as_of: dt.date) -> dict[str, Any]:
    """Fill the defaults of a hand-written record so it validates as a PatientRecord."""
    out = dict(record)
    out.setdefault("as_of", as_of.isoformat())
    out["trials"] = [_trial(dict(t)) for t in out.get("trials", ())]
    out["diagnoses"] = [_diagnosis(dict(d)) for d in out.get("diagnoses", ())]
    return out


def _trial(trial: dict[str, Any]) -> dict[str, Any]:
    """Role from the class; end and weeks from ``days``; weeks at adequate dose from weeks."""
    trial.setdefault(
        "role",
        "augmentation" if trial.get("drug_class") in _AUGMENTING_CLASSES else "antidepressant",
    )
    days = trial.get("days")
    if days is not None and trial.get("start") is not None and "end" not in trial:
        start = dt.date.fromisoformat(str(trial["start"]))
        trial["end"] = (start + dt.timedelta(days=int(days))).isoformat()
    if days is not None:
        trial.setdefault("weeks", math.floor(int(days) / 7 * 10) / 10)
    if trial.get("adequate_dose") is True and trial.get("weeks") is not None:
        trial.setdefault("weeks_at_adequate_dose", trial["weeks"])
    return trial


def _diagnosis(diagnosis: dict[str, Any]) -> dict[str, Any]:
    """System ICD-10-CM, active, and what an F32/F33 code says (category, severity...)."""
    diagnosis.setdefault("system", ICD10CM)
    diagnosis.setdefault("active", True)
    for key, value in _icd_mdd(str(diagnosis.get("code", ""))).items():
        diagnosis.setdefault(key, value)
    return diagnosis


_MDD_FOURTH: dict[str, dict[str, Any]] = {
    "0": {"severity": "mild", "psychotic_features": False},
    "1": {"severity": "moderate", "psychotic_features": False},
    "2": {"severity": "severe", "psychotic_features": False},
    "3": {"severity": "severe", "psychotic_features": True},
    "4": {"remission": "partial"},
    "5": {"remission": "full"},
    "9": {"severity": "unspecified"},
}


def _icd_mdd(code: str) -> dict[str, Any]:
    """Features an ICD-10-CM F32.x / F33.x code states (empty for other codes)."""
    plain = code.replace(".", "").upper()
    if plain[:3] not in ("F32", "F33"):
        return {}
    features: dict[str, Any] = {"category": "mdd"}
    features["episode"] = "single" if plain.startswith("F32") else "recurrent"
    if plain.startswith("F334"):
        remission = {"1": "partial", "2": "full"}.get(plain[4:5])
        return {**features, "remission": remission}
    return {**features, **_MDD_FOURTH.get(plain[3:4], {})}
