"""The compliance check on a good tree and on a deliberately broken copy: exact output lines."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.paths import rules_dir
from priorauth.rules.check import check_paths

MINI = """\
id: mini
version: "1"
status: active
payer:
  id: acme
  name: Acme Health
title: Mini policy
sources: ["https://example.org/mini"]
effective: {from: 2025-01-01, until: null}
last_reviewed: 2026-06-01
criteria:
  all:
    - id: adult
      kind: age
      min: 18
      title: Adult
      quote: 18 or older
      quote_kind: paraphrase
    - id: trials
      kind: antidepressant_trials
      min_trials: 2
      min_weeks: 6
      window: lifetime
      title: Two trials
      quote: two failed trials
      quote_kind: paraphrase
      intolerance: adequate_trial
format: 2
"""

MINI_TESTS = """\
policy: mini
as_of: 2026-11-25
base:
  patient: {birth_date: 1980-01-01}
  trials:
    - {ingredient: sertraline, drug_class: ssri, start: 2026-01-05, days: 42,
       adequate_dose: true, outcome: inadequate_response}
    - {ingredient: bupropion, drug_class: bupropion, start: 2026-03-02, days: 42,
       adequate_dose: true, outcome: inadequate_response}
cases:
  - name: adult with two trials
    expect: {status: meets}
  - name: teen
    record: {patient: {birth_date: 2010-01-01}}
    expect:
      status: does_not_meet
      criteria: {adult: met}
"""

BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
"""


def variant(**changes: str) -> str:
    text = MINI
    for old, new in changes.items():
        text = text.replace(old.replace("__", " "), new)
    return text


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """payer_rules/ with one file per kind of problem; the working directory is its parent."""
    root = tmp_path / "payer_rules"
    shutil.copytree(rules_dir() / "aetna", root / "aetna")
    acme = root / "acme"
    acme.mkdir()
    (acme / "mini.yaml").write_text(MINI)
    (acme / "mini.test.yaml").write_text(MINI_TESTS)
    (acme / "typo.yaml").write_text(
        MINI.replace("id: mini", "id: typo").replace("min_weeks", "min_weekz")
    )
    (acme / "dup.yaml").write_text(MINI.replace("status: active", "status: draft"))
    (acme / "nosource.yaml").write_text(
        MINI.replace("id: mini", "id: nosource").replace(
            'sources: ["https://example.org/mini"]\n', ""
        )
    )
    (acme / "baddate.yaml").write_text(
        MINI.replace("id: mini", "id: baddate").replace("2025-01-01", "2025-13-01")
    )
    (acme / "bomb.yaml").write_text(BOMB)
    (acme / "notyaml.yaml").write_text("id: [unclosed\nversion: 1\n")
    (acme / "kind.yaml").write_text(
        MINI.replace("id: mini", "id: kind").replace("kind: age", "kind: aeg")
    )
    monkeypatch.chdir(tmp_path)
    return root


EXPECTED = [
    "payer_rules/acme/baddate.yaml:9: effective.from: Input should be a valid date or datetime, "
    "month value is outside expected range of 1-12",
    "payer_rules/acme/bomb.yaml:1: YAML anchors are not allowed (&a) (write the value out in full)",
    "payer_rules/acme/dup.yaml:1: no test file dup.test.yaml "
    "(copy payer_rules/aetna/cpb-0469-tms-2026-02.test.yaml and adapt it)",
    "payer_rules/acme/dup.yaml:1: id: duplicate id 'mini' (also in payer_rules/acme/mini.yaml) "
    "(ids are never reused; give this version a new id)",
    "payer_rules/acme/dup.yaml:1: id: id 'mini' differs from the file name 'dup' "
    "(rename the file to mini.yaml or set id: dup)",
    "payer_rules/acme/kind.yaml:14: criteria.all.0.kind: unknown criterion kind 'aeg' "
    "(did you mean 'age'?)",
    "payer_rules/acme/mini.test.yaml:17: cases.1.expect.criteria.adult: case 'teen': expected met, "
    "got not_met (Age 16 on 2026-11-25 (born 2010-01-01) does not meet the required 18 or older.)",
    "payer_rules/acme/nosource.yaml:1: sources: required key is missing "
    "(add the URL of the payer's policy page)",
    "payer_rules/acme/notyaml.yaml:2: not valid YAML: expected ',' or ']', but got ':' "
    "(check indentation, colons and quotes)",
    "payer_rules/acme/typo.yaml:22: criteria.all.1.antidepressant_trials.min_weekz: unknown key "
    "(did you mean 'min_weeks'?)",
]


