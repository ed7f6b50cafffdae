"""Named code sets (contraindications and exclusions), free-text contraindication screening, and
:func:`is_known_code` for checking payer-rule files.

Data: ``data/code_sets.csv`` (``match=prefix`` rows match every ICD-10-CM descendant) and
``data/contraindication_terms.yaml`` (text patterns and negation cues).

>>> code_set("seizure").contains("http://hl7.org/fhir/sid/icd-10-cm", "G40.909")
True
>>> contraindication_in_text("s/p cochlear implant 2019")
'implanted_device'
>>> contraindication_in_text("denies seizures") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, Literal

from priorauth.limits import bounded
from priorauth.terminology._data import read_csv, read_yaml
from priorauth.terminology.models import CodeSet
from priorauth.terminology.systems import (
    CPT,
    HCPCS,
    ICD10CM,
    LOINC,
    NDC,
    RXNORM,
    canonical_system,
    code_stems,
    normalise_code,
)

__all__ = ["CodeSetName", "code_set", "contraindication_in_text", "is_known_code"]

CodeSetName = Literal[
    "seizure",
    "seizure_risk",
    "implanted_device",
    "implant_unspecified",
    "retained_metal",
    "bipolar",
    "psychotic",
    "psychotic_features",
    "substance_use",
    "pregnancy",
    "neurological",
]


@cache
def _sets() -> Mapping[str, CodeSet]:
    codes: dict[str, set[tuple[str, str]]] = {}
    prefixes: dict[str, set[tuple[str, str]]] = {}
    sources: dict[str, list[str]] = {}
    for row in read_csv("code_sets.csv"):
        system = canonical_system(row["system"])
        if system is None:
            raise ValueError(f"code_sets.csv: unknown system {row['system']!r}")
        key = (system, normalise_code(system, row["code"]))
        codes.setdefault(row["set"], set()).add(key)
        if row["match"] == "prefix":
            prefixes.setdefault(row["set"], set()).add(key)
        names = sources.setdefault(row["set"], [])
        if row["source"] not in names:
            names.append(row["source"])
    return MappingProxyType(
        {
            name: CodeSet(
                name=name,
                source="; ".join(sources[name]),
                codes=frozenset(members),
                prefixes=frozenset(prefixes.get(name, set())),
            )
            for name, members in codes.items()
        }
    )


def code_set(name: CodeSetName | str) -> CodeSet:
    """The named code set. Raises KeyError if unknown.

    Names: ``seizure``, ``seizure_risk`` (family history of epilepsy, history of TBI),
    ``implanted_device``, ``implant_unspecified`` (non-specific implant status), ``retained_metal``,
    ``bipolar``, ``psychotic`` (F20-F29 and SNOMED equivalents), ``psychotic_features`` (mood
    disorders coded with psychotic features), ``substance_use``, ``pregnancy``, ``neurological``.
    """
    try:
        return _sets()[name]
    except KeyError:
        raise KeyError(f"unknown code set {name!r}; known: {', '.join(sorted(_sets()))}") from None


# --------------------------------------------------------------------------- free text


def _phrase_regex(phrase: str) -> str:
    tokens = re.findall(r"[^\W_]+", phrase.lower())
    return r"[\s\-]*".join(re.escape(t) for t in tokens)


@cache
def _contraindication_matcher() -> tuple[
    re.Pattern[str], Mapping[str, str | None], re.Pattern[str]
]:
    data: dict[str, Any] = read_yaml("contraindication_terms.yaml")
    _check_strings(data)
    owners: dict[str, str | None] = {}
    for category, phrases in data["categories"].items():
        for phrase in phrases:
            owners.setdefault(_phrase_regex(phrase), str(category))
    for phrase in data["not_a_mention"]:
        owners[_phrase_regex(phrase)] = None
    ordered = sorted(owners, key=len, reverse=True)
    groups = "|".join(f"(?P<c{i}>{p})" for i, p in enumerate(ordered))
    pattern = re.compile(rf"(?<![^\W_])(?:{groups})(?![^\W_])", re.IGNORECASE)
    cues = "|".join(_phrase_regex(c) for c in data["negation_cues"])
    negation = re.compile(rf"(?<![^\W_])(?:{cues})(?![^\W_])[^.;\n]*$", re.IGNORECASE)
    return pattern, MappingProxyType({f"c{i}": owners[p] for i, p in enumerate(ordered)}), negation


def _check_strings(data: dict[str, Any]) -> None:
    """Every phrase must be a string (YAML 1.1 turns a bare ``no`` into False)."""
    lists = [*data["categories"].values(), data["not_a_mention"], data["negation_cues"]]
    for phrase in (p for phrases in lists for p in phrases):
        if not isinstance(phrase, str):
            raise ValueError(f"contraindication_terms.yaml: {phrase!r} is not a string; quote it")


def contraindication_in_text(text: str | None) -> str | None:
    """``"seizure"``, ``"implanted_device"`` or ``"retained_metal"`` for the first mention in
    free text that is not negated, else None.

    A mention is negated when a cue ("no", "denies", "negative for", "without", ...) occurs
    earlier in the same sentence within 60 characters (a NegEx-style heuristic, not a parser).
    Phrases such as "seizure threshold" or "external hearing aid" are not mentions.
    """
    text = bounded(text)
    if not text:
        return None
    pattern, owners, negation = _contraindication_matcher()
    for match in pattern.finditer(text):
        category = owners[match.lastgroup or ""]
        if category is None:
            continue
        window = text[max(0, match.start() - 60) : match.start()]
        if negation.search(window):
            continue
        return category
    return None


# --------------------------------------------------------------------------- known codes


@cache
def _known_codes() -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    from priorauth.terminology import diagnoses, drugs, instruments, procedures

    exact: set[tuple[str, str]] = set()
    prefixes: set[tuple[str, str]] = set()
    for cs in _sets().values():
        exact |= cs.codes
        prefixes |= cs.prefixes
    diag_exact, diag_prefixes = diagnoses._tables()
    exact |= set(diag_exact)
    prefixes |= {(ICD10CM, code) for code in diag_prefixes}
    exact |= set(drugs._code_index())
    exact |= {(RXNORM, i.rxcui) for i in drugs.all_ingredients() if i.rxcui}
    exact |= {(LOINC, code) for code in instruments._loinc_index()}
    exact |= set(procedures._codes())
    for row in read_csv("known_codes.csv"):
        system = canonical_system(row["system"])
        if system is not None:
            exact.add((system, normalise_code(system, row["code"])))
    return frozenset(exact), frozenset(prefixes)


def is_known_code(system: str, code: str) -> bool:
    """True if (system, code) appears in any terminology table: drugs (RxNorm, NDC), instruments
    (LOINC), diagnoses and code sets (ICD-10-CM incl. descendants of category rows, SNOMED CT),
    procedures (CPT, SNOMED CT) or ``data/known_codes.csv`` (other codes payer rules cite, such
    as psychiatric evaluation CPT codes). Used to check codes written in payer-rule files.
    """
    sys_uri = canonical_system(system)
    if sys_uri is None or not code or not code.strip():
        return False
    if sys_uri == HCPCS and is_known_code(CPT, code):  # Level I HCPCS = CPT
        return True
    norm = normalise_code(sys_uri, code)
    exact, prefixes = _known_codes()
    if (sys_uri, norm) in exact:
        return True
    if sys_uri == NDC and len(norm) == 11:
        return (sys_uri, norm[:9]) in exact
    if sys_uri == ICD10CM:
        return any((sys_uri, norm[:n].rstrip(".")) in prefixes for n in code_stems(norm))
    return False
