"""The diagnosis and exclusion criteria."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from priorauth.determination import CriterionOutcome, Evidence
from priorauth.evaluate._verdict import MET, NOT_MET, UNKNOWN, Context, Verdict, all_of, any_of
from priorauth.facts.models import DiagnosisFact
from priorauth.rules.criteria import DiagnosisCriterion, ExclusionCriterion

__all__ = ["code_matches", "evaluate_diagnosis", "evaluate_exclusion"]

_Check = tuple[CriterionOutcome, str]
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


def _plain(code: str) -> str:
    return code.replace(".", "").strip().upper()


def code_matches(code: str, codes: tuple[str, ...], prefixes: tuple[str, ...]) -> bool:
    """Whether ``code`` is one of ``codes`` or starts with one of ``prefixes`` (dots ignored)."""
    plain = _plain(code)
    return plain in {_plain(c) for c in codes} or any(plain.startswith(_plain(p)) for p in prefixes)


def _label(d: DiagnosisFact) -> str:
    return f"{d.code} {d.display}" if d.display else d.code


def _evidence(index: int, d: DiagnosisFact) -> Evidence:
    status = "active" if d.active else (d.clinical_status or "inactive")
    return Evidence(
        fact=f"diagnoses[{index}]", summary=f"{_label(d)} ({status})", resources=d.evidence
    )


def _candidates(c: DiagnosisCriterion, ctx: Context) -> list[tuple[int, DiagnosisFact]]:
    """Every diagnosis of the criterion's categories, whatever its code."""
    return [(i, d) for i, d in enumerate(ctx.record.diagnoses) if d.category in c.categories]


def _listed_codes(c: DiagnosisCriterion) -> str:
    return ", ".join([*c.codes, *(f"{p}*" for p in c.code_prefixes)])


def _code_check(c: DiagnosisCriterion, d: DiagnosisFact) -> _Check:
    """Listed code: met. Another ICD-10-CM code: not met. Another code system: unknown."""
    if not (c.codes or c.code_prefixes) or code_matches(d.code, c.codes, c.code_prefixes):
        return MET, ""
    if d.system == ICD10CM:
        return NOT_MET, f"is not one of the listed codes ({_listed_codes(c)})"
    return UNKNOWN, f"is not coded in ICD-10-CM (the policy lists {_listed_codes(c)})"


def _feature_checks(c: DiagnosisCriterion, d: DiagnosisFact) -> Iterator[_Check]:
    yield _code_check(c, d)
    yield (MET, "") if d.active else (NOT_MET, "is not active")
    if d.remission is not None and not c.allow_remission:
        yield NOT_MET, f"is in {d.remission} remission"
    if c.severity:
        yield _listed(d.severity, c.severity, "severity")
    if c.episode:
        yield _listed(d.episode, c.episode, "episode (single or recurrent)")
    if c.without_psychotic_features:
        yield _psychosis(d.psychotic_features)


def _listed(value: str | None, accepted: tuple[str, ...], what: str) -> _Check:
    if value is None or value == "unspecified":
        return UNKNOWN, f"does not state the {what}"
    if value in accepted:
        return MET, ""
    return NOT_MET, f"is {value}, not {' or '.join(accepted)}"


def _psychosis(value: bool | None) -> _Check:
    if value is None:
        return UNKNOWN, "does not state whether there are psychotic features"
    return (NOT_MET, "has psychotic features") if value else (MET, "")


def _judge(c: DiagnosisCriterion, d: DiagnosisFact) -> _Check:
    checks = list(_feature_checks(c, d))
    outcome = all_of(o for o, _ in checks)
    reasons = [why for o, why in checks if o == outcome and why]
    return outcome, "; ".join(reasons)


def _wanted(c: DiagnosisCriterion) -> str:
    parts = [", ".join(c.severity), " or ".join(c.episode), "/".join(c.categories).upper()]
    text = " ".join(p for p in parts if p)
    if c.without_psychotic_features:
        text += " without psychotic features"
    if c.codes or c.code_prefixes:
        text += f", coded {_listed_codes(c).replace(', ', ' or ')}"
    return text


def evaluate_diagnosis(c: DiagnosisCriterion, ctx: Context) -> Verdict:
    """An active diagnosis of the categories/codes with the required features."""
    candidates = _candidates(c, ctx)
    if not candidates:
        return Verdict(
            UNKNOWN,
            f"The chart has no {'/'.join(c.categories).upper()} diagnosis.",
            gaps=(f"Document the diagnosis: {_wanted(c)}",),
        )
    judged = [(i, d, *_judge(c, d)) for i, d in candidates]
    evidence = tuple(_evidence(i, d) for i, d, _, _ in judged)
    for outcome in (MET, UNKNOWN):
        hits = [(d, why) for _, d, o, why in judged if o == outcome]
        if hits:
            return _diagnosis_verdict(c, outcome, hits, evidence)
    reasons = "; ".join(f"{_label(d)} {why}" for _, d, _, why in judged)
    return Verdict(NOT_MET, f"No diagnosis qualifies: {reasons}.", evidence)


