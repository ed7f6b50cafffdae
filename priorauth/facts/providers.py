"""Who is asking: the requesting practitioner and the practice organization.

Practitioner, first found wins:

1. the ``requester`` of the latest ServiceRequest (the TMS order), else of the latest
   MedicationRequest (a PractitionerRole gives the practitioner, the organization and the role's
   phone/fax); a conditional reference that cannot be resolved still gives the NPI it names;
2. the practitioner most often named as Condition recorder/asserter, Observation or Procedure
   performer or Encounter participant;
3. the only Practitioner in the chart.

Organization: the requester's PractitionerRole organization (or a PractitionerRole naming the
practitioner), else the ``serviceProvider`` of the request's Encounter, else of the latest
Encounter, else the only non-payer Organization (one no Coverage names as payor).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

from priorauth.facts.models import Address, ProviderFact
from priorauth.facts.patient import human_name, id_by_type, type_of
from priorauth.fhir.datatypes import cc_text, field, parse_date, period_bounds
from priorauth.fhir.index import ResourceIndex
from priorauth.fhir.references import reference_parts

__all__ = ["extract_providers"]

NPI = "http://hl7.org/fhir/sid/us-npi"
_TIN_SYSTEMS = {"urn:oid:2.16.840.1.113883.4.4", "http://hl7.org/fhir/sid/us-tin"}
_PAYER_TYPES = {"pay", "ins"}


def _telecom(resource: Any, system: str) -> str | None:
    for point in field(resource, "telecom") or []:
        if field(point, "system") == system and field(point, "value"):
            return str(field(point, "value"))
    return None


def _address(resource: Any) -> Address | None:
    value = field(resource, "address")
    addresses = list(value) if isinstance(value, list) else [value] if value is not None else []
    work = [a for a in addresses if field(a, "use") == "work"]
    chosen = (work or addresses or [None])[0]
    if chosen is None:
        return None
    return Address(
        lines=tuple(str(line) for line in field(chosen, "line") or []),
        city=field(chosen, "city"),
        state=field(chosen, "state"),
        postal_code=field(chosen, "postalCode"),
    )


def _system_id(resource: Any, systems: set[str]) -> str | None:
    for identifier in field(resource, "identifier") or []:
        if field(identifier, "system") in systems and field(identifier, "value"):
            return str(field(identifier, "value"))
    return None


def _credentials(practitioner: Any) -> str | None:
    names = list(field(practitioner, "name") or [])
    suffixes = [str(s) for n in names[:1] for s in field(n, "suffix") or []]
    quals = [cc_text(field(q, "code")) for q in field(practitioner, "qualification") or []]
    found = [s for s in [*suffixes, *quals] if s]
    return ", ".join(dict.fromkeys(found)) or None


def _provider(
    index: ResourceIndex,
    resource: Any,
    kind: Literal["practitioner", "organization"],
    role: Any = None,
) -> ProviderFact:
    sources = [resource, role] if role is not None else [resource]
    refs = [index.ref_of(r) for r in sources]
    name = (
        human_name(field(resource, "name")) if kind == "practitioner" else field(resource, "name")
    )
    return ProviderFact(
        kind=kind,
        name=name,
        credentials=_credentials(resource) if kind == "practitioner" else None,
        npi=_first(_system_id(r, {NPI}) for r in sources),
        tin=_system_id(resource, _TIN_SYSTEMS) or id_by_type(resource, "TAX"),
        address=_first(_address(r) for r in sources),
        phone=_first(_telecom(r, "phone") for r in reversed(sources)),
        fax=_first(_telecom(r, "fax") for r in reversed(sources)),
        evidence=tuple(refs),
    )


def _first(values: Iterator[Any] | Any) -> Any:
    return next((v for v in values if v is not None), None)


def _latest(resources: Sequence[Any], date_field: str) -> list[Any]:
    dated = [
        (parse_date(field(r, date_field)) or dt.date.min, i, r) for i, r in enumerate(resources)
    ]
    return [r for _d, _i, r in sorted(dated, key=lambda t: (t[0], t[1]), reverse=True)]


def _requests(index: ResourceIndex) -> Iterator[Any]:
    """Requests with a requester, the preferred (latest ``authoredOn``, then last) first.

    Ordered on the raw dicts and validated lazily, in batches of 1, 2, 4... (usually only the
    first is needed), so a chart's hundreds of MedicationRequests are not all validated here.
    """
    for kind in ("ServiceRequest", "MedicationRequest"):
        raws = [r for r in index.raw(kind) if r.get("requester") is not None]
        ranked = _latest(raws, "authoredOn")
        rank = {index.location_of(r): i for i, r in enumerate(ranked)}
        start, size = 0, 1
        while start < len(ranked):
            models = index.resources(kind, where=_one_of(ranked[start : start + size]))
            for request in sorted(models, key=lambda m: rank[index.location_of(m)]):
                if field(request, "requester") is not None:
                    yield request
            start, size = start + size, size * 2


def _one_of(raws: Sequence[dict[str, Any]]) -> Callable[[dict[str, Any]], bool]:
    """A ``where`` test selecting exactly these raw dicts (by identity)."""
    wanted = {id(r) for r in raws}
    return lambda raw: id(raw) in wanted


def _from_npi_reference(reference: Any) -> ProviderFact | None:
    text, identifier, _type = reference_parts(reference)
    npi = identifier[1] if identifier is not None and identifier[0] == NPI else None
    if npi is None and text and f"{NPI}|" in text:
        npi = text.rsplit("|", 1)[-1].split("&")[0]
    if npi is None:
        return None
    return ProviderFact(kind="practitioner", npi=npi, name=field(reference, "display"))


def _referenced_practitioners(index: ResourceIndex) -> Iterator[Any]:
    """Practitioners named by clinical resources (recorder, asserter, performer, participant)."""
    fields = {
        "Condition": ("recorder", "asserter"),
        "Observation": ("performer",),
        "Procedure": ("performer",),
        "Encounter": ("participant",),
    }
    for kind, names in fields.items():
        for resource in index.resources(kind):
            for name in names:
                for value in _as_list(field(resource, name)):
                    reference = field(value, "actor") or field(value, "individual") or value
                    target = index.resolve(reference, context=resource)
                    if type_of(target) == "Practitioner":
                        yield target


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _clinician(index: ResourceIndex) -> Any:
    counts = Counter(index.ref_of(p) for p in _referenced_practitioners(index))
    practitioners = index.resources("Practitioner")
    if counts:
        best = counts.most_common(1)[0][0]
        return next((p for p in practitioners if index.ref_of(p) == best), None)
    return practitioners[0] if len(practitioners) == 1 else None


def _role_for(index: ResourceIndex, practitioner: Any) -> Any:
    ref = index.ref_of(practitioner)
    for role in index.resources("PractitionerRole"):
        target = index.resolve(field(role, "practitioner"), context=role, expect="Practitioner")
        if target is not None and index.ref_of(target) == ref:
            return role
    return None


def _service_provider(index: ResourceIndex, request: Any) -> Any:
    if request is not None and field(request, "encounter") is not None:
        encounter = index.resolve(field(request, "encounter"), context=request, expect="Encounter")
        target = _provider_of(index, encounter)
        if target is not None:  # the usual case: no need to validate every Encounter
            return target
    dated = sorted(
        index.resources("Encounter", where=_has_service_provider),
        key=lambda e: period_bounds(field(e, "period"))[0] or dt.date.min,
        reverse=True,
    )
    for encounter in dated:
        target = _provider_of(index, encounter)
        if target is not None:
            return target
    return None


def _provider_of(index: ResourceIndex, encounter: Any) -> Any:
    provider = field(encounter, "serviceProvider")
    if provider is None:
        return None
    return index.resolve(provider, context=encounter, expect="Organization")


def _has_service_provider(raw: dict[str, Any]) -> bool:
    """Raw prefilter: an Encounter without serviceProvider cannot give one."""
    return raw.get("serviceProvider") is not None


def _sole_provider_organization(index: ResourceIndex) -> Any:
    payers = set()
    for coverage in index.resources("Coverage"):
        for payor in field(coverage, "payor") or []:
            target = index.resolve(payor, context=coverage)
            if target is not None:
                payers.add(index.ref_of(target))
    candidates = [
        org
        for org in index.resources("Organization")
        if index.ref_of(org) not in payers and not _is_payer_type(org)
    ]
    return candidates[0] if len(candidates) == 1 else None


def _is_payer_type(organization: Any) -> bool:
    return any(
        field(coding, "code") in _PAYER_TYPES
        for concept in field(organization, "type") or []
        for coding in field(concept, "coding") or []
    )


def _requester(index: ResourceIndex) -> tuple[Any, Any, ProviderFact | None]:
    """(request, resolved requester, NPI-only fallback) of the preferred request."""
    fallback = None
    for request in _requests(index):
        target = index.resolve(field(request, "requester"), context=request)
        if target is not None:
            return request, target, None
        fallback = fallback or _from_npi_reference(field(request, "requester"))
    return None, None, fallback


def extract_providers(index: ResourceIndex) -> tuple[ProviderFact | None, ProviderFact | None]:
    """(practitioner, organization) for the request; either may be None."""
    request, target, fallback = _requester(index)
    kind = type_of(target)
    organization = target if kind == "Organization" else None
    role = target if kind == "PractitionerRole" else None
    practitioner = target if kind == "Practitioner" else None
    if role is not None:
        practitioner = index.resolve(
            field(role, "practitioner"), context=role, expect="Practitioner"
        )
    if practitioner is None and role is None and organization is None and fallback is None:
        practitioner = _clinician(index)
    if role is None and practitioner is not None:
        role = _role_for(index, practitioner)
    if organization is None and role is not None and field(role, "organization") is not None:
        organization = index.resolve(
            field(role, "organization"), context=role, expect="Organization"
        )
    organization = (
        organization or _service_provider(index, request) or _sole_provider_organization(index)
    )
    doctor = _provider(index, practitioner, "practitioner", role) if practitioner else fallback
    org = _provider(index, organization, "organization") if organization is not None else None
    return doctor, org
