"""The contraindication criterion: findings that must be absent, and a screen that shows it."""

from __future__ import annotations

from priorauth.determination import CriterionOutcome, Evidence
from priorauth.evaluate._verdict import MET, NOT_MET, UNKNOWN, Context, Verdict
from priorauth.facts.models import SafetyFinding
from priorauth.rules.criteria import ContraindicationCriterion

__all__ = ["SAFETY_LABELS", "evaluate_contraindication"]

SAFETY_LABELS = {
    "seizure": "seizure history",
    "implanted_device": "implanted devices within 30 cm of the coil",
    "retained_metal": "retained metal in or near the head",
    "other": "other contraindications",
}


def _counts(c: ContraindicationCriterion, f: SafetyFinding) -> bool:
    return f.category in c.categories and (f.active or c.include_history)


def _evidence(i: int, f: SafetyFinding) -> Evidence:
    status = "active" if f.active else "history"
    return Evidence(
        fact=f"safety.findings[{i}]", summary=f"{f.description} ({status})", resources=f.evidence
    )


def evaluate_contraindication(c: ContraindicationCriterion, ctx: Context) -> Verdict:
    """Not met on a finding; met when screened negative; unknown without a screen."""
    safety = ctx.record.safety
    found = [(i, f) for i, f in enumerate(safety.findings) if _counts(c, f)]
    if found:
        names = ", ".join(f.description for _, f in found)
        return Verdict(
            NOT_MET, f"Contraindication found: {names}.", tuple(_evidence(i, f) for i, f in found)
        )
    unscreened = [cat for cat in c.categories if cat not in safety.screened_negative]
    screen = Evidence(
        fact="safety",
        summary="documented screen: " + (", ".join(safety.screened_negative) or "none"),
        resources=safety.screen_evidence,
    )
    outcome: CriterionOutcome = UNKNOWN if unscreened else MET
    if outcome == MET:
        labels = ", ".join(SAFETY_LABELS[cat] for cat in c.categories)
        return Verdict(MET, f"A documented screen rules out {labels}.", (screen,))
    missing = ", ".join(SAFETY_LABELS[cat] for cat in unscreened)
    gap = f"Document a screen for {missing}"
    return Verdict(
        UNKNOWN, f"No finding, but no documented screen for {missing}.", (screen,), (gap,)
    )
