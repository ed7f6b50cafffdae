"""priorauth: TMS prior-authorization packets from FHIR R4 charts.

The pipeline, one stage per package, data flowing one way::

    load_chart (priorauth.fhir)        FHIR R4 Bundle / resource / NDJSON → ResourceIndex
    extract_facts (priorauth.facts)    ResourceIndex → PatientRecord (facts citing resources)
    load_rules (priorauth.rules)       payer_rules/*.yaml → RuleSet
    evaluate (priorauth.evaluate)      PatientRecord x Policy → Determination
    render_html / render_pdf           Determination → letter of medical necessity

``chart_facts(source, as_of=...)`` runs the first two in one call, ``evaluate_file(path,
payer=..., as_of=...)`` the first four.

Names are imported lazily (PEP 562) so that ``import priorauth`` and the CLI stay fast: the PDF
renderer and the HTTP stack load only when used. The logging policy is in ``priorauth.log``.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - names for type checkers; runtime uses __getattr__
    from priorauth.determination import CriterionResult, Determination, Gap, PolicyRef
    from priorauth.errors import (
        ChartError,
        PriorAuthError,
        RenderError,
        RuleFileError,
        UnknownPayerError,
    )
    from priorauth.evaluate import evaluate, select_policies
    from priorauth.facts import PatientRecord, extract_facts
    from priorauth.fhir import ResourceIndex, load_chart
    from priorauth.pipeline import chart_facts, evaluate_bundle, evaluate_file, evaluate_record
    from priorauth.render import LetterOptions, letter_bytes, render_html, render_pdf
    from priorauth.rules import Policy, RuleSet, load_rules

_EXPORTS = {
    "ChartError": "priorauth.errors",
    "CriterionResult": "priorauth.determination",
    "Determination": "priorauth.determination",
    "Gap": "priorauth.determination",
    "LetterOptions": "priorauth.render",
    "PatientRecord": "priorauth.facts",
    "Policy": "priorauth.rules",
    "PolicyRef": "priorauth.determination",
    "PriorAuthError": "priorauth.errors",
    "RenderError": "priorauth.errors",
    "ResourceIndex": "priorauth.fhir",
    "RuleFileError": "priorauth.errors",
    "RuleSet": "priorauth.rules",
    "UnknownPayerError": "priorauth.errors",
    "chart_facts": "priorauth.pipeline",
    "evaluate": "priorauth.evaluate",
    "evaluate_bundle": "priorauth.pipeline",
    "evaluate_file": "priorauth.pipeline",
    "evaluate_record": "priorauth.pipeline",
    "extract_facts": "priorauth.facts",
    "letter_bytes": "priorauth.render",
    "load_chart": "priorauth.fhir",
    "load_rules": "priorauth.rules",
    "render_html": "priorauth.render",
    "render_pdf": "priorauth.render",
    "select_policies": "priorauth.evaluate",
}

__all__ = [
    "ChartError",
    "CriterionResult",
    "Determination",
    "Gap",
    "LetterOptions",
    "PatientRecord",
    "Policy",
    "PolicyRef",
    "PriorAuthError",
    "RenderError",
    "ResourceIndex",
    "RuleFileError",
    "RuleSet",
    "UnknownPayerError",
    "chart_facts",
    "evaluate",
    "evaluate_bundle",
    "evaluate_file",
    "evaluate_record",
    "extract_facts",
    "letter_bytes",
    "load_chart",
    "load_rules",
    "render_html",
    "render_pdf",
    "select_policies",
]


class _Package(types.ModuleType):
    """``evaluate`` is both a subpackage and the function it exports. Importing the subpackage
    binds it on this package (``setattr`` by the import system); bind its function instead, so
    ``priorauth.evaluate`` is the function whatever was imported first."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "evaluate" and isinstance(value, types.ModuleType):
            value = value.evaluate
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    """Import an exported name on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'priorauth' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
