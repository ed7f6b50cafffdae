"""Diagnosis codes: ICD-10-CM parsing table, SNOMED CT details, categories and display fallback."""

from __future__ import annotations

import pytest

from priorauth.terminology import ICD10CM, SNOMED, diagnosis_info

# code -> (category, episode, severity, psychotic_features, remission, in_remission_code)
ICD_TABLE = [
    ("F32.0", "mdd", "single", "mild", False, None, False),
    ("F32.1", "mdd", "single", "moderate", False, None, False),
    ("F32.2", "mdd", "single", "severe", False, None, False),
    ("F32.3", "mdd", "single", "severe", True, None, False),
    ("F32.4", "mdd", "single", None, None, "partial", True),
    ("F32.5", "mdd", "single", None, None, "full", True),
    ("F32.9", "mdd", "single", "unspecified", None, None, False),
    ("F32.A", "depression_other", "unspecified", "unspecified", None, None, False),
    ("F32.81", "depression_other", None, None, None, None, False),
    ("F32.89", "depression_other", "single", "unspecified", None, None, False),
    ("F33.0", "mdd", "recurrent", "mild", False, None, False),
    ("F33.1", "mdd", "recurrent", "moderate", False, None, False),
    ("F33.2", "mdd", "recurrent", "severe", False, None, False),
    ("F33.3", "mdd", "recurrent", "severe", True, None, False),
    ("F33.40", "mdd", "recurrent", None, None, None, True),
    ("F33.41", "mdd", "recurrent", None, None, "partial", True),
    ("F33.42", "mdd", "recurrent", None, None, "full", True),
    ("F33.8", "depression_other", "recurrent", "unspecified", None, None, False),
    ("F33.9", "mdd", "recurrent", "unspecified", None, None, False),
]


@pytest.mark.parametrize(
    ("code", "category", "episode", "severity", "psychotic", "remission", "in_remission"),
    ICD_TABLE,
)
def test_icd10cm_mdd_table(
    code: str | None,
    category: str,
    episode: str | None,
    severity: str | None,
    psychotic: bool | None,
    remission: str | None,
    in_remission: bool,
) -> None:
    info = diagnosis_info(ICD10CM, code)
    assert info is not None
    assert (
        info.category,
        info.episode,
        info.severity,
        info.psychotic_features,
        info.remission,
        info.in_remission_code,
    ) == (category, episode, severity, psychotic, remission, in_remission)
    assert info.code == code
    assert info.system == ICD10CM
    assert info.display


@pytest.mark.parametrize(
    ("system", "code"),
    [
        ("http://hl7.org/fhir/sid/icd-10-cm", "F33.2"),
        ("urn:oid:2.16.840.1.113883.6.90", "F332"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "f33.2"),
        ("ICD-10-CM", " F33.2 "),
    ],
)
def test_icd_code_and_system_variants(system: str | None, code: str | None) -> None:
    info = diagnosis_info(system, code)
    assert info is not None
    assert (info.code, info.severity) == ("F33.2", "severe")


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("F31.81", "bipolar"),
        ("F31.4", "bipolar"),
        ("F30.10", "bipolar"),
        ("F34.0", "bipolar"),
        ("F20.0", "psychotic"),
        ("F25.1", "psychotic"),
        ("F29", "psychotic"),
        ("F10.20", "substance_use"),  # descendant of category F10
        ("F17.210", "substance_use"),
        ("G40.909", "seizure"),  # descendant of G40
        ("G40.A09", "seizure"),
        ("R56.9", "seizure"),
        ("Z33.1", "pregnancy"),
        ("O99.340", "pregnancy"),  # chapter O prefix
        ("F41.1", "anxiety"),
        ("F43.10", "ptsd"),
        ("I63.9", "neurological"),
        ("F34.1", "depression_other"),
    ],
)
def test_icd_categories(code: str | None, category: str) -> None:
    info = diagnosis_info(ICD10CM, code)
    assert info is not None
    assert info.category == category
    assert info.code == code


