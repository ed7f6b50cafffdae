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
scores: [{instrument: phq9, date: 2026-11-16, value: 19, evidence: [Observation/o1]}]
safety: {screened_negative: [implanted_device, retained_metal]}
trials:
  - {ingredient: sertraline, drug_class: ssri, start: 2025-01-06, days: 63,
     adequate_dose: true, outcome: inadequate_response}
  - {ingredient: bupropion, drug_class: bupropion, start: 2025-04-07, days: 56,
     outcome: inadequate_response}
  - {ingredient: aripiprazole, drug_class: sga, start: 2025-06-02, days: 56,
     adequate_dose: true, outcome: inadequate_response, augments: [bupropion]}
"""

AS_OF = ["--as-of", "2026-11-25"]


@pytest.fixture
def facts(tmp_path):
    path = tmp_path / "patient.facts.yaml"
    path.write_text(FACTS)
    return path


def run(*args):
    return CliRunner().invoke(cli, ["evaluate", *map(str, args)])


def test_auto_payer_readable_output(facts):
    """The Coverage's name is Aetna's explicit alias; 60054 is not a known identifier."""
    result = run(facts, "--payer", "auto", *AS_OF)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Aetna CPB 0469 (cpb-0469-tms-2026-02, version modified 2026-02-27) as of 2026-11-25: "
        "NEEDS_DOCUMENTATION"
    )
    assert "Gaps to close before submitting:" in lines
    gap = (
        "bupropion (started 2025-04-07): document the daily dose reached, "
        "the weeks at an adequate dose"
    )
    assert f"  - [antidepressant-trials] {gap}" in lines
    device = (
        "Treatment uses an FDA-cleared TMS device within its labeled indications; iTBS, if used, "
        "stays within its FDA-labeled parameters."
    )
    assert f"  - [fda-cleared-device] {device}" in lines


def test_json_output_is_a_determination(facts):
    from priorauth.determination import Determination

    result = run(facts, "--payer", "cpb-0469-tms-2026-02", *AS_OF, "--json")
    determination = Determination.model_validate_json(result.stdout)
    assert determination.status == "needs_documentation"
    medication = next(c for c in determination.criteria if c.id == "medication-failure")
    assert medication.children[0].evidence[0].fact == "trials[0]"


def test_all_prints_one_row_per_policy(facts):
    result = run(facts, "--payer", "all", *AS_OF)
    assert result.exit_code == 0
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["policy", "payer", "status", "gaps", "alerts"]
    assert any(
        r.split()[:3] == ["cpb-0469-tms-2026-02", "Aetna", "needs_documentation"] for r in rows
    )
    # drafts and reference models are not "in force"
    assert not any(r.startswith(("ctmss-coverage-guidance", "cpb-0469-tms-2024")) for r in rows)


def test_all_json_is_a_list(facts):
    result = run(facts, "--payer", "all", *AS_OF, "--json")
    assert isinstance(json.loads(result.stdout), list)


def test_auto_with_several_matches_says_so(tmp_path):
    path = tmp_path / "medicare.facts.yaml"
    path.write_text(
        FACTS.replace('"Aetna Life Insurance Company", payer_identifiers: ["60054"]', "Medicare")
    )
    result = run(path, "--payer", "auto", *AS_OF)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "2 policies match the chart's coverage; each is evaluated below. "
        "Choose the one that applies with --payer POLICY_ID:",
        "  - l34522-tms-2022 (Medicare (LCD L34522)): payer name 'Medicare'; neither the "
        "practice's nor the patient's state is in the chart",
        "  - l34998-tms-2022 (Medicare (LCD L34998)): payer name 'Medicare'; the states of "
        "Medicare (LCD L34998) are not in the rule file",
    ]
    assert lines[4].split() == ["policy", "payer", "status", "gaps", "alerts"]
    as_json = run(path, "--payer", "auto", *AS_OF, "--json")
    assert len(json.loads(as_json.stdout)) == 2  # the note goes to stderr with --json
    assert as_json.stderr.startswith("2 policies match the chart's coverage")


def test_aetna_medicare_is_not_aetna(tmp_path):
    path = tmp_path / "aetna-medicare.facts.yaml"
    path.write_text(
        FACTS.replace(
            '"Aetna Life Insurance Company", payer_identifiers: ["60054"]', "Aetna Medicare"
        )
    )
    result = run(path, "--payer", "auto", *AS_OF)
    assert result.exit_code == 1
    assert "no policy in force on 2026-11-25 matches the chart's coverage" in result.stderr
    assert "(payers: Aetna Medicare)" in result.stderr


def test_attest_confirms_an_attestation_criterion(facts):
    plain = run(facts, "--payer", "mp-170-tms-2023", *AS_OF)
    assert "Signer to confirm: The patient is a candidate for ECT" in plain.stdout
    assert "unknown  d-ect-attestation" in plain.stdout
    attested = run(facts, "--payer", "mp-170-tms-2023", *AS_OF, "--attest", "d-ect-attestation")
    assert attested.exit_code == 0, attested.output
    assert "met      d-ect-attestation" in attested.stdout
    assert "  - [d-ect-attestation] The patient is a candidate for ECT" in attested.stdout


def test_attest_repeatable_and_checked(facts):
    ok = run(
        facts, "--payer", "ctmss-coverage-guidance", *AS_OF,
        "--attest", "prior-tms-response", "--attest", "antidepressants-contraindicated",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "met      antidepressants-contraindicated" in ok.stdout
    bad = run(facts, "--payer", "cpb-0469-tms-2026-02", *AS_OF, "--attest", "nope")
    assert bad.exit_code == 2
    assert "nope: no such attestation in the selected policy" in bad.stderr


def test_reference_model_and_draft_are_labelled(facts):
    result = run(facts, "--payer", "ctmss-coverage-guidance", *AS_OF)
    lines = result.stdout.splitlines()
    assert lines[1] == (
        "  REFERENCE MODEL, not a payer policy: for comparison only, never a coverage rule."
    )
    assert lines[2] == "  DRAFT policy (effective unknown..open): not verified for use."
    assert lines[3].startswith("  Effective window not verified: The CTMSS document")


def test_unknown_payer_exit_1_one_line(facts):
    result = run(facts, "--payer", "nope", *AS_OF)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unknown payer or policy 'nope'; known payers: ")
    assert len(result.stderr.splitlines()) == 1


def test_unusable_facts_file(tmp_path):
    bad = tmp_path / "bad.facts.yaml"
    bad.write_text("trials: [{ingredient: x}]\n")
    result = run(bad, "--payer", "all", *AS_OF)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bad}: not a usable facts file")


def test_help():
    assert cli.commands["evaluate"].help
    assert "--attest" in CliRunner().invoke(cli, ["evaluate", "--help"]).stdout


def test_safety_alerts_are_shown_even_when_no_policy_matches_the_coverage():
    """The contraindicated chart has no coverage: `--payer auto` finds no policy (exit 1), but
    its implant (absolute) and seizure/bipolar history (relative) are printed first."""
    from pathlib import Path

    chart = Path(__file__).resolve().parents[1] / "data" / "charts" / "contraindicated.json"
    result = CliRunner().invoke(cli, ["evaluate", str(chart), "--payer", "auto", *AS_OF])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "SAFETY HOLD — do not submit: implant-near-coil, bipolar-history, seizure-history"
    )
    assert lines[1].startswith("  SAFETY HOLD: implant-near-coil:")
    assert lines[-1].startswith("error: no policy in force on 2026-11-25 matches")


def test_a_review_needs_a_named_reviewer(facts):
    result = run(facts, "--payer", "auto", "--reviewed", "pregnancy", *AS_OF)
    assert result.exit_code == 2
    assert "name the clinician with --reviewer" in result.output
