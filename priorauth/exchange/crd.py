"""CRD: CDS Hooks 2.0 discovery and the cards + systemAction of an order-select/order-sign call.

:func:`chart_from_request` turns a CDS Hooks request (prefetch resources or searchset Bundles,
plus ``context.draftOrders``) into a FHIR Bundle the pipeline reads; :func:`tms_orders` finds the
draft ServiceRequests with a TMS CPT code (in ``code`` or the CRD ``ext-billing-options``);
:func:`crd_response` answers with the safety alerts first (``critical`` cards), then one card
saying that prior authorization is needed under the matched policy and what documentation is
missing, and a ``systemAction`` adding the ``coverage-information`` extension to each TMS order.
"""

from __future__ import annotations

from typing import Any

from priorauth.determination import Determination
from priorauth.exchange._common import (
    CPT,
    CRD,
    TMS_CPT,
    coding,
    questionnaire_url,
    reference,
    stable_id,
)

__all__ = [
    "SERVICES",
    "chart_from_request",
    "coverage_information",
    "crd_response",
    "discovery",
    "request_problems",
    "tms_orders",
]

_PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "coverage": "Coverage?patient={{context.patientId}}&status=active",
    "conditions": "Condition?patient={{context.patientId}}",
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "practitioner": "{{context.userId}}",
}
_DESCRIPTION = (
    "Whether prior authorization is needed for TMS (CPT 90867-90869) under the patient's payer "
    "policy, the documentation still missing, and safety alerts."
)
SERVICES = {"priorauth-tms-order-select": "order-select", "priorauth-tms-order-sign": "order-sign"}


def discovery() -> dict[str, Any]:
    """The ``GET /cds-services`` body."""
    return {
        "services": [
            {
                "hook": hook,
                "id": service,
                "title": f"TMS prior-authorization requirements ({hook})",
                "description": _DESCRIPTION,
                "prefetch": _PREFETCH,
            }
            for service, hook in SERVICES.items()
        ]
    }


