"""The full ICD-10-CM code set (CMS tabular, via the ``simple-icd-10-cm`` package).

Used by ``priorauth rules check`` so that any valid ICD-10-CM code a payer names is accepted, not
only the codes in priorauth's own tables. The package is imported on first use (it parses the
tabular, about 4 s), never at start-up. Chapters and blocks (``F30-F39``) are not codes.

>>> is_icd10cm_code("R45.851"), is_icd10cm_code("F061"), is_icd10cm_code("F99.99")
(True, True, False)
"""

from __future__ import annotations

import warnings
from functools import cache
from types import ModuleType

from priorauth.terminology.systems import ICD10CM, normalise_code

__all__ = ["ICD10CM_RELEASE", "is_icd10cm_code"]

ICD10CM_RELEASE = "CMS tabular April 2026"


@cache
def _module() -> ModuleType:
    with warnings.catch_warnings():  # it reads its data with importlib.resources.read_text
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd

    module: ModuleType = icd
    return module


def is_icd10cm_code(code: str) -> bool:
    """Whether ``code`` (dot optional) is an ICD-10-CM category, subcategory or 7-character code."""
    flat = normalise_code(ICD10CM, code).replace(".", "")
    icd = _module()
    if not flat or not icd.is_valid_item(flat):
        return False
    return bool(icd.is_category_or_subcategory(flat) or icd.is_extended_subcategory(flat))