def _diagnosis_verdict(
    c: DiagnosisCriterion,
    outcome: CriterionOutcome,
    hits: list[tuple[DiagnosisFact, str]],
    evidence: tuple[Evidence, ...],
) -> Verdict:
    d, why = hits[0]
    if outcome == MET:
        return Verdict(MET, f"{_label(d)} is an active qualifying diagnosis.", evidence)
    gaps = tuple(f"Diagnosis {_label(h)} {reason}: document {_wanted(c)}" for h, reason in hits)
    return Verdict(UNKNOWN, f"{_label(d)} {why}.", evidence, gaps)


def _excluded_by(c: ExclusionCriterion, d: DiagnosisFact) -> bool:
    in_category = d.category in c.conditions
    psychotic = "psychotic" in c.conditions and d.psychotic_features is True
    listed = in_category or psychotic or code_matches(d.code, c.codes, c.code_prefixes)
    return listed and not _excepted(c, d)


def _excepted(c: ExclusionCriterion, d: DiagnosisFact) -> bool:
    """Whether the policy carves this diagnosis out of the exclusion (``except``)."""
    carve = c.except_
    if carve is None:
        return False
    display = (d.display or "").casefold()
    named = any(term.casefold() in display for term in carve.terms)
    return named or code_matches(d.code, carve.codes, carve.code_prefixes)


def _qualified(c: ExclusionCriterion, d: DiagnosisFact) -> CriterionOutcome:
    """NOT_MET when the diagnosis has the qualifier (``severe``), UNKNOWN when not stated."""
    if c.qualifier is None or d.severity == "severe":
        return NOT_MET
    return UNKNOWN if d.severity in (None, "unspecified") else MET


def _recent(c: ExclusionCriterion, d: DiagnosisFact, as_of: dt.date) -> CriterionOutcome:
    """NOT_MET when the diagnosis excludes (active or recent, and qualified when the rule says),
    UNKNOWN when its dates or its severity are missing."""
    timing = _timing(c, d, as_of)
    return any_of([timing, _qualified(c, d)])


def _timing(c: ExclusionCriterion, d: DiagnosisFact, as_of: dt.date) -> CriterionOutcome:
    if d.active or c.include_history:
        return NOT_MET
    if c.within_days is None:
        return MET
    if d.abatement is None:
        return UNKNOWN
    return NOT_MET if (as_of - d.abatement).days <= c.within_days else MET


def evaluate_exclusion(c: ExclusionCriterion, ctx: Context) -> Verdict:
    """Met when no excluded condition is active (or ended within ``within_days``)."""
    found = [
        (i, d, _recent(c, d, ctx.as_of))
        for i, d in enumerate(ctx.record.diagnoses)
        if _excluded_by(c, d)
    ]
    evidence = tuple(_evidence(i, d) for i, d, _ in found)
    excluded = [d for _, d, o in found if o == NOT_MET]
    if excluded or ("pregnancy" in c.conditions and ctx.record.pregnant is True):
        names = ", ".join(_label(d) for d in excluded) or "pregnancy recorded"
        return Verdict(NOT_MET, f"Excluded: {names}.", evidence)
    undated = [d for _, d, o in found if o == UNKNOWN]
    if undated and c.qualifier is not None:
        gaps = tuple(
            f"Document the severity of {_label(d)} (the policy excludes only {c.qualifier})"
            for d in undated
        )
        return Verdict(
            UNKNOWN, f"The severity of {_label(undated[0])} is not stated.", evidence, gaps
        )
    if undated:
        gaps = tuple(
            f"Document when {_label(d)} ended (must be over {c.within_days} days ago)"
            for d in undated
        )
        return Verdict(
            UNKNOWN, f"{_label(undated[0])} is inactive but has no end date.", evidence, gaps
        )
    return _absent(c, ctx, evidence)


def _absent(c: ExclusionCriterion, ctx: Context, evidence: tuple[Evidence, ...]) -> Verdict:
    what = " or ".join(c.conditions).replace("_", " ")
    codes = ", ".join([*c.codes, *(f"{p}*" for p in c.code_prefixes)])
    what = " or ".join(filter(None, [what, f"coded {codes}" if codes else ""]))
    if "pregnancy" in c.conditions and c.require_pregnancy_status and ctx.record.pregnant is None:
        return Verdict(
            UNKNOWN,
            "The chart does not state pregnancy status.",
            evidence,
            ("Document pregnancy status",),
        )
    window = f" in the {c.within_days} days before {ctx.as_of.isoformat()}" if c.within_days else ""
    which = "No" if c.include_history else "No active"
    return Verdict(MET, f"{which} {what} diagnosis{window} in the chart.", evidence)
