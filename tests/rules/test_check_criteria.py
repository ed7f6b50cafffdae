"""``rules check`` on severity thresholds and quote kinds: a broken file, the exact lines."""

from __future__ import annotations

import datetime as dt

import pytest

from priorauth.rules.check import check_paths
from priorauth.rules.check_criteria import never_met

POLICY = """\
id: mini
version: "1"
status: active
payer: {{id: acme, name: Acme Health}}
title: Mini policy
sources: ["https://example.org/mini"]
effective: {{from: 2025-01-01}}
last_reviewed: 2026-06-01
criteria:
  all:
    - {{id: adult, kind: age, min: 18, title: Adult, quote: 18 or older, quote_kind: paraphrase}}
{extra}"""


def with_format(text: str) -> str:
    """The rule-format line, last so that the line numbers above it stay put."""
    return text + ("" if text.endswith("\n") else "\n") + "format: 2\n"


CASES = """\
policy: mini
as_of: 2026-11-25
base:
  patient: {birth_date: 1980-01-01}
  scores: [{instrument: phq9, value: 20, date: 2026-11-01}]
cases:
  - name: adult
    expect: {status: meets}
  - name: teen
    record: {patient: {birth_date: 2015-01-01}}
    expect: {status: does_not_meet}
"""


def check(tmp_path, monkeypatch, extra):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "payer_rules" / "acme"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mini.yaml").write_text(with_format(POLICY.format(extra=extra)))
    (folder / "mini.test.yaml").write_text(CASES)
    found = check_paths([folder / "mini.yaml"], as_of=dt.date(2026, 11, 25))
    return [str(p) for p in found if "mini.test.yaml" not in p.path]


def score(op_value: str, instruments: str = "[phq9]") -> str:
    return (
        f"    - {{id: sev, kind: severity_score, instruments: {instruments}, {op_value},\n"
        "       title: Severity, quote: q, quote_kind: paraphrase}\n"
    )


PHQ9_RANGE = "is outside the scale: Patient Health Questionnaire-9 (PHQ-9) scores run 0-27"


def outside(threshold: str) -> str:
    """The loader's error for a threshold no PHQ-9 score can meet (rule format 2 refuses it on
    load, so `rules check` reports it with the file's line)."""
    return (
        f"payer_rules/acme/mini.yaml:12: criteria.all.1.severity_score: {threshold} {PHQ9_RANGE}; "
        "this threshold can never be met"
    )


@pytest.mark.parametrize(
    ("op_value", "threshold"),
    [
        ("op: '>', value: 30", "phq9 > 30"),
        ("op: '<', value: 0", "phq9 < 0"),
        ("op: '>', value: 27", "phq9 > 27"),
        ("op: '>=', value: -1", "phq9 >= -1"),
    ],
)
def test_a_threshold_outside_or_beyond_the_score_range_is_an_error(
    tmp_path, monkeypatch, op_value, threshold
):
    assert check(tmp_path, monkeypatch, score(op_value)) == [outside(threshold)]


def test_one_threshold_for_several_scales_is_checked_against_each(tmp_path, monkeypatch):
    extra = score("op: '>=', value: 22", "[madrs, phq9, hamd]")
    assert check(tmp_path, monkeypatch, extra) == []
    extra = score("op: '>=', value: 30", "[madrs, phq9]")
    assert check(tmp_path, monkeypatch, extra) == [outside("phq9 >= 30")]


def test_a_range_outside_the_score_range_is_an_error(tmp_path, monkeypatch):
    extra = score("range: [10, 40]", "[madrs, phq9]")
    assert check(tmp_path, monkeypatch, extra) == [outside("range [10, 40]")]


def test_thresholds_that_some_score_can_meet_pass(tmp_path, monkeypatch):
    for op_value in ("op: '>=', value: 27", "op: '<', value: 1", "op: '>', value: 0"):
        assert check(tmp_path, monkeypatch, score(op_value)) == [], op_value


def test_never_met_reads_like_the_comparison():
    assert [never_met(op, 10, 0, 27) for op in (">", ">=", "<", "<=")] == [False] * 4
    assert never_met("<=", -1, 0, 27)
    assert not never_met("<=", 0, 0, 27)


HINT = (
    "(add quote_kind: verbatim (the payer's exact words, in quotation marks in its document) "
    "or quote_kind: paraphrase)"
)


def test_every_quote_needs_a_quote_kind(tmp_path, monkeypatch):
    extra = (
        "    - any:\n"
        "        - {id: a, kind: age, min: 65, title: Old, quote: q}\n"
        "        - {id: b, kind: age, min: 18, title: Adult, quote: q, quote_kind: verbatim}\n"
        "      quote: either age\n"
        "attestations:\n"
        "  - {id: device, text: FDA-cleared device., quote: an FDA-cleared device}\n"
        "  - {id: md, text: A psychiatrist orders it.}\n"
    )
    assert check(tmp_path, monkeypatch, extra) == [
        f"payer_rules/acme/mini.yaml:13: criteria.all.1.any.0.quote: quote_kind is missing {HINT}",
        f"payer_rules/acme/mini.yaml:15: criteria.all.1.quote: quote_kind is missing {HINT}",
        f"payer_rules/acme/mini.yaml:17: attestations.0.quote: quote_kind is missing {HINT}",
    ]


def test_a_paraphrase_wrapped_in_quotation_marks_is_a_warning(tmp_path, monkeypatch):
    extra = (
        "    - {id: old, kind: age, min: 18, title: Old, quote_kind: paraphrase,\n"
        "       quote: '\"Adults aged 18 or older\".'}\n"
        "    - {id: mixed, kind: age, min: 18, title: Mixed, quote_kind: paraphrase,\n"
        "       quote: '\"Adults\" aged 18 or older'}\n"
        "    - {id: exact, kind: age, min: 18, title: Exact, quote_kind: verbatim,\n"
        "       quote: '\"Adults aged 18 or older\"'}\n"
    )
    assert check(tmp_path, monkeypatch, extra) == [
        "payer_rules/acme/mini.yaml:13: warning: criteria.all.1.quote: a paraphrase written in "
        "quotation marks reads as the payer's words (the letter prints it without them; remove "
        "them, or mark it quote_kind: verbatim if these are the payer's exact words)"
    ]
