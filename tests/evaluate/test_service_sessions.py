"""The sessions a policy allows (initial, taper, extension) reach the determination's service."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from priorauth.evaluate import evaluate
from priorauth.paths import rules_dir
from priorauth.rules.loader import load_policy_file

L37086 = rules_dir() / "medicare-l37086" / "l37086-tms.yaml"


def test_the_l37086_extension_is_carried_by_the_determination(h):
    policy = load_policy_file(L37086)
    service = evaluate(h.record(), policy, as_of=h.AS_OF).policy.service
    assert (service.initial_sessions, service.taper_sessions) == (20, 5)
    assert (service.extension_sessions, service.extension_taper_sessions) == (10, 6)
    assert service.extension_condition == "the patient has improved by at least 25%"


def test_a_policy_without_an_extension_requests_none(h):
    service = evaluate(h.record(), h.policy(h.leaf("age", min=18)), as_of=h.AS_OF).policy.service
    assert (service.extension_sessions, service.extension_condition) == (None, "")


def test_an_extension_states_its_condition(h):
    with pytest.raises(ValidationError, match="condition"):
        h.policy(h.leaf("age", min=18), service={"extension": {"sessions": 10}})
