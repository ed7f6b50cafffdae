"""One call per standards output from a chart (parsed JSON): what the CLI and HTTP routes use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any

from priorauth.determination import Determination
from priorauth.errors import UnknownPayerError
from priorauth.evaluate import check_attested, evaluate, select_policies
from priorauth.exchange import crd, dtr, pas
from priorauth.facts import PatientRecord
from priorauth.pipeline import chart_facts
from priorauth.rules import Policy, RuleSet

__all__ = ["crd_for_request", "determine", "pas_for_chart", "prefill_for_chart"]


def determine(
    chart: dict[str, Any],
    rules: RuleSet,
    *,
    payer: str,
    as_of: dt.date,
    attested: Collection[str] = (),
    facts: Callable[..., PatientRecord] = chart_facts,
) -> tuple[Policy, Determination]:
    """The first policy ``payer`` selects for the chart, and its Determination.

    ``attested``: attestation ids the signer confirms (an id the policy lacks raises
    ``UnknownAttestationError``). ``facts``: load + facts (the service passes its chart pool,
    priorauth.budget)."""
    record = facts(chart, as_of=as_of)
    policies = select_policies(rules, payer=payer, record=record, as_of=as_of)
    if not policies:
        raise UnknownPayerError(f"no policy of payer {payer!r} is in force on {as_of}")
    check_attested(attested, policies[:1])
    return policies[0], evaluate(record, policies[0], as_of=as_of, attested=attested)


def pas_for_chart(
    chart: dict[str, Any],
    rules: RuleSet,
    *,
    payer: str,
    as_of: dt.date,
    attested: Collection[str] = (),
    facts: Callable[..., PatientRecord] = chart_facts,
) -> dict[str, Any]:
    """The PAS request Bundle, with the letter PDF rendered from the determination."""
    from priorauth.render import render_pdf  # WeasyPrint loads only when used

    policy, determination = determine(
        chart, rules, payer=payer, as_of=as_of, attested=attested, facts=facts
    )
    letter = render_pdf(determination)
    return pas.pas_bundle(
        policy, determination, letter_pdf=letter, chart=pas.chart_resources(chart)
    )


def prefill_for_chart(
    chart: dict[str, Any],
    rules: RuleSet,
    *,
    payer: str,
    as_of: dt.date,
    attested: Collection[str] = (),
    facts: Callable[..., PatientRecord] = chart_facts,
) -> dict[str, Any]:
    """The prefilled DTR QuestionnaireResponse (context: the chart's Coverage and the order)."""
    policy, determination = determine(
        chart, rules, payer=payer, as_of=as_of, attested=attested, facts=facts
    )
    coverage = determination.record.coverages[0].evidence if determination.record.coverages else ()
    context = (*coverage[:1], f"ServiceRequest/tms-{policy.id}")
    if len(context) < 2:
        context = ("Coverage/unknown", *context)
    return dtr.prefilled_response(policy, determination, context=context)


def crd_for_request(
    request: dict[str, Any],
    rules: RuleSet,
    *,
    payer: str,
    as_of: dt.date,
    facts: Callable[..., PatientRecord] = chart_facts,
) -> dict[str, Any]:
    """The CDS Hooks response: no cards when no draft order is TMS."""
    orders = crd.tms_orders(request)
    if not orders:
        return {"cards": []}
    _policy, determination = determine(
        crd.chart_from_request(request), rules, payer=payer, as_of=as_of, facts=facts
    )
    return crd.crd_response(determination, orders)
