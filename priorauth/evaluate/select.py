"""Which policies apply: by policy id, payer id, the chart's coverage (``auto``), or ``all``.

Matching the chart's coverages to payers (``auto``):

0. **Coverage in force.** Only coverages in force on the as-of date take part: not
   ``cancelled``, ``draft`` or ``entered-in-error``, a period that contains the date, and not
   marked out of force by the facts stage. Every other coverage is ignored, with a note saying
   which and why (:func:`coverage_notes`). **Primary before secondary**: ``Coverage.order``
   (1 primary, 2 secondary...; stated before unstated), then the record's order.
1. **Payer identifiers.** A Coverage payer identifier equal to one of ``payer.match.ids``.
2. **Whole names**, only when no policy matched the Coverage by identifier. The Coverage's payer
   name and each ``payer.match.names`` / ``legal_names`` entry are compared as words: case,
   punctuation and legal-form words (Inc, Company, Corp, LLC...) are ignored, ``&`` reads as
   ``and``. So ``AETNA, Inc.`` matches ``Aetna`` but ``Aetna Medicare`` does not (add it as an
   alias if it should). ``payer.name`` (the display name) takes no part. **Plan names**
   (``payer.match.plans``) are compared the same way with the Coverage's payer and plan names;
   a plan line that is not ``exclusive`` also needs the Coverage to state that line.
3. **Line of business.** A policy with ``payer.match.lines`` does not match a Coverage whose
   payer or plan name states another line (``Medicare``, ``Medicare Advantage``, ``Medicaid``,
   ``Commercial``); a Coverage that states no line still matches.
4. **Jurisdiction.** A policy with ``payer.jurisdiction`` (a Medicare LCD) is kept when the
   practice's state (where the service is furnished), else the patient's state, is one of its
   states; one whose states are not documented stays a candidate unless another one of the
   same coverage has the state.

Only policies in force on the as-of date are matched (not drafts, not reference models). When
several match, :func:`select_policies` returns them all (``evaluate`` shows each); the surfaces
that need one policy (a letter, a batch row) call :func:`select_one`, which refuses to choose
(:class:`~priorauth.errors.AmbiguousPolicyError`). A letter goes to the payer of its policy:
:func:`payer_coverage` finds that payer's coverage in force and :func:`require_payer_on_chart`
refuses when there is none (:class:`~priorauth.errors.PayerNotOnChartError`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from priorauth.dates import check_as_of
from priorauth.errors import AmbiguousPolicyError, PayerNotOnChartError, UnknownPayerError
from priorauth.facts.models import CoverageFact, PatientRecord
from priorauth.rules.loader import RuleSet
from priorauth.rules.models import Policy

__all__ = [
    "Choice",
    "PolicyMatch",
    "auto_matches",
    "coverage_line",
    "coverage_matches",
    "coverage_notes",
    "coverages_in_force",
    "match_reason",
    "name_words",
    "not_in_force",
    "payer_coverage",
    "require_payer_on_chart",
    "select_one",
    "select_policies",
]

_INACTIVE_COVERAGE = {"cancelled", "draft", "entered-in-error"}
_LEGAL_FORMS = frozenset(
    {"inc", "incorporated", "co", "company", "corp", "corporation", "llc", "ltd", "plc", "lp"}
)
_FAMILIES = ({"medicaid", "medicaid_managed_care"},)
HOW_TO_CHOOSE = "choose one with --payer POLICY_ID (HTTP: payer=POLICY_ID)"


@dataclass(frozen=True)
class PolicyMatch:
    """A policy selected by ``auto``: which Coverage matched it and how."""

    policy: Policy
    coverage: CoverageFact
    how: str
    """``payer identifier 60054 (clearinghouse)``, ``legal name 'Aetna Health Inc.'``; plus a
    line-of-business or jurisdiction note."""


@dataclass(frozen=True)
class Choice:
    """The one policy a letter (or a batch row) is written under, and the coverage it goes to."""

    policy: Policy
    coverage: CoverageFact | None
    notes: tuple[str, ...] = ()
    """How the policy was chosen and which coverages were ignored (for stderr / logs)."""


def name_words(text: str) -> tuple[str, ...]:
    """A payer name as comparable words: ``AETNA, Inc.`` -> ``('aetna',)``.

    >>> name_words("Blue Cross & Blue Shield of Texas, Inc.")
    ('blue', 'cross', 'and', 'blue', 'shield', 'of', 'texas')
    """
    text = text.casefold().replace("&", " and ").replace("'", "").replace("\u2019", "")
    words = re.findall(r"[^\W_]+", text)
    return tuple(w for w in words if w not in _LEGAL_FORMS)


def coverage_line(coverage: CoverageFact) -> str | None:
    """The line of business a Coverage's payer or plan name states, or None.

    >>> coverage_line(CoverageFact(payer_name="Humana", plan="Medicare Advantage HMO"))
    'medicare_advantage'
    >>> coverage_line(CoverageFact(payer_name="MetroPlus", plan="Medicaid Managed Care"))
    'medicaid_managed_care'
    >>> coverage_line(CoverageFact(payer_name="Aetna", plan="CHOICE-POS-II")) is None
    True
    """
    words = set(name_words(" ".join(filter(None, [coverage.payer_name, coverage.plan]))))
    if "medicaid" in words or {"medi", "cal"} <= words:
        return "medicaid_managed_care" if words & {"managed", "mco"} else "medicaid"
    if "medicare" in words:
        return "medicare_advantage" if "advantage" in words else "medicare"
    if "commercial" in words:
        return "commercial"
    return None


def _fits(wanted: str, stated: str) -> bool:
    """Whether a stated line fits a wanted one (Medicaid and Medicaid managed care fit)."""
    return wanted == stated or any({wanted, stated} <= family for family in _FAMILIES)


# --------------------------------------------------------------------- coverage in force


def not_in_force(coverage: CoverageFact, as_of: dt.date) -> str | None:
    """Why ``coverage`` is not in force on ``as_of``, or None when it is.

    >>> not_in_force(CoverageFact(period_end=dt.date(2019, 12, 31)), dt.date(2026, 1, 1))
    'ended 2019-12-31'
    """
    if (coverage.status or "active") in _INACTIVE_COVERAGE:
        return f"status {coverage.status}"
    if coverage.period_end is not None and coverage.period_end < as_of:
        return f"ended {coverage.period_end.isoformat()}"
    if coverage.period_start is not None and coverage.period_start > as_of:
        return f"starts {coverage.period_start.isoformat()}"
    if not coverage.in_force:
        return f"not in force on {as_of.isoformat()}"
    return None


def _label(coverage: CoverageFact) -> str:
    name = coverage.payer_name or "/".join(coverage.payer_identifiers) or "coverage"
    where = f" ({', '.join(coverage.evidence)})" if coverage.evidence else ""
    return f"{name}{where}"


def coverages_in_force(record: PatientRecord, as_of: dt.date) -> list[CoverageFact]:
    """The record's coverages in force on ``as_of``, primary first (``order``, then record)."""
    active = [c for c in record.coverages if not_in_force(c, as_of) is None]
    return sorted(active, key=lambda c: (c.order is None, c.order or 0))


