"""``priorauth letter``: exit codes, atomic writes, --force, formats (evaluation stubbed)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from priorauth.cli import cli, letter_cmd
from priorauth.determination import Determination
from priorauth.errors import EXIT_ERROR, EXIT_NOT_MET, UnknownPayerError

from .conftest import SEIZURE_ALERT, make_alerted, make_determination, make_minimal


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    path = tmp_path / "chart.json"
    path.write_text('{"resourceType": "Bundle", "type": "collection", "entry": []}')
    return path


def stub(monkeypatch, result: Determination | Exception) -> list[dict[str, object]]:
    calls: list[dict[str, object]] = []

    def determine(chart: Path, **kwargs: object) -> tuple[Determination, tuple[str, ...]]:
        calls.append(kwargs)
        if isinstance(result, Exception):
            raise result
        return result, ()

    monkeypatch.setattr(letter_cmd, "determine", determine)
    return calls


def run(*args: str):
    return CliRunner().invoke(cli, ["letter", *args], catch_exceptions=False)


def test_writes_json_and_passes_options(monkeypatch, chart, tmp_path):
    calls = stub(monkeypatch, make_determination())
    out = tmp_path / "det.json"
    result = run(
        str(chart), "--payer", "aetna", "-o", str(out), "--format", "json", "--as-of", "2026-11-25"
    )
    assert result.exit_code == 0, result.output
    assert calls == [
        {
            "payer": "aetna",
            "as_of": dt.date(2026, 11, 25),
            "rules_dir": None,
            "allow_uncovered_payer": False,
            "reviewed": {},
            "patient": None,
        }
    ]
    assert Determination.model_validate(json.loads(out.read_text())) == make_determination()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.json", "det.json"]


def test_html_with_signer(monkeypatch, chart, tmp_path):
    stub(monkeypatch, make_determination())
    out = tmp_path / "letter.html"
    result = run(
        str(chart),
        "--payer",
        "auto",
        "-o",
        str(out),
        "--format",
        "html",
        "--signer",
        "Sam Lee, DO",
        "--npi",
        "1111111111",
        "--letter",
        "continuation",
    )
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Sam Lee</b>, DO" in html
    assert "NPI 1111111111" in html
    assert "repeat course" in html


def test_not_met_lists_gaps_and_writes_nothing(monkeypatch, chart, tmp_path):
    stub(monkeypatch, make_minimal())
    out = tmp_path / "letter.pdf"
    result = run(str(chart), "--payer", "aetna", "-o", str(out))
    assert result.exit_code == EXIT_NOT_MET
    assert "needs documentation" in result.stderr
    assert "unmet: criteria.all.0 Recent severity score: unknown" in result.stderr
    assert "gap: Document a PHQ-9 within 30 days" in result.stderr
    assert not out.exists()


def test_force_writes_a_draft_with_a_warning(monkeypatch, chart, tmp_path):
    stub(monkeypatch, make_minimal())
    out = tmp_path / "letter.html"
    result = run(str(chart), "--payer", "aetna", "-o", str(out), "--format", "html", "--force")
    assert result.exit_code == 0
    assert "warning: policy not met" in result.stderr
    assert "Draft, not ready to submit" in out.read_text()


def test_library_error_is_one_line_exit_1(monkeypatch, chart, tmp_path):
    stub(monkeypatch, UnknownPayerError("unknown payer 'nope'; known payers: aetna"))
    result = run(str(chart), "--payer", "nope", "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == "error: unknown payer 'nope'; known payers: aetna\n"


def test_pdf_to_stdout(monkeypatch, chart):
    stub(monkeypatch, make_determination())
    result = run(str(chart), "--payer", "aetna", "-o", "-", "--pdf-variant", "none")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"%PDF-")


def test_command_has_help():
    assert cli.commands["letter"].help


def test_unwritable_output_is_one_line_exit_1(monkeypatch, chart, tmp_path):
    stub(monkeypatch, make_determination())
    out = tmp_path / "missing-dir" / "x.json"
    result = run(str(chart), "--payer", "aetna", "-o", str(out), "--format", "json")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith(f"error: {out}: cannot write:")


def test_safety_hold_exits_3_listing_the_alerts_first(monkeypatch, chart, tmp_path):
    stub(monkeypatch, make_alerted())
    out = tmp_path / "letter.pdf"
    result = run(str(chart), "--payer", "aetna", "-o", str(out))
    assert result.exit_code == EXIT_NOT_MET
    lines = result.stderr.splitlines()
    assert lines[0].startswith("SAFETY HOLD \u2014 do not submit (")
    assert lines[0].endswith(": safety_hold)")
    assert lines[1].startswith("  URGENT: acute-suicide-risk: Acute suicide risk:")
    assert "contact the treating clinician the same day" in lines[2]
    assert lines[3].startswith("  REVIEW: seizure-history: Seizure history:")
    assert "[Condition/sz-1]" in lines[3]
    status = next(i for i, line in enumerate(lines) if line.endswith(": safety hold"))
    assert status > 3
    assert not out.exists()


def test_clinician_review_is_not_final_either(monkeypatch, chart, tmp_path):
    stub(monkeypatch, make_alerted("clinician_review", (SEIZURE_ALERT,)))
    out = tmp_path / "letter.pdf"
    result = run(str(chart), "--payer", "aetna", "-o", str(out))
    assert result.exit_code == EXIT_NOT_MET
    assert result.stderr.startswith("CLINICIAN REVIEW REQUIRED (")
    assert not out.exists()


def test_force_writes_the_draft_with_the_alert_block_on_top(monkeypatch, chart, tmp_path):
    stub(monkeypatch, make_alerted())
    out = tmp_path / "letter.html"
    result = run(str(chart), "--payer", "aetna", "-o", str(out), "--format", "html", "--force")
    assert result.exit_code == 0, result.output
    assert "warning: SAFETY HOLD, must not be submitted; writing a draft letter" in result.stderr
    html = out.read_text()
    assert html.index('data-section="alerts"') < html.index('class="letterhead"')
    assert "status safety_hold" in html


def test_reviewed_relative_alert_gives_a_final_letter(monkeypatch, chart, tmp_path):
    reviewed = SEIZURE_ALERT.model_copy(update={"reviewed_by": "Dana Reyes, MD"})
    stub(monkeypatch, make_alerted("meets", (reviewed,)))
    out = tmp_path / "letter.html"
    result = run(str(chart), "--payer", "aetna", "-o", str(out), "--format", "html")
    assert result.exit_code == 0, result.output
    assert "reviewed: seizure-history: Seizure history: reviewed by Dana Reyes, MD" in (
        result.stderr
    )
    html = out.read_text()
    assert 'data-section="alerts"' not in html
    assert "Reviewed by Dana Reyes, MD" in html
