"""Meta-test over payer_rules/: every file passes the compliance check, every case passes."""

from __future__ import annotations

import datetime as dt

import pytest

from priorauth.paths import rules_dir
from priorauth.rules.cases_run import run_test_file
from priorauth.rules.check import check_paths
from priorauth.rules.loader import cases_file_for, read_policy, rule_files

FILES = rule_files(rules_dir())


def test_there_are_rule_files():
    assert FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_rule_file_passes_its_cases(path):
    loaded = read_policy(path)
    assert [str(p) for p in loaded.problems] == []
    assert loaded.policy is not None
    assert cases_file_for(path).exists(), f"{path.name} needs {cases_file_for(path).name}"
    problems = run_test_file(loaded.policy, cases_file_for(path), str(cases_file_for(path)))
    assert [str(p) for p in problems] == []


def test_whole_tree_has_no_errors():
    problems = check_paths([rules_dir()], as_of=dt.date.today())
    assert [str(p) for p in problems if p.severity == "error"] == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_criterion_quotes_text_and_has_a_title(path):
    policy = read_policy(path).policy
    assert policy is not None
    for leaf in policy.leaves():
        assert leaf.quote.strip(), f"{path.name}: {leaf.id} has no quote"
        assert leaf.title.strip(), f"{path.name}: {leaf.id} has no title"