def test_good_tree_passes():
    problems = check_paths([rules_dir()], as_of=dt.date(2026, 11, 25))
    assert [str(p) for p in problems if p.severity == "error"] == []


def test_broken_tree_one_line_per_problem(broken):
    result = CliRunner().invoke(cli, ["rules", "check", "payer_rules", "--as-of", "2026-11-25"])
    assert result.exit_code == 4
    assert result.stdout.splitlines() == EXPECTED
    assert result.stderr == "10 error(s), 0 warning(s)\n"


def test_broken_tree_json(broken):
    result = CliRunner().invoke(
        cli, ["rules", "check", "payer_rules", "--json", "--as-of", "2026-11-25"]
    )
    assert result.exit_code == 4
    problems = json.loads(result.stdout)
    typo = [p for p in problems if p["path"].endswith("typo.yaml")]
    assert typo == [
        {
            "path": "payer_rules/acme/typo.yaml",
            "line": 22,
            "field": "criteria.all.1.antidepressant_trials.min_weekz",
            "message": "unknown key",
            "hint": "did you mean 'min_weeks'?",
            "severity": "error",
        }
    ]


def test_single_file_and_test_file_paths(broken):
    runner = CliRunner()
    ok = runner.invoke(
        cli,
        ["rules", "check", "payer_rules/aetna/cpb-0469-tms-2026-02.yaml", "--as-of", "2026-11-25"],
    )
    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, "", "ok\n")
    via_test = runner.invoke(
        cli, ["rules", "check", "payer_rules/acme/mini.test.yaml", "--as-of", "2026-11-25"]
    )
    assert via_test.exit_code == 4
    assert via_test.stdout.splitlines() == [EXPECTED[6]]


def test_stale_review_is_a_warning_only(broken):
    result = CliRunner().invoke(
        cli,
        ["rules", "check", "payer_rules/aetna/cpb-0469-tms-2026-02.yaml", "--as-of", "2028-01-01"],
    )
    assert result.exit_code == 0
    text = (broken / "aetna" / "cpb-0469-tms-2026-02.yaml").read_text().splitlines()
    line = text.index("last_reviewed: 2026-11-25") + 1
    assert result.stdout.splitlines() == [
        f"payer_rules/aetna/cpb-0469-tms-2026-02.yaml:{line}: warning: last_reviewed: "
        "last reviewed 402 days before 2028-01-01 "
        "(check the policy against its sources and update last_reviewed)"
    ]


def test_overlapping_windows_and_wrong_folder(broken):
    second = broken / "acme" / "mini-2026.yaml"
    second.write_text(
        MINI.replace("id: mini", "id: mini-2026").replace("{from: 2025-01-01", "{from: 2026-01-01")
    )
    (broken / "acme" / "mini-2026.test.yaml").write_text(
        MINI_TESTS.replace("policy: mini", "policy: mini-2026")
    )
    (broken / "aetna" / "moved.yaml").write_text(
        MINI.replace("id: mini", "id: moved").replace("status: active", "status: draft")
    )
    problems = [str(p) for p in check_paths([broken], as_of=dt.date(2026, 11, 25))]
    assert (
        "payer_rules/acme/mini.yaml:9: effective: effective window overlaps 'mini-2026' "
        "(payer_rules/acme/mini-2026.yaml) for payer 'acme' (end this version the day before "
        "'mini-2026' starts: until: 2025-12-31)"
    ) in problems
    assert (
        "payer_rules/aetna/moved.yaml:5: payer.id: payer id 'acme' differs from the folder 'aetna' "
        "(move the file to payer_rules/acme/ or set id: aetna)"
    ) in problems