def coverage_notes(record: PatientRecord, as_of: dt.date) -> tuple[str, ...]:
    """One note per coverage ignored for matching: which, and why."""
    return tuple(
        f"ignored coverage {_label(c)}: {why}"
        for c in record.coverages
        if (why := not_in_force(c, as_of)) is not None
    )


# --------------------------------------------------------------------- one policy, one coverage


def _same_words(text: str | None, names: tuple[str, ...]) -> str | None:
    words = name_words(text or "")
    if not words:
        return None
    return next((n for n in names if name_words(n) == words), None)


def _ids(policy: Policy, coverage: CoverageFact) -> str | None:
    wanted = {" ".join(i.value.casefold().split()): i.kind for i in policy.payer.match.ids}
    for identifier in coverage.payer_identifiers:
        kind = wanted.get(" ".join(identifier.casefold().split()))
        if kind is not None:
            return f"payer identifier {identifier} ({kind})"
    return None


def _name(policy: Policy, coverage: CoverageFact) -> str | None:
    match = policy.payer.match
    if _same_words(coverage.payer_name, match.names):
        return f"payer name '{coverage.payer_name}'"
    if _same_words(coverage.payer_name, match.legal_names):
        return f"legal name '{coverage.payer_name}'"
    return None


def _plan(policy: Policy, coverage: CoverageFact) -> tuple[str, str] | None:
    """``(how, line)`` when a plan name matches and the Coverage's line allows it."""
    stated = coverage_line(coverage)
    for plan in policy.payer.match.plans:
        name = next(
            (n for n in (coverage.payer_name, coverage.plan) if _same_words(n, plan.names)), None
        )
        if name is None:
            continue
        if stated is not None and _fits(plan.line, stated):
            return f"plan name '{name}' ({plan.line})", plan.line
        if stated is None and plan.exclusive:
            return f"plan name '{name}' ({plan.line} only)", plan.line
    return None


