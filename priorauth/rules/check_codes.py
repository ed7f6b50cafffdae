"""Codes in a rule file checked against full code sets, with the file's documented exceptions.

ICD-10-CM codes and prefixes are checked against the whole ICD-10-CM (the CMS tabular, see
:mod:`priorauth.terminology.icd10cm_full`), so any valid code a payer names passes; CPT, SNOMED CT
and RxNorm codes against priorauth's terminology tables (CPT is licensed: no full set ships). A
code the tables lack is accepted when the file lists it under ``codes_outside_tables`` with a
``why``; an entry that is not needed (the code is in the tables, or the file does not name it) is
a warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from priorauth.rules._where import Loc, node_locations, problem_at
from priorauth.rules.loader import LoadedFile
from priorauth.rules.models import Policy
from priorauth.rules.problems import Problem
from priorauth.terminology import is_known_code
from priorauth.terminology.icd10cm_full import ICD10CM_RELEASE, is_icd10cm_code
from priorauth.terminology.systems import canonical_system, normalise_code

__all__ = ["code_problems", "in_code_set"]

_NAMES = {"icd10cm": "ICD-10-CM", "cpt": "CPT", "snomed": "SNOMED CT", "rxnorm": "RxNorm"}
_SET = {
    "icd10cm": f"ICD-10-CM ({ICD10CM_RELEASE})",
    "cpt": "the terminology tables",
    "snomed": "the terminology tables",
    "rxnorm": "the RxNorm tables",
}


def in_code_set(system: str, code: str) -> bool:
    """Whether ``code`` of ``system`` (``icd10cm``, ``cpt``, ``snomed``, ``rxnorm``) is known.

    >>> in_code_set("icd10cm", "R45.851"), in_code_set("icd10cm", "F99.99")
    (True, False)
    """
    if system == "icd10cm":
        return is_icd10cm_code(code)
    return is_known_code(system, code)


def _key(system: str, code: str) -> tuple[str, str]:
    return system, normalise_code(canonical_system(system), code)


def code_problems(item: LoadedFile, policy: Policy) -> Iterator[Problem]:
    """Every cited code outside its code set and not excepted; every needless exception."""
    excepted = {_key(o.system, o.code) for o in policy.codes_outside_tables}
    cited = list(_cited_codes(policy))
    for loc, system, code in cited:
        if _key(system, code) not in excepted and not in_code_set(system, code):
            yield problem_at(
                item,
                loc,
                f"{_NAMES[system]} code '{code}' is not in {_SET[system]}",
                f"check the code; if the payer names it, add to codes_outside_tables: "
                f"{{system: {system}, code: {code}, why: ...}}",
            )
    yield from _needless_exceptions(item, policy, {_key(s, c) for _, s, c in cited})


def _needless_exceptions(
    item: LoadedFile, policy: Policy, cited: set[tuple[str, str]]
) -> Iterator[Problem]:
    for index, entry in enumerate(policy.codes_outside_tables):
        if _key(entry.system, entry.code) not in cited:
            yield problem_at(
                item,
                ("codes_outside_tables", index, "code"),
                f"{_NAMES[entry.system]} code '{entry.code}' is not named elsewhere in this file",
                "remove this entry, or check the code's spelling where the criteria name it",
                "warning",
            )
        elif in_code_set(entry.system, entry.code):
            yield problem_at(
                item,
                ("codes_outside_tables", index, "code"),
                f"{_NAMES[entry.system]} code '{entry.code}' is in {_SET[entry.system]}",
                "remove this entry: the code needs no exception",
                "warning",
            )


def _cited_codes(policy: Policy) -> Iterator[tuple[Loc, str, str]]:
    for k, code in enumerate(policy.service.cpt):
        yield ("service", "cpt", k), "cpt", code
    for node, loc in node_locations(policy.criteria):
        for key in ("codes", "code_prefixes"):
            for k, code in enumerate(getattr(node, key, ())):
                yield (*loc, key, k), "icd10cm", code
