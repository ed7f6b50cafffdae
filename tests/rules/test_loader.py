"""Loading rule files: the RuleSet, RuleFileError messages, caching."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from priorauth.errors import RuleFileError, UnknownPayerError
from priorauth.paths import rules_dir
from priorauth.rules import load_policy_file, load_rules

AETNA = rules_dir() / "aetna" / "cpb-0469-tms-2026-02.yaml"


def test_default_directory_loads_every_policy():
    ruleset = load_rules()
    assert "cpb-0469-tms-2026-02" in ruleset.ids()
    assert "aetna" in ruleset.payer_ids()
    policy = ruleset.get("cpb-0469-tms-2026-02")
    assert policy.path == str(AETNA)
    assert policy.effective.contains(dt.date(2026, 2, 27))
    assert not policy.effective.contains(dt.date(2026, 2, 26))


def test_cached_per_directory_until_a_file_changes(tmp_path):
    shutil.copytree(rules_dir() / "aetna", tmp_path / "aetna")
    first = load_rules(tmp_path)
    assert load_rules(tmp_path) is first
    path = tmp_path / "aetna" / "cpb-0469-tms-2026-02.yaml"
    path.write_text(path.read_text().replace('version: "modified 2026-02-27"', 'version: "x"'))
    second = load_rules(tmp_path)
    assert second is not first
    assert second.get("cpb-0469-tms-2026-02").version == "x"


def test_unknown_policy_id_lists_known():
    with pytest.raises(UnknownPayerError, match="no policy 'nope'; known: "):
        load_rules().get("nope")


def test_typo_error_names_file_line_field_and_hint(tmp_path):
    path = tmp_path / "cpb-0469-tms-2026-02.yaml"
    text = AETNA.read_text().replace("min_weeks: 8", "min_weekz: 8", 1)
    path.write_text(text)
    line = text.splitlines().index("          min_weekz: 8") + 1
    with pytest.raises(RuleFileError) as exc:
        load_policy_file(path)
    err = exc.value
    assert (err.path, err.line, err.hint) == (str(path), line, "did you mean 'min_weeks'?")
    assert err.field == "criteria.all.3.all.0.antidepressant_trials.min_weekz"
    assert str(err) == f"{path}:{line}: {err.field}: unknown key (did you mean 'min_weeks'?)"


def test_several_problems_are_counted_in_the_hint(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(
        AETNA.read_text()
        .replace("status: active", "status: activ")
        .replace("title: Trans", "titel: Trans")
    )
    with pytest.raises(RuleFileError) as exc:
        load_policy_file(path)
    assert exc.value.field == "status"
    assert (
        exc.value.hint == "did you mean 'active'?; 2 more problem(s): run `priorauth rules check`"
    )


def test_duplicate_ids_refused(tmp_path):
    (tmp_path / "aetna").mkdir()
    shutil.copy(AETNA, tmp_path / "aetna" / "a.yaml")
    shutil.copy(AETNA, tmp_path / "aetna" / "b.yaml")
    with pytest.raises(RuleFileError, match=r"b.yaml: id: duplicate id 'cpb-0469-tms-2026-02'"):
        load_rules(tmp_path)


def test_missing_directory(tmp_path):
    with pytest.raises(RuleFileError, match="rules directory not found"):
        load_rules(tmp_path / "nope")


def test_test_files_and_hidden_folders_are_not_policies(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.yaml").write_text("not: a policy\n")
    (tmp_path / "only.test.yaml").write_text("policy: x\n")
    assert len(load_rules(tmp_path)) == 0
