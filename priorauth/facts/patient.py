"""Who the patient is, who pays, and who is asking: Patient, Coverage, practitioner, organization.

* **Coverage**: top-level Coverage resources, plus Coverage contained in ExplanationOfBenefit
  (Synthea: ``insurance[].coverage`` → ``#coverage``, payer only as ``display``). Contained
  coverages with the same payer and plan are one fact whose period spans the EOBs' billable
  periods (evidence: the first and last EOB). Payer names come from the ``payor`` Organization
  (resolved), else the reference ``display``, else the Coverage ``type`` text. Active and most
  recent coverages come first.
* **Requester**: the latest ServiceRequest's ``requester``, else the latest MedicationRequest's.
  A PractitionerRole gives the practitioner, the organization and its own phone/fax. A
  conditional reference that cannot be resolved still gives the NPI it names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from priorauth.facts.models import Address, CoverageFact, PatientFact, ProviderFact
from priorauth.fhir.datatypes import cc_text, codings, field, parse_date, period_bounds
from priorauth.fhir.references import reference_parts

__all__ = ["extract_coverages", "extract_patient", "extract_providers"]

NPI = "http://hl7.org/fhir/sid/us-npi"
_TIN_SYSTEMS = {"urn:oid:2.16.840.1.113883.4.4", "http://hl7.org/fhir/sid/us-tin"}


def _name(names: Any) -> str | None:
    """``text``, else ``given family`` of the official (or first) HumanName."""
    names = list(names or [])
    chosen = next((n for n in names if field(n, "use") == "official"), names[0] if names else None)
    if chosen is None:
        return None
    if field(chosen, "text"):
        return str(field(chosen, "text"))
    parts = [*(field(chosen, "given") or []), field(chosen, "family")]
    return " ".join(str(p) for p in parts if p) or None


def age_on(birth: dt.date | None, as_of: dt.date) -> int | None:
    """Whole years from ``birth`` to ``as_of``.

    >>> age_on(dt.date(1980, 6, 15), dt.date(2024, 6, 14)), age_on(dt.date(1980, 6, 15), dt.date(2024, 6, 15))
    (43, 44)
    """
    if birth is None:
        return None
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


def _identifiers(resource: Any) -> dict[str, str]:
    """System (or type text) → value; the v2-0203 type code too (``MR`` for the MRN)."""
    table: dict[str, str] = {}
    for identifier in field(resource, "identifier") or []:
        value = field(identifier, "value")
        if not value:
            continue
        key = field(identifier, "system") or cc_text(field(identifier, "type")) or "identifier"
        table.setdefault(str(key), str(value))
        for _system, code, _display in codings(field(identifier, "type")):
            if code:
                table.setdefault(code, str(value))
    return table


def extract_patient(index: Any, patient: Any, as_of: dt.date) -> PatientFact:
    """The PatientFact of a Patient model (an empty fact when the chart has no Patient)."""
    if patient is None:
        return PatientFact()
    birth = parse_date(field(patient, "birthDate"))
    return PatientFact(
        ref=index.ref_of(patient),
        name=_name(field(patient, "name")),
        birth_date=birth,
        age=age_on(birth, as_of),
        sex=field(patient, "gender"),
        identifiers=_identifiers(patient),
        evidence=(index.ref_of(patient),),
    )


# --------------------------------------------------------------------------------- coverage


def _id_by_type(resource: Any, type_code: str) -> str | None:
    for identifier in field(resource, "identifier") or []:
        codes = {code for _s, code, _d in codings(field(identifier, "type"))}
        if type_code in codes and field(identifier, "value"):
            return str(field(identifier, "value"))
    return None


def _class_value(coverage: Any, kind: str, prefer_name: bool) -> str | None:
    for item in field(coverage, "class_fhir") or field(coverage, "class") or []:
        if kind in {code for _s, code, _d in codings(field(item, "type"))}:
            value, name = field(item, "value"), field(item, "name")
            return str((name or value) if prefer_name else (value or name))
    return None


def _payor(index: Any, coverage: Any) -> tuple[str | None, tuple[str, ...]]:
    for reference in field(coverage, "payor") or []:
        target = index.resolve(reference, context=coverage)
        if target is not None and field(target, "name"):
            ids = tuple(dict.fromkeys(str(field(i, "value")) for i in field(target, "identifier") or [] if field(i, "value")))
            return str(field(target, "name")), ids
        if target is not None and _type_of(target) in ("Patient", "RelatedPerson"):
            return "self-pay", ()
        if field(reference, "display"):
            return str(field(reference, "display")), ()
    return cc_text(field(coverage, "type")) or None, ()


def _type_of(resource: Any) -> str | None:
    value = getattr(resource, "__resource_type__", None)
    return value if isinstance(value, str) else None


def _coverage(index: Any, coverage: Any, refs: Sequence[str],
              period: tuple[dt.date | None, dt.date | None]) -> CoverageFact:
    payer, payer_ids = _payor(index, coverage)
    start, end = period_bounds(field(coverage, "period"))
    return CoverageFact(
        payer_name=payer, payer_identifiers=payer_ids,
        member_id=_id_by_type(coverage, "MB") or field(coverage, "subscriberId")
        or next(iter(_identifiers(coverage).values()), None),
        group=_class_value(coverage, "group", prefer_name=False),
        plan=_class_value(coverage, "plan", prefer_name=True) or cc_text(field(coverage, "type")) or None,
        subscriber_id=field(coverage, "subscriberId"),
        relationship=cc_text(field(coverage, "relationship")) or None,
        period_start=start or period[0], period_end=end or period[1],
        status=field(coverage, "status"), evidence=tuple(refs),
    )  # fmt: skip


def _contained(index: Any) -> Iterator[tuple[Any, Any]]:
    """(EOB, Coverage) pairs for coverages referenced from ExplanationOfBenefit.insurance."""
    for eob in index.resources("ExplanationOfBenefit"):
        for insurance in field(eob, "insurance") or []:
            reference = field(insurance, "coverage")
            text = reference_parts(reference)[0] if reference is not None else None
            if text and text.startswith("#"):
                target = index.resolve(reference, context=eob)
                if target is not None:
                    yield eob, target


def _eob_coverages(index: Any) -> list[CoverageFact]:
    groups: dict[tuple[str | None, str | None], list[tuple[Any, Any]]] = {}
    for eob, coverage in _contained(index):
        key = (_payor(index, coverage)[0], cc_text(field(coverage, "type")))
        groups.setdefault(key, []).append((eob, coverage))
    facts = []
    for pairs in groups.values():
        periods = [period_bounds(field(eob, "billablePeriod")) for eob, _c in pairs]
        starts = [s for s, _e in periods if s]
        ends = [e or s for s, e in periods if e or s]
        refs = [index.ref_of(pairs[0][0]), index.ref_of(pairs[-1][0])]
        span = (min(starts, default=None), max(ends, default=None))
        facts.append(_coverage(index, pairs[0][1], refs, span))
    return facts


def _recency(fact: CoverageFact) -> tuple[bool, int]:
    """Sort key: active (or status-less) first, then the latest period first."""
    latest = fact.period_end or fact.period_start or dt.date.min
    return fact.status not in (None, "active"), -latest.toordinal()


def extract_coverages(index: Any) -> tuple[CoverageFact, ...]:
    """Every coverage, active and most recent first."""
    facts = [
        _coverage(index, c, [index.ref_of(c)], (None, None)) for c in index.resources("Coverage")
    ]
    facts += _eob_coverages(index)
    return tuple(sorted(facts, key=_recency))


# --------------------------------------------------------------------------------- providers


def _telecom(resource: Any, system: str) -> str | None:
    for point in field(resource, "telecom") or []:
        if field(point, "system") == system and field(point, "value"):
            return str(field(point, "value"))
    return None


def _address(resource: Any) -> Address | None:
    addresses = list(field(resource, "address") or [])
    if not isinstance(field(resource, "address"), list) and field(resource, "address") is not None:
        addresses = [field(resource, "address")]
    chosen = next((a for a in addresses if field(a, "use") == "work"), addresses[0] if addresses else None)
    if chosen is None:
        return None
    return Address(
        lines=tuple(str(line) for line in field(chosen, "line") or []),
        city=field(chosen, "city"), state=field(chosen, "state"),
        postal_code=field(chosen, "postalCode"),
    )  # fmt: skip


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


def _provider(index: Any, resource: Any, kind: str, role: Any = None) -> ProviderFact:
    refs = [index.ref_of(resource), *([index.ref_of(role)] if role is not None else [])]
    name = _name(field(resource, "name")) if kind == "practitioner" else field(resource, "name")
    return ProviderFact(
        kind=kind,  # type: ignore[arg-type]
        name=name,
        credentials=_credentials(resource) if kind == "practitioner" else None,
        npi=_system_id(resource, {NPI}) or (_system_id(role, {NPI}) if role is not None else None),
        tin=_system_id(resource, _TIN_SYSTEMS) or _id_by_type(resource, "TAX"),
        address=_address(resource) or (_address(role) if role is not None else None),
        phone=(_telecom(role, "phone") if role is not None else None) or _telecom(resource, "phone"),
        fax=(_telecom(role, "fax") if role is not None else None) or _telecom(resource, "fax"),
        evidence=tuple(refs),
    )


def _latest(resources: Sequence[Any], date_field: str) -> list[Any]:
    dated = [(parse_date(field(r, date_field)) or dt.date.min, i, r) for i, r in enumerate(resources)]
    return [r for _d, _i, r in sorted(dated, key=lambda t: (t[0], t[1]), reverse=True)]


def _requesters(index: Any) -> Iterator[tuple[Any, Any]]:
    """(request, requester reference) pairs, preferred first."""
    for request in _latest(index.resources("ServiceRequest"), "authoredOn"):
        if field(request, "requester") is not None:
            yield request, field(request, "requester")
    for request in _latest(index.resources("MedicationRequest"), "authoredOn"):
        if field(request, "requester") is not None:
            yield request, field(request, "requester")


def _from_npi_reference(reference: Any) -> ProviderFact | None:
    text, identifier, _type = reference_parts(reference)
    if identifier is None and text and f"{NPI}|" in text:
        return ProviderFact(kind="practitioner", npi=text.rsplit("|", 1)[-1].split("&")[0],
                            name=field(reference, "display"))
    if identifier is not None and identifier[0] == NPI:
        return ProviderFact(kind="practitioner", npi=identifier[1], name=field(reference, "display"))
    return None


def _role_for(index: Any, practitioner: Any) -> Any:
    ref = index.ref_of(practitioner)
    for role in index.resources("PractitionerRole"):
        target = field(field(role, "practitioner"), "reference")
        resolved = index.resolve(field(role, "practitioner"), context=role) if target else None
        if resolved is not None and index.ref_of(resolved) == ref:
            return role
    return None


def extract_providers(index: Any) -> tuple[ProviderFact | None, ProviderFact | None]:
    """(practitioner, organization) of the request; either may be None."""
    for request, reference in _requesters(index):
        target = index.resolve(reference, context=request)
        if target is None:
            fallback = _from_npi_reference(reference)
            if fallback is not None:
                return fallback, None
            continue
        return _providers_of(index, target)
    return None, None


def _providers_of(index: Any, target: Any) -> tuple[ProviderFact | None, ProviderFact | None]:
    kind = _type_of(target)
    if kind == "Organization":
        return None, _provider(index, target, "organization")
    role = target if kind == "PractitionerRole" else None
    practitioner = target if kind == "Practitioner" else None
    if role is not None:
        practitioner = index.resolve(field(role, "practitioner"), context=role)
    elif practitioner is not None:
        role = _role_for(index, practitioner)
    organization = index.resolve(field(role, "organization"), context=role) if role is not None else None
    doctor = _provider(index, practitioner, "practitioner", role) if practitioner is not None else None
    org = _provider(index, organization, "organization") if organization is not None else None
    return doctor, org
