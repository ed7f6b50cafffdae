"""The full ICD-10-CM set agrees with the simple-icd-10-cm package's own API."""

from __future__ import annotations

import warnings

import pytest

from priorauth.terminology.icd10cm_full import _codes, is_icd10cm_code


@pytest.fixture(scope="module")
def icd():
    with warnings.catch_warnings():  # the package reads its data with a deprecated call
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


def package_says(icd, code: str) -> bool:
    flat = code.replace(".", "")
    if not icd.is_valid_item(flat):
        return False
    return bool(icd.is_category_or_subcategory(flat) or icd.is_extended_subcategory(flat))


def test_every_mental_health_code_and_a_sample_elsewhere_agree(icd):
    sample = sorted(c for c in _codes() if c.startswith(("F", "R45", "Z91", "S06")))
    sample += sorted(_codes())[::997]
    sample += ["F30-F39", "5", "F99.99", "F3", "F33.", "Z00.0000", "R45.851", "F06.30"]
    assert len(sample) > 1000
    disagree = [c for c in sample if is_icd10cm_code(c) != package_says(icd, c)]
    assert disagree == []


def test_codes_are_read_with_or_without_the_dot():
    assert is_icd10cm_code("F33.2")
    assert is_icd10cm_code("f332")
    assert is_icd10cm_code("S06.0X0A")
    assert not is_icd10cm_code("")
    assert not is_icd10cm_code("F30-F39")
