"""Payer matching on real-world coverage shapes: legal entities, payer ids, plan names, coverage
in force, primary before secondary, Medicare jurisdictions, and refusing to choose."""

from __future__ import annotations

from pathlib import Path

import pytest

from priorauth.errors import AmbiguousPolicyError, PayerNotOnChartError, UnknownPayerError
from priorauth.evaluate import auto_matches, require_payer_on_chart, select_one, select_policies
from priorauth.evaluate.select import coverage_notes
from priorauth.rules import load_rules
from priorauth.rules.loader import RuleSet
from priorauth.rules.models import PayerMatch

ADULT = {"all": [{"id": "adult", "kind": "age", "min": 18, "title": "Adult", "quote": "q"}]}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


def ids(policies):
    return [p.id for p in policies]


def auto(rules, h, *coverages, **record):
    rec = h.record(coverages=list(coverages), **record)
    return ids(select_policies(rules, payer="auto", record=rec, as_of=h.AS_OF))


# --- identity in the payer's file ---------------------------------------------------------------


def test_legal_entity_name_with_its_naic_on_the_payor(rules, h):
    """ "Aetna Health Inc." is Aetna's legal entity; the Organization also carries 60054."""
    coverage = {"payer_name": "Aetna Health Inc.", "payer_identifiers": ["60054"]}
    rec = h.record(coverages=[coverage])
    (match,) = auto_matches(rules, rec, h.AS_OF)
    assert match.policy.id == "cpb-0469-tms-2026-02"
    assert match.how == "payer identifier 60054 (clearinghouse)"
    # the legal name alone matches too, and says so
    (by_name,) = auto_matches(
        rules, h.record(coverages=[{"payer_name": "AETNA HEALTH INC"}]), h.AS_OF
    )
    assert by_name.how == "legal name 'AETNA HEALTH INC'"


def test_cigna_brand_and_legal_names(rules, h):
    assert auto(rules, h, {"payer_name": "Cigna Healthcare"}) == ["en0383-tms-2026"]
    assert auto(rules, h, {"payer_name": "Connecticut General Life Insurance Co."}) == [
        "en0383-tms-2026"
    ]


def test_payer_id_only_no_name(rules, h):
    assert auto(rules, h, {"payer_identifiers": ["62308"]}) == ["en0383-tms-2026"]
    assert auto(rules, h, {"payer_identifiers": ["60054"]}) == ["cpb-0469-tms-2026-02"]


def test_medicaid_managed_care_plan_name(rules, h):
    coverage = {"payer_name": "MetroPlus Health Plan", "plan": "Medicaid Managed Care"}
    rec = h.record(coverages=[coverage])
    (match,) = auto_matches(rules, rec, h.AS_OF)
    assert match.policy.id == "nys-medicaid-tms-2025"
    assert match.how == "plan name 'MetroPlus Health Plan' (medicaid_managed_care)"


def test_an_mco_name_without_the_medicaid_line_is_not_assumed_medicaid(rules, h):
    with pytest.raises(UnknownPayerError, match="needs the Coverage to state its line"):
        auto(rules, h, {"payer_name": "MetroPlus Health Plan", "plan": "Gold Care"})


def test_old_bare_string_ids_still_load():
    match = PayerMatch.model_validate({"ids": ["12345"]})
    assert (match.ids[0].kind, match.ids[0].value) == ("other", "12345")


# --- coverage in force, primary first -----------------------------------------------------------


def test_an_ended_coverage_is_ignored_with_a_note(rules, h):
    old = {
        "payer_name": "Cigna",
        "period_start": "2015-01-01",
        "period_end": "2019-12-31",
        "evidence": ["Coverage/cigna-old"],
    }
    current = {"payer_name": "Aetna", "evidence": ["Coverage/aetna-now"]}
    rec = h.record(coverages=[old, current])
    assert ids(select_policies(rules, payer="auto", record=rec, as_of=h.AS_OF)) == [
        "cpb-0469-tms-2026-02"
    ]
    assert coverage_notes(rec, h.AS_OF) == (
        "ignored coverage Cigna (Coverage/cigna-old): ended 2019-12-31",
    )
    only_old = h.record(coverages=[old])
    with pytest.raises(UnknownPayerError, match=r"ignored coverage Cigna .*ended 2019-12-31"):
        select_policies(rules, payer="auto", record=only_old, as_of=h.AS_OF)


def test_a_cancelled_coverage_is_ignored(rules, h):
    rec = h.record(coverages=[{"payer_name": "Aetna", "status": "cancelled"}])
    with pytest.raises(UnknownPayerError, match="status cancelled"):
        select_policies(rules, payer="auto", record=rec, as_of=h.AS_OF)


def test_primary_before_secondary(rules, h):
    secondary = {"payer_name": "Aetna", "order": 2}
    primary = {"payer_name": "Cigna", "order": 1}
    rec = h.record(coverages=[secondary, primary])
    assert ids(select_policies(rules, payer="auto", record=rec, as_of=h.AS_OF)) == [
        "en0383-tms-2026",
        "cpb-0469-tms-2026-02",
    ]
    choice = select_one(rules, payer="auto", record=rec, as_of=h.AS_OF)
    assert choice.policy.id == "en0383-tms-2026"
    assert choice.coverage is not None
    assert choice.coverage.payer_name == "Cigna"
    assert any("lower-priority" in note for note in choice.notes)


