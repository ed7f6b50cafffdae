"""payer_rules/schema.json is current, and the models are frozen and strict."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from priorauth.paths import rules_dir
from priorauth.rules.criteria import Strict
from priorauth.rules.schema import policy_schema, schema_text


def test_committed_schema_is_current():
    committed = (rules_dir() / "schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), (
        "regenerate: priorauth rules schema > payer_rules/schema.json"
    )


def test_schema_lists_every_criterion_kind():
    text = json.dumps(policy_schema())
    for kind in (
        "age",
        "diagnosis",
        "severity_score",
        "antidepressant_trials",
        "intolerance",
        "psychotherapy",
        "ect",
        "contraindication",
        "exclusion",
        "prior_tms_response",
        "retreatment",
        "attestation",
    ):
        assert f'"const": "{kind}"' in text


def test_every_rule_model_is_frozen_and_forbids_extra():
    def walk(cls):
        yield cls
        for sub in cls.__subclasses__():
            yield from walk(sub)

    for model in walk(Strict):
        assert model.model_config.get("frozen") is True, model
        assert model.model_config.get("extra") == "forbid", model


def test_policies_are_immutable():
    policy = next(iter(__import__("priorauth.rules", fromlist=["load_rules"]).load_rules()))
    with pytest.raises(ValidationError):
        policy.id = "changed"  # type: ignore[misc]