def _line_note(policy: Policy, line: str | None) -> str | None:
    """'' when the line fits (or is not restricted), a note when unstated, None on a mismatch."""
    lines = policy.payer.match.lines
    if not lines:
        return ""
    if line is None:
        return f"; line of business not stated in the Coverage (policy: {', '.join(lines)})"
    return "" if any(_fits(wanted, line) for wanted in lines) else None


def match_reason(policy: Policy, coverage: CoverageFact, *, by: str = "any") -> str | None:
    """How ``coverage`` names ``policy``'s payer (``by``: ``ids``, ``names`` or ``any``), or None.

    Identity only: neither the coverage's period nor the policy's jurisdiction takes part.
    """
    how = _ids(policy, coverage) if by in ("ids", "any") else None
    line = coverage_line(coverage)
    if how is None and by in ("names", "any"):
        how = _name(policy, coverage)
        if how is None and (plan := _plan(policy, coverage)) is not None:
            how, line = plan
    if how is None:
        return None
    note = _line_note(policy, line)
    return None if note is None else how + note


def coverage_matches(policy: Policy, coverage: CoverageFact) -> bool:
    """Whether a Coverage names this policy's payer (identifier, name or plan; right line)."""
    return match_reason(policy, coverage) is not None


def _state(record: PatientRecord) -> tuple[str | None, str]:
    """The state that picks a jurisdiction: the practice's, else the patient's."""
    org, doc = record.organization, record.practitioner
    practice = (org.address if org else None) or (doc.address if doc else None)
    for address, whose in ((practice, "practice"), (record.patient.address, "patient")):
        state = (address.state or "").strip().upper() if address else ""
        if re.fullmatch(r"[A-Z]{2}", state):
            return state, whose
    return None, ""


def _jurisdiction(policy: Policy, record: PatientRecord) -> tuple[bool | None, str]:
    """True (the state is in it), False (it is not), None (cannot tell), with a note."""
    place = policy.payer.jurisdiction
    if place is None:
        return True, ""
    state, whose = _state(record)
    label = " ".join(x for x in (place.contractor, place.name) if x) or policy.payer.name
    if not place.states:
        return None, f"; the states of {label} are not in the rule file"
    if state is None:
        return None, "; neither the practice's nor the patient's state is in the chart"
    if state in place.states:
        return True, f"; {whose} state {state} is in {label}"
    return False, ""


def _by_jurisdiction(hits: list[PolicyMatch], record: PatientRecord) -> list[PolicyMatch]:
    judged = [(m, *_jurisdiction(m.policy, record)) for m in hits]
    known = any(inside is True and m.policy.payer.jurisdiction for m, inside, _ in judged)
    return [
        PolicyMatch(m.policy, m.coverage, m.how + note)
        for m, inside, note in judged
        if inside is True or (inside is None and not known)
    ]


def auto_matches(ruleset: RuleSet, record: PatientRecord, as_of: dt.date) -> list[PolicyMatch]:
    """Every policy in force on ``as_of`` that one of the record's coverages in force matches.

    Coverages primary first; per Coverage, identifiers first and names only when no policy
    matched that Coverage by identifier; then the jurisdiction. Each policy once. Empty when
    nothing matches.
    """
    in_force = ruleset.in_force(as_of)
    found: list[PolicyMatch] = []
    for coverage in coverages_in_force(record, as_of):
        for by in ("ids", "names"):
            hits = [
                PolicyMatch(p, coverage, how)
                for p in in_force
                if (how := match_reason(p, coverage, by=by)) is not None
            ]
            if hits:
                seen = {f.policy.id for f in found}
                found += [h for h in _by_jurisdiction(hits, record) if h.policy.id not in seen]
                break
    return found