def test_unknown_code_and_too_few_cases(broken):
    bad = broken / "acme" / "codes.yaml"
    bad.write_text(
        MINI.replace("id: mini", "id: codes")
        .replace("status: active", "status: draft")
        .replace("format: 2\n", "")
        + "    - {id: dx, kind: diagnosis, codes: [F33.2, F99.99], title: Dx, quote: q,\n"
        + "       quote_kind: paraphrase}\n"
        + "format: 2\n"
    )
    (broken / "acme" / "codes.test.yaml").write_text(
        "policy: codes\nas_of: 2026-11-25\ncases:\n  - name: x\n"
        "    record: {patient: {birth_date: 2015-01-01}}\n    expect: {status: does_not_meet}\n"
    )
    problems = [str(p) for p in check_paths([bad], as_of=dt.date(2026, 11, 25))]
    assert problems == [
        "payer_rules/acme/codes.test.yaml:3: cases: no case expects status meets "
        "(add one case that meets and one per way to fail)",
        "payer_rules/acme/codes.yaml:28: criteria.all.2.codes.1: ICD-10-CM code 'F99.99' is not "
        "in ICD-10-CM (CMS tabular April 2026) (check the code; if the payer names it, add to "
        "codes_outside_tables: {system: icd10cm, code: F99.99, why: ...})",
    ]


def test_orphan_test_file_and_missing_path(broken):
    (broken / "acme" / "ghost.test.yaml").write_text("policy: ghost\n")
    problems = [
        str(p) for p in check_paths([broken / "acme", Path("nowhere")], as_of=dt.date(2026, 11, 25))
    ]
    ghost = "payer_rules/acme/ghost.test.yaml: test file without a policy file beside it"
    assert f"{ghost} (expected ghost.yaml)" in problems
    assert "nowhere: no such file or directory" in problems


def test_oversized_file(broken):
    big = broken / "acme" / "big.yaml"
    big.write_text("notes: '" + "x" * 1_000_001 + "'\n")
    problems = [str(p) for p in check_paths([big], as_of=dt.date(2026, 11, 25))]
    assert problems == [
        "payer_rules/acme/big.yaml: file is 1,000,011 bytes; rule files are limited to 1,000,000 "
        "(split the file or remove embedded data)"
    ]


def test_overlapping_windows_count_only_within_a_line_of_business(broken):
    def version(name: str, lines: str, start: str) -> None:
        text = MINI.replace("id: mini", f"id: {name}").replace("{from: 2025-01-01", start)
        text = text.replace("  name: Acme Health\n", f"  name: Acme Health\n  match: {lines}\n")
        (broken / "acme" / f"{name}.yaml").write_text(text)
        (broken / "acme" / f"{name}.test.yaml").write_text(
            MINI_TESTS.replace("policy: mini", f"policy: {name}")
        )

    (broken / "acme" / "mini.yaml").unlink()
    (broken / "acme" / "mini.test.yaml").unlink()
    version("acme-commercial", "{lines: [commercial]}", "{from: 2025-01-01")
    version("acme-medicare", "{lines: [medicare_advantage]}", "{from: 2025-06-01")
    overlaps = [
        str(p)
        for p in check_paths([broken / "acme"], as_of=dt.date(2026, 11, 25))
        if p.field == "effective"
    ]
    assert overlaps == []
    version("acme-any", "{names: [Acme]}", "{from: 2026-01-01")
    overlaps = [
        str(p)
        for p in check_paths([broken / "acme"], as_of=dt.date(2026, 11, 25))
        if p.field == "effective"
    ]
    assert overlaps == [
        "payer_rules/acme/acme-commercial.yaml:10: effective: effective window overlaps "
        "'acme-any' (payer_rules/acme/acme-any.yaml) for payer 'acme' (end this version the day "
        "before 'acme-any' starts: until: 2025-12-31)",
        "payer_rules/acme/acme-medicare.yaml:10: effective: effective window overlaps "
        "'acme-any' (payer_rules/acme/acme-any.yaml) for payer 'acme' (end this version the day "
        "before 'acme-any' starts: until: 2025-12-31)",
    ]
