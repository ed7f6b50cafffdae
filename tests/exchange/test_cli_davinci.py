"""``priorauth pas`` and ``priorauth dtr``: exit codes, files written, outputs that conform."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.exchange.conformance import Profiles, check_bundle, check_resource

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "davinci"
EXAMPLE = str(ROOT / "examples" / "trd_meets_policies.json")
DTR = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/"
AS_OF = "2026-11-25"


@pytest.fixture(scope="module")
def profiles():
    return Profiles.from_dir(DATA)


def test_pas_writes_a_conforming_bundle(tmp_path, profiles):
    out = tmp_path / "bundle.json"
    result = CliRunner().invoke(
        cli, ["pas", EXAMPLE, "--payer", "auto", "--as-of", "2026-11-25", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    bundle = json.loads(out.read_text("utf-8"))
    assert check_bundle(bundle, profiles) == []


def test_dtr_questionnaire(profiles):
    result = CliRunner().invoke(cli, ["dtr", "questionnaire", "cpb-0469-tms-2026-02"])
    assert result.exit_code == 0, result.output
    form = json.loads(result.output)
    assert form["url"].endswith("cpb-0469-tms-2026-02")
    assert check_resource(form, f"{DTR}dtr-std-questionnaire", profiles) == []


def test_rules_questionnaire_is_the_same_command():
    """The issue's name for it, `priorauth rules questionnaire POLICY`, gives the same form."""
    args = ["questionnaire", "cpb-0469-tms-2026-02"]
    via_rules = CliRunner().invoke(cli, ["rules", *args])
    via_dtr = CliRunner().invoke(cli, ["dtr", *args])
    assert via_rules.exit_code == 0, via_rules.output
    assert via_rules.stdout == via_dtr.stdout


def test_dtr_questionnaire_unknown_policy():
    result = CliRunner().invoke(cli, ["dtr", "questionnaire", "no-such-policy"])
    assert result.exit_code == 1
    assert "unknown policy 'no-such-policy'" in result.output


def test_dtr_prefill(profiles):
    result = CliRunner().invoke(
        cli, ["dtr", "prefill", EXAMPLE, "--payer", "aetna", "--as-of", "2026-11-25"]
    )
    assert result.exit_code == 0, result.output
    response = json.loads(result.output)
    assert check_resource(response, f"{DTR}dtr-questionnaireresponse", profiles) == []


def test_pas_with_a_payer_that_has_no_policy_in_force(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["pas", EXAMPLE, "--payer", "aetna", "--as-of", "1990-01-01", "-o", str(tmp_path / "b")],
    )
    assert result.exit_code == 1
    assert not (tmp_path / "b").exists()


def test_pas_with_a_chart_that_is_not_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    result = CliRunner().invoke(cli, ["pas", str(bad)])
    assert result.exit_code == 1
    assert "not a JSON chart" in result.output


def _items(items):
    for item in items:
        yield item
        yield from _items(item.get("item", []))


def _origins(response):
    found = {}
    for item in _items(response["item"]):
        for answer in item.get("answer", []):
            origin = next(e for e in answer["extension"] if e["url"].endswith("information-origin"))
            found[item["linkId"]] = origin["extension"][0]["valueCode"]
    return found


def test_pas_and_dtr_ask_between_two_lcds_like_the_letter(tmp_path):
    """A Medicare chart without a state fits L34522 and L34998: exit 2 naming both, no file."""
    text = Path(EXAMPLE).read_text("utf-8").replace('"Aetna"', '"Medicare"')
    text = text.replace('"state": "CT",', "")  # the example's patient and practice addresses
    chart = tmp_path / "medicare.json"
    chart.write_text(text, "utf-8")
    for args in (["pas", "-o", str(tmp_path / "b.json")], ["dtr", "prefill"]):
        result = CliRunner().invoke(cli, [*args, str(chart), "--payer", "auto", "--as-of", AS_OF])
        assert result.exit_code == 2, result.output
        assert "l34522-tms-2022, l34998-tms-2022" in result.output
        assert "--payer POLICY_ID" in result.output
    assert not (tmp_path / "b.json").exists()
    chosen = CliRunner().invoke(
        cli, ["dtr", "prefill", str(chart), "--payer", "l34998-tms-2022", "--as-of", AS_OF]
    )
    assert chosen.exit_code == 0, chosen.output
    assert ":l34998-tms-2022|" in json.loads(chosen.output)["questionnaire"]


def test_pas_refuses_a_payer_not_on_the_chart_unless_overridden(tmp_path):
    args = ["pas", EXAMPLE, "--payer", "en0383-tms-2026", "--as-of", AS_OF]
    refused = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "b.json")])
    assert refused.exit_code == 2, refused.output
    assert "--payer-not-on-chart" in refused.output
    assert not (tmp_path / "b.json").exists()
    allowed = CliRunner().invoke(
        cli, [*args, "-o", str(tmp_path / "b.json"), "--payer-not-on-chart"]
    )
    assert allowed.exit_code == 0, allowed.output


def test_dtr_prefill_marks_a_confirmed_attestation_as_from_a_person(profiles):
    args = ["dtr", "prefill", EXAMPLE, "--payer", "mp-170-tms-2023", "--as-of", AS_OF]
    args.append("--payer-not-on-chart")  # the example's coverage is Aetna
    before = json.loads(CliRunner().invoke(cli, args).output)
    assert "d-ect-attestation" not in _origins(before)
    result = CliRunner().invoke(cli, [*args, "--attest", "d-ect-attestation"])
    assert result.exit_code == 0, result.output
    after = json.loads(result.output)
    origins = _origins(after)
    assert origins.pop("d-ect-attestation") == "manual"
    assert set(origins.values()) == {"auto"}
    assert check_resource(after, f"{DTR}dtr-questionnaireresponse", profiles) == []


def test_dtr_prefill_refuses_an_unknown_attestation():
    args = ["dtr", "prefill", EXAMPLE, "--payer", "mp-170-tms-2023", "--payer-not-on-chart"]
    result = CliRunner().invoke(cli, [*args, "--attest", "nope"])
    assert result.exit_code == 1
    assert "nope: no such attestation" in result.output
