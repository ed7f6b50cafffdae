"""The JSON Schema of rule files, exported to ``payer_rules/schema.json`` for editors.

``priorauth rules schema > payer_rules/schema.json`` regenerates it; a test fails when the
committed file is out of date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from priorauth.rules.models import Policy

__all__ = ["policy_schema", "schema_text", "write_schema"]

SCHEMA_ID = "https://priorauth.invalid/payer_rules/schema.json"


def policy_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one rule file."""
    schema = Policy.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "priorauth payer rule file",
        "description": "One version of one payer's TMS policy. Guide: payer_rules/README.md",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def schema_text() -> str:
    """The schema as stable, indented JSON text (ends with a newline)."""
    return json.dumps(policy_schema(), indent=2, sort_keys=True) + "\n"


def write_schema(path: Path) -> None:
    """Write the schema to ``path``."""
    path.write_text(schema_text(), encoding="utf-8")