def test_two_coverages_without_order_are_not_ranked_silently(rules, h):
    rec = h.record(coverages=[{"payer_name": "Aetna"}, {"payer_name": "Cigna"}])
    with pytest.raises(AmbiguousPolicyError) as exc:
        select_one(rules, payer="auto", record=rec, as_of=h.AS_OF)
    assert exc.value.candidates == ("cpb-0469-tms-2026-02", "en0383-tms-2026")


# --- Medicare by jurisdiction -------------------------------------------------------------------


@pytest.fixture
def lcds(h):
    def lcd(pid, jurisdiction):
        payer = {
            "id": pid,
            "name": f"Medicare ({pid})",
            "match": {"names": ["Medicare"], "lines": ["medicare"]},
            "jurisdiction": jurisdiction,
        }
        return h.policy(ADULT, id=pid, payer=payer)

    east = lcd("lcd-east", {"contractor": "MAC A", "name": "JX", "states": ["CT", "NY"]})
    west = lcd("lcd-west", {"contractor": "MAC B", "states": ["OR", "WA"]})
    unknown = lcd("lcd-unknown", {"review": "states NOT FOUND"})
    return RuleSet(Path("."), (east, west, unknown))


MEDICARE = {"payer_name": "Medicare", "plan": "Medicare Part B"}


def test_medicare_by_the_practice_state(lcds, h):
    rec = h.record(
        coverages=[MEDICARE],
        organization={"kind": "organization", "address": {"state": "OR"}},
        patient={"address": {"state": "CT"}},
    )
    (match,) = auto_matches(lcds, rec, h.AS_OF)
    assert match.policy.id == "lcd-west"
    assert match.how.endswith("practice state OR is in MAC B")


def test_medicare_by_the_patient_state_when_the_practice_has_none(lcds, h):
    rec = h.record(coverages=[MEDICARE], patient={"address": {"state": "CT"}})
    assert ids(select_policies(lcds, payer="auto", record=rec, as_of=h.AS_OF)) == ["lcd-east"]


def test_medicare_without_a_state_asks(lcds, h):
    rec = h.record(coverages=[MEDICARE])
    with pytest.raises(AmbiguousPolicyError) as exc:
        select_one(lcds, payer="auto", record=rec, as_of=h.AS_OF)
    assert exc.value.candidates == ("lcd-east", "lcd-west", "lcd-unknown")
    assert "--payer POLICY_ID" in str(exc.value)


def test_the_two_real_lcds_by_state(rules, h):
    """L34522 documents its states (JN: FL, PR, VI), L34998 none: Florida selects L34522 alone;
    a state outside JN drops L34522 and leaves L34998, unconfirmed; no state at all asks."""

    def practice_in(state):
        org = {"kind": "organization", "address": {"state": state}} if state else None
        return h.record(coverages=[MEDICARE], **({"organization": org} if org else {}))

    for state, expected in (("FL", "l34522-tms-2022"), ("PR", "l34522-tms-2022")):
        assert (
            select_one(rules, payer="auto", record=practice_in(state), as_of=h.AS_OF).policy.id
            == expected
        )
    pennsylvania = practice_in("PA")
    assert ids(select_policies(rules, payer="auto", record=pennsylvania, as_of=h.AS_OF)) == [
        "l34998-tms-2022"
    ]
    # left by elimination, its own states unknown: evaluated and listed, but a letter asks
    with pytest.raises(AmbiguousPolicyError, match="jurisdiction cannot be confirmed") as one:
        select_one(rules, payer="auto", record=pennsylvania, as_of=h.AS_OF)
    assert one.value.candidates == ("l34998-tms-2022",)
    with pytest.raises(AmbiguousPolicyError) as exc:
        select_one(rules, payer="auto", record=practice_in(None), as_of=h.AS_OF)
    assert exc.value.candidates == ("l34522-tms-2022", "l34998-tms-2022")
    assert any("not in the rule file" in line for line in exc.value.details)


def test_all_is_never_one_policy(rules, h):
    with pytest.raises(AmbiguousPolicyError):
        select_one(rules, payer="all", record=h.record(), as_of=h.AS_OF)


# --- the letter's payer must be on the chart ----------------------------------------------------


def test_a_policy_whose_payer_is_not_on_the_chart_is_refused_unless_allowed(rules, h):
    rec = h.record(coverages=[{"payer_name": "Aetna"}])
    cigna = rules.get("en0383-tms-2026")
    with pytest.raises(PayerNotOnChartError, match="--payer-not-on-chart"):
        require_payer_on_chart(cigna, rec, h.AS_OF)
    assert require_payer_on_chart(cigna, rec, h.AS_OF, allow_uncovered_payer=True) is None
    aetna = rules.get("cpb-0469-tms-2026-02")
    coverage = require_payer_on_chart(aetna, rec, h.AS_OF)
    assert coverage is not None
    assert coverage.payer_name == "Aetna"
