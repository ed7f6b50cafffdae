"""Policy quotes on the letter: verbatim in quotation marks, a paraphrase labelled and never quoted.

Every policy in payer_rules/ is evaluated for one realistic chart (every attestation confirmed, so
attestation quotes are printed too) and each printed quote is compared with the Determination.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from priorauth.determination import CriterionResult, Determination
from priorauth.evaluate import evaluate
from priorauth.render import render_html
from priorauth.render._view_policy import unwrapped_quote
from priorauth.rules import load_rules

from .conftest import AS_OF, make_record
from .test_html import parse, text_of

QUOTATION_MARKS = '"“”„«»'
POLICIES = list(load_rules())


def results(criteria: tuple[CriterionResult, ...]) -> Iterator[CriterionResult]:
    for c in criteria:
        yield c
        yield from results(c.children)


def printed_quotes(root: ET.Element) -> list[tuple[str, str]]:
    return [
        (el.get("data-quote-kind", ""), text_of(el))
        for el in root.iter()
        if el.get("data-quote-kind")
    ]


def expected_quotes(d: Determination) -> list[tuple[str, str]]:
    quoted = [(c.quote_kind, c.quote) for c in results(d.criteria) if c.quote]
    quoted += [(a.quote_kind, a.quote) for a in d.attestations if a.quote]
    return [(kind, " ".join(text.split())) for kind, text in quoted]


def as_printed(kind: str, text: str) -> str:
    text = unwrapped_quote(text)
    return f"Policy: “{text}”" if kind == "verbatim" else f"Paraphrase: {text}"


def wrapped(text: str) -> bool:
    """In quotation marks as a whole (a phrase quoted inside a paraphrase is the payer's)."""
    return text[:1] in QUOTATION_MARKS and text.rstrip(".")[-1:] in QUOTATION_MARKS


def test_quotation_marks_around_a_whole_quote_are_the_templates_to_add():
    assert unwrapped_quote('"Confirmed diagnosis of MDD".') == "Confirmed diagnosis of MDD."
    assert unwrapped_quote("“Severe” MDD (single episode)") == "“Severe” MDD (single episode)"
    assert unwrapped_quote('"a" and "b"') == '"a" and "b"'


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_each_quote_is_printed_as_its_kind(policy):
    d = evaluate(make_record(), policy, as_of=AS_OF, attested=policy.attestation_ids())
    printed = printed_quotes(parse(render_html(d)))
    expected = expected_quotes(d)
    assert sorted(printed) == sorted((k, as_printed(k, t)) for k, t in expected)
    for kind, text in printed:
        if kind == "paraphrase":
            assert text.startswith("Paraphrase: "), text
            assert not wrapped(text.removeprefix("Paraphrase: ")), text


def test_the_tree_has_verbatim_and_paraphrased_quotes():
    kinds = {
        c.quote_kind
        for p in POLICIES
        for c in results(evaluate(make_record(), p, as_of=AS_OF).criteria)
        if c.quote
    }
    assert kinds == {"verbatim", "paraphrase"}
