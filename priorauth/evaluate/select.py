"""Which policies apply: by policy id, payer id, the chart's coverage (``auto``), or ``all``."""

from __future__ import annotations

import datetime as dt

from priorauth.errors import UnknownPayerError
from priorauth.facts.models import CoverageFact, PatientRecord
from priorauth.rules.loader import RuleSet
from priorauth.rules.models import Policy

__all__ = ["coverage_matches", "select_policies"]

_INACTIVE_COVERAGE = {"cancelled", "entered-in-error"}


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def coverage_matches(policy: Policy, coverage: CoverageFact) -> bool:
    """Whether a Coverage names this policy's payer (by payer id, or by name contained)."""
    ids = {_norm(i) for i in policy.payer.match.ids}
    if ids & {_norm(i) for i in coverage.payer_identifiers}:
        return True
    if coverage.payer_name is None:
        return False
    name = _norm(coverage.payer_name)
    names = (*policy.payer.match.names, policy.payer.name)
    return any(_norm(n) in name for n in names)


def select_policies(
    ruleset: RuleSet, *, payer: str, record: PatientRecord, as_of: dt.date
) -> list[Policy]:
    """The policies to evaluate.

    ``payer`` is ``all`` (every policy in force on ``as_of``), ``auto`` (the policies in force whose
    payer matches one of the record's coverages, in coverage order), a payer id (that payer's
    policies in force), or a policy id (that policy, whatever its window). Raises
    :class:`UnknownPayerError` listing the known payers when nothing applies.
    """
    if payer == "all":
        return _nonempty(
            list(ruleset.in_force(as_of)), f"no policy is in force on {as_of}", ruleset
        )
    if payer == "auto":
        return _auto(ruleset, record, as_of)
    if payer in ruleset.ids():
        return [ruleset.get(payer)]
    if payer in ruleset.payer_ids():
        in_force = [p for p in ruleset.for_payer(payer) if p.in_force(as_of)]
        versions = ", ".join(p.id for p in ruleset.for_payer(payer))
        return _nonempty(
            in_force, f"{payer} has no policy in force on {as_of} (versions: {versions})", ruleset
        )
    raise UnknownPayerError(f"unknown payer or policy '{payer}'; {_known(ruleset)}")


def _auto(ruleset: RuleSet, record: PatientRecord, as_of: dt.date) -> list[Policy]:
    coverages = [c for c in record.coverages if (c.status or "active") not in _INACTIVE_COVERAGE]
    chosen: list[Policy] = []
    for coverage in coverages:
        chosen += [
            p for p in ruleset.in_force(as_of) if coverage_matches(p, coverage) and p not in chosen
        ]
    if chosen:
        return chosen
    names = (
        ", ".join(c.payer_name or "/".join(c.payer_identifiers) or "?" for c in coverages) or "none"
    )
    raise UnknownPayerError(
        f"no policy in force on {as_of} matches the chart's coverage (payers: {names}); "
        f"pass --payer with one of the known payers; {_known(ruleset)}"
    )


def _nonempty(policies: list[Policy], message: str, ruleset: RuleSet) -> list[Policy]:
    if not policies:
        raise UnknownPayerError(f"{message}; {_known(ruleset)}")
    return policies


def _known(ruleset: RuleSet) -> str:
    return f"known payers: {', '.join(ruleset.payer_ids()) or 'none'}"
