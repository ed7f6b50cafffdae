"""Apply one payer policy to one PatientRecord: the criteria tree, three-valued, explained.

``evaluate`` is pure: the as-of date is passed in, nothing is read from disk or the clock.

* Leaves are evaluated by kind (:mod:`priorauth.evaluate.criteria`).
* Groups combine their members: ``all`` (any not met -> not met, else any unknown -> unknown),
  ``any`` (any met -> met, else any unknown -> unknown), ``at_least n`` (n met -> met, fewer than
  n possible -> not met, else unknown).
* The root outcome gives the status: met -> ``meets``, not met -> ``does_not_meet``, unknown ->
  ``needs_documentation``.
* ``Determination.criteria`` holds the root's members when the root is an ``all`` group (the
  usual "all of these" policy), else the root itself; groups carry their members as children.
* ``Determination.gaps`` lists the gaps of the unknown criteria that decide the outcome (a gap in
  an alternative that is not needed is left out); each unknown result keeps its own gaps too.
* ``Determination.attestations`` lists the attestations the signer confirms: the policy's
  top-level ``attestations`` (always; they never change the status) plus the attestation
  criteria the caller confirmed (``attested``) that the outcome relies on (an attestation
  alternative is left out when a documented alternative is met). An attestation criterion that
  was not confirmed is ``unknown`` with the gap "Signer to confirm: <text>".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from priorauth.dates import check_as_of
from priorauth.determination import (
    Attestation,
    CriterionOutcome,
    CriterionResult,
    Determination,
    DeterminationStatus,
    Gap,
    PolicyRef,
    ServiceRequested,
)
from priorauth.errors import UnknownAttestationError
from priorauth.evaluate._verdict import (
    MET,
    NOT_MET,
    UNKNOWN,
    Context,
    Verdict,
    all_of,
    any_of,
    at_least,
)
from priorauth.evaluate.criteria import evaluate_leaf
from priorauth.evaluate.floor import Floor, floor_status, safety_floor
from priorauth.evaluate.select import coverage_notes, payer_coverage
from priorauth.facts.models import PatientRecord
from priorauth.rules.models import AllGroup, AnyGroup, AtLeastGroup, LeafCriterion, Node, Policy

__all__ = ["check_attested", "evaluate", "policy_ref"]

_STATUS: dict[CriterionOutcome, DeterminationStatus] = {
    MET: "meets",
    NOT_MET: "does_not_meet",
    UNKNOWN: "needs_documentation",
}
_Group = AllGroup | AnyGroup | AtLeastGroup


@dataclass(frozen=True)
class _Evaluated:
    """A result with the attestations it relies on, and its evaluated members."""

    result: CriterionResult
    attestations: tuple[Attestation, ...]
    members: tuple[_Evaluated, ...] = ()


def evaluate(
    record: PatientRecord,
    policy: Policy,
    *,
    as_of: dt.date,
    attested: Collection[str] | None = None,
    reviewed: Mapping[str, str] | None = None,
) -> Determination:
    """Apply ``policy`` to ``record`` on ``as_of``, then the safety floor.

    ``attested``: the ids of the attestation criteria (and ``relapse: attested`` retreatment
    criteria) the signer has confirmed; ``None`` or empty means none. Unconfirmed ones are
    unknown ("Signer to confirm: ..."). The policy's top-level attestations never change the
    status and are always listed in ``Determination.attestations``.

    ``reviewed``: relative safety alert id → the clinician who reviewed it (see
    :mod:`priorauth.evaluate.floor`; absolute alerts cannot be reviewed away).
    """
    ctx = Context(record, check_as_of(as_of), frozenset(attested or ()))
    root = _node(policy.criteria, "criteria", ctx)
    criteria_status = _STATUS[root.result.outcome]
    floor = safety_floor(record, policy, as_of=as_of, reviewed=reviewed)
    status = floor_status(criteria_status, floor)
    gaps = _deciding_gaps(root.result) if criteria_status != "meets" else iter(())
    criteria_gaps = list(gaps)
    floor_gaps = floor.gaps if status != "safety_hold" else ()
    if any(g.criterion_id in _suicide_screen_criteria(policy) for g in criteria_gaps):
        floor_gaps = ()  # the policy's own gap already asks for the suicide-risk screen
    return Determination(
        as_of=as_of,
        status=status,
        alerts=floor.alerts,
        criteria_status=criteria_status,
        policy=policy_ref(policy),
        criteria=_top_level(policy, root),
        gaps=_dedupe_gaps(iter([*criteria_gaps, *floor_gaps])),
        attestations=_attestations(policy, root),
        summary=_summary(policy, root.result, status, as_of, floor),
        coverage=payer_coverage(policy, record, as_of),
        coverage_notes=coverage_notes(record, as_of),
        record=record,
    )


def check_attested(attested: Collection[str], policies: Sequence[Policy]) -> None:
    """Refuse attested ids that name no attestation of ``policies``.

    A misspelt id would otherwise confirm nothing and leave its criterion unknown without a word.
    Raises ``UnknownAttestationError`` naming the unknown ids and the known ones.
    """
    known = sorted(frozenset().union(*(p.attestation_ids() for p in policies)))
    unknown = [a for a in attested if a not in known]
    if unknown:
        which = "policy" if len(policies) == 1 else "policies"
        raise UnknownAttestationError(
            f"{', '.join(unknown)}: no such attestation in the selected {which} "
            f"(known: {', '.join(known) or 'none'})"
        )


def _suicide_screen_criteria(policy: Policy) -> frozenset[str]:
    """Ids of the policy's ``suicide_risk`` contraindication criteria: when one of them is a
    deciding gap, it says what the floor's suicide-screen gap would, so the floor's is left out
    (and when none is deciding, the floor's gap stays)."""
    return frozenset(
        leaf.id
        for leaf in policy.leaves()
        if leaf.kind == "contraindication" and "suicide_risk" in leaf.categories
    )


def _top_level(policy: Policy, root: _Evaluated) -> tuple[CriterionResult, ...]:
    if isinstance(policy.criteria, AllGroup):
        return root.result.children
    return (root.result,)


def _node(node: Node, path: str, ctx: Context) -> _Evaluated:
    if isinstance(node, AllGroup | AnyGroup | AtLeastGroup):
        return _group(node, path, ctx)
    return _leaf(node, ctx)


def _leaf(criterion: LeafCriterion, ctx: Context) -> _Evaluated:
    verdict = evaluate_leaf(criterion, ctx)
    actions = verdict.gaps if verdict.outcome == UNKNOWN else ()
    if criterion.gap and actions:
        actions = (criterion.gap,)
    result = CriterionResult(
        id=criterion.id,
        title=criterion.title,
        kind=criterion.kind,
        outcome=verdict.outcome,
        explanation=verdict.explanation,
        quote=criterion.quote,
        quote_kind=criterion.quote_kind or "paraphrase",
        evidence=verdict.evidence,
        gaps=tuple(Gap(criterion_id=criterion.id, action=a) for a in actions),
        review_flag=criterion.review,
    )
    return _Evaluated(result, _leaf_attestations(criterion, verdict))


def _leaf_attestations(criterion: LeafCriterion, verdict: Verdict) -> tuple[Attestation, ...]:
    if criterion.kind == "attestation" or verdict.outcome == MET:
        return verdict.attestations
    return ()


def _group_kind(group: _Group) -> str:
    if isinstance(group, AllGroup):
        return "all"
    return "any" if isinstance(group, AnyGroup) else "at_least"


def _needed(group: _Group) -> int:
    if isinstance(group, AtLeastGroup):
        return group.at_least.n
    return len(group.all) if isinstance(group, AllGroup) else 1


def _group(group: _Group, path: str, ctx: Context) -> _Evaluated:
    kind = _group_kind(group)
    base = f"{path}.{kind}"
    members = tuple(_node(m, f"{base}.{i}", ctx) for i, m in enumerate(group.members()))
    outcomes = [m.result.outcome for m in members]
    outcome = _combine(kind, _needed(group), outcomes)
    result = CriterionResult(
        id=group.id or path,
        title=group.title or _default_title(kind, _needed(group)),
        kind=kind,
        outcome=outcome,
        explanation=_group_explanation(kind, _needed(group), members),
        quote=group.quote,
        quote_kind=group.quote_kind or "paraphrase",
        children=tuple(m.result for m in members),
        review_flag=group.review,
    )
    return _Evaluated(result, _group_attestations(kind, _needed(group), members), members)


def _combine(kind: str, needed: int, outcomes: list[CriterionOutcome]) -> CriterionOutcome:
    if kind == "all":
        return all_of(outcomes)
    return any_of(outcomes) if kind == "any" else at_least(needed, outcomes)


def _default_title(kind: str, needed: int) -> str:
    return {"all": "All of the following", "any": "Any of the following"}.get(
        kind, f"At least {needed} of the following"
    )


def _group_explanation(kind: str, needed: int, members: tuple[_Evaluated, ...]) -> str:
    counts = {
        o: [m.result.title for m in members if m.result.outcome == o]
        for o in (MET, NOT_MET, UNKNOWN)
    }
    need = {"all": f"all {len(members)}", "any": "any 1"}.get(kind, f"{needed}")
    text = f"{len(counts[MET])} of {len(members)} met (needs {need})"
    if counts[NOT_MET]:
        text += f"; not met: {', '.join(counts[NOT_MET])}"
    if counts[UNKNOWN]:
        text += f"; unknown: {', '.join(counts[UNKNOWN])}"
    return text + "."


def _group_attestations(
    kind: str, needed: int, members: tuple[_Evaluated, ...]
) -> tuple[Attestation, ...]:
    """The attestations the group relies on: documented alternatives are preferred."""
    if kind == "all":
        return tuple(a for m in members for a in m.attestations)
    met = sorted(
        (m for m in members if m.result.outcome == MET), key=lambda m: len(m.attestations) > 0
    )
    chosen = met[:needed] if len(met) >= needed else list(members)
    return tuple(a for m in chosen for a in m.attestations)


def _deciding_gaps(result: CriterionResult) -> Iterator[Gap]:
    """Gaps of the unknown criteria under an unknown node (others cannot change the outcome)."""
    if result.outcome != UNKNOWN:
        return
    yield from result.gaps
    for child in result.children:
        yield from _deciding_gaps(child)


def _dedupe_gaps(gaps: Iterator[Gap]) -> tuple[Gap, ...]:
    seen: dict[str, Gap] = {}
    for gap in gaps:
        seen.setdefault(gap.action, gap)
    return tuple(seen.values())


def _attestations(policy: Policy, root: _Evaluated) -> tuple[Attestation, ...]:
    listed = [*root.attestations]
    listed += [
        Attestation(id=a.id, text=a.text, quote=a.quote, quote_kind=a.quote_kind or "paraphrase")
        for a in policy.attestations
    ]
    unique: dict[str, Attestation] = {}
    for attestation in listed:
        unique.setdefault(attestation.id, attestation)
    return tuple(unique.values())


def _failures(result: CriterionResult) -> Iterator[str]:
    """Titles of the not-met leaves that make ``result`` not met."""
    if result.outcome != NOT_MET:
        return
    if not result.children:
        yield result.title
    for child in result.children:
        yield from _failures(child)


def _summary(
    policy: Policy,
    root: CriterionResult,
    status: DeterminationStatus,
    as_of: dt.date,
    floor: Floor,
) -> str:
    name = f"{policy.payer.name} {policy.number or policy.title}"
    titles = "; ".join(a.title for a in floor.alerts if a.level == "absolute")
    if status == "safety_hold":
        return f"SAFETY HOLD ({titles}): not for submission under {name}."
    if status == "clinician_review":
        pending = "; ".join(a.title for a in floor.alerts if a.reviewed_by is None)
        return (
            f"Criteria of {name} met as of {as_of.isoformat()}, but a clinician must review: "
            f"{pending}."
        )
    if status == "needs_documentation" and root.outcome == MET:
        return f"Criteria of {name} met, but the safety floor needs documentation first."
    if status == "meets":
        return f"Meets {name} as of {as_of.isoformat()}."
    if status == "does_not_meet":
        return f"Does not meet {name}: {'; '.join(_failures(root))}."
    count = len(_dedupe_gaps(_deciding_gaps(root)))
    return f"Needs documentation for {name}: {count} gap(s) to close before submitting."


def policy_ref(policy: Policy) -> PolicyRef:
    """Which policy version (and file content) produced a determination."""
    service = policy.service
    return PolicyRef(
        id=policy.id,
        version=policy.version,
        payer=policy.payer.name,
        title=policy.title,
        number=policy.number,
        effective_from=policy.effective.from_,
        effective_until=policy.effective.until,
        effective_review=policy.effective.review,
        last_reviewed=policy.last_reviewed,
        source_urls=tuple(s.url for s in policy.sources),
        dates_unverified=policy.effective.uncertain,
        dates_review=(policy.effective.review or "") if policy.effective.uncertain else "",
        content_hash=policy.content_hash,
        service=ServiceRequested(
            cpt_codes=service.cpt,
            initial_sessions=service.initial_sessions,
            taper_sessions=service.taper_sessions,
            max_weeks=service.max_weeks,
            extension_sessions=service.extension.sessions if service.extension else None,
            extension_taper_sessions=(
                service.extension.taper_sessions if service.extension else None
            ),
            extension_condition=service.extension.condition if service.extension else "",
            accelerated_protocols_covered=service.accelerated_protocols_covered,
            description=service.description,
        ),
    )
