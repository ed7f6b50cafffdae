"""`priorauth rules ...` commands."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.cli.rules_cmd import rules
from priorauth.rules.schema import schema_text


@pytest.mark.parametrize("name", sorted(rules.commands))
def test_every_rules_command_has_help(name):
    assert rules.commands[name].help


def test_list():
    result = CliRunner().invoke(cli, ["rules", "list"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "payer", "version", "status", "effective", "last_reviewed"]
    assert any(line.split()[:2] == ["cpb-0469-tms-2025", "aetna"] for line in lines)


def test_list_json():
    rows = json.loads(CliRunner().invoke(cli, ["rules", "list", "--json"]).stdout)
    aetna = next(r for r in rows if r["id"] == "cpb-0469-tms-2025")
    assert aetna["effective"] == "2024-07-22..2026-02-26"


def test_show_tree():
    result = CliRunner().invoke(cli, ["rules", "show", "cpb-0469-tms-2025"])
    assert result.exit_code == 0
    title = "Medication resistance, or a repeat course after a documented response"
    assert f"    any of: [treatment-resistance] {title}" in result.stdout.splitlines()
    assert "    - [age] age: Age 15 or older" in result.stdout.splitlines()


def test_show_json_round_trips():
    from priorauth.rules.models import Policy

    result = CliRunner().invoke(cli, ["rules", "show", "cpb-0469-tms-2025", "--json"])
    assert Policy.model_validate_json(result.stdout).id == "cpb-0469-tms-2025"


def test_show_unknown_policy_exit_1():
    result = CliRunner().invoke(cli, ["rules", "show", "nope"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no policy 'nope'; known: ")


def test_schema():
    result = CliRunner().invoke(cli, ["rules", "schema"])
    assert (result.exit_code, result.stdout) == (0, schema_text())


def test_check_default_tree_ok():
    result = CliRunner().invoke(cli, ["rules", "check"])
    assert result.exit_code == 0, result.stdout


def test_rules_dir_option(tmp_path):
    result = CliRunner().invoke(cli, ["rules", "list", "--rules-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == []
