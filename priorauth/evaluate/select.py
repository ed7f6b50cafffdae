"""Which policies apply: by policy id, payer id, the chart's coverage (``auto``), or ``all``.

Matching a Coverage to a payer (``auto``), per Coverage, in this order:

1. **Payer identifiers.** A Coverage payer identifier equal to one of ``payer.match.ids``.
2. **Whole names**, only when no policy matched the Coverage by identifier. The Coverage's payer
   name and each ``payer.match.names`` entry are compared as words: case, punctuation and
   legal-form words (Inc, Company, Corp, LLC...) are ignored, ``&`` reads as ``and``. So
   ``AETNA, Inc.`` matches ``Aetna`` but ``Aetna Medicare`` does not (add it as an alias if it
   should). ``payer.name`` (the display name) takes no part.
3. **Line of business.** A policy with ``payer.match.lines`` does not match a Coverage whose
   payer or plan name states another line (``Medicare``, ``Medicare Advantage``, ``Medicaid``,
   ``Commercial``); a Coverage that states no line still matches.

Only policies in force on the as-of date are matched (not drafts, not reference models). When
several match, all are returned (:func:`auto_matches` says how each matched).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from priorauth.dates import check_as_of
from priorauth.errors import UnknownPayerError
from priorauth.facts.models import CoverageFact, PatientRecord
from priorauth.rules.loader import RuleSet
from priorauth.rules.models import Policy

__all__ = [
    "PolicyMatch",
    "auto_matches",
    "coverage_line",
    "coverage_matches",
    "match_reason",
    "name_words",
    "select_policies",
]

_INACTIVE_COVERAGE = {"cancelled", "entered-in-error"}
_LEGAL_FORMS = frozenset(
    {"inc", "incorporated", "co", "company", "corp", "corporation", "llc", "ltd", "plc", "lp"}
)


@dataclass(frozen=True)
class PolicyMatch:
    """A policy selected by ``auto``: which Coverage matched it and how."""

    policy: Policy
    coverage: CoverageFact
    how: str
    """``payer identifier 60054``, ``payer name 'Aetna'``; plus a line-of-business note."""


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
    >>> coverage_line(CoverageFact(payer_name="Aetna", plan="CHOICE-POS-II")) is None
    True
    """
    words = set(name_words(" ".join(filter(None, [coverage.payer_name, coverage.plan]))))
    if "medicaid" in words or {"medi", "cal"} <= words:
        return "medicaid"
    if "medicare" in words:
        return "medicare_advantage" if "advantage" in words else "medicare"
    if "commercial" in words:
        return "commercial"
    return None


def _ids(policy: Policy, coverage: CoverageFact) -> str | None:
    wanted = {" ".join(i.casefold().split()) for i in policy.payer.match.ids}
    for identifier in coverage.payer_identifiers:
        if " ".join(identifier.casefold().split()) in wanted:
            return f"payer identifier {identifier}"
    return None


def _name(policy: Policy, coverage: CoverageFact) -> str | None:
    if coverage.payer_name is None:
        return None
    words = name_words(coverage.payer_name)
    if not words:
        return None
    for alias in policy.payer.match.names:
        if name_words(alias) == words:
            return f"payer name '{coverage.payer_name}'"
    return None


def _line_note(policy: Policy, coverage: CoverageFact) -> str | None:
    """'' when the line fits (or is not restricted), a note when unstated, None on a mismatch."""
    lines = policy.payer.match.lines
    if not lines:
        return ""
    line = coverage_line(coverage)
    if line is None:
        return f"; line of business not stated in the Coverage (policy: {', '.join(lines)})"
    return "" if line in lines else None


def match_reason(policy: Policy, coverage: CoverageFact, *, by: str = "any") -> str | None:
    """How ``coverage`` matches ``policy`` (``by``: ``ids``, ``names`` or ``any``), or None."""
    how = _ids(policy, coverage) if by in ("ids", "any") else None
    if how is None and by in ("names", "any"):
        how = _name(policy, coverage)
    if how is None:
        return None
    note = _line_note(policy, coverage)
    return None if note is None else how + note


def coverage_matches(policy: Policy, coverage: CoverageFact) -> bool:
    """Whether a Coverage names this policy's payer (by identifier or whole name, right line)."""
    return match_reason(policy, coverage) is not None


def _active(record: PatientRecord) -> list[CoverageFact]:
    return [c for c in record.coverages if (c.status or "active") not in _INACTIVE_COVERAGE]


def auto_matches(ruleset: RuleSet, record: PatientRecord, as_of: dt.date) -> list[PolicyMatch]:
    """Every policy in force on ``as_of`` that one of the record's coverages matches.

    Per Coverage, identifiers first; names only when no policy matched that Coverage by
    identifier. In coverage order, each policy once. Empty when nothing matches.
    """
    in_force = ruleset.in_force(as_of)
    found: list[PolicyMatch] = []
    for coverage in _active(record):
        for by in ("ids", "names"):
            hits = [
                PolicyMatch(p, coverage, how)
                for p in in_force
                if (how := match_reason(p, coverage, by=by)) is not None
            ]
            if hits:
                found += [h for h in hits if h.policy not in {f.policy for f in found}]
                break
    return found


def select_policies(
    ruleset: RuleSet, *, payer: str, record: PatientRecord, as_of: dt.date
) -> list[Policy]:
    """The policies to evaluate.

    ``payer`` is ``all`` (every policy in force on ``as_of``; not drafts nor reference models),
    ``auto`` (the policies in force whose payer matches one of the record's coverages, see the
    module docstring; all of them when several match), a payer id (that payer's policies in
    force), or a policy id (that policy, whatever its status and window). Raises
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


def _auto(ruleset: RuleSet, record: PatientRecord, as_of: dt.date) -> list[PolicyMatch]:
    found = auto_matches(ruleset, record, as_of)
    if found:
        return found
    coverages = _active(record)
    names = (
        ", ".join(c.payer_name or "/".join(c.payer_identifiers) or "?" for c in coverages) or "none"
    )
    raise UnknownPayerError(
        f"no policy in force on {as_of} matches the chart's coverage (payers: {names})"
        f"{_near(ruleset, coverages)}; pass --payer with a payer or policy id; {_known(ruleset)}"
    )


def _near(ruleset: RuleSet, coverages: list[CoverageFact]) -> str:
    """Payers whose names share a word with a coverage's payer name (matching needs all words)."""
    words = {w for c in coverages for w in name_words(c.payer_name or "")}
    near = sorted(
        {
            p.payer.id
            for p in ruleset
            if any(words & set(name_words(n)) for n in p.payer.match.names)
        }
    )
    return f" (payer names match as whole names; similar: {', '.join(near)})" if near else ""


def _nonempty(policies: list[Policy], message: str, ruleset: RuleSet) -> list[Policy]:
    if not policies:
        raise UnknownPayerError(f"{message}; {_known(ruleset)}")
    return policies


def _known(ruleset: RuleSet) -> str:
    return f"known payers: {', '.join(ruleset.payer_ids()) or 'none'}"
