"""The age, attestation and ECT criteria."""

from __future__ import annotations

import datetime as dt

from priorauth.determination import Attestation, Evidence
from priorauth.evaluate._verdict import MET, NOT_MET, UNKNOWN, Context, Verdict, fmt_date
from priorauth.rules.criteria import (
    AgeCriterion,
    AttestationCriterion,
    EctCriterion,
    IndividualReviewCriterion,
)

__all__ = [
    "age_on",
    "evaluate_age",
    "evaluate_attestation",
    "evaluate_ect",
    "evaluate_individual_review",
]


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years from ``birth_date`` to ``day`` (a 29 February birthday counts on 1 March)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def _bounds(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"{low} or older" if low is not None else f"{high} or younger"


_NO_BIRTH_DATE = Verdict(
    UNKNOWN, "The chart has no birth date.", gaps=("Record the patient's date of birth",)
)


def _age(ctx: Context) -> tuple[int, str, Evidence] | None:
    """Age in whole years on the as-of date, how it is known, and its evidence."""
    patient = ctx.record.patient
    if patient.birth_date is not None:
        age = age_on(patient.birth_date, ctx.as_of)
        how = f"born {patient.birth_date.isoformat()}"
    elif patient.age is not None:
        age, how = patient.age, f"recorded age on {ctx.record.as_of.isoformat()}"
    else:
        return None
    return (
        age,
        how,
        Evidence(fact="patient", summary=f"age {age} ({how})", resources=patient.evidence),
    )


def _in(age: int, low: int | None, high: int | None) -> bool:
    return (low is None or age >= low) and (high is None or age <= high)


def evaluate_age(c: AgeCriterion, ctx: Context) -> Verdict:
    """Age in whole years on the as-of date within [min, max], both inclusive."""
    known = _age(ctx)
    if known is None:
        return _NO_BIRTH_DATE
    age, how, evidence = known
    ok = _in(age, c.min, c.max)
    verb = "meets" if ok else "does not meet"
    text = (
        f"Age {age} on {ctx.as_of.isoformat()} ({how}) {verb} the required {_bounds(c.min, c.max)}."
    )
    return Verdict(MET if ok else NOT_MET, text, (evidence,))


def evaluate_individual_review(c: IndividualReviewCriterion, ctx: Context) -> Verdict:
    """Unknown with an "Individual review" gap when the patient is one the policy reviews case by
    case; not met otherwise (never met: the payer decides)."""
    known = _age(ctx)
    if known is None:
        return _NO_BIRTH_DATE
    age, how, evidence = known
    bounds = _bounds(c.min_age, c.max_age)
    if not _in(age, c.min_age, c.max_age):
        text = f"Age {age} ({how}) is not in the individually reviewed ages ({bounds})."
        return Verdict(NOT_MET, text, (evidence,))
    text = f"Age {age} ({how}): the policy considers this case by case ({c.text})."
    gap = f"Individual review: {c.text}; request individual review with the payer"
    return Verdict(UNKNOWN, text, (evidence,), gaps=(gap,))


def evaluate_attestation(c: AttestationCriterion, ctx: Context) -> Verdict:
    """Met when the signer confirmed it (its id is attested); otherwise unknown with a gap.

    Never met by default: an attestation used as an alternative path would otherwise make every
    patient pass. An unconfirmed attestation carries no :class:`Attestation` (it must not be
    printed as confirmed); its gap asks the signer.
    """
    if c.id in ctx.attested:
        attestation = Attestation(
            id=c.id, text=c.text, quote=c.quote, quote_kind=c.quote_kind or "paraphrase"
        )
        return Verdict(MET, f"Confirmed by the signer: {c.text}", attestations=(attestation,))
    return Verdict(
        UNKNOWN,
        f"Not confirmed by the signer (a chart cannot show this): {c.text}",
        gaps=(f"Signer to confirm: {c.text}",),
    )


def evaluate_ect(c: EctCriterion, ctx: Context) -> Verdict:
    """An ECT record with one of the accepted statuses."""
    records = [(i, t) for i, t in enumerate(ctx.record.therapies) if t.category == "ect"]
    if not records:
        wanted = " or ".join(s.replace("_", " ") for s in c.statuses)
        return Verdict(
            UNKNOWN,
            "The chart has no ECT record.",
            gaps=(f"Document the ECT status ({wanted}) and the reason",),
        )
    evidence = tuple(
        Evidence(
            fact=f"therapies[{i}]",
            summary=f"ECT {t.status.replace('_', ' ')} on {fmt_date(t.start)}"
            + (f" ({t.reason})" if t.reason else ""),
            resources=t.evidence,
        )
        for i, t in records
    )
    matching = [t for _, t in records if t.status in c.statuses]
    if matching:
        first = matching[0]
        return Verdict(
            MET, f"ECT {first.status.replace('_', ' ')} on {fmt_date(first.start)}.", evidence
        )
    found = ", ".join(sorted({t.status for _, t in records}))
    return Verdict(NOT_MET, f"ECT records show {found}, not {', '.join(c.statuses)}.", evidence)
