"""View builders for the policy sections: request, criteria checklist, attestations, draft."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from priorauth import alerts as safety
from priorauth.determination import CriterionResult, Determination, PolicyRef, ServiceRequested
from priorauth.render import _format as f
from priorauth.render.citations import Citations
from priorauth.render.options import LetterOptions
from priorauth.render.view_models import (
    AttestationRow,
    CodeRow,
    CriterionRow,
    DraftView,
    EvidenceRow,
    PolicyView,
    RequestView,
)

STATUS_LABELS = {
    "safety_hold": "Safety hold",
    "clinician_review": "Clinician review required",
    "meets": "Meets policy criteria",
    "does_not_meet": "Does not meet policy criteria",
    "needs_documentation": "Needs documentation",
}
CPT = {
    "90867": "TMS, initial: cortical mapping, motor threshold, delivery and management",
    "90868": "TMS, subsequent delivery and management, per session",
    "90869": "TMS, subsequent motor threshold re-determination with delivery and management",
}
DEFAULT_SESSIONS, DEFAULT_TAPER = 30, 6
REASONS = {
    "safety_hold": "An absolute safety finding (the safety hold above) must be resolved; "
    "this letter must not be submitted.",
    "clinician_review": "A named clinician must review the safety finding above, and the review "
    "be recorded, before this letter is submitted.",
    "does_not_meet": "The policy's criteria are not met.",
    "needs_documentation": "The chart does not yet document every criterion.",
}
MARKS = {
    "safety_hold": "DRAFT: SAFETY HOLD",
    "clinician_review": "DRAFT: REVIEW REQUIRED",
}


PER_WEEK = 5


def _taper_allowed(service: ServiceRequested) -> bool:
    """A taper the policy allows: a taper count above 0, or no limits stated at all (the
    standard course); a policy that limits the weeks but states no taper allows none."""
    if service.taper_sessions is not None:
        return service.taper_sessions > 0
    return service.max_weeks is None


def _sessions(policy: PolicyRef, options: LetterOptions) -> tuple[int, int]:
    """Acute and taper sessions requested, never more than the policy's service block allows."""
    service = policy.service
    acute = options.sessions or service.initial_sessions or DEFAULT_SESSIONS
    if service.initial_sessions is not None:
        acute = min(acute, service.initial_sessions)
    if service.max_weeks is not None:
        acute = min(acute, service.max_weeks * PER_WEEK)
    taper = options.taper_sessions
    if taper is None:
        taper = service.taper_sessions if service.taper_sessions is not None else DEFAULT_TAPER
    if service.taper_sessions is not None:
        taper = min(taper, service.taper_sessions)
    return acute, taper if _taper_allowed(service) else 0


def policy_allows(service: ServiceRequested) -> str:
    """What the policy allows, as printed beside the sessions requested."""
    parts = []
    if service.initial_sessions is not None:
        parts.append(f"up to {service.initial_sessions} sessions")
    if service.max_weeks is not None:
        parts.append(f"up to {service.max_weeks} weeks of treatment 5 days a week")
    if service.taper_sessions is not None:
        parts.append(
            f"plus up to {service.taper_sessions} taper sessions"
            if service.taper_sessions
            else "no taper"
        )
    if not parts:
        return "The policy states no session or week limit; a standard course is requested"
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def _units(code: str, total: int) -> str:
    return {
        "90867": "1 (first session of the course)",
        "90868": f"{total - 1} (remaining sessions)",
        "90869": "As needed, within the total",
    }.get(code, "Per policy")


def request(
    d: Determination, options: LetterOptions, icd10: str, icd_cites: tuple[int, ...]
) -> RequestView:
    """The RE: block and the request paragraph: codes, units, sessions, device, protocol."""
    acute, taper = _sessions(d.policy, options)
    total = acute + taper
    codes = tuple(
        CodeRow(
            code=c,
            description=CPT.get(c, d.policy.service.description or "—"),
            units=_units(c, total),
        )
        for c in d.policy.service.cpt_codes
    )
    return RequestView(
        kind_label={
            "initial": "Initial course",
            "continuation": "Continuation / retreatment course",
            "appeal": "Appeal of a denial",
        }[options.kind],
        codes=codes or (CodeRow(code=f.NOT_DOCUMENTED, description="", units=""),),
        icd10=icd10,
        icd10_cites=icd_cites,
        planned_start=f.date_short(options.planned_start)
        if options.planned_start
        else "Upon authorization",
        planned_start_phrase=f"on {f.date_short(options.planned_start)}"
        if options.planned_start
        else "upon authorization",
        sessions=f"{acute} sessions, {PER_WEEK} per week",
        taper=f"{taper} sessions over 3 weeks" if taper else "none",
        policy_allows=policy_allows(d.policy.service),
        course=f"{total} sessions ({acute} sessions, {PER_WEEK} per week, then a taper of "
        f"{taper} sessions over 3 weeks)"
        if taper
        else f"{total} sessions ({PER_WEEK} per week, no taper)",
        total_sessions=str(total),
        device=options.device,
        protocol=options.protocol,
    )


