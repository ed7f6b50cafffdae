"""The root package is the public API: ``priorauth.__all__`` is sorted, complete and importable."""

import importlib

import pytest

import priorauth


def test_all_is_sorted():
    assert priorauth.__all__ == sorted(priorauth.__all__)


def test_every_exported_name_resolves_to_the_object_its_module_defines():
    for name in set(priorauth.__all__) - {"evaluate"}:
        value = getattr(priorauth, name)
        module = importlib.import_module(priorauth._EXPORTS[name])
        assert value is getattr(module, name), name


def test_the_pipeline_functions_are_exported():
    expected = {
        "load_chart",
        "extract_facts",
        "load_rules",
        "evaluate",
        "evaluate_bundle",
        "evaluate_file",
        "render_html",
        "render_pdf",
        "PriorAuthError",
        "PatientRecord",
        "Determination",
    }
    assert expected <= set(priorauth.__all__)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        priorauth.no_such_name  # noqa: B018


def test_evaluate_is_the_function_even_after_its_subpackage_is_imported():
    import priorauth.evaluate.engine

    assert callable(priorauth.evaluate)
    assert priorauth.evaluate is importlib.import_module("priorauth.evaluate.engine").evaluate


def test_all_lists_exactly_the_lazy_exports_plus_evaluate():
    assert set(priorauth.__all__) == set(priorauth._EXPORTS) | {"evaluate"}
