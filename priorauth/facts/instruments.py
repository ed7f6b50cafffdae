"""Which rating instrument a code names, and turning a value into a checked ScoreFact.

Codes first (LOINC totals, panels and items from the terminology tables; the SNOMED CT PHQ-9
total 720433000, which those LOINC-only tables lack), then the instrument named in the text.
Only depression instruments the PatientRecord knows are returned (GAD-7 is not).

>>> identify({"coding": [{"system": "http://loinc.org", "code": "44261-6"}]}).role
'total'
>>> identify({"text": "HAM-D 17 total"}).instrument.id
'hamd'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast, get_args

from priorauth.facts.models import InstrumentId, ScoreFact
from priorauth.facts.notes import Notes
from priorauth.fhir.codes import SNOMED_SYSTEMS, in_system
from priorauth.fhir.datatypes import Concept, cc_text, concept
from priorauth.terminology import (
    Instrument,
    instrument,
    instrument_for_code,
    instrument_in_text,
    severity_band,
)

__all__ = ["Hit", "identify", "make_score", "names_instrument"]

_TRACKED = frozenset(get_args(InstrumentId))
_SNOMED_TOTALS = {"720433000": "phq9"}


@dataclass(frozen=True)
class Hit:
    """An instrument, the role of the code (``total``, ``item``, ``panel``) and how it matched."""

    instrument: Instrument
    role: str
    how: str
    code: str | None = None


@lru_cache(maxsize=8192)
def _by_code(system: str | None, code: str | None) -> Hit | None:
    """The instrument a code names; memoised (Hit is frozen, so a cached one can be shared)."""
    hit = instrument_for_code(system, code)
    if hit is not None:
        return Hit(hit[0], hit[1], f"LOINC {code}", code)
    if code in _SNOMED_TOTALS and in_system(system, SNOMED_SYSTEMS):
        return Hit(instrument(_SNOMED_TOTALS[code]), "total", f"SNOMED CT {code}", code)
    return None


def _tracked(hit: Hit | None) -> Hit | None:
    return hit if hit is not None and hit.instrument.id in _TRACKED else None


def identify(element: Any) -> Hit | None:
    """The instrument (and total / item / panel role) a code names, by code first, then text."""
    return _identify(concept(element))


@lru_cache(maxsize=4096)
def _identify(code: Concept) -> Hit | None:
    """``identify``, memoised on the frozen concept (a Hit is frozen, so it can be shared)."""
    coded = code.codings
    for system, value, _display in coded:
        found = _by_code(system, value)
        if found is not None:
            return _tracked(found)
    for text in (cc_text(code), *(d for _s, _c, d in coded if d)):
        found = _by_text(text)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=4096)
def _by_text(text: str) -> Hit | None:
    named = instrument_in_text(text)
    return None if named is None else _tracked(Hit(named, "total", f"text: {named.id}"))


def names_instrument(code: Concept) -> bool:
    """Prefilter on an Observation's frozen code: does it name a tracked instrument?"""
    return _identify(code) is not None


def make_score(
    notes: Notes,
    hit: Hit,
    value: float,
    date: dt.date,
    refs: Sequence[str],
    *,
    computed: bool = False,
) -> ScoreFact | None:
    """A ScoreFact with its severity band; ``None`` (and a note) when out of range."""
    inst = hit.instrument
    if not inst.min_score <= value <= inst.max_score:
        notes.add(
            "score-out-of-range",
            f"{refs[0]}: {inst.id} score outside {inst.min_score}-{inst.max_score}; ignored",
            resource=refs[0],
        )
        return None
    return ScoreFact(
        instrument=cast(InstrumentId, inst.id),
        date=date,
        value=value,
        band=severity_band(inst.id, value),
        computed_from_items=computed,
        how=hit.how + (" (sum of items)" if computed else ""),
        evidence=tuple(dict.fromkeys(refs)),
    )