def payer_coverage(policy: Policy, record: PatientRecord, as_of: dt.date) -> CoverageFact | None:
    """The chart's coverage in force on ``as_of`` with ``policy``'s payer (primary first)."""
    return next((c for c in coverages_in_force(record, as_of) if coverage_matches(policy, c)), None)


def require_payer_on_chart(
    policy: Policy, record: PatientRecord, as_of: dt.date, *, allow_uncovered_payer: bool = False
) -> CoverageFact | None:
    """The coverage a letter under ``policy`` is addressed to.

    Raises :class:`PayerNotOnChartError` when the chart has no coverage in force with the
    policy's payer, unless ``allow_uncovered_payer`` (then None: the letter is still addressed
    to the policy's payer, without member details).
    """
    coverage = payer_coverage(policy, record, as_of)
    if coverage is not None or allow_uncovered_payer:
        return coverage
    active = ", ".join(_label(c) for c in coverages_in_force(record, as_of)) or "none"
    ignored = "; ".join(coverage_notes(record, as_of))
    raise PayerNotOnChartError(
        f"policy {policy.id} is {policy.payer.name}'s, but no coverage in force on {as_of} is "
        f"with {policy.payer.name} (coverages in force: {active}{'; ' + ignored if ignored else ''}"
        "); choose the policy of a payer on the chart (--payer auto), or address the letter to "
        f"{policy.payer.name} anyway with --payer-not-on-chart (HTTP: allow_uncovered_payer=true)",
        payer=policy.payer.id,
        policy=policy.id,
    )


# --------------------------------------------------------------------- selection


def select_policies(
    ruleset: RuleSet, *, payer: str, record: PatientRecord, as_of: dt.date
) -> list[Policy]:
    """The policies to evaluate.

    ``payer`` is ``all`` (every policy in force on ``as_of``; not drafts nor reference models),
    ``auto`` (the policies in force whose payer matches one of the record's coverages in force,
    see the module docstring; all of them when several match), a payer id (that payer's policies
    in force), or a policy id (that policy, whatever its status and window). Raises
    :class:`UnknownPayerError` listing the known payers when nothing applies.
    """
    check_as_of(as_of)
    if payer == "all":
        return _nonempty(
            list(ruleset.in_force(as_of)), f"no policy is in force on {as_of}", ruleset
        )
    if payer == "auto":
        return [m.policy for m in _auto(ruleset, record, as_of)]
    if payer in ruleset.ids():
        return [ruleset.get(payer)]
    if payer in ruleset.payer_ids():
        in_force = [p for p in ruleset.for_payer(payer) if p.in_force(as_of)]
        versions = ", ".join(
            f"{p.id} ({p.status}, {p.effective.text()})" for p in ruleset.for_payer(payer)
        )
        return _nonempty(
            in_force,
            f"{payer} has no policy in force on {as_of} (versions: {versions}; a draft is used "
            "only when named by its policy id)",
            ruleset,
        )
    raise UnknownPayerError(f"unknown payer or policy '{payer}'; {_known(ruleset)}")


