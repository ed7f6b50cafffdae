"""`priorauth evaluate` on hand-written facts files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from priorauth.cli import cli

FACTS = """\
patient: {birth_date: 1985-03-02}
coverages: [{payer_name: "Aetna Life Insurance Company", payer_identifiers: ["60054"]}]
diagnoses: [{code: F33.2, evidence: [Condition/c1]}]
scores: [{instrument: phq9, date: 2025-08-20, value: 19, evidence: [Observation/o1]}]
safety: {screened_negative: [implanted_device, retained_metal]}
trials:
  - {ingredient: sertraline, drug_class: ssri, start: 2024-01-08, days: 63,
     adequate_dose: true, outcome: inadequate_response}
  - {ingredient: bupropion, drug_class: bupropion, start: 2024-04-01, days: 56,
     outcome: inadequate_response}
  - {ingredient: aripiprazole, drug_class: sga, start: 2024-06-03, days: 56,
     adequate_dose: true, outcome: inadequate_response}
"""


@pytest.fixture
def facts(tmp_path):
    path = tmp_path / "patient.facts.yaml"
    path.write_text(FACTS)
    return path


def test_auto_payer_readable_output(facts):
    result = CliRunner().invoke(
        cli, ["evaluate", str(facts), "--payer", "auto", "--as-of", "2025-09-01"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == "Aetna CPB 0469 (cpb-0469-tms-2025 v2025.1) as of 2025-09-01: NEEDS_DOCUMENTATION"
    )
    assert "Gaps to close before submitting:" in lines
    gap = "bupropion (started 2024-04-01): document the daily dose reached"
    assert f"  - [antidepressant-trials] {gap}" in lines
    device = "Treatment uses an FDA-cleared TMS device within its labeled indications."
    assert f"  - [fda-cleared-device] {device}" in lines


def test_json_output_is_a_determination(facts):
    from priorauth.determination import Determination

    result = CliRunner().invoke(
        cli,
        ["evaluate", str(facts), "--payer", "cpb-0469-tms-2025", "--as-of", "2025-09-01", "--json"],
    )
    determination = Determination.model_validate_json(result.stdout)
    assert determination.status == "needs_documentation"
    trials = next(c for c in determination.criteria if c.id == "treatment-resistance")
    assert trials.children[0].children[0].evidence[0].fact == "trials[0]"


def test_all_prints_one_row_per_policy(facts):
    result = CliRunner().invoke(
        cli, ["evaluate", str(facts), "--payer", "all", "--as-of", "2025-09-01"]
    )
    assert result.exit_code == 0
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["policy", "payer", "status", "gaps"]
    assert any(r.split()[:3] == ["cpb-0469-tms-2025", "Aetna", "needs_documentation"] for r in rows)


def test_all_json_is_a_list(facts):
    result = CliRunner().invoke(
        cli, ["evaluate", str(facts), "--payer", "all", "--as-of", "2025-09-01", "--json"]
    )
    assert isinstance(json.loads(result.stdout), list)


def test_unknown_payer_exit_1_one_line(facts):
    result = CliRunner().invoke(
        cli, ["evaluate", str(facts), "--payer", "nope", "--as-of", "2025-09-01"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unknown payer or policy 'nope'; known payers: ")
    assert len(result.stderr.splitlines()) == 1


def test_unusable_facts_file(tmp_path):
    bad = tmp_path / "bad.facts.yaml"
    bad.write_text("trials: [{ingredient: x}]\n")
    result = CliRunner().invoke(
        cli, ["evaluate", str(bad), "--payer", "all", "--as-of", "2025-09-01"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bad}: not a usable facts file")


def test_help():
    assert cli.commands["evaluate"].help
