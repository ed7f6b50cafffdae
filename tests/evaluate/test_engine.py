"""The engine on synthetic policies: groups, status, gaps, attestations, policy reference."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from priorauth.evaluate import evaluate

ADULT = {"id": "adult", "kind": "age", "min": 18, "title": "Adult", "quote": "18 or older"}
TEEN = {"id": "teen", "kind": "age", "min": 15, "max": 17, "title": "Teen", "quote": "15 to 17"}
PHQ = {
    "id": "phq",
    "kind": "severity_score",
    "instruments": ["phq9"],
    "op": ">=",
    "value": 15,
    "within_days": 30,
    "title": "PHQ-9 15+",
    "quote": "PHQ-9 of 15 or more",
}
ECT_ATTEST = {
    "id": "ect-candidate",
    "kind": "attestation",
    "text": "Candidate for ECT.",
    "title": "ECT",
    "quote": "q",
}
ECT_DECLINED = {
    "id": "ect-declined",
    "kind": "ect",
    "statuses": ["declined"],
    "title": "ECT declined",
    "quote": "q",
}


def adult_record(h, **facts):
    return h.record(patient={"birth_date": "1980-01-01"}, **facts)


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        ({"scores": [{"instrument": "phq9", "date": "2026-11-20", "value": 20}]}, "meets"),
        ({"scores": [{"instrument": "phq9", "date": "2026-11-20", "value": 10}]}, "does_not_meet"),
        ({}, "needs_documentation"),
    ],
)
def test_status_follows_the_root(facts, status, h):
    result = evaluate(adult_record(h, **facts), h.policy({"all": [ADULT, PHQ]}), as_of=h.AS_OF)
    assert result.status == status


def test_all_root_is_flattened_and_groups_keep_children(h):
    policy = h.policy({"all": [{"id": "age-path", "any": [ADULT, TEEN]}, PHQ]})
    result = evaluate(adult_record(h), policy, as_of=h.AS_OF)
    assert [c.id for c in result.criteria] == ["age-path", "phq"]
    group = result.criteria[0]
    assert (group.kind, group.outcome, [c.outcome for c in group.children]) == (
        "any",
        "met",
        ["met", "not_met"],
    )
    assert group.explanation == "1 of 2 met (needs any 1); not met: Teen."


def test_unnamed_groups_are_named_by_position(h):
    policy = h.policy({"any": [{"all": [ADULT, PHQ]}, TEEN]})
    result = evaluate(adult_record(h), policy, as_of=h.AS_OF)
    assert result.criteria[0].id == "criteria"
    assert result.criteria[0].children[0].id == "criteria.any.0"
    assert result.criteria[0].children[0].title == "All of the following"


def test_at_least_group(h):
    policy = h.policy({"at_least": {"n": 2, "of": [ADULT, TEEN, PHQ]}})
    scored = adult_record(h, scores=[{"instrument": "phq9", "date": "2026-11-20", "value": 20}])
    assert evaluate(scored, policy, as_of=h.AS_OF).status == "meets"
    assert evaluate(adult_record(h), policy, as_of=h.AS_OF).status == "needs_documentation"


def test_teen_branch(h):
    policy = h.policy({"any": [ADULT, {"id": "teen-path", "all": [TEEN, PHQ]}]})
    teen = h.record(
        patient={"birth_date": "2010-01-01"},
        scores=[{"instrument": "phq9", "date": "2026-11-20", "value": 20}],
    )
    child = h.record(patient={"birth_date": "2012-01-01"})
    assert evaluate(teen, policy, as_of=h.AS_OF).status == "meets"
    assert evaluate(child, policy, as_of=h.AS_OF).status == "does_not_meet"


def test_gaps_only_from_criteria_that_decide(h):
    """A gap in an alternative that is not needed is left out; a deciding one is listed."""
    policy = h.policy({"all": [{"id": "path", "any": [ADULT, PHQ]}, TEEN]})
    result = evaluate(adult_record(h), policy, as_of=h.AS_OF)
    assert result.status == "does_not_meet"
    assert result.gaps == ()
    policy2 = h.policy({"all": [ADULT, PHQ]})
    result2 = evaluate(adult_record(h), policy2, as_of=h.AS_OF)
    assert [g.action for g in result2.gaps] == [
        "No PHQ-9 within 30 days before 2026-11-25: document a current PHQ-9"
    ]
    assert result2.gaps[0].criterion_id == "phq"
    assert result2.criteria[1].gaps == result2.gaps


def test_gap_override(h):
    policy = h.policy({"all": [{**PHQ, "gap": "Ask the patient to complete a PHQ-9"}]})
    result = evaluate(adult_record(h), policy, as_of=h.AS_OF)
    assert [g.action for g in result.gaps] == ["Ask the patient to complete a PHQ-9"]


def test_attestations_policy_level_always_listed(h):
    policy = h.policy({"all": [ADULT]}, attestations=[{"id": "fda", "text": "FDA-cleared device."}])
    result = evaluate(adult_record(h), policy, as_of=h.AS_OF)
    assert [(a.id, a.text) for a in result.attestations] == [("fda", "FDA-cleared device.")]


def test_attestation_alternative_left_out_when_documented_path_is_met(h):
    policy = h.policy({"all": [{"id": "ect", "any": [ECT_DECLINED, ECT_ATTEST]}]})
    declined = adult_record(
        h, therapies=[{"category": "ect", "status": "declined", "start": "2026-10-01"}]
    )
    documented = evaluate(declined, policy, as_of=h.AS_OF, attested=["ect-candidate"])
    assert (documented.status, documented.attestations) == ("meets", ())
    result = evaluate(adult_record(h), policy, as_of=h.AS_OF, attested=["ect-candidate"])
    assert result.status == "meets"
    assert [a.id for a in result.attestations] == ["ect-candidate"]


def test_an_attestation_alternative_no_longer_passes_every_patient(h):
    """The old hazard: an unconfirmed attestation alternative made the `any` group met."""
    policy = h.policy({"all": [ADULT, {"id": "ect", "any": [ECT_DECLINED, ECT_ATTEST]}]})
    result = evaluate(adult_record(h), policy, as_of=h.AS_OF)
    assert result.status == "needs_documentation"
    assert [g.action for g in result.gaps] == [
        "Document the ECT status (declined) and the reason",
        "Signer to confirm: Candidate for ECT.",
    ]
    assert result.attestations == ()  # an unconfirmed attestation is never printed as confirmed


def test_attestation_criterion_unknown_unless_confirmed(h):
    policy = h.policy({"all": [ADULT, ECT_ATTEST]})
    for attested in (None, []):
        strict = evaluate(adult_record(h), policy, as_of=h.AS_OF, attested=attested)
        assert strict.status == "needs_documentation"
        assert [g.action for g in strict.gaps] == ["Signer to confirm: Candidate for ECT."]
    confirmed = evaluate(adult_record(h), policy, as_of=h.AS_OF, attested=["ect-candidate"])
    assert confirmed.status == "meets"
    assert [a.id for a in confirmed.attestations] == ["ect-candidate"]


def test_top_level_attestations_never_change_the_status(h):
    policy = h.policy({"all": [ADULT]}, attestations=[{"id": "fda", "text": "FDA-cleared device."}])
    for attested in (None, [], ["fda"]):
        result = evaluate(adult_record(h), policy, as_of=h.AS_OF, attested=attested)
        assert result.status == "meets"
        assert [a.id for a in result.attestations] == ["fda"]


def test_undated_draft_evaluates_by_id_with_an_unknown_effective_date(h):
    policy = h.policy(
        {"all": [ADULT]},
        status="draft",
        effective={"from": None, "review": "effective date not in the reference"},
    )
    result = evaluate(adult_record(h), policy, as_of=h.AS_OF)
    assert (result.status, result.policy.effective_from) == ("meets", None)


def test_review_flag_and_quote_carried(h):
    policy = h.policy({"all": [{**ADULT, "review": "age from a clinic page"}]})
    result = evaluate(adult_record(h), policy, as_of=h.AS_OF).criteria[0]
    assert (result.review_flag, result.quote) == ("age from a clinic page", "18 or older")


def test_policy_ref_and_summary(h):
    policy = h.policy(
        {"all": [ADULT]}, number="TP-1", service={"initial_sessions": 30, "taper_sessions": 6}
    )
    result = evaluate(adult_record(h), policy, as_of=h.AS_OF)
    ref = result.policy
    assert (ref.id, ref.version, ref.payer, ref.number) == (
        "test-policy",
        "1",
        "Test Payer",
        "TP-1",
    )
    assert ref.effective_from == dt.date(2025, 1, 1)
    assert ref.source_urls == ("https://example.org/policy",)
    assert ref.service.cpt_codes == ("90867", "90868", "90869")
    assert ref.service.initial_sessions == 30
    assert len(ref.content_hash) == 64
    assert result.summary == "Meets Test Payer TP-1 as of 2026-11-25."


def test_content_hash_is_sha256_of_file_bytes(tmp_path, h):
    from priorauth.paths import rules_dir
    from priorauth.rules.loader import load_policy_file

    path = rules_dir() / "aetna" / "cpb-0469-tms-2026-02.yaml"
    policy = load_policy_file(path)
    result = evaluate(h.record(), policy, as_of=dt.date(2026, 11, 25))
    assert result.policy.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_evaluation_is_deterministic_and_serialisable(h):
    policy = h.policy({"all": [ADULT, PHQ]})
    rec = adult_record(h)
    first = evaluate(rec, policy, as_of=h.AS_OF).model_dump_json()
    assert first == evaluate(rec, policy, as_of=h.AS_OF).model_dump_json()


def test_does_not_meet_summary_names_failures(h):
    policy = h.policy({"all": [TEEN, PHQ]})
    result = evaluate(adult_record(h), policy, as_of=h.AS_OF)
    assert result.summary == "Does not meet Test Payer TMS test policy: Teen."
