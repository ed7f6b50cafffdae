"""Package-level checks: public API, data files and their SOURCES entry, docstring examples."""

from __future__ import annotations

import doctest
import importlib
from importlib import resources

import pytest

import priorauth.terminology as terminology

MODULES = [
    "priorauth.terminology",
    "priorauth.terminology.systems",
    "priorauth.terminology.models",
    "priorauth.terminology.drugs",
    "priorauth.terminology.instruments",
    "priorauth.terminology.diagnoses",
    "priorauth.terminology.procedures",
    "priorauth.terminology.codesets",
]

PUBLIC = {
    "Ingredient",
    "DrugMatch",
    "DrugClass",
    "Instrument",
    "DiagnosisInfo",
    "ProcedureInfo",
    "CodeSet",
    "ingredient",
    "all_ingredients",
    "drugs_for_code",
    "drugs_in_text",
    "instrument",
    "instrument_for_code",
    "instrument_in_text",
    "severity_band",
    "diagnosis_info",
    "procedure_info",
    "procedure_in_text",
    "code_set",
    "contraindication_in_text",
    "is_known_code",
    "adequate_dose_table",
}


def _isort_key(name: str) -> tuple[int, str]:
    """ruff RUF022 order: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    assert terminology.__all__ == sorted(terminology.__all__, key=_isort_key)
    assert len(set(terminology.__all__)) == len(terminology.__all__)
    assert set(terminology.__all__) >= PUBLIC
    for name in terminology.__all__:
        assert hasattr(terminology, name), name


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0


def _data_files() -> list[str]:
    data = resources.files("priorauth.terminology") / "data"
    return sorted(p.name for p in data.iterdir() if p.name.endswith((".csv", ".yaml")))


def test_every_data_file_is_in_sources_md() -> None:
    sources = (resources.files("priorauth.terminology") / "data" / "SOURCES.md").read_text(
        encoding="utf-8"
    )
    files = _data_files()
    assert len(files) >= 10
    for name in files:
        assert f"## {name}" in sources or f", {name}" in sources, name


def test_cpt_rows_carry_own_labels_only() -> None:
    """CPT descriptors are AMA text: labels are short and our own."""
    text = (resources.files("priorauth.terminology") / "data" / "procedures.csv").read_text(
        encoding="utf-8"
    )
    for line in text.splitlines():
        if line.startswith("cpt,"):
            label = line.split(",")[4]
            assert len(label) <= 60, label
