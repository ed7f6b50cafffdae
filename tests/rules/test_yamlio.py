"""The safe YAML reader: refusals, plain dates and booleans, line numbers."""

from __future__ import annotations

import pytest

from priorauth.rules.yamlio import MAX_BYTES, YamlProblem, read_yaml


def problem(content: bytes) -> tuple[str, int | None, str]:
    with pytest.raises(YamlProblem) as exc:
        read_yaml(content)
    return exc.value.message, exc.value.line, exc.value.hint


def test_lines_of_keys_and_items():
    data, lines = read_yaml(b"a: 1\nb:\n  - x: 1\n    y: 2\n  - z: 3\n")
    assert data == {"a": 1, "b": [{"x": 1, "y": 2}, {"z": 3}]}
    assert lines.line_for(("b", 0, "y")) == 4
    assert lines.line_for(("b", 1, "z")) == 5
    assert lines.line_for(("b", 1, "some_union_tag", "z")) == 5
    assert lines.line_for(("b", 1, "missing")) == 5
    assert lines.has(("b", 0))
    assert not lines.has(("c",))


def test_dates_stay_strings_and_only_true_false_are_booleans():
    data, _ = read_yaml(b"d: 2025-01-01\nno_: no\nyes_: on\nt: true\nf: False\n")
    assert data == {"d": "2025-01-01", "no_": "no", "yes_": "on", "t": True, "f": False}


def test_alias_bomb_refused_at_the_anchor():
    assert problem(b"a: &a [1, 2]\nb: [*a, *a]\n") == (
        "YAML anchors are not allowed (&a)",
        1,
        "write the value out in full",
    )


def test_bare_alias_refused():
    message, line, _ = problem(b"a: 1\nb: *nothing\n")
    assert line == 2
    assert "alias" in message or "not valid YAML" in message


def test_duplicate_keys_refused():
    assert problem(b"a: 1\nb: 2\na: 3\n") == ("duplicate key 'a'", 3, "keep one of them")


def test_syntax_error_has_a_line():
    message, line, _ = problem(b"a: [1, 2\nb: 3\n")
    assert message.startswith("not valid YAML")
    assert line == 2


def test_size_limit_before_parsing():
    message, line, _ = problem(b"#" * (MAX_BYTES + 1))
    assert message == f"file is {MAX_BYTES + 1:,} bytes; rule files are limited to {MAX_BYTES:,}"
    assert line is None


def test_not_utf8_and_empty():
    assert problem(b"\xff\xfe\x00")[0] == "file is not UTF-8 text"
    assert problem(b"")[0] == "file is empty"


def test_complex_keys_refused():
    assert problem(b"? [a, b]\n: 1\n")[:2] == ("keys must be plain names", 1)
