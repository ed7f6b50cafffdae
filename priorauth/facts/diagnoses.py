"""Conditions → diagnoses relevant to TMS: the depressive episode, exclusions, comorbidities.

Each Condition whose code (ICD-10-CM preferred, then SNOMED CT, then the display text) the
terminology recognises becomes one :class:`DiagnosisFact`. Details missing from the preferred
coding (episode, severity, psychotic features) are filled from the other codings of the same
Condition. A Condition that also carries a coding of an exclusion category (bipolar, psychotic,
catatonia, dementia) besides its best one gives one more fact per such category, so a bipolar
code beside an MDD code is never hidden. A Condition whose ``verificationStatus`` is ``refuted``
or ``entered-in-error`` is ignored with a note.

``active`` is true unless the clinical status is inactive / remission / resolved, or an
abatement date on or before the as-of date says the condition is over.

The *current episode onset* is the earliest onset among active, not-in-remission MDD diagnoses
that start after the latest abatement of an earlier MDD diagnosis (a past episode); it is
``None`` when no active MDD diagnosis has an onset (or recorded) date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from priorauth.facts.models import DiagnosisFact
from priorauth.facts.notes import Notes
from priorauth.fhir.codes import ICD10_SYSTEMS, ICD10CM_SYSTEMS, in_system
from priorauth.fhir.datatypes import Concept, cc_text, codings, field, parse_date
from priorauth.fhir.index import ResourceIndex
from priorauth.terminology import DiagnosisInfo, diagnosis_info

__all__ = [
    "ConditionState",
    "condition_state",
    "current_episode_onset",
    "extract_diagnoses",
    "pregnancy_status",
    "pregnant_from_diagnoses",
]

_SKIP_VERIFICATION = {"refuted", "entered-in-error"}
_INACTIVE = {"inactive", "remission", "resolved"}
_DETAILS = ("episode", "severity", "psychotic_features", "remission")


def _code(concept: Any) -> str | None:
    return next((code for _s, code, _d in codings(concept) if code), None)


def _rank(system: str | None) -> int:
    if in_system(system, ICD10CM_SYSTEMS) or in_system(system, ICD10_SYSTEMS):
        return 0
    return 1


def _infos(concept: Any) -> list[tuple[DiagnosisInfo, str]]:
    """Recognised codings, best first, each with how it matched."""
    found: list[tuple[DiagnosisInfo, str]] = []
    for system, code, display in sorted(codings(concept), key=lambda c: _rank(c[0])):
        info = diagnosis_info(system, code, display or cc_text(concept) or None)
        if info is not None:
            found.append((info, f"{_label(system)} {code}"))
    text = cc_text(concept)
    if not found and text:
        info = diagnosis_info(None, None, text)
        if info is not None:
            found.append((info, "text"))
    return found


def _label(system: str | None) -> str:
    if _rank(system) == 0:
        return "ICD-10-CM"
    return "SNOMED CT" if system and "snomed" in system else (system or "code")


def _merged(infos: Sequence[tuple[DiagnosisInfo, str]]) -> DiagnosisInfo:
    """The first info, with details it lacks taken from the others of the same category."""
    best = infos[0][0]
    updates: dict[str, Any] = {}
    for name in _DETAILS:
        if getattr(best, name) in (None, "unspecified"):
            for other, _how in infos[1:]:
                value = getattr(other, name)
                if other.category == best.category and value not in (None, "unspecified"):
                    updates[name] = value
                    break
    return best.model_copy(update=updates) if updates else best


def _onset(condition: Any) -> dt.date | None:
    for value in (
        field(condition, "onsetDateTime"),
        field(field(condition, "onsetPeriod"), "start"),
    ):
        if parse_date(value) is not None:
            return parse_date(value)
    return None


def _abatement(condition: Any) -> dt.date | None:
    period = field(condition, "abatementPeriod")
    for value in (
        field(condition, "abatementDateTime"),
        field(period, "end"),
        field(period, "start"),
    ):
        if parse_date(value) is not None:
            return parse_date(value)
    return None


def _is_active(status: str | None, abatement: dt.date | None, as_of: dt.date) -> bool:
    if status in _INACTIVE:
        return False
    if status in {"active", "recurrence", "relapse"}:
        return abatement is None or abatement > as_of
    return abatement is None or abatement > as_of


class ConditionState(NamedTuple):
    """A Condition's dates and status, read as every diagnosis fact reads them."""

    onset: dt.date | None
    abatement: dt.date | None
    recorded: dt.date | None
    clinical_status: str | None
    active: bool


def condition_state(condition: Any, as_of: dt.date) -> ConditionState:
    """Onset, abatement, recorded date, clinical status and ``active`` (module docstring)."""
    status = _code(field(condition, "clinicalStatus"))
    abatement = _abatement(condition)
    return ConditionState(
        onset=_onset(condition),
        abatement=abatement,
        recorded=parse_date(field(condition, "recordedDate")),
        clinical_status=status,
        active=_is_active(status, abatement, as_of),
    )


