"""Read rule files safely, remembering the line of every key and list item.

* Aliases and anchors are refused (no alias bombs, and every value is written where it is used).
* Files over :data:`MAX_BYTES` are refused before parsing.
* Dates stay strings (pydantic parses and reports them with their location), and only
  ``true``/``false`` are booleans (``no`` stays the string ``"no"``).
* Duplicate keys are errors (PyYAML would silently keep the last one).

:func:`read_yaml` returns the data and a :class:`LineMap` that turns a pydantic error location
(``("criteria", "all", "all", 1, "antidepressant_trials", "min_weeks")``) into a line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["MAX_BYTES", "LineMap", "YamlProblem", "read_yaml"]

MAX_BYTES = 1_000_000
Path_ = tuple[str | int, ...]


class YamlProblem(Exception):
    """The bytes are not a usable YAML document (with the 1-based line when known)."""

    def __init__(self, message: str, line: int | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases, anchors, timestamps or YAML 1.1 yes/no booleans."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            what = "aliases" if isinstance(event, yaml.AliasEvent) else "anchors"
            sign = "*" if what == "aliases" else "&"
            line = event.start_mark.line + 1
            raise YamlProblem(
                f"YAML {what} are not allowed ({sign}{anchor})", line, "write the value out in full"
            )
        node: Node | None = super().compose_node(parent, index)
        return node


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass(frozen=True)
class LineMap:
    """1-based line of every mapping key and sequence item, by path from the document root."""

    lines: dict[Path_, int] = field(default_factory=dict)

    def line_for(self, loc: tuple[str | int, ...]) -> int | None:
        """The line of the deepest part of ``loc`` present in the file.

        Segments absent from the file (union tags such as ``antidepressant_trials``) are skipped.
        """
        path: Path_ = ()
        for segment in loc:
            if (*path, segment) in self.lines:
                path = (*path, segment)
        return self.lines.get(path)

    def has(self, loc: tuple[str | int, ...]) -> bool:
        """Whether ``loc`` is exactly a key or item present in the file."""
        return tuple(loc) in self.lines


def read_yaml(content: bytes) -> tuple[Any, LineMap]:
    """Parse one YAML document; return its data and the line of every key and item."""
    if len(content) > MAX_BYTES:
        raise YamlProblem(
            f"file is {len(content):,} bytes; rule files are limited to {MAX_BYTES:,}",
            None,
            "split the file or remove embedded data",
        )
    text = _decode(content)
    node = _compose(text)
    if node is None:
        raise YamlProblem("file is empty", 1, "see payer_rules/README.md for the format")
    lines: dict[Path_, int] = {(): node.start_mark.line + 1}
    _collect_lines(node, (), lines)
    loader = _Loader(text)
    try:
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, LineMap(lines)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlProblem("file is not UTF-8 text", None, "save it as UTF-8") from exc


def _compose(text: str) -> Node | None:
    loader = _Loader(text)
    try:
        single: Node | None = loader.get_single_node()
        return single
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = f"not valid YAML: {exc.problem or exc.context}"
        raise YamlProblem(message, line, "check indentation, colons and quotes") from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"not valid YAML: {exc}", None) from exc
    finally:
        loader.dispose()


def _collect_lines(node: Node, path: Path_, lines: dict[Path_, int]) -> None:
    if isinstance(node, MappingNode):
        _collect_mapping(node, path, lines)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _collect_lines(item, (*path, index), lines)


def _collect_mapping(node: MappingNode, path: Path_, lines: dict[Path_, int]) -> None:
    seen: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise YamlProblem("keys must be plain names", key_node.start_mark.line + 1)
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise YamlProblem(f"duplicate key '{key}'", line, "keep one of them")
        seen.add(key)
        lines[(*path, key)] = line
        _collect_lines(value_node, (*path, key), lines)
