"""The pipeline as the service and the batch runner call it: chart → determinations → letter.

A :class:`Pipeline` holds the rule set, loaded once (read-only) at start-up. Every method is pure
apart from reading the chart it is given, so one instance serves many threads, and each batch
worker process builds its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Literal

from priorauth.determination import CriterionResult, Determination
from priorauth.errors import UnknownPayerError
from priorauth.evaluate import (
    check_attested,
    evaluate,
    select_policies,
)
from priorauth.evaluate.floor import check_reviewed
from priorauth.facts import PatientRecord
from priorauth.pipeline import chart_facts, letter_determination
from priorauth.render.options import LetterOptions
from priorauth.rules import Policy, RuleSet, load_rules

__all__ = ["LetterFormat", "Pipeline", "unmet_criteria"]

LetterFormat = Literal["pdf", "html", "json"]
FactsStage = Callable[..., PatientRecord]
"""Stages 1 and 2 as the pipeline calls them: ``(chart, as_of=..., source_name=...,
patient=...)``."""


class Pipeline:
    """The rule set plus the calls that turn a chart into determinations and letters."""

    def __init__(
        self,
        rules_dir: Path | None = None,
        *,
        facts: FactsStage | None = None,
        refuse_absurd: bool = False,
    ) -> None:
        self.ruleset: RuleSet = load_rules(rules_dir)
        stage = facts or chart_facts
        self.facts: FactsStage = partial(stage, refuse_absurd=True) if refuse_absurd else stage
        """Load + facts: :func:`chart_facts`, or a :class:`priorauth.budget.ChartPool`'s; with
        ``refuse_absurd`` (the HTTP service) a chart holding a value no chart can hold is
        refused (ChartError) instead of noted (see :func:`priorauth.fhir.load_chart`)."""
        self.policies: tuple[Policy, ...] = tuple(self.ruleset.policies)

    def payer_ids(self) -> list[str]:
        """Every payer id with at least one policy, sorted."""
        return self.ruleset.payer_ids()

    def known(self, payer: str) -> bool:
        """Whether ``payer`` is ``auto``, ``all``, a payer id or a policy id."""
        return (
            payer in ("auto", "all")
            or payer in self.ruleset.payer_ids()
            or payer in self.ruleset.ids()
        )

    def unknown_payer(self, payer: str) -> UnknownPayerError:
        """The error for a payer id that names neither a payer nor a policy."""
        known = ", ".join(self.payer_ids()) or "none"
        return UnknownPayerError(f"unknown payer or policy {payer!r}; known payers: {known}")

    def payer_policies(self, payer: str) -> list[Policy]:
        """The policies of one payer; :class:`UnknownPayerError` when there are none."""
        found = list(self.ruleset.for_payer(payer))
        if not found:
            raise self.unknown_payer(payer)
        return found

    def fingerprint(self, payer: str) -> str:
        """SHA-256 over the content hashes of every policy ``payer`` could select."""
        if payer in ("auto", "all"):
            policies = self.policies
        elif payer in self.ruleset.ids():
            policies = (self.ruleset.get(payer),)
        else:
            policies = tuple(self.payer_policies(payer))
        joined = "\n".join(sorted(policy.content_hash for policy in policies))
        return hashlib.sha256(joined.encode()).hexdigest()

    def determinations(
        self,
        chart: Any,
        *,
        payer: str,
        as_of: dt.date,
        source: str = "<request>",
        attested: Sequence[str] = (),
        reviewed: Mapping[str, str] | None = None,
        patient: str | None = None,
    ) -> list[Determination]:
        """Load ``chart`` (a Bundle dict or a path), extract facts, evaluate the policies.

        ``reviewed``: relative safety alert id → reviewing clinician (refused when the chart has
        no such relative alert, see :func:`priorauth.evaluate.floor.check_reviewed`).
        ``patient``: the patient of a chart that holds several.
        """
        record = self.facts(chart, as_of=as_of, source_name=source, patient=patient)
        policies = select_policies(self.ruleset, payer=payer, record=record, as_of=as_of)
        check_attested(attested, policies)
        found = [
            evaluate(record, policy, as_of=as_of, attested=attested, reviewed=reviewed)
            for policy in policies
        ]
        check_reviewed(reviewed or {}, (a for d in found for a in d.alerts))
        return found

    def letter_determination(
        self,
        chart: Any,
        *,
        payer: str,
        as_of: dt.date,
        source: str = "<request>",
        attested: Sequence[str] = (),
        reviewed: Mapping[str, str] | None = None,
        allow_uncovered_payer: bool = False,
        patient: str | None = None,
    ) -> Determination:
        """The one determination a letter is written under.

        Refuses to choose among several policies (:class:`~priorauth.errors.AmbiguousPolicyError`
        naming them) and a policy whose payer is not one of the chart's coverages in force
        (:class:`~priorauth.errors.PayerNotOnChartError`) unless ``allow_uncovered_payer``.
        """
        record = self.facts(chart, as_of=as_of, source_name=source, patient=patient)
        _policy, found, _notes = letter_determination(
            record,
            self.ruleset,
            payer=payer,
            as_of=as_of,
            attested=attested,
            reviewed=reviewed,
            allow_uncovered_payer=allow_uncovered_payer,
        )
        return found

    def letter(
        self, determination: Determination, fmt: LetterFormat, options: LetterOptions
    ) -> bytes:
        """The letter for one determination as PDF, HTML or JSON bytes."""
        from priorauth.render import letter_bytes  # the PDF stack loads on the first letter

        return letter_bytes(determination, format=fmt, options=options)


def unmet_criteria(determination: Determination) -> list[CriterionResult]:
    """The ``not_met`` leaf criteria that keep the policy from being met.

    Groups that are met are not opened, so an unmet alternative of a met any-of group (say,
    "retreatment" when "initial course" is met) is not listed.
    """
    found: list[CriterionResult] = []
    pending = list(reversed(determination.criteria))
    while pending:
        node = pending.pop()
        if node.outcome == "met":
            continue
        if node.children:
            pending.extend(reversed(node.children))
        elif node.outcome == "not_met":
            found.append(node)
    return found
