"""Code sets, free-text contraindication screening and is_known_code."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from priorauth.terminology import (
    CPT,
    ICD10CM,
    LOINC,
    NDC,
    RXNORM,
    SNOMED,
    code_set,
    contraindication_in_text,
    is_known_code,
)


@pytest.mark.parametrize(
    ("name", "system", "code"),
    [
        ("seizure", ICD10CM, "G40.909"),
        ("seizure", ICD10CM, "G40909"),
        ("seizure", "urn:oid:2.16.840.1.113883.6.90", "G40.A19"),
        ("seizure", ICD10CM, "G40"),
        ("seizure", ICD10CM, "R56.9"),
        ("seizure", SNOMED, "84757009"),
        ("implanted_device", ICD10CM, "Z96.21"),
        ("implanted_device", ICD10CM, "Z96.82"),
        ("implanted_device", ICD10CM, "Z95.0"),
        ("implanted_device", ICD10CM, "T85.110A"),  # descendant of T85.1
        ("implanted_device", SNOMED, "441509002"),  # cardiac pacemaker in situ
        ("retained_metal", ICD10CM, "Z18.11"),
        ("retained_metal", ICD10CM, "Z18.10"),
        ("bipolar", ICD10CM, "F31.81"),
        ("bipolar", ICD10CM, "F30.9"),
        ("bipolar", SNOMED, "13746004"),
        ("psychotic", ICD10CM, "F20.9"),
        ("psychotic", ICD10CM, "F25.1"),
        ("psychotic", SNOMED, "58214004"),
        ("psychotic_features", ICD10CM, "F33.3"),
        ("substance_use", ICD10CM, "F10.20"),
        ("substance_use", ICD10CM, "F19.21"),
        ("pregnancy", ICD10CM, "Z33.1"),
        ("pregnancy", ICD10CM, "O26.891"),
        ("neurological", ICD10CM, "I63.50"),
    ],
)
def test_code_set_contains(name: str, system: str | None, code: str | None) -> None:
    assert code_set(name).contains(system, code)


@pytest.mark.parametrize(
    ("name", "system", "code"),
    [
        ("seizure", ICD10CM, "G41.0"),
        ("seizure", ICD10CM, "R56.00"),  # febrile convulsions are left out
        ("seizure", SNOMED, "G40.909"),  # wrong system
        ("seizure", None, "G40.909"),
        ("seizure", ICD10CM, None),
        ("implanted_device", ICD10CM, "Z97.4"),  # external hearing aid
        ("implanted_device", ICD10CM, "Z96.89"),  # non-specific: see implant_unspecified
        ("retained_metal", ICD10CM, "Z18.2"),
        ("psychotic", ICD10CM, "F32.2"),
        ("substance_use", ICD10CM, "F20.0"),
        ("pregnancy", ICD10CM, "Z33.2"),
    ],
)
def test_code_set_excludes(name: str, system: str | None, code: str | None) -> None:
    assert not code_set(name).contains(system, code)


def test_code_set_metadata_and_unknown() -> None:
    seizure = code_set("seizure")
    assert seizure.name == "seizure"
    assert "ICD-10-CM" in seizure.source
    assert (ICD10CM, "G40") in seizure.prefixes
    assert code_set("implant_unspecified").contains(ICD10CM, "Z96.89")
    with pytest.raises(KeyError, match="unknown code set"):
        code_set("nope")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Patient has a cochlear implant (left).", "implanted_device"),
        ("s/p aneurysm clip 2015", "implanted_device"),
        ("VNS placed for epilepsy", "implanted_device"),
        ("deep-brain stimulator", "implanted_device"),
        ("cardiac pacemaker", "implanted_device"),
        ("shrapnel in neck from IED", "retained_metal"),
        ("retained bullet fragments near the skull", "retained_metal"),
        ("metal in the eye (welder)", "retained_metal"),
        ("history of seizures as a child", "seizure"),
        ("Epilepsy, well controlled", "seizure"),
        ("no seizures. Has pacemaker.", "implanted_device"),
    ],
)
def test_contraindication_in_text(text: str | None, expected: Any) -> None:
    assert contraindication_in_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "denies seizures",
        "No history of seizure disorder",
        "negative for epilepsy",
        "no implants, no metal fragments",
        "bupropion lowers the seizure threshold",
        "uses an external hearing aid",
        "electroconvulsive therapy in 2019",
        "febrile seizures in infancy",
        "",
        None,
    ],
)
def test_contraindication_in_text_negatives(text: str | None) -> None:
    assert contraindication_in_text(text) is None


@given(st.text())
def test_contraindication_in_text_never_raises(text: str | None) -> None:
    contraindication_in_text(text)


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (ICD10CM, "F33.2"),
        (ICD10CM, "F332"),
        (ICD10CM, "F33"),
        (ICD10CM, "G40.909"),  # descendant of a category row
        (ICD10CM, "F10.20"),
        (ICD10CM, "Z96.21"),
        ("http://snomed.info/sct", "370143000"),
        ("http://snomed.info/sct", "228557008"),
        (CPT, "90868"),
        (CPT, "90791"),
        ("https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets/", "90837"),
        ("https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets/", "G0444"),
        (LOINC, "44261-6"),
        (LOINC, "44260-8"),
        (RXNORM, "36437"),
        (RXNORM, "312938"),
        (NDC, "81968-045-30"),
    ],
)
def test_is_known_code(system: str, code: str) -> None:
    assert is_known_code(system, code)


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (ICD10CM, "E11.9"),
        (ICD10CM, "F34.9"),
        (CPT, "90875"),
        (LOINC, "72514-3"),
        (RXNORM, "314076"),
        ("http://example.org", "F33.2"),
        (ICD10CM, ""),
    ],
)
def test_is_not_known_code(system: str, code: str) -> None:
    assert not is_known_code(system, code)