def _remission(info: DiagnosisInfo) -> Any:
    return info.remission if info.remission in ("partial", "full") else None


def _fact(
    condition: Any, ref: str, infos: Sequence[tuple[DiagnosisInfo, str]], as_of: dt.date
) -> DiagnosisFact:
    info = _merged(infos)
    state = condition_state(condition, as_of)
    return DiagnosisFact(
        category=info.category,
        code=info.code,
        system=info.system,
        display=info.display or cc_text(field(condition, "code")) or None,
        episode=info.episode,
        severity=info.severity,
        psychotic_features=info.psychotic_features,
        remission=_remission(info),
        onset=state.onset,
        abatement=state.abatement,
        recorded=state.recorded,
        clinical_status=state.clinical_status,
        active=state.active,
        how=infos[0][1],
        evidence=(ref,),
    )


_EXCLUSIONS = frozenset({"bipolar", "psychotic", "catatonia", "dementia"})


def _by_category(
    infos: Sequence[tuple[DiagnosisInfo, str]],
) -> list[list[tuple[DiagnosisInfo, str]]]:
    """The recognised codings grouped by category: the best coding's category, then each
    exclusion category another coding names (F33.2 beside F31.4 is both mdd and bipolar)."""
    groups: dict[str, list[tuple[DiagnosisInfo, str]]] = {}
    for info, how in infos:
        groups.setdefault(info.category, []).append((info, how))
    first = infos[0][0].category
    return [group for category, group in groups.items() if category in _EXCLUSIONS | {first}]


def _is_recognised_diagnosis(code: Concept) -> bool:
    """Code prefilter: a Condition whose code (or text) names a diagnosis we recognise."""
    return bool(_infos(code))


def extract_diagnoses(
    index: ResourceIndex, *, as_of: dt.date, notes: Notes
) -> tuple[DiagnosisFact, ...]:
    """Every recognised diagnosis, ordered by onset (undated last) then code."""
    facts: list[DiagnosisFact] = []
    for condition in index.resources("Condition", code=_is_recognised_diagnosis):
        infos = _infos(field(condition, "code"))
        if not infos:
            continue
        ref = index.ref_of(condition)
        verification = _code(field(condition, "verificationStatus"))
        if verification in _SKIP_VERIFICATION:
            notes.add(
                "refuted", f"{ref} is {verification} and is ignored", resource=ref, severity="info"
            )
            continue
        facts.extend(_fact(condition, ref, group, as_of) for group in _by_category(infos))
    return tuple(sorted(facts, key=lambda f: (f.onset or f.recorded or dt.date.max, f.code)))


def _start(fact: DiagnosisFact) -> dt.date | None:
    return fact.onset or fact.recorded


def current_episode_onset(diagnoses: Sequence[DiagnosisFact]) -> dt.date | None:
    """Onset of the current MDD episode (see the module docstring), or None."""
    mdd = [d for d in diagnoses if d.category == "mdd"]
    past = [d.abatement for d in mdd if not d.active and d.abatement is not None]
    after = max(past) if past else dt.date.min
    current = [
        start
        for d in mdd
        if d.active and d.remission is None and (start := _start(d)) is not None and start >= after
    ]
    return min(current) if current else None


def pregnant_from_diagnoses(diagnoses: Sequence[DiagnosisFact]) -> bool | None:
    """True when an active pregnancy diagnosis is recorded; None otherwise (not known)."""
    return True if any(d.category == "pregnancy" and d.active for d in diagnoses) else None


_PREGNANCY_STATUS = "82810-3"
_PREGNANT = {"77386006": True, "60001007": False}


def _pregnancy_observation(code: Concept) -> bool:
    return any(value == _PREGNANCY_STATUS for _s, value, _d in code.codings)


def pregnancy_status(index: ResourceIndex, diagnoses: Sequence[DiagnosisFact]) -> bool | None:
    """The latest pregnancy-status Observation (LOINC 82810-3), else an active pregnancy
    diagnosis (True), else None (not recorded)."""
    latest: tuple[dt.date, bool] | None = None
    for obs in index.resources("Observation", code=_pregnancy_observation):
        date = parse_date(field(obs, "effectiveDateTime")) or parse_date(field(obs, "issued"))
        values = [_PREGNANT[c] for _s, c, _d in codings(field(obs, "valueCodeableConcept"))
                  if c in _PREGNANT]  # fmt: skip
        if date is not None and values and (latest is None or date >= latest[0]):
            latest = (date, values[0])
    if latest is not None:
        return latest[1]
    return pregnant_from_diagnoses(diagnoses)
