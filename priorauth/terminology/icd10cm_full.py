"""The full ICD-10-CM code set (the CMS tabular, as shipped by the ``simple-icd-10-cm`` package).

Used by ``priorauth rules check`` so that any valid ICD-10-CM code a payer names is accepted, not
only the codes in priorauth's own tables. The package's list of every item of the tabular is read
once, on first use, never at start-up; the package itself is not imported (its import builds the
whole tree from the XML tabular: about 5 times slower than reading the list, timed in one
process). Chapters (``5``) and blocks (``F30-F39``) are items, not codes.

>>> is_icd10cm_code("R45.851"), is_icd10cm_code("F061"), is_icd10cm_code("F99.99")
(True, True, False)
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from priorauth.terminology.systems import ICD10CM, normalise_code

__all__ = ["ICD10CM_RELEASE", "is_icd10cm_code"]

ICD10CM_RELEASE = "CMS tabular April 2026"
_CODE_LIST = "code-list-April-2026.txt"
"""Every item of the tabular, one a line, undotted (simple-icd-10-cm 1.5.0, pinned)."""


@cache
def _codes() -> frozenset[str]:
    spec = importlib.util.find_spec("simple_icd_10_cm")  # found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("simple-icd-10-cm is not installed (a dependency of priorauth)")
    path = Path(spec.submodule_search_locations[0]) / "data" / _CODE_LIST
    text = path.read_text(encoding="utf-8")
    items = (line.strip() for line in text.splitlines())
    return frozenset(item for item in items if item and not item.isdigit() and "-" not in item)


def is_icd10cm_code(code: str) -> bool:
    """Whether ``code`` (dot optional) is an ICD-10-CM category, subcategory or 7-character code."""
    return normalise_code(ICD10CM, code).replace(".", "") in _codes()
