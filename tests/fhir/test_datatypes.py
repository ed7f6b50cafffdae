"""Datatype helpers, code systems, the public API, and the docstring examples of every module."""

from __future__ import annotations

import doctest
import importlib
import inspect
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.quantity import Quantity
from hypothesis import given
from hypothesis import strategies as st

import priorauth.fhir
from priorauth.fhir import codes, load_chart
from priorauth.fhir.datatypes import (
    Concept,
    cc_text,
    codings,
    concept,
    date_precision,
    parse_date,
    period_bounds,
    quantity_mg,
    references_to,
)

from .conftest import MILAN

EST = timezone(timedelta(hours=-5))
MODULES = [
    "priorauth.fhir",
    "priorauth.fhir.codes",
    "priorauth.fhir.datatypes",
    "priorauth.fhir.entries",
    "priorauth.fhir.index",
    "priorauth.fhir.loader",
    "priorauth.fhir.reader",
    "priorauth.fhir.references",
    "priorauth.fhir.resource_types",
    "priorauth.fhir.store",
    "priorauth.fhir.validation",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_public_api():
    # order: ruff RUF022 (isort-style) keeps __all__ sorted
    assert set(priorauth.fhir.__all__) == {
        "DataQualityNote",
        "ResourceIndex",
        "VALIDATED_TYPES",
        "load_chart",
    }
    signature = inspect.signature(load_chart)
    assert list(signature.parameters) == [
        "source",
        "strict",
        "refuse_absurd",
        "source_name",
        "max_bytes",
    ]
    assert signature.parameters["max_bytes"].default == 200_000_000
    for method in ("resources", "raw", "resolve", "ref_of", "location_of", "patients"):
        assert callable(getattr(priorauth.fhir.ResourceIndex, method))


def test_codings_of_models():
    coding = Coding(system=codes.LOINC, code="44261-6", display="PHQ-9 total")
    assert codings(coding) == [(codes.LOINC, "44261-6", "PHQ-9 total")]
    concept = CodeableConcept(coding=[coding, Coding(code="x")])
    assert codings(concept) == [(codes.LOINC, "44261-6", "PHQ-9 total"), (None, "x", None)]
    assert cc_text(concept) == "PHQ-9 total"
    assert cc_text(Coding(code="x")) == ""


def test_codings_of_real_synthea_medication():
    index = load_chart(MILAN)
    request = index.resources("MedicationRequest")[0]
    (coded,) = codings(request.medicationCodeableConcept)
    assert coded[0] == codes.RXNORM


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [
        ("2024", date(2024, 1, 1), "year"),
        ("2024-03", date(2024, 3, 1), "month"),
        ("2024-03-05", date(2024, 3, 5), "day"),
        ("2024-03-05T23:30:00-05:00", date(2024, 3, 5), "day"),
        ("2025-06-22T08:00:00.000+00:00", date(2025, 6, 22), "day"),
        (date(2020, 2, 29), date(2020, 2, 29), "day"),
        (datetime(2024, 3, 5, 23, 30, tzinfo=EST), date(2024, 3, 5), "day"),
    ],
)
def test_parse_date(value: object, expected: date, precision: str):
    assert parse_date(value) == expected
    assert date_precision(value) == precision


@pytest.mark.parametrize(
    "value", [None, "", "2024-02-30", "24-03-05", "March 2024", 2024, "2024-3"]
)
def test_parse_date_rejects(value: object):
    assert parse_date(value) is None
    with pytest.raises(ValueError, match="not a FHIR date"):
        date_precision(value)


def test_parse_date_of_r4b_values():
    index = load_chart(MILAN)
    patient = index.resources("Patient")[0]
    assert isinstance(parse_date(patient.birthDate), date)


def test_period_bounds():
    assert period_bounds(Period(start="2024-01-15T10:00:00Z")) == (date(2024, 1, 15), None)
    assert period_bounds({"end": "2024"}) == (None, date(2024, 1, 1))


@pytest.mark.parametrize(
    ("quantity", "mg"),
    [
        (Quantity(value=Decimal("2.5"), unit="g"), 2500.0),
        (Quantity(value=20, unit="mg", system=codes.UCUM, code="mg"), 20.0),
        ({"value": 100, "unit": "milligrams", "code": "mg"}, 100.0),
        ({"value": 300, "unit": "µg"}, 0.3),
        ({"value": 300, "code": "ug"}, 0.3),
        ({"value": 1, "unit": "MG"}, 1.0),
        ({"value": 1, "unit": "mg/d"}, None),
        ({"value": 1, "unit": "mL"}, None),
        ({"value": 1}, None),
        ({"unit": "mg"}, None),
        ({"value": True, "unit": "mg"}, None),
        (None, None),
    ],
)
def test_quantity_mg(quantity: object, mg: float | None):
    assert (
        quantity_mg(quantity) == pytest.approx(mg)
        if mg is not None
        else quantity_mg(quantity) is None
    )


def test_references_to_models():
    index = load_chart(MILAN)
    condition = index.resources("Condition")[0]
    assert references_to(condition) == "urn:uuid:8adf7251-257f-4b45-8ef5-0a6b3b9fe0ef"
    assert references_to(index.resources("Organization")[0]) is None


def test_code_system_variants():
    assert codes.in_system("http://hl7.org/fhir/sid/icd-10-cm", codes.ICD10CM_SYSTEMS)
    assert codes.in_system("urn:oid:2.16.840.1.113883.6.90", codes.ICD10CM_SYSTEMS)
    assert codes.in_system("http://www.cms.gov/Medicare/Coding/ICD10", codes.ICD10CM_SYSTEMS)
    assert codes.in_system(
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", codes.HCPCS_SYSTEMS
    )
    assert codes.in_system(
        "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", codes.HCPCS_SYSTEMS
    )
    assert not codes.in_system(codes.ICD10, codes.ICD10CM_SYSTEMS)
    assert codes.in_system(codes.ICD10, codes.ICD10_SYSTEMS)
    assert codes.CPT == "http://www.ama-assn.org/go/cpt"
    assert codes.NDC == "http://hl7.org/fhir/sid/ndc"
    assert codes.SNOMED == "http://snomed.info/sct"


# -- Concept: the frozen form memoised lookups key on ----------------------------------------

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
_CODING = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "system": st.one_of(st.sampled_from(["http://loinc.org", "urn:x"]), _SCALARS),
            "code": _SCALARS,
            "display": _SCALARS,
        },
    ),
    _SCALARS,
)
_CONCEPT = st.fixed_dictionaries(
    {},
    optional={"coding": st.one_of(st.lists(_CODING, max_size=3), _SCALARS), "text": _SCALARS},
)
_ELEMENTS = st.one_of(_CONCEPT, _CODING, st.lists(st.one_of(_CONCEPT, _CODING), max_size=3))


@given(_ELEMENTS)
def test_a_concept_reads_like_the_raw_element_it_froze(element: Any) -> None:
    frozen = concept(element)
    hash(frozen)  # usable as an lru_cache key
    assert codings(frozen) == codings(element)
    assert cc_text(frozen) == cc_text(element)
    assert concept(frozen) is frozen


def test_a_concept_of_a_model_equals_the_concept_of_its_json() -> None:
    model = CodeableConcept(
        coding=[Coding(system="http://loinc.org", code="44261-6", display="PHQ-9 total")],
        text="PHQ-9",
    )
    raw = model.model_dump(mode="json", exclude_none=True)
    assert (
        concept(model)
        == concept(raw)
        == Concept("PHQ-9", (("http://loinc.org", "44261-6", "PHQ-9 total"),))
    )
