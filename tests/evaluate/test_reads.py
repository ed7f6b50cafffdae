"""Each criterion kind reads exactly the PatientRecord fields its model declares in ``reads``."""

from __future__ import annotations

import typing

import pytest

from priorauth.evaluate._verdict import Context
from priorauth.evaluate.criteria import EVALUATORS, evaluate_leaf
from priorauth.facts.models import PatientRecord
from priorauth.rules import criteria as kinds
from priorauth.rules.models import Policy

LEAF_MODELS = typing.get_args(kinds.LeafCriterion)

# One configuration per kind that exercises every field the kind can read.
CONFIG = {
    "age": {"min": 18},
    "diagnosis": {"severity": ["severe"]},
    "severity_score": {"instruments": ["phq9"], "since_episode_onset": True},
    "antidepressant_trials": {
        "min_trials": 2,
        "window": "current_episode",
        "intolerance": "adequate_trial",
        "response_from_scores": {"max_reduction_pct": 50},
    },
    "intolerance": {"min_trials": 2, "window": "current_episode"},
    "psychotherapy": {"min_sessions": 2, "window": "current_episode"},
    "ect": {"statuses": ["declined"]},
    "contraindication": {"categories": ["seizure", "suicide_risk"]},
    "exclusion": {"conditions": ["pregnancy"], "require_pregnancy_status": True},
    "prior_tms_response": {"min_improvement_pct": 50},
    "retreatment": {"min_improvement_pct": 50, "min_worsening_points": 3},
    "first_course": {},
    "attestation": {"text": "x"},
    "individual_review": {"min_age": 15, "max_age": 17, "text": "x"},
}


class Spy:
    """A PatientRecord stand-in that records which fields are read."""

    def __init__(self, record: PatientRecord) -> None:
        self._record = record
        self.read: set[str] = set()

    def __getattr__(self, name: str):
        self.read.add(name)
        return getattr(self._record, name)


@pytest.fixture
def rich(h):
    return h.record(
        patient={"birth_date": "1980-01-01"},
        current_episode_onset="2026-01-01",
        diagnoses=[{"code": "F33.2"}],
        scores=[{"instrument": "phq9", "date": "2026-11-20", "value": 20}],
        trials=[
            {
                "ingredient": "sertraline",
                "drug_class": "ssri",
                "start": "2026-02-02",
                "days": 60,
                "adequate_dose": True,
                "outcome": "intolerance",
            }
        ],
        therapies=[
            {"category": "tms", "start": "2025-01-06", "sessions": 30},
            {"category": "psychotherapy", "start": "2026-02-02", "sessions": 1},
            {"category": "ect", "status": "declined", "start": "2026-03-02"},
        ],
        prior_tms=[
            {
                "start": "2025-01-06",
                "end": "2025-02-20",
                "instrument": "phq9",
                "baseline_score": 20,
                "best_score": 8,
            }
        ],
    )


def test_every_kind_has_an_evaluator_and_a_config():
    assert (
        {m.model_fields["kind"].annotation.__args__[0] for m in LEAF_MODELS}
        == set(EVALUATORS)
        == set(CONFIG)
    )


@pytest.mark.parametrize("model", LEAF_MODELS, ids=lambda m: m.__name__)
def test_reads_are_record_fields(model):
    assert model.reads <= set(PatientRecord.model_fields)


@pytest.mark.parametrize("kind", sorted(CONFIG))
def test_evaluator_reads_exactly_what_the_model_declares(kind, rich, h):
    """Over a rich record and an empty one (fallback paths), the union of reads is exact."""
    criterion = h.policy(h.leaf(kind, **CONFIG[kind])).criteria
    read: set[str] = set()
    for record in (rich, h.record(), h.record(current_episode_onset="2026-01-01")):
        spy = Spy(record)
        evaluate_leaf(criterion, Context(spy, h.AS_OF))  # type: ignore[arg-type]
        assert spy.read <= set(type(criterion).reads)
        read |= spy.read
    assert read == set(type(criterion).reads)


def test_policy_reads_declaration_is_checked(h):
    leaf = h.leaf("age", min=18)
    assert h.policy(leaf, reads=["patient"]).computed_reads() == {"patient"}
    with pytest.raises(
        ValueError, match=r"reads does not match the criteria; expected \[patient\]"
    ):
        h.policy(leaf, reads=["patient", "trials"])


def test_payer_rule_files_declared_reads_match(h):
    from priorauth.rules import load_rules

    for policy in load_rules():
        assert isinstance(policy, Policy)
        if policy.reads is not None:
            assert set(policy.reads) == policy.computed_reads()
