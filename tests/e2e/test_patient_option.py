"""Every command and endpoint takes a patient (issue 14): --patient on evaluate, letter, pas and
batch, patient= over HTTP; a chart of several patients and no choice gives every patient
(evaluate, batch) or the list of patient ids (letter, pas: exit 2; HTTP /letters: 422)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from priorauth.cli import cli

MEETS = "Patient/meets-dd287690-fb80-5d37-a3ed-38a10ee09acb"
CSSRS = "Patient/cssrs-dd287690-fb80-5d37-a3ed-38a10ee09acb"
DAY = ["--as-of", "2026-11-25"]


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, [*args, *DAY])


def test_evaluate_a_bundle_of_two_gives_both(two_patient_bundle):
    result = _run("evaluate", str(two_patient_bundle), "--payer", "auto", "--json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    assert [(i["patient"], [d["status"] for d in i["determinations"]]) for i in items] == [
        (MEETS, ["meets"]),
        (CSSRS, ["safety_hold"]),
    ]
    text = _run("evaluate", str(two_patient_bundle), "--payer", "auto")
    assert text.stdout.index(f"== {MEETS} ==") < text.stdout.index(f"== {CSSRS} ==")
    assert "SAFETY HOLD" in text.stdout.split(f"== {CSSRS} ==")[1]


def test_evaluate_one_of_them(two_patient_bundle):
    result = _run("evaluate", str(two_patient_bundle), "--payer", "auto", "--patient", CSSRS)
    assert result.exit_code == 0
    assert "SAFETY HOLD" in result.stdout.splitlines()[0]
    attest = _run("evaluate", str(two_patient_bundle), "--payer", "auto", "--attest", "x", "--json")
    assert attest.exit_code == 2
    assert "choose it with --patient" in attest.stderr


def test_letter_without_a_patient_lists_them_and_exits_2(two_patient_bundle, tmp_path):
    out = tmp_path / "letter.pdf"
    result = _run("letter", str(two_patient_bundle), "--payer", "auto", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: two.json: the chart holds 2 patients ({MEETS}, {CSSRS}); choose one with "
        f"patient= (CLI: --patient), e.g. --patient {MEETS}\n"
    )
    assert not out.exists()
    done = _run(
        "letter", str(two_patient_bundle), "--payer", "auto", "-o", str(out), "--patient", MEETS
    )
    assert done.exit_code == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")


def test_letter_and_pas_on_a_bulk_export(mixed_export, tmp_path):
    out = tmp_path / "letter.pdf"
    listed = _run("letter", str(mixed_export), "--payer", "auto", "-o", str(out))
    assert listed.exit_code == 2
    assert "the chart holds 20 patients (Patient/129c6ac7" in listed.stderr
    assert "Placeholder" not in listed.stderr  # ids only, never names
    done = _run("letter", str(mixed_export), "--payer", "auto", "-o", str(out), "--patient", MEETS)
    assert done.exit_code == 0, done.stderr
    pas = _run("pas", str(mixed_export), "--payer", "auto", "--patient", MEETS)
    assert pas.exit_code == 0, pas.stderr
    bundle = json.loads(pas.stdout)
    patients = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert [p["id"] for p in patients] == [MEETS.removeprefix("Patient/")]
    assert _run("pas", str(mixed_export), "--payer", "auto").exit_code == 2
    one = Path(__file__).resolve().parents[1] / "data" / "charts" / "bulk_ndjson"
    single = _run("pas", str(one), "--payer", "l34998-tms-2022")  # one patient: no choice
    assert single.exit_code == 0, single.stderr
    assert json.loads(single.stdout)["resourceType"] == "Bundle"


def test_batch_a_bundle_of_two_is_two_rows(two_patient_bundle, tmp_path):
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "two.json").write_bytes(two_patient_bundle.read_bytes())
    out = tmp_path / "out"
    result = _run("batch", str(charts), "-o", str(out), "--jobs", "1", "--no-audit")
    assert result.exit_code == 0, result.stderr
    rows = json.loads((out / "summary.json").read_text())
    assert [(r["chart"], r["patient"], r["status"]) for r in rows] == [
        (f"two.json#{MEETS[8:]}", MEETS, "meets"),
        (f"two.json#{CSSRS[8:]}", CSSRS, "safety_hold"),
    ]
    assert [p.name for p in out.glob("*.pdf")] == [f"two.{MEETS[8:]}.pdf"]
    one = _run("batch", str(charts), "-o", str(tmp_path / "one"), "--patient", CSSRS, "--no-audit")
    assert [r["patient"] for r in json.loads((tmp_path / "one" / "summary.json").read_text())] == [
        CSSRS
    ]
    assert one.exit_code == 0


def _post(service_post: Any, path: str, bundle: Path, **params: str) -> Any:
    return service_post(path, bundle.read_bytes(), payer="auto", as_of="2026-11-25", **params)


def test_http_evaluate_with_and_without_patient(service_post, two_patient_bundle):
    every = _post(service_post, "/evaluate", two_patient_bundle)
    assert every.status_code == 200
    assert [(p["patient"], p["determinations"][0]["status"]) for p in every.json()["patients"]] == [
        (MEETS, "meets"),
        (CSSRS, "safety_hold"),
    ]
    one = _post(service_post, "/evaluate", two_patient_bundle, patient=CSSRS)
    assert (one.status_code, one.json()["status"]) == (200, "safety_hold")
    missing = _post(service_post, "/evaluate", two_patient_bundle, patient="Patient/nobody")
    assert missing.status_code == 422
    assert missing.json()["resourceType"] == "OperationOutcome"


def test_http_letters_take_a_patient(service_post, two_patient_bundle):
    listed = _post(service_post, "/letters", two_patient_bundle)
    assert listed.status_code == 422
    text = listed.json()["issue"][0]["diagnostics"]
    assert f"the chart holds 2 patients ({MEETS}, {CSSRS})" in text
    letter = _post(service_post, "/letters", two_patient_bundle, patient=MEETS)
    assert letter.status_code == 200
    assert letter.content.startswith(b"%PDF-")
