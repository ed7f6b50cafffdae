"""Text a chart can hold in any length is read in linear time (issue 15)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from priorauth.facts import dosing, indication, outcomes, sigs
from priorauth.limits import MAX_TEXT_CHARS
from priorauth.pipeline import chart_facts
from priorauth.terminology import codesets, diagnoses, drugs, instruments, procedures

AS_OF = dt.date(2026, 11, 25)


def resources(chart: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in chart["entry"] if e["resource"]["resourceType"] == kind]


def _timed(call: Any, *args: Any) -> float:
    start = time.perf_counter()
    call(*args)
    return time.perf_counter() - start


def test_dose_regexes_are_linear_on_long_digit_runs() -> None:
    digits = "1" * 20_000
    for call in (dosing.frequency_in_text, dosing.mass_in_text, dosing.count_in_text):
        assert _timed(call, digits) < 0.5, call.__name__
    assert _timed(dosing.dose_in_text, digits, None) < 0.5


def test_dose_digits_chart_is_read_quickly(chart: dict[str, Any]) -> None:
    for request in resources(chart, "MedicationRequest"):
        request["dosageInstruction"] = [{"text": "1" * 48_000}]
    assert _timed(lambda: chart_facts(chart, as_of=AS_OF)) < 3


def test_digit_runs_over_seven_digits_are_no_dose() -> None:
    assert dosing.mass_in_text("take " + "9" * 5_000 + " mg") is None
    assert dosing.mass_in_text("take 50 mg") == 50
    assert dosing.frequency_in_text("every 8 hours") == 3


def test_long_diagnosis_codes_are_matched_in_linear_time(chart: dict[str, Any]) -> None:
    from priorauth.terminology import diagnoses, systems
    from priorauth.terminology.codesets import is_known_code

    code = "F" + "3" * 200_000
    assert _timed(diagnoses.diagnosis_info, systems.ICD10CM, code) < 0.5
    assert _timed(is_known_code, systems.ICD10CM, code) < 0.5
    for condition in resources(chart, "Condition"):
        condition["code"] = {"coding": [{"system": systems.ICD10CM, "code": "F" + "3" * 80_000}]}
    assert _timed(lambda: chart_facts(chart, as_of=AS_OF)) < 3


def test_prefix_matching_is_unchanged_for_real_codes() -> None:
    from priorauth.terminology import diagnoses, systems

    found = diagnoses.diagnosis_info(systems.ICD10CM, "G40.909")
    assert found is not None
    assert found.category
    assert diagnoses.diagnosis_info(systems.ICD10CM, "G40.90999999") is not None


def test_suicide_risk_codes_are_matched_in_linear_time() -> None:
    from priorauth.terminology import systems
    from priorauth.terminology.suicide import suicide_risk_code

    assert _timed(suicide_risk_code, systems.ICD10CM, "R" + "4" * 200_000) < 0.5
    assert suicide_risk_code(systems.ICD10CM, "R45.851") is not None


def test_a_9_mb_condition_text_is_a_note(chart: dict[str, Any]) -> None:
    """A Condition.code.text of 9 MB (under the HTTP body limit): read up to 10,000 characters,
    noted with the resource and the path."""
    condition = resources(chart, "Condition")[0]
    condition["code"]["text"] = "seizure disorder " * 530_000
    record = chart_facts(chart, as_of=AS_OF)
    [note] = [n for n in record.notes if n.code == "text-too-long"]
    assert note.resource == f"Condition/{condition['id']}"
    assert note.location == "entry[5].resource.code.text"
    assert note.message.endswith("text of 9,010,000 characters; only the first 10,000 are read")


def _far(text: str) -> str:
    """``text`` placed just past the part of a free text the matchers read."""
    return "x " * (MAX_TEXT_CHARS // 2) + text


@pytest.mark.parametrize(
    ("matcher", "text"),
    [
        (codesets.contraindication_in_text, "history of seizure"),
        (drugs.drugs_in_text, "sertraline 50 mg"),
        (instruments.instrument_in_text, "PHQ-9 score 17"),
        (procedures.procedure_in_text, "cognitive behavioral therapy"),
        (diagnoses.parse_depression_display, "major depressive disorder, recurrent"),
        (outcomes.classify_text, "stopped for nausea"),
        (indication.label_of_text, "for insomnia"),
    ],
)
def test_every_free_text_matcher_reads_a_bounded_prefix(matcher: Any, text: str) -> None:
    """Each matcher finds its phrase at the start of a text and ignores it past the bound, so
    its work is bounded whatever the text's length."""
    assert matcher(text) not in (None, (), outcomes.UNKNOWN)
    assert matcher(_far(text)) in (None, (), outcomes.UNKNOWN)


def test_sigs_read_a_bounded_prefix() -> None:
    assert sigs.read_sig("take 1 tablet as needed for sleep", 50.0).as_needed
    assert not sigs.read_sig(_far("take 1 tablet as needed for sleep"), 50.0).as_needed


def test_a_9_mb_status_reason_is_shortened_in_the_facts_and_the_letter(
    chart: dict[str, Any],
) -> None:
    """Chart text carried into a fact keeps at most 1,000 characters, so a huge reason or name
    cannot make the letter (and its PDF) huge."""
    from priorauth.limits import MAX_FACT_TEXT_CHARS
    from priorauth.pipeline import evaluate_record
    from priorauth.render.html import render_html
    from priorauth.rules import load_rules

    reason = "stopped for intolerable nausea " * 300_000
    for request in resources(chart, "MedicationRequest"):
        request["statusReason"] = {"text": reason}
    for patient in resources(chart, "Patient"):
        patient["name"] = [{"family": "Doe" * 1_000_000, "given": ["J"]}]
    record = chart_facts(chart, as_of=AS_OF)
    details = [t.outcome_detail for t in record.trials if t.outcome_detail]
    assert details
    assert {len(d) for d in details} == {MAX_FACT_TEXT_CHARS}
    assert all(d.startswith("stopped for intolerable nausea") and d.endswith("…") for d in details)
    assert record.patient.name is not None
    assert len(record.patient.name) <= MAX_FACT_TEXT_CHARS
    [determination] = evaluate_record(record, load_rules(None), payer="aetna", as_of=AS_OF)
    assert len(render_html(determination)) < 200_000