def select_one(ruleset: RuleSet, *, payer: str, record: PatientRecord, as_of: dt.date) -> Choice:
    """The one policy a letter is written under (and the coverage that matched it, if any).

    Like :func:`select_policies`, but never picks among several: ``all``, a payer id with more
    than one version in force, or ``auto`` where the primary coverage (or, without a stated
    ``order``, any coverage) matches more than one policy, raise :class:`AmbiguousPolicyError`
    naming the candidates. Does not check that the payer is on the chart
    (:func:`require_payer_on_chart`).
    """
    notes = coverage_notes(record, as_of)
    if payer == "auto":
        matches = _auto(ruleset, record, as_of)
        first = matches[0].coverage
        best = [m for m in matches if m.coverage.order == first.order]
        if len({m.policy.id for m in best}) > 1:
            raise _ambiguous(
                [(m.policy, f"{_label(m.coverage)}: {m.how}") for m in best], as_of, notes
            )
        lower = tuple(
            f"not used: {m.policy.id} matches {_label(m.coverage)}, a lower-priority coverage"
            for m in matches
            if m not in best
        )
        chosen = best[0]
        how = f"{chosen.policy.id}: {_label(chosen.coverage)}, {chosen.how}"
        inside, _note = _jurisdiction(chosen.policy, record)
        if inside is None:  # left by elimination: its states, or the chart's, are not known
            raise _unconfirmed(chosen, how, as_of, notes)
        return Choice(chosen.policy, chosen.coverage, (how, *lower, *notes))
    policies = select_policies(ruleset, payer=payer, record=record, as_of=as_of)
    if len(policies) > 1:
        raise _ambiguous([(p, f"in force on {as_of}") for p in policies], as_of, notes)
    policy = policies[0]
    return Choice(policy, payer_coverage(policy, record, as_of), notes)


def _unconfirmed(
    match: PolicyMatch, how: str, as_of: dt.date, notes: tuple[str, ...]
) -> AmbiguousPolicyError:
    """One regional policy fits, but whether the chart is in its jurisdiction is not known (its
    states are not in the rule file, or the chart gives no state): never taken silently."""
    pid = match.policy.id
    return AmbiguousPolicyError(
        f"{pid} fits this chart on {as_of}, but its jurisdiction cannot be confirmed (its states "
        f"or the chart's state are not known), so it is not chosen silently; {HOW_TO_CHOOSE}",
        candidates=(pid,),
        details=(f"{pid} ({match.policy.payer.name}): {how}", *notes),
    )


def _ambiguous(
    found: list[tuple[Policy, str]], as_of: dt.date, notes: tuple[str, ...]
) -> AmbiguousPolicyError:
    ids = tuple(dict.fromkeys(p.id for p, _ in found))
    details = tuple(f"{p.id} ({p.payer.name}): {how}" for p, how in found) + notes
    return AmbiguousPolicyError(
        f"{len(ids)} policies fit this chart on {as_of} and none is chosen silently: "
        f"{', '.join(ids)}; {HOW_TO_CHOOSE}",
        candidates=ids,
        details=details,
    )


def _auto(ruleset: RuleSet, record: PatientRecord, as_of: dt.date) -> list[PolicyMatch]:
    found = auto_matches(ruleset, record, as_of)
    if found:
        return found
    coverages = coverages_in_force(record, as_of)
    names = ", ".join(_label(c) for c in coverages) or "none"
    ignored = "; ".join(coverage_notes(record, as_of))
    raise UnknownPayerError(
        f"no policy in force on {as_of} matches the chart's coverage (payers: {names}"
        f"{'; ' + ignored if ignored else ''}){_near(ruleset, coverages)}; pass --payer with a "
        f"payer or policy id; {_known(ruleset)}"
    )


def _near(ruleset: RuleSet, coverages: list[CoverageFact]) -> str:
    """Payers whose names share a word with a coverage's payer or plan name."""
    words = {w for c in coverages for w in name_words(f"{c.payer_name or ''} {c.plan or ''}")}

    def names(p: Policy) -> list[str]:
        match = p.payer.match
        return [*match.names, *match.legal_names, *(n for pl in match.plans for n in pl.names)]

    near = sorted(
        {p.payer.id for p in ruleset if any(words & set(name_words(n)) for n in names(p))}
    )
    return (
        f" (payer names match as whole names; similar: {', '.join(near)}; a plan name also "
        "needs the Coverage to state its line)"
        if near
        else ""
    )


def _nonempty(policies: list[Policy], message: str, ruleset: RuleSet) -> list[Policy]:
    if not policies:
        raise UnknownPayerError(f"{message}; {_known(ruleset)}")
    return policies


def _known(ruleset: RuleSet) -> str:
    return f"known payers: {', '.join(ruleset.payer_ids()) or 'none'}"
