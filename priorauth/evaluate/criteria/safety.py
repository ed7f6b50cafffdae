"""The contraindication criterion: findings that must be absent, and a screen that shows it.

Seizures, implants and metal are read from ``record.safety``; ``suicide_risk`` from
``record.suicide_risk`` (PHQ-9 item 9 answers, C-SSRS screens and suicide-related diagnoses):

* **not met** on a positive record dated in the 30 days up to the as-of date (an answer, a
  screen, or a diagnosis other than a personal-history code), or on an active ideation, behaviour,
  attempt or self-harm diagnosis whatever its date (``include_history``: any positive record);
* **met** on a negative PHQ-9 item 9 answer or C-SSRS screen dated in those 30 days;
* **unknown** otherwise, with the gap "Document a suicide-risk screen ...".
"""

from __future__ import annotations

import datetime as dt

from priorauth.determination import CriterionOutcome, Evidence
from priorauth.evaluate._verdict import MET, NOT_MET, UNKNOWN, Context, Verdict, all_of
from priorauth.facts.models import SafetyFinding, SuicideRiskFact
from priorauth.rules.criteria import ContraindicationCriterion

__all__ = ["SAFETY_LABELS", "SUICIDE_RISK_DAYS", "evaluate_contraindication"]

SUICIDE_RISK_DAYS = 30
"""How recent a suicide-risk screen must be, and how long a positive answer counts."""
_CURRENT_KINDS = frozenset({"ideation", "behavior", "attempt", "self_harm"})
"""Diagnosis kinds that are current risk while active (``history`` codes are not)."""

SAFETY_LABELS = {
    "seizure": "seizure history",
    "implanted_device": "implanted devices within 30 cm of the coil",
    "retained_metal": "retained metal in or near the head",
    "suicide_risk": "suicide risk (PHQ-9 item 9 or C-SSRS)",
    "other": "other contraindications",
}


def _counts(c: ContraindicationCriterion, categories: tuple[str, ...], f: SafetyFinding) -> bool:
    return f.category in categories and (f.active or c.include_history)


def _evidence(i: int, f: SafetyFinding) -> Evidence:
    status = "active" if f.active else "history"
    return Evidence(
        fact=f"safety.findings[{i}]", summary=f"{f.description} ({status})", resources=f.evidence
    )


def evaluate_contraindication(c: ContraindicationCriterion, ctx: Context) -> Verdict:
    """Not met on a finding; met when screened negative; unknown without a screen."""
    others = tuple(cat for cat in c.categories if cat != "suicide_risk")
    if "suicide_risk" not in c.categories:
        return _safety_verdict(c, others, ctx)
    suicide = _suicide_risk_verdict(c, ctx)
    if not others:
        return suicide
    return _combine(_safety_verdict(c, others, ctx), suicide)


def _combine(*verdicts: Verdict) -> Verdict:
    """Both parts of a criterion that lists suicide risk beside other categories."""
    outcome = all_of(v.outcome for v in verdicts)
    deciding = [v for v in verdicts if v.outcome == outcome]
    return Verdict(
        outcome,
        " ".join(v.explanation for v in deciding),
        tuple(e for v in verdicts for e in v.evidence),
        tuple(g for v in deciding for g in v.gaps),
    )


def _in_window(f: SuicideRiskFact, as_of: dt.date) -> bool:
    return f.date is not None and 0 <= (as_of - f.date).days <= SUICIDE_RISK_DAYS


def _positive(c: ContraindicationCriterion, f: SuicideRiskFact, as_of: dt.date) -> bool:
    if not f.positive:
        return False
    if c.include_history:
        return True
    if f.source == "diagnosis" and f.active and f.kind in _CURRENT_KINDS:
        return True
    return f.kind != "history" and _in_window(f, as_of)


def _risk_evidence(i: int, f: SuicideRiskFact) -> Evidence:
    when = f.date.isoformat() if f.date else "undated"
    result = "positive" if f.positive else "negative"
    return Evidence(
        fact=f"suicide_risk[{i}]",
        summary=f"{f.description} ({result}, {when})",
        resources=f.evidence,
    )


def _suicide_risk_verdict(c: ContraindicationCriterion, ctx: Context) -> Verdict:
    facts = ctx.record.suicide_risk
    positive = [(i, f) for i, f in enumerate(facts) if _positive(c, f, ctx.as_of)]
    if positive:
        names = ", ".join(f.description for _, f in positive)
        return Verdict(
            NOT_MET,
            f"Suicide risk recorded: {names}.",
            tuple(_risk_evidence(i, f) for i, f in positive),
        )
    negative = [
        (i, f)
        for i, f in enumerate(facts)
        if not f.positive and f.source in ("phq9_item9", "cssrs") and _in_window(f, ctx.as_of)
    ]
    if negative:
        return Verdict(
            MET,
            f"A documented suicide-risk screen in the {SUICIDE_RISK_DAYS} days before "
            f"{ctx.as_of.isoformat()} is negative.",
            tuple(_risk_evidence(i, f) for i, f in negative),
        )
    return Verdict(
        UNKNOWN,
        f"No suicide-risk screen in the {SUICIDE_RISK_DAYS} days before {ctx.as_of.isoformat()}.",
        tuple(_risk_evidence(i, f) for i, f in enumerate(facts)),
        (
            f"Document a suicide-risk screen (PHQ-9 item 9 or C-SSRS) within {SUICIDE_RISK_DAYS} "
            f"days before {ctx.as_of.isoformat()}",
        ),
    )


def _safety_verdict(
    c: ContraindicationCriterion, categories: tuple[str, ...], ctx: Context
) -> Verdict:
    safety = ctx.record.safety
    found = [(i, f) for i, f in enumerate(safety.findings) if _counts(c, categories, f)]
    if found:
        names = ", ".join(f.description for _, f in found)
        return Verdict(
            NOT_MET, f"Contraindication found: {names}.", tuple(_evidence(i, f) for i, f in found)
        )
    unscreened = [cat for cat in categories if cat not in safety.screened_negative]
    screen = Evidence(
        fact="safety",
        summary="documented screen: " + (", ".join(safety.screened_negative) or "none"),
        resources=safety.screen_evidence,
    )
    outcome: CriterionOutcome = UNKNOWN if unscreened else MET
    if outcome == MET:
        labels = ", ".join(SAFETY_LABELS[cat] for cat in categories)
        return Verdict(MET, f"A documented screen rules out {labels}.", (screen,))
    missing = ", ".join(SAFETY_LABELS[cat] for cat in unscreened)
    gap = f"Document a screen for {missing}"
    return Verdict(
        UNKNOWN, f"No finding, but no documented screen for {missing}.", (screen,), (gap,)
    )
