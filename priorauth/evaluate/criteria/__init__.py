"""One evaluation function per criterion kind, and the registry the engine dispatches on.

Each function takes the criterion model and a :class:`~priorauth.evaluate._verdict.Context` and
returns a :class:`~priorauth.evaluate._verdict.Verdict`. It reads only the PatientRecord fields
its model declares in ``reads`` (a meta-test checks this) and never the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from priorauth.evaluate._verdict import Context, Verdict
from priorauth.evaluate.criteria.diagnoses import evaluate_diagnosis, evaluate_exclusion
from priorauth.evaluate.criteria.safety import evaluate_contraindication
from priorauth.evaluate.criteria.scores import evaluate_severity_score
from priorauth.evaluate.criteria.simple import (
    evaluate_age,
    evaluate_attestation,
    evaluate_ect,
    evaluate_individual_review,
)
from priorauth.evaluate.criteria.therapy import evaluate_psychotherapy
from priorauth.evaluate.criteria.tms import (
    evaluate_first_course,
    evaluate_prior_tms_response,
    evaluate_retreatment,
)
from priorauth.evaluate.criteria.trials import evaluate_antidepressant_trials, evaluate_intolerance
from priorauth.rules.models import LeafCriterion

__all__ = ["EVALUATORS", "evaluate_leaf"]

EVALUATORS: dict[str, Callable[[Any, Context], Verdict]] = {
    "age": evaluate_age,
    "diagnosis": evaluate_diagnosis,
    "severity_score": evaluate_severity_score,
    "antidepressant_trials": evaluate_antidepressant_trials,
    "intolerance": evaluate_intolerance,
    "psychotherapy": evaluate_psychotherapy,
    "ect": evaluate_ect,
    "contraindication": evaluate_contraindication,
    "exclusion": evaluate_exclusion,
    "prior_tms_response": evaluate_prior_tms_response,
    "retreatment": evaluate_retreatment,
    "first_course": evaluate_first_course,
    "attestation": evaluate_attestation,
    "individual_review": evaluate_individual_review,
}


def evaluate_leaf(criterion: LeafCriterion, ctx: Context) -> Verdict:
    """Evaluate one leaf criterion with the function registered for its kind."""
    return EVALUATORS[criterion.kind](criterion, ctx)
