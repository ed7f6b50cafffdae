"""Depression rating instruments: LOINC lookup, text aliases and severity bands.

Data: ``data/instruments.yaml``. PHQ-2 items 1-2 (44250-9, 44255-8) are also PHQ-9 items 1-2;
:func:`instrument_for_code` reports them as PHQ-9 items.

>>> instrument_for_code("http://loinc.org", "44261-6")[0].id, severity_band("phq9", 20)
('phq9', 'severe')
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, Literal

from priorauth.limits import bounded
from priorauth.terminology._data import read_yaml
from priorauth.terminology.models import Instrument
from priorauth.terminology.systems import LOINC, canonical_system

__all__ = ["instrument", "instrument_for_code", "instrument_in_text", "severity_band"]

Role = Literal["total", "item", "panel"]


@cache
def _instruments() -> Mapping[str, Instrument]:
    data: dict[str, dict[str, Any]] = read_yaml("instruments.yaml")
    table = {}
    for key, spec in data.items():
        spec = dict(spec)
        spec["bands"] = tuple(tuple(b) for b in spec["bands"])
        spec["item_loincs"] = tuple(spec["item_loincs"])
        spec["loinc_other"] = tuple(spec["loinc_other"])
        spec["aliases"] = tuple(str(a) for a in spec["aliases"])
        table[key] = Instrument(id=key, **spec)
    return MappingProxyType(table)


@cache
def _loinc_index() -> Mapping[str, tuple[Instrument, Role]]:
    index: dict[str, tuple[Instrument, Role]] = {}
    for inst in _instruments().values():
        if inst.loinc_total:
            index.setdefault(inst.loinc_total, (inst, "total"))
        for code in (inst.loinc_panel, *inst.loinc_other):
            if code:
                index.setdefault(code, (inst, "panel"))
        for code in inst.item_loincs:
            index.setdefault(code, (inst, "item"))  # PHQ-9 comes first in the file
    return MappingProxyType(index)


def instrument(id: str) -> Instrument:
    """The instrument with this id (``phq9``, ``phq2``, ``phqa``, ``hamd``, ``madrs``, ``bdi2``,
    ``qids_sr``, ``gad7``). Raises KeyError if unknown."""
    try:
        return _instruments()[id]
    except KeyError:
        raise KeyError(f"unknown instrument {id!r}; known: {', '.join(_instruments())}") from None


def instrument_for_code(system: str | None, code: str | None) -> tuple[Instrument, Role] | None:
    """The instrument a LOINC code belongs to and whether it is its total, an item or the panel."""
    if canonical_system(system) != LOINC or not code:
        return None
    return _loinc_index().get(code.strip())


def _alias_regex(alias: str) -> str:
    tokens = re.findall(r"[^\W\d_]+|\d+", alias.lower())
    return r"[\s\-_/]*".join(re.escape(t) for t in tokens)


# Names that must not be read as a depression instrument (longest match wins).
_BLOCKERS = ("Hamilton Anxiety", "HAM-A", "HAMA", "Hamilton Anxiety Rating Scale")


@cache
def _text_matcher() -> tuple[re.Pattern[str], Mapping[str, str | None]]:
    owners: dict[str, str | None] = {}
    for inst in _instruments().values():
        for alias in inst.aliases:
            owners.setdefault(_alias_regex(alias), inst.id)
    for blocker in _BLOCKERS:
        owners[_alias_regex(blocker)] = None
    ordered = sorted(owners, key=len, reverse=True)
    groups = "|".join(f"(?P<a{i}>{p})" for i, p in enumerate(ordered))
    pattern = re.compile(rf"(?<![^\W_])(?:{groups})(?![^\W_])", re.IGNORECASE)
    return pattern, MappingProxyType({f"a{i}": owners[p] for i, p in enumerate(ordered)})


def instrument_in_text(text: str | None) -> Instrument | None:
    """The first instrument named in free text (``"PHQ9 score 17"`` -> PHQ-9), else None.

    Aliases match case-insensitively on word boundaries, with or without hyphens and spaces
    (``PHQ-9``, ``PHQ 9``, ``phq9``). "Hamilton Anxiety"/"HAM-A" are not read as HAM-D.
    """
    text = bounded(text)
    if not text:
        return None
    pattern, owners = _text_matcher()
    for match in pattern.finditer(text):
        owner = owners[match.lastgroup or ""]
        if owner is not None:
            return _instruments()[owner]
    return None


def severity_band(instrument_id: str, score: float) -> str:
    """The severity label of ``score`` on the instrument's bands.

    Bands are inclusive integer ranges; a fractional score falls in the band whose lower
    bound it has reached (14.5 on PHQ-9 -> "moderate"). Raises KeyError for an unknown
    instrument and ValueError for a score outside the instrument's range or not a number.
    """
    inst = instrument(instrument_id)
    if math.isnan(score) or not inst.min_score <= score <= inst.max_score:
        raise ValueError(f"{inst.id} score {score} outside {inst.min_score}-{inst.max_score}")
    label = inst.bands[0][2]
    for low, _high, band in inst.bands:
        if score >= low:
            label = band
    return label