@pytest.mark.parametrize(
    ("code", "in_remission"),
    [
        ("F10.21", True),  # alcohol dependence, in remission
        ("F10.11", True),
        ("F11.91", True),
        ("F17.211", True),  # nicotine dependence, cigarettes, in remission
        ("F10.20", False),
        ("F10.239", False),
        ("F17.210", False),
    ],
)
def test_substance_use_remission_flag(code: str | None, in_remission: bool) -> None:
    info = diagnosis_info(ICD10CM, code)
    assert info is not None
    assert info.in_remission_code is in_remission


def test_bipolar_remission() -> None:
    info = diagnosis_info(ICD10CM, "F31.75")
    assert info is not None
    assert (info.remission, info.in_remission_code) == ("partial", True)


# SNOMED: README 3b table (episode, severity, psychotic, remission)
SNOMED_TABLE = [
    ("370143000", "unspecified", "unspecified", None, None),
    ("36923009", "single", "unspecified", None, None),
    ("66344007", "recurrent", "unspecified", None, None),
    ("79298009", "single", "mild", False, None),
    ("40379007", "recurrent", "mild", False, None),
    ("15639000", "single", "moderate", False, None),
    ("18818009", "recurrent", "moderate", False, None),
    ("832007", "unspecified", "moderate", False, None),
    ("720453001", "single", "moderate", False, None),  # moderately severe -> moderate
    ("720454007", "single", "mild", False, None),  # minimal -> mild
    ("76441001", "single", "severe", False, None),
    ("36474008", "recurrent", "severe", False, None),
    ("75084000", "unspecified", "severe", False, None),
    ("251000119105", "single", "severe", None, None),
    ("430852001", "single", "severe", True, None),
    ("191604000", "single", "severe", True, None),
    ("28475009", "recurrent", "severe", True, None),
    ("15193003", "recurrent", "severe", True, None),
    ("73867007", "unspecified", "severe", True, None),
    ("70747007", "single", None, None, "partial"),
    ("33135002", "recurrent", None, None, "partial"),
    ("30605009", "unspecified", None, None, "partial"),
    ("19527009", "single", None, None, "full"),
    ("46244001", "recurrent", None, None, "full"),
    ("63412003", "unspecified", None, None, "full"),
    ("68019004", "recurrent", None, None, None),
]


@pytest.mark.parametrize(("code", "episode", "severity", "psychotic", "remission"), SNOMED_TABLE)
def test_snomed_mdd_details(
    code: str | None,
    episode: str | None,
    severity: str | None,
    psychotic: bool | None,
    remission: str | None,
) -> None:
    info = diagnosis_info(SNOMED, code)
    assert info is not None
    assert info.category == "mdd"
    assert (info.episode, info.severity, info.psychotic_features, info.remission) == (
        episode,
        severity,
        psychotic,
        remission,
    )
    assert info.in_remission_code is ("remission" in (info.display or "").lower())


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("13746004", "bipolar"),
        ("83225003", "bipolar"),
        ("58214004", "psychotic"),
        ("68890003", "psychotic"),
        ("84757009", "seizure"),
        ("128613002", "seizure"),
        ("78667006", "depression_other"),
        ("47505003", "ptsd"),
        ("7200002", "substance_use"),
        ("72892002", "pregnancy"),
    ],
)
def test_snomed_categories(code: str | None, category: str) -> None:
    info = diagnosis_info("http://snomed.info/sct", code)
    assert info is not None
    assert info.category == category


def test_unknown_code_with_display_is_parsed() -> None:
    info = diagnosis_info(SNOMED, "999999999", "Major depressive disorder, recurrent, severe")
    assert info is not None
    assert (info.category, info.code, info.episode, info.severity) == (
        "mdd",
        "999999999",
        "recurrent",
        "severe",
    )


def test_display_passed_through_when_table_has_one() -> None:
    info = diagnosis_info(ICD10CM, "F33.2", "MDD recurrent severe")
    assert info is not None
    assert info.display == "Major depressive disorder, recurrent severe without psychotic features"


@pytest.mark.parametrize(
    ("system", "code", "display"),
    [
        (ICD10CM, "E11.9", None),
        (SNOMED, "38341003", "Hypertension"),
        (None, None, None),
        ("http://example.org/local", "123", None),
        (ICD10CM, "", "Bipolar I disorder, current episode depressed"),  # bipolar is not parsed
    ],
)
def test_unknown_diagnoses(system: str | None, code: str | None, display: str | None) -> None:
    assert diagnosis_info(system, code, display) is None
