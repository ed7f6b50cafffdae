"""One call per standards output from a chart (parsed JSON): what the CLI and HTTP routes use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any

from priorauth.determination import Determination
from priorauth.exchange import crd, dtr, pas
from priorauth.facts import PatientRecord
from priorauth.pipeline import chart_facts, letter_determination
from priorauth.rules import Policy, RuleSet

__all__ = ["crd_for_request", "determine", "pas_for_chart", "prefill_for_chart"]


def determine(
    chart: dict[str, Any],
    rules: RuleSet,
    *,
    payer: str,
    as_of: dt.date,
    attested: Collection[str] = (),
    allow_uncovered_payer: bool = False,
    facts: Callable[..., PatientRecord] = chart_facts,
) -> tuple[Policy, Determination]:
    """The one policy ``payer`` selects for the chart, and its Determination, chosen exactly as
    a letter's (:func:`priorauth.pipeline.letter_determination`).

    Several policies that fit raise :class:`~priorauth.errors.AmbiguousPolicyError` (never the
    first one silently); a policy whose payer is not one of the chart's coverages in force raises
    :class:`~priorauth.errors.PayerNotOnChartError` unless ``allow_uncovered_payer``.
    ``attested``: attestation ids the signer confirms (an id the policy lacks raises
    ``UnknownAttestationError``). ``facts``: load + facts (the service passes its chart pool,
    priorauth.budget)."""
    record = facts(chart, as_of=as_of)
    policy, determination, _notes = letter_determination(
        record,
        rules,
        payer=payer,
        as_of=as_of,
        attested=attested,
        allow_uncovered_payer=allow_uncovered_payer,
    )
    return policy, determination


def pas_for_chart(
    chart: dict[str, Any],
    rules: RuleSet,
    *,
    payer: str,
    as_of: dt.date,
    attested: Collection[str] = (),
    allow_uncovered_payer: bool = False,
    facts: Callable[..., PatientRecord] = chart_facts,
) -> dict[str, Any]:
    """The PAS request Bundle, with the letter PDF rendered from the determination."""
    from priorauth.render import render_pdf  # WeasyPrint loads only when used

    policy, determination = determine(
        chart,
        rules,
        payer=payer,
        as_of=as_of,
        attested=attested,
        allow_uncovered_payer=allow_uncovered_payer,
        facts=facts,
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
    allow_uncovered_payer: bool = False,
    facts: Callable[..., PatientRecord] = chart_facts,
) -> dict[str, Any]:
    """The prefilled DTR QuestionnaireResponse (context: the chart's Coverage and the order)."""
    policy, determination = determine(
        chart,
        rules,
        payer=payer,
        as_of=as_of,
        attested=attested,
        allow_uncovered_payer=allow_uncovered_payer,
        facts=facts,
    )
    chosen = determination.coverage  # the coverage with the policy's payer, as on the letter
    coverage = chosen.evidence if chosen is not None else ()
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
        crd.chart_from_request(request),
        rules,
        payer=payer,
        as_of=as_of,
        allow_uncovered_payer=True,  # advisory cards: the order's payer need not be on the chart
        facts=facts,
    )
    return crd.crd_response(determination, orders)
