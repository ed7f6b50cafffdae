"""``rules check`` on codes: the full ICD-10-CM, the project's tables, documented exceptions."""

from __future__ import annotations

import datetime as dt

from priorauth.rules.check import check_paths
from priorauth.rules.check_codes import in_code_set
from priorauth.terminology import is_known_code
from priorauth.terminology.icd10cm_full import is_icd10cm_code

POLICY = """\
id: mini
version: "1"
status: active
payer: {{id: acme, name: Acme Health}}
title: Mini policy
sources: ["https://example.org/mini"]
effective: {{from: 2025-01-01}}
last_reviewed: 2026-06-01
{service}criteria:
  all:
    - {{id: adult, kind: age, min: 18, title: Adult, quote: 18 or older, quote_kind: paraphrase}}
    - id: no-risk
      kind: exclusion
      codes: {codes}
      code_prefixes: {prefixes}
      title: No excluded diagnosis
      quote: q
      quote_kind: paraphrase
{extra}"""


def with_format(text: str) -> str:
    """The rule-format line, last so that the line numbers above it stay put."""
    return text + ("" if text.endswith("\n") else "\n") + "format: 2\n"


CASES = """\
policy: mini
as_of: 2026-11-25
base:
  patient: {birth_date: 1980-01-01}
cases:
  - name: adult
    expect: {status: meets}
  - name: teen
    record: {patient: {birth_date: 2015-01-01}}
    expect: {status: does_not_meet}
"""


def check(tmp_path, monkeypatch, codes="[F33.2]", prefixes="[]", extra="", service=""):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "payer_rules" / "acme"
    folder.mkdir(parents=True, exist_ok=True)
    text = with_format(POLICY.format(codes=codes, prefixes=prefixes, extra=extra, service=service))
    (folder / "mini.yaml").write_text(text)
    (folder / "mini.test.yaml").write_text(CASES)
    found = check_paths([folder / "mini.yaml"], as_of=dt.date(2026, 11, 25))
    return [str(p) for p in found if "mini.test.yaml" not in p.path]


def test_valid_icd10cm_codes_outside_our_tables_pass(tmp_path, monkeypatch):
    assert not is_known_code("icd10cm", "R45.851")
    assert not is_known_code("icd10cm", "F06.30")
    assert check(tmp_path, monkeypatch, codes="[R45.851, F0630, F06.1]", prefixes="[F05]") == []


def test_an_invalid_code_or_prefix_is_an_error(tmp_path, monkeypatch):
    assert check(tmp_path, monkeypatch, codes="[F33.2, F99.99]", prefixes="[F3, F30-F39]") == [
        "payer_rules/acme/mini.yaml:14: criteria.all.1.codes.1: ICD-10-CM code 'F99.99' is not "
        "in ICD-10-CM (CMS tabular April 2026) (check the code; if the payer names it, add to "
        "codes_outside_tables: {system: icd10cm, code: F99.99, why: ...})",
        "payer_rules/acme/mini.yaml:15: criteria.all.1.code_prefixes.0: ICD-10-CM code 'F3' is "
        "not in ICD-10-CM (CMS tabular April 2026) (check the code; if the payer names it, add to "
        "codes_outside_tables: {system: icd10cm, code: F3, why: ...})",
        "payer_rules/acme/mini.yaml:15: criteria.all.1.code_prefixes.1: ICD-10-CM code "
        "'F30-F39' is not in ICD-10-CM (CMS tabular April 2026) (check the code; if the payer "
        "names it, add to codes_outside_tables: {system: icd10cm, code: F30-F39, why: ...})",
    ]


def test_an_unknown_cpt_code_is_an_error(tmp_path, monkeypatch):
    service = "service: {cpt: [90867, '99999']}\n"
    assert check(tmp_path, monkeypatch, service=service) == [
        "payer_rules/acme/mini.yaml:9: service.cpt.1: CPT code '99999' is not in the terminology "
        "tables (check the code; if the payer names it, add to codes_outside_tables: "
        "{system: cpt, code: 99999, why: ...})"
    ]


EXCEPTIONS = """\
codes_outside_tables:
  - {system: icd10cm, code: F9999, why: "Named in the payer's 2019 exclusion list; retired code"}
  - {system: icd10cm, code: F33.2, why: "not needed"}
  - {system: icd10cm, code: F43.9, why: "named nowhere"}
"""


def test_a_documented_exception_accepts_the_code_and_a_needless_one_is_a_warning(
    tmp_path, monkeypatch
):
    assert check(tmp_path, monkeypatch, codes="[F99.99, F33.2]", extra=EXCEPTIONS) == [
        "payer_rules/acme/mini.yaml:21: warning: codes_outside_tables.1.code: ICD-10-CM code "
        "'F33.2' is in ICD-10-CM (CMS tabular April 2026) (remove this entry: the code needs no "
        "exception)",
        "payer_rules/acme/mini.yaml:22: warning: codes_outside_tables.2.code: ICD-10-CM code "
        "'F43.9' is not named elsewhere in this file (remove this entry, or check the code's "
        "spelling where the criteria name it)",
    ]


def test_code_sets_per_system():
    assert in_code_set("icd10cm", "S06.0X0A")
    assert is_icd10cm_code("g40909")
    assert not in_code_set("icd10cm", "F30-F39")
    assert in_code_set("cpt", "90868")
    assert not in_code_set("cpt", "90875")
    assert in_code_set("rxnorm", "312938")
    assert not in_code_set("rxnorm", "1")
    assert in_code_set("snomed", "832007")
    assert not in_code_set("snomed", "1")
