"""The examples in the priorauth.facts docstrings run and pass."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import priorauth.facts

MODULES = sorted(m.name for m in pkgutil.iter_modules(priorauth.facts.__path__))


@pytest.mark.parametrize("name", ["__init__", *MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(
        "priorauth.facts" if name == "__init__" else f"priorauth.facts.{name}"
    )
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_public_names():
    assert priorauth.facts.__all__ == ["PatientRecord", "extract_facts"]