def request_problems(request: dict[str, Any]) -> list[tuple[str, str]]:
    """(location, message) for each part of a hook request this service cannot read."""
    context = request.get("context")
    if not isinstance(context, dict):
        return [("context", "context must be a JSON object")]
    orders = context.get("draftOrders")
    if not isinstance(orders, dict) or orders.get("resourceType") != "Bundle":
        return [("context.draftOrders", "context.draftOrders must be a FHIR Bundle")]
    entries = orders.get("entry", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return [("context.draftOrders.entry", "entry must be a list of objects")]
    prefetch = request.get("prefetch", {})
    if prefetch is not None and not isinstance(prefetch, dict):
        return [("prefetch", "prefetch must be a JSON object")]
    return [
        (f"prefetch.{key}", "a prefetch value must be a FHIR resource, a Bundle or null")
        for key, value in (prefetch or {}).items()
        if value is not None and not (isinstance(value, dict) and "resourceType" in value)
    ]


def chart_from_request(request: dict[str, Any]) -> dict[str, Any]:
    """A collection Bundle of every resource in the request's prefetch and draft orders."""
    entries: list[dict[str, Any]] = []
    sources = list((request.get("prefetch") or {}).values())
    sources.append((request.get("context") or {}).get("draftOrders"))
    for source in sources:
        if not isinstance(source, dict):
            continue
        if source.get("resourceType") == "Bundle":
            entries += [
                e
                for e in source.get("entry", []) or []
                if isinstance(e, dict) and isinstance(e.get("resource"), dict)
            ]
        elif "resourceType" in source:
            entries.append({"resource": source})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def tms_orders(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The draft ServiceRequests whose code or billing options name a TMS CPT code (for
    order-select, only those in ``context.selections``)."""
    context = request.get("context") or {}
    orders = context.get("draftOrders") or {}
    selections = context.get("selections")
    chosen = (
        set(selections)
        if isinstance(selections, list) and request.get("hook") == ("order-select")
        else None
    )
    found = []
    for entry in orders.get("entry", []) or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "ServiceRequest":
            selected = chosen is None or f"ServiceRequest/{resource.get('id')}" in chosen
            if selected and _cpt_codes(resource) & TMS_CPT:
                found.append(resource)
    return found


def _cpt_codes(order: dict[str, Any]) -> set[str]:
    code = order.get("code")
    code = code if isinstance(code, dict) else {}
    codings = _list(code.get("coding"))
    for ext in _list(code.get("extension")):
        if isinstance(ext, dict) and str(ext.get("url", "")).endswith("ext-billing-options"):
            concept = ext.get("valueCodeableConcept")
            codings += _list(concept.get("coding")) if isinstance(concept, dict) else []
    return {str(c.get("code")) for c in codings if isinstance(c, dict) and c.get("system") == CPT}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def crd_response(determination: Determination, orders: list[dict[str, Any]]) -> dict[str, Any]:
    """Cards (safety alerts first, as ``critical``) and the coverage-information systemActions."""
    d = determination
    cards = [_alert_card(d, a.id) for a in d.alerts if a.reviewed_by is None]
    cards.append(_pa_card(d))
    actions = [_coverage_action(d, order) for order in orders]
    return {"cards": cards, "systemActions": actions}


def _source(d: Determination) -> dict[str, Any]:
    source: dict[str, Any] = {"label": f"priorauth: {d.policy.payer} policy {d.policy.id}"}
    if d.policy.source_urls:
        source["url"] = d.policy.source_urls[0]
    return source


def _alert_card(d: Determination, alert_id: str) -> dict[str, Any]:
    alert = next(a for a in d.alerts if a.id == alert_id)
    refs = sorted({r for e in alert.evidence for r in e.resources})
    return {
        "uuid": stable_id("alert", d.policy.id, d.as_of, alert.id),
        "summary": f"{'URGENT: ' if alert.urgent else ''}Safety: {alert.title}"[:140],
        "indicator": "critical",
        "detail": f"{alert.message}\n\nEvidence: {', '.join(refs) or 'none'}",
        "source": _source(d),
    }


def _pa_card(d: Determination) -> dict[str, Any]:
    policy = d.policy
    lines = [
        f"Status under {policy.title} (version {policy.version}): **{d.status.replace('_', ' ')}**."
    ]
    if d.gaps:
        lines.append("\nDocumentation missing:")
        lines += [f"- {gap.action}" for gap in d.gaps]
    unmet = [c for c in _leaves(d.criteria) if c.outcome == "not_met"]
    if unmet:
        lines.append("\nCriteria not met:")
        lines += [f"- {c.title}: {c.explanation}" for c in unmet]
    if d.attestations:
        lines.append("\nThe signing physician attests:")
        lines += [f"- {a.text}" for a in d.attestations]
    indicator = "info" if d.status == "meets" else "warning"
    card: dict[str, Any] = {
        "uuid": stable_id("pa", policy.id, d.as_of, d.status),
        "summary": f"Prior authorization required for TMS ({policy.payer})"[:140],
        "indicator": indicator,
        "detail": "\n".join(lines),
        "source": _source(d)
        | {
            "topic": {
                "system": "http://hl7.org/fhir/us/davinci-crd/CodeSystem/cardType",
                "code": "coverage-info",
            }
        },
    }
    if policy.source_urls:
        card["links"] = [
            {"label": "Payer policy", "url": policy.source_urls[0], "type": "absolute"}
        ]
    return card


def _leaves(results: Any) -> list[Any]:
    out = []
    for r in results:
        out += _leaves(r.children) if r.children else [r]
    return out


def coverage_information(d: Determination, order: dict[str, Any]) -> dict[str, Any]:
    """The CRD ``coverage-information`` extension for one order."""
    coverage = (
        d.record.coverages[0].evidence[0]
        if d.record.coverages and d.record.coverages[0].evidence
        else "Coverage/unknown"
    )
    parts: list[dict[str, Any]] = [
        {"url": "coverage", "valueReference": reference(coverage)},
        {"url": "covered", "valueCode": "covered" if d.status == "meets" else "conditional"},
        {"url": "pa-needed", "valueCode": "auth-needed"},
        {"url": "doc-needed", "valueCode": "clinical"},
        {"url": "doc-purpose", "valueCode": "withpa"},
    ]
    parts += [
        {"url": "billingCode", "valueCoding": coding(CPT, code)}
        for code in sorted(_cpt_codes(order) & TMS_CPT)
    ]
    parts += [{"url": "reason", "valueCodeableConcept": {"text": gap.action}} for gap in d.gaps]
    parts += [
        {"url": "questionnaire", "valueCanonical": questionnaire_url(d.policy.id)},
        {"url": "date", "valueDate": d.as_of.isoformat()},
        {
            "url": "coverage-assertion-id",
            "valueString": stable_id("crd", d.policy.id, d.as_of, order.get("id")),
        },
    ]
    return {"url": f"{CRD}ext-coverage-information", "extension": parts}


def _coverage_action(d: Determination, order: dict[str, Any]) -> dict[str, Any]:
    updated = dict(order)
    updated["extension"] = [*order.get("extension", []), coverage_information(d, order)]
    return {
        "type": "update",
        "description": "Add coverage information to the TMS order",
        "resource": updated,
    }
