"""Criterion-level compliance checks: score thresholds inside each instrument's range, and every
quote marked ``verbatim`` or ``paraphrase``.

A severity threshold is compared with the score range of every instrument it applies to
(``priorauth/terminology/data/instruments.yaml``): a value outside the range, or one no score
can meet (``phq9 > 27``, ``phq9 < 0``), is an error. A quote without ``quote_kind`` is an error:
the letter shows a verbatim quote in quotation marks and a paraphrase labelled "Paraphrase:", so
the check must know which it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from priorauth.rules._where import Loc, node_locations, problem_at
from priorauth.rules.criteria import SeverityScoreCriterion
from priorauth.rules.loader import LoadedFile
from priorauth.rules.models import Policy
from priorauth.rules.problems import Problem
from priorauth.terminology import instrument

__all__ = ["never_met", "quote_kind_problems", "threshold_problems"]

_WRAPPED = re.compile(r'^\s*["“][^"“”]*["”]\.?\s*$')
_QUOTE_HINT = (
    "add quote_kind: verbatim (the payer's exact words, in quotation marks in its document) "
    "or quote_kind: paraphrase"
)


def never_met(op: str, value: float, low: float, high: float) -> bool:
    """Whether no score in ``[low, high]`` satisfies ``score <op> value``.

    >>> never_met(">", 27, 0, 27), never_met(">=", 27, 0, 27), never_met("<", 0, 0, 27)
    (True, False, True)
    """
    if op == ">":
        return value >= high
    if op == ">=":
        return value > high
    if op == "<":
        return value <= low
    return value < low


def threshold_problems(item: LoadedFile, policy: Policy) -> Iterator[Problem]:
    """Each severity threshold outside, or never reachable in, an instrument's score range."""
    for node, loc in node_locations(policy.criteria):
        if isinstance(node, SeverityScoreCriterion):
            yield from _criterion_thresholds(item, node, loc)


def _criterion_thresholds(
    item: LoadedFile, node: SeverityScoreCriterion, loc: Loc
) -> Iterator[Problem]:
    for name in node.instruments:
        scale = instrument(name)
        low, high = scale.min_score, scale.max_score
        where = f"{scale.id} score range {low}-{high}"
        if node.op is not None and node.value is not None:
            text = f"threshold {scale.id} {node.op} {node.value:g}"
            if not low <= node.value <= high:
                yield problem_at(item, (*loc, "value"), f"{text} is outside the {where}")
            elif never_met(node.op, node.value, low, high):
                yield problem_at(item, (*loc, "value"), f"{text} can never be met ({where})")
        if node.range is not None and not all(low <= v <= high for v in node.range):
            bounds = f"[{node.range[0]:g}, {node.range[1]:g}]"
            yield problem_at(item, (*loc, "range"), f"range {bounds} is outside the {where}")


def quote_kind_problems(item: LoadedFile, policy: Policy) -> Iterator[Problem]:
    """Each quote (criterion, group, attestation) without ``quote_kind``, and each paraphrase
    written inside quotation marks as a whole (a warning: it reads as the payer's words)."""
    quoted = [(loc, node.quote, node.quote_kind) for node, loc in node_locations(policy.criteria)]
    quoted += [
        (("attestations", index), a.quote, a.quote_kind)
        for index, a in enumerate(policy.attestations)
    ]
    for loc, quote, kind in quoted:
        if quote and kind is None:
            yield problem_at(item, (*loc, "quote"), "quote_kind is missing", _QUOTE_HINT)
        elif kind == "paraphrase" and _WRAPPED.match(quote):
            yield problem_at(
                item,
                (*loc, "quote"),
                "a paraphrase written in quotation marks reads as the payer's words",
                "the letter prints it without them; remove them, or mark it quote_kind: verbatim "
                "if these are the payer's exact words",
                "warning",
            )