def policy_view(d: Determination) -> PolicyView:
    """Which policy version the checklist applies."""
    p = d.policy
    return PolicyView(
        payer=p.payer,
        title=p.title,
        number=f.text(p.number),
        label=p.number or f"“{p.title}”",
        version=_ISO_DATE.sub(lambda m: f.date_short(dt.date.fromisoformat(m[0])), p.version),
        effective=_window(p),
        dates_note=f"dates unverified: {p.effective_review.rstrip('.')}"
        if p.effective_review
        else "",
        source_urls=p.source_urls,
        status_label=_criteria_label(d),
    )


_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _window(p: PolicyRef) -> str:
    """The policy's own effective dates (never the rule file's ``last_reviewed``)."""
    start = f.date_short(p.effective_from)
    return f"{start} through {f.date_short(p.effective_until)}" if p.effective_until else start


def _criteria_label(d: Determination) -> str:
    """The checklist summary: the criteria's own status, then the safety status when it differs."""
    criteria = d.criteria_status or d.status
    if d.status not in safety.SAFETY_STATUSES or criteria in safety.SAFETY_STATUSES:
        return STATUS_LABELS[d.status]
    return f"{STATUS_LABELS[criteria]}; {STATUS_LABELS[d.status].lower()} (see page 1)"


_WRAPPED = re.compile(r'^\s*["“]([^"“”]*)["”](\.?)\s*$')


def unwrapped_quote(text: str) -> str:
    """The quote without quotation marks around the whole of it: the template adds them to a
    verbatim quote, and a paraphrase is never shown in them.

    >>> unwrapped_quote('"Confirmed diagnosis of MDD".'), unwrapped_quote('"Severe" MDD')
    ('Confirmed diagnosis of MDD.', '"Severe" MDD')
    """
    match = _WRAPPED.match(text)
    return match.group(1) + match.group(2) if match else text


def criterion_rows(d: Determination, notes: Citations) -> tuple[CriterionRow, ...]:
    """The payer's criteria, one by one, with evidence and gaps. In a letter ready to send, a
    met any-of / at-least group shows only the alternatives that were met (the others stay in
    the determination JSON)."""
    approvable = draft(d) is None
    return tuple(_criterion_row(_met_path(c) if approvable else c, notes) for c in d.criteria)


def _met_path(c: CriterionResult) -> CriterionResult:
    children, update = c.children, {}
    if c.outcome == "met" and c.kind != "all" and any(x.outcome == "met" for x in children):
        children = tuple(x for x in children if x.outcome == "met")
        if len(children) < len(c.children):
            update["explanation"] = "Met by: " + "; ".join(x.title for x in children) + "."
    return c.model_copy(update={**update, "children": tuple(_met_path(x) for x in children)})


def _criterion_row(c: CriterionResult, notes: Citations) -> CriterionRow:
    evidence = tuple(
        EvidenceRow(summary=f.human(e.summary), cites=notes.cite(e.resources, e.summary))
        for e in c.evidence
    )
    return CriterionRow(
        id=c.id,
        title=c.title,
        outcome=c.outcome,
        outcome_label=f.CRITERION_OUTCOMES[c.outcome],
        explanation=f.human(c.explanation),
        quote=unwrapped_quote(c.quote),
        quote_kind=c.quote_kind,
        evidence=evidence,
        gaps=tuple(f.us_dates(g.action) for g in c.gaps),
        children=tuple(_criterion_row(child, notes) for child in c.children),
        review_flag=c.review_flag or "",
    )


def _walk(results: tuple[CriterionResult, ...]) -> Iterator[CriterionResult]:
    """Every criterion, without opening met groups (their unmet alternatives need no action)."""
    for c in results:
        yield c
        if c.outcome != "met":
            yield from _walk(c.children)


def draft(d: Determination) -> DraftView | None:
    """A banner for letters written although they are not ready to submit (``--force``)."""
    blocking = safety.blocking(d)
    if d.status == "meets" and not blocking:
        return None
    status = d.status if d.status != "meets" else "clinician_review"
    gaps = dict.fromkeys(
        g.action for g in (*d.gaps, *(g for c in _walk(d.criteria) for g in c.gaps))
    )
    unmet = tuple(
        f"{c.title}: {f.CRITERION_OUTCOMES[c.outcome].lower()}"
        for c in _walk(d.criteria)
        if c.outcome != "met" and not c.children
    )
    return DraftView(
        status=status,
        status_label=STATUS_LABELS[status],
        reason=REASONS[status],
        mark=MARKS.get(status, "DRAFT: NOT READY"),
        alerts=tuple(
            f"{'URGENT: ' if a.urgent else ''}{a.title} ({a.level} safety alert)" for a in blocking
        ),
        warnings=tuple(f.us_dates(w) for w in d.warnings),
        gaps=tuple(f.us_dates(g) for g in gaps),
        unmet=unmet,
    )


def attestations(d: Determination) -> tuple[AttestationRow, ...]:
    """What the signer confirms by signing."""
    return tuple(
        AttestationRow(text=a.text, quote=unwrapped_quote(a.quote), quote_kind=a.quote_kind)
        for a in d.attestations
    )
