"""``letter`` chooses one policy or asks, and addresses the letter to that policy's payer.

Real charts through the whole pipeline: the example with its payor renamed to a legal entity
(with the payer id on the Organization), or switched to Medicare (two LCDs fit: it asks).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from priorauth.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads((ROOT / "examples" / "trd_meets_policies.json").read_bytes())
AS_OF = "2026-11-25"


def chart_with_payor(name: str, identifiers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The example chart whose payor Organization has another name (and identifiers)."""
    chart = copy.deepcopy(EXAMPLE)
    payors = [
        e["resource"]
        for e in chart["entry"]
        if e["resource"]["resourceType"] == "Organization" and e["resource"].get("name") == "Aetna"
    ]
    assert len(payors) == 1
    payors[0]["name"] = name
    if identifiers is not None:
        payors[0]["identifier"] = identifiers
    for entry in chart["entry"]:
        for ref in entry["resource"].get("payor", []):
            ref["display"] = name
    return chart


AETNA_LEGAL = chart_with_payor(
    "Aetna Health Inc.", [{"system": "urn:oid:2.16.840.1.113883.6.300", "value": "60054"}]
)


def in_state(chart: dict[str, Any], state: str | None) -> dict[str, Any]:
    """The chart with the patient's and the practice's address in ``state`` (None: no state)."""
    chart = copy.deepcopy(chart)
    for entry in chart["entry"]:
        for address in entry["resource"].get("address", []):
            if state is None:
                address.pop("state", None)
            else:
                address["state"] = state
    return chart


# Medicare Part B with no state on the chart: the two LCDs in force (L34522, L34998) both fit
MEDICARE = in_state(chart_with_payor("Medicare"), None)


@pytest.fixture
def write(tmp_path):
    def write(chart: dict[str, Any], name: str = "chart.json") -> str:
        path = tmp_path / name
        path.write_text(json.dumps(chart))
        return str(path)

    return write


def letter(*args: str):
    return CliRunner().invoke(cli, ["letter", *args, "--as-of", AS_OF], catch_exceptions=False)


def test_legal_entity_chart_gets_the_aetna_letter(write, tmp_path):
    out = tmp_path / "d.json"
    result = letter(
        write(AETNA_LEGAL), "--payer", "auto", "--format", "json", "-o", str(out), "--force"
    )
    assert result.exit_code == 0, result.output
    det = json.loads(out.read_text())
    assert det["policy"]["id"] == "cpb-0469-tms-2026-02"
    assert det["coverage"]["payer_name"] == "Aetna Health Inc."
    assert "payer identifier 60054 (clearinghouse)" in result.output


def test_the_practice_state_selects_the_lcd(write, tmp_path):
    """Florida is in L34522's jurisdiction (JN): that LCD alone; L34998 documents no states."""
    out = tmp_path / "d.json"
    chart = in_state(MEDICARE, "FL")
    result = letter(write(chart), "--payer", "auto", "--format", "json", "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["policy"]["id"] == "l34522-tms-2022"


def test_an_lcd_left_by_elimination_is_not_taken_silently(write, tmp_path):
    """Maine is outside JN, and L34998's states are not in its rule file: the letter asks."""
    result = letter(write(in_state(MEDICARE, "ME")), "--payer", "auto", "-o", str(tmp_path / "l"))
    assert result.exit_code == 2, result.output
    assert "l34998-tms-2022 fits this chart" in result.output
    assert "jurisdiction cannot be confirmed" in result.output
    assert not (tmp_path / "l").exists()


def test_two_lcds_ask_instead_of_choosing(write, tmp_path):
    result = letter(write(MEDICARE), "--payer", "auto", "-o", str(tmp_path / "l.pdf"))
    assert result.exit_code == 2, result.output
    assert "l34522-tms-2022, l34998-tms-2022" in result.output
    assert "--payer POLICY_ID" in result.output
    assert not (tmp_path / "l.pdf").exists()


def test_payer_all_is_a_usage_error(write, tmp_path):
    result = letter(write(EXAMPLE), "--payer", "all", "-o", str(tmp_path / "l.pdf"))
    assert result.exit_code == 2
    assert "one policy" in result.output


def test_a_payer_not_on_the_chart_is_refused_without_the_override(write, tmp_path):
    out = tmp_path / "l.html"
    result = letter(
        write(EXAMPLE), "--payer", "en0383-tms-2026", "--format", "html", "-o", str(out)
    )
    assert result.exit_code == 2, result.output
    assert "--payer-not-on-chart" in result.output
    assert not out.exists()


def test_with_the_override_the_letter_is_addressed_to_the_policy_payer(write, tmp_path):
    out = tmp_path / "l.html"
    args = ["--payer", "en0383-tms-2026", "--format", "html", "-o", str(out), "--force"]
    result = letter(write(EXAMPLE), *args, "--payer-not-on-chart")
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Evernorth / Cigna" in html
    assert "Aetna" not in html
    assert "W901234567" not in html  # the Aetna member id is not shown for Cigna
