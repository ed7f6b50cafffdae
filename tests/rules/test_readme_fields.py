"""The format guide and ``priorauth rules schema`` agree: every schema field is documented."""

from __future__ import annotations

import re
from collections.abc import Iterator

from priorauth.paths import rules_dir
from priorauth.rules.schema import policy_schema


def schema_fields(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            yield from properties
        for value in node.values():
            yield from schema_fields(value)
    elif isinstance(node, list):
        for value in node:
            yield from schema_fields(value)


def documented(field: str, guide: str) -> bool:
    """Named in backticks, or written as a YAML key in an example."""
    return f"`{field}`" in guide or re.search(rf"(?<![\w-]){re.escape(field)}:", guide) is not None


def test_every_schema_field_appears_in_the_guide():
    guide = (rules_dir() / "README.md").read_text(encoding="utf-8")
    fields = sorted(set(schema_fields(policy_schema())))
    assert len(fields) > 50
    missing = [f for f in fields if not documented(f, guide)]
    assert missing == [], f"document these fields in payer_rules/README.md: {missing}"


def test_an_undocumented_field_is_found():
    assert not documented("quote_kinds", "`quote_kind` and quote_kind: paraphrase")
    assert documented("quote_kind", "- {quote_kind: verbatim}")
