"""The whole pipeline in one call: chart → facts → policies → determinations.

>>> import datetime as dt
>>> from priorauth.pipeline import evaluate_file
>>> [d.status for d in evaluate_file("examples/trd_meets_policies.json", payer="aetna",
...                                  as_of=dt.date(2026, 11, 25))]   # doctest: +SKIP
['meets']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from priorauth.determination import Determination
from priorauth.evaluate import (
    check_attested,
    evaluate,
    require_payer_on_chart,
    select_one,
    select_policies,
)
from priorauth.evaluate.floor import check_reviewed
from priorauth.facts import PatientRecord, extract_facts
from priorauth.fhir import ResourceIndex, load_chart
from priorauth.fhir.loader import ChartSource
from priorauth.gcpause import gc_paused
from priorauth.rules import Policy, RuleSet, load_rules

__all__ = [
    "chart_facts",
    "evaluate_bundle",
    "evaluate_file",
    "evaluate_record",
    "letter_determination",
]


def chart_facts(
    source: ChartSource,
    *,
    as_of: dt.date,
    patient: str | None = None,
    strict: bool = False,
    refuse_absurd: bool = False,
    source_name: str | None = None,
) -> PatientRecord:
    """Stages 1 and 2 in one call: load a chart and extract one patient's PatientRecord.

    The same record as ``extract_facts(load_chart(source), as_of=as_of, patient=patient)``,
    with the garbage collector paused across both stages (priorauth.gcpause), so the tens of
    thousands of objects the chart was parsed into are not walked by a collection between
    them. The CLI, the HTTP service and :func:`evaluate_file` all read charts this way (the
    service with ``refuse_absurd``: see :func:`priorauth.fhir.load_chart`).
    """
    with gc_paused():
        index = load_chart(
            source, strict=strict, refuse_absurd=refuse_absurd, source_name=source_name
        )
        record = extract_facts(index, as_of=as_of, patient=patient)
        del index  # freed while paused: a collection after the pause then walks the record only
    return record


def evaluate_record(
    record: PatientRecord, rules: RuleSet, *, payer: str, as_of: dt.date
) -> list[Determination]:
    """Apply the policies ``payer`` selects (an id, ``auto`` or ``all``) to one PatientRecord."""
    policies = select_policies(rules, payer=payer, record=record, as_of=as_of)
    return [evaluate(record, policy, as_of=as_of) for policy in policies]


def letter_determination(
    record: PatientRecord,
    rules: RuleSet,
    *,
    payer: str,
    as_of: dt.date,
    attested: Collection[str] = (),
    reviewed: Mapping[str, str] | None = None,
    allow_uncovered_payer: bool = False,
) -> tuple[Policy, Determination, tuple[str, ...]]:
    """The one policy a letter is written under, its Determination, and the selection's notes.

    Refuses to choose among several policies (:class:`~priorauth.errors.AmbiguousPolicyError`
    naming them) and a policy whose payer is not one of the chart's coverages in force
    (:class:`~priorauth.errors.PayerNotOnChartError`) unless ``allow_uncovered_payer``; refuses
    attested ids the policy lacks and reviews of alerts the chart does not have. The CLI's
    ``letter`` and the service's ``/letters`` and ``batch`` all decide through this.
    """
    choice = select_one(rules, payer=payer, record=record, as_of=as_of)
    require_payer_on_chart(
        choice.policy, record, as_of, allow_uncovered_payer=allow_uncovered_payer
    )
    check_attested(attested, [choice.policy])
    found = evaluate(record, choice.policy, as_of=as_of, attested=attested, reviewed=reviewed)
    check_reviewed(reviewed or {}, found.alerts)
    return choice.policy, found, tuple(choice.notes)


def evaluate_bundle(
    chart: ResourceIndex, rules: RuleSet, *, payer: str, as_of: dt.date
) -> list[Determination]:
    """Extract the facts of a loaded chart and evaluate them."""
    record = extract_facts(chart, as_of=as_of)
    return evaluate_record(record, rules, payer=payer, as_of=as_of)


def evaluate_file(
    path: Path | str | Any,
    *,
    payer: str,
    as_of: dt.date,
    rules_dir: Path | None = None,
) -> list[Determination]:
    """Load a chart (file, folder, bytes or parsed JSON), extract facts, evaluate policies."""
    record = chart_facts(path, as_of=as_of)
    return evaluate_record(record, load_rules(rules_dir), payer=payer, as_of=as_of)
