"""A rule file states its format version; a file without it (or with another) fails to load."""

from __future__ import annotations

import pytest

from priorauth.errors import RuleFileError
from priorauth.paths import rules_dir
from priorauth.rules.loader import load_policy_file, rule_files

V1_FILE = """\
# an old rule file, written before format versions
id: old
version: "1"
status: active
payer: {id: acme, name: Acme Health}
title: Old policy
sources: ["https://example.org/old"]
effective: {from: 2025-01-01}
last_reviewed: 2026-06-01
criteria: {id: adult, kind: age, min: 18, title: Adult, quote: 18 or older}
"""
HINT = "(add `format: 2`; see payer_rules/README.md 'Format versions')"


def test_a_file_without_a_format_version_is_refused_at_its_first_key(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text(V1_FILE)
    with pytest.raises(RuleFileError) as caught:
        load_policy_file(path)
    assert str(caught.value) == (
        f"{path}:2: format: no format version: this file predates rule format 2 {HINT}"
    )


@pytest.mark.parametrize("value", ["1", "3", '"2"', "true"])
def test_another_format_version_is_refused_at_its_line(tmp_path, value):
    path = tmp_path / "old.yaml"
    path.write_text(V1_FILE.replace("id: old\n", f"id: old\nformat: {value}\n"))
    with pytest.raises(RuleFileError) as caught:
        load_policy_file(path)
    assert str(caught.value).startswith(f"{path}:3: format: format ")
    assert str(caught.value).endswith(f"is not one this priorauth reads (only 2) {HINT}")


def test_format_2_loads(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text(V1_FILE.replace("id: old\n", "format: 2\nid: old\n"))
    assert load_policy_file(path).format == 2


def test_every_policy_file_states_format_2_before_its_first_key():
    for path in rule_files(rules_dir()):
        keys = [line for line in path.read_text().splitlines() if line and line[0] not in "# "]
        assert keys[0] == "format: 2", f"{path}: first key is {keys[0]!r}"


def test_a_threshold_no_score_can_meet_fails_to_load_naming_file_and_line(tmp_path):
    path = tmp_path / "old.yaml"
    criteria = (
        "criteria:\n"
        "  all:\n"
        "    - {id: adult, kind: age, min: 18, title: Adult, quote: 18 or older}\n"
        "    - id: severe\n"
        "      kind: severity_score\n"
        "      scales: {phq9: {op: '>', value: 30}}\n"
        "      title: PHQ-9 over 30\n"
        "      quote: PHQ-9 > 30\n"
    )
    text = V1_FILE.replace("id: old\n", "format: 2\nid: old\n")
    path.write_text(text.split("criteria:")[0] + criteria)
    with pytest.raises(RuleFileError) as caught:
        load_policy_file(path)
    assert str(caught.value) == (
        f"{path}:14: criteria.all.1.severity_score: phq9 > 30 is outside the scale: Patient "
        "Health Questionnaire-9 (PHQ-9) scores run 0-27; this threshold can never be met"
    )
