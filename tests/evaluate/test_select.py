"""Payer selection: policy id, payer id, auto (coverage), all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from priorauth.errors import UnknownPayerError
from priorauth.evaluate import auto_matches, select_policies
from priorauth.evaluate.select import coverage_line, name_words
from priorauth.facts.models import CoverageFact
from priorauth.rules.loader import RuleSet

ADULT = {"all": [{"id": "adult", "kind": "age", "min": 18, "title": "Adult", "quote": "q"}]}


@pytest.fixture
def ruleset(h):
    old = h.policy(ADULT, id="old", effective={"from": "2024-01-01", "until": "2025-12-31"})
    new = h.policy(ADULT, id="new", effective={"from": "2026-01-01"})
    draft = h.policy(ADULT, id="draft", status="draft", effective={"from": "2024-01-01"})
    other = h.policy(
        ADULT, id="other", payer={"id": "acme", "name": "Acme Health", "match": {"ids": ["12345"]}}
    )
    return RuleSet(Path("."), (old, new, draft, other))


@pytest.fixture
def payers(h):
    """Payers shaped like the real rule files: Aetna, two Medicare LCDs, IBX commercial."""

    def payer(pid, names, ids=(), lines=()):
        match = {"names": list(names), "ids": list(ids), "lines": list(lines)}
        return {"id": pid, "name": pid.title(), "match": match}

    aetna = h.policy(ADULT, id="aetna-cpb", payer=payer("aetna", ["Aetna", "Aetna Life Insurance"]))
    lcd1 = h.policy(ADULT, id="lcd-1", payer=payer("medicare-1", ["Medicare"], lines=["medicare"]))
    lcd2 = h.policy(ADULT, id="lcd-2", payer=payer("medicare-2", ["Medicare"], lines=["medicare"]))
    ibx = h.policy(
        ADULT,
        id="ibx-commercial",
        payer=payer("ibx", ["Independence Blue Cross", "IBX"], ids=["54704"], lines=["commercial"]),
    )
    ny = h.policy(ADULT, id="ny", payer=payer("ny-medicaid", ["NYS Medicaid"], ids=["54704-x"]))
    ref = h.policy(
        ADULT,
        id="reference",
        status="draft",
        reference_model=True,
        payer={"id": "society", "name": "A society (reference model)"},
    )
    return RuleSet(Path("."), (aetna, lcd1, lcd2, ibx, ny, ref))


def ids(policies):
    return [p.id for p in policies]


def auto(ruleset, h, **coverage):
    rec = h.record(coverages=[coverage])
    return ids(select_policies(ruleset, payer="auto", record=rec, as_of=h.AS_OF))


def test_all_is_every_policy_in_force(ruleset, h):
    assert ids(
        select_policies(ruleset, payer="all", record=h.record(), as_of=dt.date(2026, 3, 1))
    ) == ["new", "other"]
    assert ids(
        select_policies(ruleset, payer="all", record=h.record(), as_of=dt.date(2025, 3, 1))
    ) == ["old", "other"]


def test_policy_id_whatever_its_window(ruleset, h):
    assert ids(select_policies(ruleset, payer="draft", record=h.record(), as_of=h.AS_OF)) == [
        "draft"
    ]


def test_payer_id_in_force(ruleset, h):
    assert ids(
        select_policies(ruleset, payer="testpayer", record=h.record(), as_of=dt.date(2025, 12, 31))
    ) == ["old"]


@pytest.mark.parametrize(
    ("coverage", "expected"),
    [
        ({"payer_name": "TEST  payer"}, ["new"]),
        ({"payer_name": "Test Payer, Inc."}, ["new"]),
        ({"payer_name": "TEST  payer of Ohio"}, None),  # a longer name is another payer
        ({"payer_name": "Someone", "payer_identifiers": ["12345"]}, ["other"]),
        ({"payer_name": "Test Payer", "status": "cancelled"}, None),
        ({"payer_name": "Unknown Mutual"}, None),
    ],
)
def test_auto_matches_coverage(coverage, expected, ruleset, h):
    rec = h.record(coverages=[coverage])
    if expected is None:
        with pytest.raises(UnknownPayerError, match="known payers: acme, testpayer"):
            select_policies(ruleset, payer="auto", record=rec, as_of=h.AS_OF)
    else:
        assert ids(select_policies(ruleset, payer="auto", record=rec, as_of=h.AS_OF)) == expected


def test_name_words_ignore_case_punctuation_and_legal_forms():
    assert name_words("AETNA, Inc.") == ("aetna",)
    assert name_words("Aetna Life Insurance Company") == ("aetna", "life", "insurance")
    assert name_words("Blue Cross & Blue Shield") == ("blue", "cross", "and", "blue", "shield")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Aetna", ["aetna-cpb"]),
        ("AETNA INC", ["aetna-cpb"]),
        ("Aetna Life Insurance Company", ["aetna-cpb"]),  # an explicit alias
        ("aetna life insurance co.", ["aetna-cpb"]),
    ],
)
def test_whole_names_and_aliases_match(name, expected, payers, h):
    assert auto(payers, h, payer_name=name) == expected


@pytest.mark.parametrize(
    "name", ["Aetna Medicare", "Aetna Better Health of Ohio", "Medicare Aetna"]
)
def test_a_name_containing_a_payer_name_is_not_that_payer(name, payers, h):
    """The old rule ("name contains") matched "Aetna Medicare" to Aetna and to every LCD."""
    with pytest.raises(UnknownPayerError) as exc:
        auto(payers, h, payer_name=name)
    assert "payer names match as whole names; similar: aetna" in str(exc.value)


def test_identifiers_are_tried_before_names(payers, h):
    # The identifier names IBX; the name alone would have matched Aetna.
    assert auto(payers, h, payer_name="Aetna", payer_identifiers=["54704"]) == ["ibx-commercial"]
    # No policy has this identifier: the name decides.
    assert auto(payers, h, payer_name="Aetna", payer_identifiers=["00000"]) == ["aetna-cpb"]


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (None, ["ibx-commercial"]),  # no line stated: still matches (noted)
        ("PPO Commercial", ["ibx-commercial"]),
        ("Keystone 65 Medicare Advantage HMO", None),
        ("Medicaid managed care", None),
    ],
)
def test_line_of_business_excludes_a_stated_other_line(plan, expected, payers, h):
    if expected is None:
        with pytest.raises(UnknownPayerError):
            auto(payers, h, payer_name="Independence Blue Cross", plan=plan)
    else:
        assert auto(payers, h, payer_name="Independence Blue Cross", plan=plan) == expected


def test_line_note_says_when_the_coverage_states_no_line(payers, h):
    rec = h.record(coverages=[{"payer_name": "IBX"}])
    (match,) = auto_matches(payers, rec, h.AS_OF)
    assert match.how == (
        "payer name 'IBX'; line of business not stated in the Coverage (policy: commercial)"
    )


@pytest.mark.parametrize(
    ("payer_name", "plan", "line"),
    [
        ("Medicare", "Part B", "medicare"),
        ("Humana", "Medicare Advantage PPO", "medicare_advantage"),
        ("Example State Medicaid", "Medicaid", "medicaid"),
        ("Medi-Cal", None, "medicaid"),
        ("Aetna", "CHOICE-POS-II", None),
    ],
)
def test_coverage_line(payer_name, plan, line):
    assert coverage_line(CoverageFact(payer_name=payer_name, plan=plan)) == line


def test_several_matches_are_all_returned_with_how(payers, h):
    rec = h.record(coverages=[{"payer_name": "Medicare", "plan": "Part B"}])
    found = auto_matches(payers, rec, h.AS_OF)
    assert [(m.policy.id, m.how) for m in found] == [
        ("lcd-1", "payer name 'Medicare'"),
        ("lcd-2", "payer name 'Medicare'"),
    ]


def test_two_coverages_each_policy_once(payers, h):
    rec = h.record(coverages=[{"payer_name": "Aetna"}, {"payer_name": "AETNA"}])
    assert ids(select_policies(payers, payer="auto", record=rec, as_of=h.AS_OF)) == ["aetna-cpb"]


def test_reference_model_is_never_auto_or_all_but_can_be_named(payers, h):
    assert "reference" not in ids(
        select_policies(payers, payer="all", record=h.record(), as_of=h.AS_OF)
    )
    assert ids(select_policies(payers, payer="reference", record=h.record(), as_of=h.AS_OF)) == [
        "reference"
    ]
    with pytest.raises(UnknownPayerError, match="society has no policy in force"):
        select_policies(payers, payer="society", record=h.record(), as_of=h.AS_OF)


def test_payer_display_name_takes_no_part_in_matching(h):
    policy = h.policy(ADULT, payer={"id": "acme", "name": "Acme Health", "match": {"names": []}})
    rules = RuleSet(Path("."), (policy,))
    with pytest.raises(UnknownPayerError):
        auto(rules, h, payer_name="Acme Health")


def test_unknown_payer_lists_known(ruleset, h):
    with pytest.raises(UnknownPayerError) as exc:
        select_policies(ruleset, payer="cigna", record=h.record(), as_of=h.AS_OF)
    assert str(exc.value) == "unknown payer or policy 'cigna'; known payers: acme, testpayer"


def test_payer_with_nothing_in_force(ruleset, h):
    with pytest.raises(UnknownPayerError, match="testpayer has no policy in force on 2023-01-01"):
        select_policies(ruleset, payer="testpayer", record=h.record(), as_of=dt.date(2023, 1, 1))


def test_undated_draft_is_never_in_force_but_can_be_named(h):
    undated = h.policy(
        ADULT,
        id="undated",
        status="draft",
        effective={"from": None, "review": "effective date not in the reference"},
    )
    rules = RuleSet(Path("."), (undated,))
    assert not undated.in_force(h.AS_OF)
    assert ids(select_policies(rules, payer="undated", record=h.record(), as_of=h.AS_OF)) == [
        "undated"
    ]
    with pytest.raises(UnknownPayerError, match=r"undated \(draft, unknown..open\)"):
        select_policies(rules, payer="testpayer", record=h.record(), as_of=h.AS_OF)
