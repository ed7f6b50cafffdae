"""Psychotherapy, ECT and TMS: lookup by CPT / SNOMED CT code and by free text.

Data: ``data/procedures.csv`` (codes with our own short labels: CPT descriptors are AMA text and
are not reproduced) and ``data/procedure_terms.yaml`` (text names).

>>> procedure_info("http://www.ama-assn.org/go/cpt", "90837").category
'psychotherapy'
>>> procedure_in_text("12 sessions of CBT in 2023").therapy_type
'cbt'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Literal, cast

from priorauth.limits import bounded
from priorauth.terminology._data import read_csv, read_yaml
from priorauth.terminology.models import ProcedureInfo
from priorauth.terminology.systems import CPT, HCPCS, SNOMED, canonical_system, normalise_code

__all__ = ["procedure_in_text", "procedure_info"]

Category = Literal["psychotherapy", "ect", "tms"]


@cache
def _codes() -> Mapping[tuple[str, str], ProcedureInfo]:
    table: dict[tuple[str, str], ProcedureInfo] = {}
    for row in read_csv("procedures.csv"):
        system = canonical_system(row["system"])
        if system is None:
            raise ValueError(f"procedures.csv: unknown system {row['system']!r}")
        code = normalise_code(system, row["code"])
        table[(system, code)] = ProcedureInfo(
            category=cast(Category, row["category"]),
            therapy_type=row["therapy_type"] or None,
            how=f"{row['system']} {row['code']} ({row['label']})",
        )
    return MappingProxyType(table)


def procedure_info(system: str | None, code: str | None) -> ProcedureInfo | None:
    """The procedure a CPT or SNOMED CT code stands for, or None if not one we track.

    CPT codes are also accepted under the HCPCS system URI (Level I HCPCS = CPT).
    """
    sys_uri = canonical_system(system)
    if not code or sys_uri not in (CPT, SNOMED, HCPCS):
        return None
    lookup_sys = CPT if sys_uri == HCPCS else sys_uri
    return _codes().get((lookup_sys, normalise_code(lookup_sys, code)))


def _phrase_regex(phrase: str) -> str:
    tokens = re.findall(r"[^\W_]+", phrase.lower())
    return r"[\s\-]*".join(re.escape(t) for t in tokens)


@cache
def _text_matcher() -> tuple[re.Pattern[str], Mapping[str, tuple[Category, str, str]]]:
    data: dict[str, dict[str, list[str]]] = read_yaml("procedure_terms.yaml")
    owners: dict[str, tuple[Category, str, str]] = {}
    for category, types in data.items():
        for therapy_type, phrases in types.items():
            for phrase in phrases:
                if not isinstance(phrase, str):
                    raise ValueError(f"procedure_terms.yaml: {phrase!r} is not a string; quote it")
                owners.setdefault(
                    _phrase_regex(str(phrase)),
                    (cast(Category, category), therapy_type, str(phrase)),
                )
    ordered = sorted(owners, key=len, reverse=True)
    groups = "|".join(f"(?P<p{i}>{p})" for i, p in enumerate(ordered))
    pattern = re.compile(rf"(?<![^\W_])(?:{groups})(?![^\W_])", re.IGNORECASE)
    return pattern, MappingProxyType({f"p{i}": owners[p] for i, p in enumerate(ordered)})


def procedure_in_text(text: str | None) -> ProcedureInfo | None:
    """The first psychotherapy / ECT / TMS named in free text, else None.

    Whole words only, case-insensitive (``"CBT"``, ``"rTMS"``, ``"electroconvulsive"``). ECT and
    TMS get ``therapy_type`` ``ect`` / ``rtms`` / ``deep`` / ``itbs``; psychotherapy gets ``cbt``,
    ``ipt``, ``dbt``, ``psychodynamic``, ``supportive``, ``family``, ``group``, ``behavioral``,
    ... or ``unspecified``. No negation handling: callers decide what a mention means.
    """
    text = bounded(text)
    if not text:
        return None
    pattern, owners = _text_matcher()
    match = pattern.search(text)
    if match is None:
        return None
    category, therapy_type, _phrase = owners[match.lastgroup or ""]
    return ProcedureInfo(
        category=category, therapy_type=therapy_type, how=f"text: '{match.group(0)}'"
    )
