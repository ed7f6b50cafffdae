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
    assert lines[0].split() == [
        "id", "payer", "version", "status", "effective", "last_reviewed", "kind",
    ]  # fmt: skip
    assert any(line.split()[:2] == ["cpb-0469-tms-2026-02", "aetna"] for line in lines)
    ctmss = next(line for line in lines if line.startswith("ctmss-coverage-guidance"))
    assert "unknown..open*" in ctmss
    assert ctmss.endswith("REFERENCE MODEL (not a payer)")
    assert lines[-1] == "* effective window not verified: see `priorauth rules show ID`"


def test_list_json():
    rows = json.loads(CliRunner().invoke(cli, ["rules", "list", "--json"]).stdout)
    by_id = {r["id"]: r for r in rows}
    assert by_id["cpb-0469-tms-2026-01"]["effective"] == "2026-01-01..2026-02-26*"
    assert by_id["cpb-0469-tms-2026-02"]["effective"].startswith("2026-02-27..open")
    assert by_id["cpb-0469-tms-2024"]["effective"] == "unknown..2025-12-31*"
    assert by_id["cpb-0469-tms-2024"]["effective_review"].startswith(
        "Effective date of the adolescent expansion NOT FOUND"
    )
    assert by_id["ctmss-coverage-guidance"]["reference_model"] is True
    assert by_id["cpb-0469-tms-2026-02"]["reference_model"] is False


def test_show_tree_with_review_reasons():
    result = CliRunner().invoke(cli, ["rules", "show", "cpb-0469-tms-2026-02"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    title = "First course, or a repeat course after a sustained 50% response"
    assert f"    any of: [course-type] {title}" in lines
    assert "    - [age] age: Age 15 or older" in lines
    # the review reason is printed under the criterion, the group and the attestation it flags
    after_age = lines[lines.index("    - [age] age: Age 15 or older") + 1]
    assert after_age.startswith(
        "      review: Secondary summaries (payerpolicy.org, d3rx) and news"
    )
    group = lines.index(f"    any of: [course-type] {title}")
    assert lines[group + 1].startswith("      review: Whether a repeat course must also meet")
    criterion = lines.index("    - [no-active-suicidality] contraindication: No active suicidality")
    assert lines[criterion + 1].startswith(
        "      review: From the undated adult-only summary (verity); not confirmed for the 2026 "
        "version."
    )
    older = CliRunner().invoke(cli, ["rules", "show", "cpb-0469-tms-2024"]).stdout.splitlines()
    attestation = older.index(
        "attestation psychiatrist-confirmed: A psychiatrist has confirmed the diagnosis of major "
        "depressive disorder."
    )
    assert older[attestation + 1] == (
        "  review: The reference cites the 2026 summaries for this (payerpolicy.org explicitly)."
    )
    assert "  review (effective window): Day-precise date from a secondary aggregator" in (
        result.stdout
    )


def test_show_reference_model():
    result = CliRunner().invoke(cli, ["rules", "show", "ctmss-coverage-guidance"])
    assert "  REFERENCE MODEL, not a payer policy: never matched to a coverage; never cite it " in (
        result.stdout.splitlines()
    )
    assert "  effective unknown..open; last reviewed 2026-11-25" in result.stdout.splitlines()


def test_show_json_round_trips():
    from priorauth.rules.models import Policy

    result = CliRunner().invoke(cli, ["rules", "show", "cpb-0469-tms-2026-02", "--json"])
    assert Policy.model_validate_json(result.stdout).id == "cpb-0469-tms-2026-02"
    undated = CliRunner().invoke(cli, ["rules", "show", "ctmss-coverage-guidance", "--json"])
    assert Policy.model_validate_json(undated.stdout).effective.from_ is None


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
