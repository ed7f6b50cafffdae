"""Procedures: CPT / SNOMED CT codes and free text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from priorauth.terminology import CPT, procedure_in_text, procedure_info


@pytest.mark.parametrize(
    ("system", "code", "category", "therapy_type"),
    [
        (CPT, "90832", "psychotherapy", "unspecified"),
        (CPT, "90834", "psychotherapy", "unspecified"),
        (CPT, "90837", "psychotherapy", "unspecified"),
        (CPT, "90839", "psychotherapy", "crisis"),
        (CPT, "90845", "psychotherapy", "psychodynamic"),
        (CPT, "90846", "psychotherapy", "family"),
        (CPT, "90847", "psychotherapy", "family"),
        (CPT, "90853", "psychotherapy", "group"),
        (CPT, "90870", "ect", None),
        (CPT, "90867", "tms", "initial"),
        (CPT, "90868", "tms", "subsequent"),
        (CPT, "90869", "tms", "redetermination"),
        ("urn:oid:2.16.840.1.113883.6.12", "0889t", "tms", "accelerated_navigated"),
        ("http://snomed.info/sct", "228557008", "psychotherapy", "cbt"),
        ("http://snomed.info/sct", "425680009", "psychotherapy", "cbt"),
        ("http://snomed.info/sct", "183383008", "psychotherapy", "cbt"),
        ("http://snomed.info/sct", "443730003", "psychotherapy", "ipt"),
        ("http://snomed.info/sct", "304822001", "psychotherapy", "psychodynamic"),
        ("http://snomed.info/sct", "76168009", "psychotherapy", "group"),
        ("http://snomed.info/sct", "70711000119100", "ect", None),
    ],
)
def test_procedure_codes(
    system: str | None, code: str | None, category: str, therapy_type: str | None
) -> None:
    info = procedure_info(system, code)
    assert info is not None
    assert (info.category, info.therapy_type) == (category, therapy_type)


def test_how_uses_own_label() -> None:
    info = procedure_info(CPT, "90868")
    assert info is not None
    assert info.how == "cpt 90868 (TMS subsequent session)"


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (CPT, "90791"),  # evaluation, not psychotherapy
        (CPT, "90875"),  # not a TMS code (payer_policies Extra E)
        (CPT, None),
        ("http://snomed.info/sct", "88848003"),  # psychiatric follow-up
        ("http://loinc.org", "90837"),
        (None, "90837"),
    ],
)
def test_unknown_procedures(system: str | None, code: str | None) -> None:
    assert procedure_info(system, code) is None


@pytest.mark.parametrize(
    ("text", "category", "therapy_type"),
    [
        ("completed 16 sessions of cognitive behavioral therapy", "psychotherapy", "cbt"),
        ("Cognitive-behavioural therapy", "psychotherapy", "cbt"),
        ("CBT weekly", "psychotherapy", "cbt"),
        ("IPT x 12", "psychotherapy", "ipt"),
        ("dialectical behavior therapy", "psychotherapy", "dbt"),
        ("weekly psychotherapy since 2022", "psychotherapy", "unspecified"),
        ("group therapy", "psychotherapy", "group"),
        ("family therapy", "psychotherapy", "family"),
        ("s/p electroconvulsive therapy x8", "ect", "ect"),
        ("ECT in 2019", "ect", "ect"),
        ("referred for rTMS", "tms", "rtms"),
        ("TMS course", "tms", "rtms"),
        ("transcranial magnetic stimulation", "tms", "rtms"),
        ("deep TMS with H-coil", "tms", "deep"),
        ("iTBS protocol", "tms", "itbs"),
    ],
)
def test_procedure_in_text(text: str | None, category: str, therapy_type: str | None) -> None:
    info = procedure_in_text(text)
    assert info is not None
    assert (info.category, info.therapy_type) == (category, therapy_type)
    assert info.how.startswith("text: ")


@pytest.mark.parametrize("text", ["ectopic beat", "CBTx", "ITMS", "", None, "physical therapy"])
def test_procedure_in_text_negatives(text: str | None) -> None:
    assert procedure_in_text(text) is None


@given(st.text())
def test_procedure_in_text_never_raises(text: str | None) -> None:
    procedure_in_text(text)
