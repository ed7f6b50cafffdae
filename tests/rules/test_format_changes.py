"""Format rules added after the first encoding round (payer_rules/README.md, "Changelog")."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from priorauth.rules.cases import case_record
from priorauth.rules.check import check_paths
from priorauth.rules.models import Policy

ADULT = {"id": "adult", "kind": "age", "min": 18, "title": "Adult", "quote": "18 or older"}
ECT = {
    "id": "ect-candidate",
    "kind": "attestation",
    "text": "Candidate for ECT.",
    "title": "ECT candidate",
    "quote": "q",
}


def policy(**extra):
    data = {
        "id": "p",
        "version": "1",
        "status": "draft",
        "payer": {"id": "acme", "name": "Acme", "match": {"names": ["Acme"]}},
        "title": "TMS",
        "sources": ["https://example.org/p"],
        "effective": {"from": "2025-01-01"},
        "last_reviewed": "2026-01-01",
        "criteria": {"all": [ADULT]},
    }
    return Policy.model_validate({**data, **extra})


def test_unknown_effective_date_only_in_a_draft_with_a_review_note():
    undated = policy(effective={"from": None, "review": "effective date not in the reference"})
    assert undated.effective.from_ is None
    assert not undated.effective.contains(dt.date(2026, 1, 1))
    assert undated.effective.text() == "unknown..open"
    assert not undated.in_force(dt.date(2026, 1, 1))
    omitted = policy(effective={"until": "2025-12-31", "review": "start NOT FOUND"})
    assert omitted.effective.text() == "unknown..2025-12-31"


def test_unknown_effective_date_needs_a_review_note():
    with pytest.raises(ValidationError, match="'from' is null: add review"):
        policy(effective={"from": None})


@pytest.mark.parametrize("status", ["active", "retired"])
def test_unknown_effective_date_is_refused_outside_drafts(status):
    with pytest.raises(ValidationError, match=f"effective.from is null but status is '{status}'"):
        policy(status=status, effective={"from": None, "review": "NOT FOUND"})


def test_reference_model_is_never_matched():
    ref = policy(reference_model=True, payer={"id": "society", "name": "Society"})
    assert not ref.in_force(dt.date(2026, 1, 1))
    active = policy(
        reference_model=True, status="active", payer={"id": "society", "name": "Society"}
    )
    assert not active.in_force(dt.date(2026, 1, 1))
    with pytest.raises(ValidationError, match="a reference model is never matched"):
        policy(reference_model=True)


def test_match_lines_are_a_closed_list():
    ok = policy(payer={"id": "acme", "name": "Acme", "match": {"lines": ["medicare_advantage"]}})
    assert ok.payer.match.lines == ("medicare_advantage",)
    with pytest.raises(ValidationError, match="commercial"):
        policy(payer={"id": "acme", "name": "Acme", "match": {"lines": ["comercial"]}})


MINI = """\
id: mini
version: "1"
status: {status}
payer:
  id: acme
  name: Acme Health
  match: {{names: [Acme Health]}}
title: Mini policy
sources: ["https://example.org/mini"]
effective: {effective}
last_reviewed: 2026-06-01
criteria:
  all:
    - {{id: adult, kind: age, min: 18, title: Adult, quote: 18 or older, quote_kind: paraphrase}}
{extra}"""

TESTS = """\
policy: mini
as_of: 2026-11-25
base:
  patient: {birth_date: 1980-01-01}
cases:
  - name: adult
    expect: {status: meets}
  - name: teen
    record: {patient: {age: 16}}
    expect: {status: does_not_meet}
"""


def write(tmp_path, status="active", effective="{from: 2025-01-01}", extra="", tests=TESTS):
    folder = tmp_path / "payer_rules" / "acme"
    folder.mkdir(parents=True, exist_ok=True)
    text = MINI.format(status=status, effective=effective, extra=extra)
    (folder / "mini.yaml").write_text(text.rstrip("\n") + "\nformat: 2\n")
    (folder / "mini.test.yaml").write_text(tests)
    return folder / "mini.yaml"


def problems(path):
    return [str(p) for p in check_paths([path], as_of=dt.date(2026, 11, 25))]


def test_check_refuses_an_undated_active_policy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, effective="{from: null, review: not in the reference}")
    assert problems(path) == [
        "payer_rules/acme/mini.yaml:1: effective.from is null but status is 'active': only a "
        "draft or an uncertain window may have an unknown effective date (set status: draft, add "
        "uncertain: true to keep it selectable, or give the documented date)"
    ]
    draft = write(tmp_path, status="draft", effective="{from: null}")
    assert problems(draft) == [
        "payer_rules/acme/mini.yaml:10: effective: 'from' is null: add review: \"<why the "
        'effective date is unknown>", e.g. "effective date not in the reference"'
    ]


def test_check_warns_about_an_attestation_required_of_every_patient(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = (
        "    - {id: ect, kind: attestation, text: Candidate for ECT., title: ECT, quote: q,\n"
        "       quote_kind: paraphrase}\n"
    )
    confirmed = TESTS.replace(
        "expect: {status: meets}", "attested: [ect]\n    expect: {status: meets}"
    )
    path = write(tmp_path, extra=root, tests=confirmed)
    assert problems(path) == [
        "payer_rules/acme/mini.yaml:15: warning: criteria.all.1: attestation criterion 'ect' is "
        "required of every patient (move it to the top-level attestations: list (kind: "
        "attestation criteria are for alternatives inside any / at_least groups))"
    ]
    nested = (
        "    - any:\n"
        "        - {id: adult2, kind: age, min: 65, title: Old, quote: q, quote_kind: paraphrase}\n"
        "        - {id: ect, kind: attestation, text: Candidate for ECT., title: ECT, quote: q,\n"
        "           quote_kind: paraphrase}\n"
    )
    assert problems(write(tmp_path, extra=nested, tests=confirmed)) == []


def test_case_age_wins_over_the_base_birth_date():
    """The trap: a case with `patient: {age: 17}` used to run with the base's birth date."""
    base = {
        "patient": {"birth_date": "1958-01-01", "sex": "female"},
        "diagnoses": [{"code": "F33.2"}],
    }
    merged = case_record(base, {"patient": {"age": 17}})
    assert merged["patient"] == {"age": 17, "sex": "female"}
    merged = case_record({"patient": {"age": 40}}, {"patient": {"birth_date": "2010-01-01"}})
    assert merged["patient"] == {"birth_date": "2010-01-01"}
    assert case_record(base, {})["patient"] == base["patient"]
    with pytest.raises(ValueError, match="patient has both birth_date and age"):
        case_record({}, {"patient": {"age": 17, "birth_date": "2010-01-01"}})


def test_a_case_with_both_age_keys_or_an_unknown_attestation_is_a_problem(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tests = TESTS + (
        "  - name: both\n"
        "    record: {patient: {age: 16, birth_date: 2010-01-01}}\n"
        "    expect: {status: does_not_meet}\n"
        "  - name: typo\n"
        "    attested: [fda-devise]\n"
        "    expect: {status: meets}\n"
    )
    assert problems(write(tmp_path, tests=tests)) == [
        "payer_rules/acme/mini.test.yaml:12: cases.2.record.patient: patient has both birth_date "
        "and age: give one (a case's own age or birth_date replaces the base's) (see 'Test cases' "
        "in payer_rules/README.md)",
        "payer_rules/acme/mini.test.yaml:15: cases.3.attested: case 'typo': no attestation "
        "'fda-devise' in the policy (known: none)",
    ]
