"""Who the patient is and who pays: Patient and Coverage.

* **Coverage**: top-level Coverage resources, plus Coverage contained in ExplanationOfBenefit
  (Synthea: ``insurance[].coverage`` → ``#coverage``, payer only as ``display``). Contained
  coverages with the same payor and type are one fact whose period spans the EOBs' billable
  periods (evidence: the first and last EOB, in chart order). Payer names come from the
  ``payor`` Organization (resolved), else the reference ``display``, else the Coverage ``type``
  text. Active and most recent coverages come first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from priorauth.facts.models import Address, CoverageFact, PatientFact
from priorauth.fhir.datatypes import cc_text, codings, field, parse_date, period_bounds
from priorauth.fhir.index import ResourceIndex
from priorauth.fhir.references import reference_parts

__all__ = [
    "deceased_on",
    "extract_coverages",
    "extract_patient",
    "identifiers",
    "in_force",
    "type_of",
]


def human_name(names: Any) -> str | None:
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

    >>> born = dt.date(1980, 6, 15)
    >>> age_on(born, dt.date(2024, 6, 14)), age_on(born, dt.date(2024, 6, 15))
    (43, 44)
    """
    if birth is None:
        return None
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


def identifiers(resource: Any) -> dict[str, str]:
    """System (or type text) → value; also the v2-0203 type code (``MR`` for the MRN; an untyped
    identifier whose system ends in ``mrn`` counts as ``MR``)."""
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
        if not field(identifier, "type") and str(key).lower().rstrip("/").endswith("mrn"):
            table.setdefault("MR", str(value))
    return table


def home_address(resource: Any) -> Address | None:
    """The ``home`` address of a Patient (else its first address), or None."""
    addresses = list(field(resource, "address") or [])
    chosen = next((a for a in addresses if field(a, "use") == "home"), None) or next(
        iter(addresses), None
    )
    if chosen is None:
        return None
    return Address(
        lines=tuple(str(line) for line in field(chosen, "line") or []),
        city=field(chosen, "city"),
        state=field(chosen, "state"),
        postal_code=field(chosen, "postalCode"),
    )


def extract_patient(index: ResourceIndex, patient: Any, as_of: dt.date) -> PatientFact:
    """The PatientFact of a Patient model (an empty fact when the chart has no Patient)."""
    if patient is None:
        return PatientFact()
    birth = parse_date(field(patient, "birthDate"))
    deceased, died = deceased_on(patient, as_of)
    return PatientFact(
        ref=index.ref_of(patient),
        name=human_name(field(patient, "name")),
        birth_date=birth,
        age=age_on(birth, as_of),
        sex=field(patient, "gender"),
        identifiers=identifiers(patient),
        deceased=deceased,
        deceased_date=died,
        address=home_address(patient),
        evidence=(index.ref_of(patient),),
    )


def deceased_on(patient: Any, as_of: dt.date) -> tuple[bool | None, dt.date | None]:
    """(deceased, date of death) from Patient.deceased[x], as of ``as_of``.

    ``deceasedBoolean`` true → (True, None), false → (False, None); ``deceasedDateTime`` on or
    before ``as_of`` → (True, date); a later date means alive on ``as_of`` → (False, date);
    nothing recorded → (None, None).

    >>> deceased_on({"deceasedDateTime": "2026-03-01"}, dt.date(2026, 6, 1))
    (True, datetime.date(2026, 3, 1))
    >>> deceased_on({"deceasedDateTime": "2026-09-01"}, dt.date(2026, 6, 1))
    (False, datetime.date(2026, 9, 1))
    >>> deceased_on({}, dt.date(2026, 6, 1))
    (None, None)
    """
    died = parse_date(field(patient, "deceasedDateTime"))
    if died is not None:
        return died <= as_of, died
    flag = field(patient, "deceasedBoolean")
    return (flag, None) if isinstance(flag, bool) else (None, None)


# --------------------------------------------------------------------------------- coverage


def id_by_type(resource: Any, type_code: str) -> str | None:
    """The value of the first identifier whose v2-0203 type is ``type_code`` (``MB``, ``TAX``)."""
    for identifier in field(resource, "identifier") or []:
        codes = {code for _s, code, _d in codings(field(identifier, "type"))}
        if type_code in codes and field(identifier, "value"):
            return str(field(identifier, "value"))
    return None


def _class_value(coverage: Any, kind: str) -> str | None:
    """The value (else the name) of the Coverage class of one kind (``group``, ``plan``)."""
    for item in field(coverage, "class_fhir") or field(coverage, "class") or []:
        if kind in {code for _s, code, _d in codings(field(item, "type"))}:
            value, name = field(item, "value"), field(item, "name")
            return str(value or name)
    return None


def _payor(index: ResourceIndex, coverage: Any) -> tuple[str | None, tuple[str, ...]]:
    for reference in field(coverage, "payor") or []:
        target = index.resolve(reference, context=coverage)
        if target is not None and field(target, "name"):
            ids = tuple(
                dict.fromkeys(
                    str(field(i, "value"))
                    for i in field(target, "identifier") or []
                    if field(i, "value")
                )
            )
            return str(field(target, "name")), ids
        if target is not None and type_of(target) in ("Patient", "RelatedPerson"):
            return "self-pay", ()
        if field(reference, "display"):
            return str(field(reference, "display")), ()
    return cc_text(field(coverage, "type")) or None, ()


def type_of(resource: Any) -> str | None:
    """The resource type of a model (or raw dict)."""
    if isinstance(resource, dict):
        name = resource.get("resourceType")
        return name if isinstance(name, str) else None
    value = getattr(resource, "__resource_type__", None)
    return value if isinstance(value, str) else None


_NOT_IN_FORCE = {"cancelled", "entered-in-error"}


def in_force(
    status: str | None, start: dt.date | None, end: dt.date | None, as_of: dt.date
) -> bool:
    """False when the status is cancelled / entered-in-error or the period does not cover
    ``as_of`` (started after it or ended before it); True otherwise (an open period is in force).

    >>> in_force("active", dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2026, 6, 1))
    False
    >>> day = dt.date(2026, 6, 1)
    >>> in_force(None, None, None, day), in_force("cancelled", None, None, day)
    (True, False)
    """
    if status in _NOT_IN_FORCE:
        return False
    return not ((start is not None and start > as_of) or (end is not None and end < as_of))


def _order(coverage: Any) -> int | None:
    order = field(coverage, "order")
    return order if isinstance(order, int) and not isinstance(order, bool) else None


def _coverage(
    index: ResourceIndex,
    coverage: Any,
    refs: Sequence[str],
    period: tuple[dt.date | None, dt.date | None],
    as_of: dt.date,
) -> CoverageFact:
    payer, payer_ids = _payor(index, coverage)
    start, end = period_bounds(field(coverage, "period"))
    status = field(coverage, "status")
    start, end = start or period[0], end or period[1]
    return CoverageFact(
        payer_name=payer, payer_identifiers=payer_ids,
        member_id=id_by_type(coverage, "MB") or field(coverage, "subscriberId")
        or next(iter(identifiers(coverage).values()), None),
        group=_class_value(coverage, "group"),
        plan=_class_value(coverage, "plan") or cc_text(field(coverage, "type")) or None,
        subscriber_id=field(coverage, "subscriberId"),
        relationship=cc_text(field(coverage, "relationship")) or None,
        period_start=start, period_end=end, status=status, order=_order(coverage),
        in_force=in_force(status, start, end, as_of), evidence=tuple(refs),
    )  # fmt: skip


def _contained_coverage(eob: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The ``#id`` reference and raw contained Coverage of a raw ExplanationOfBenefit."""
    for insurance in eob.get("insurance") or []:
        text = reference_parts(field(insurance, "coverage"))[0]
        if not text or not text.startswith("#"):
            continue
        for item in eob.get("contained") or []:
            if isinstance(item, dict) and item.get("id") == text[1:]:
                return text, item
    return None


def _group_key(coverage: dict[str, Any]) -> str:
    payors = [field(p, "reference") or field(p, "display") for p in coverage.get("payor") or []]
    return repr((payors, cc_text(coverage.get("type"))))


def _eob_coverages(index: ResourceIndex, as_of: dt.date) -> list[CoverageFact]:
    """One fact per distinct contained Coverage. Grouping reads the raw EOBs, so only one EOB
    per group is validated (Synthea writes hundreds of large EOBs)."""
    groups: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for eob in index.raw("ExplanationOfBenefit"):
        found = _contained_coverage(eob)
        if found is not None:
            groups.setdefault(_group_key(found[1]), []).append((eob, found[0]))
    facts = []
    for pairs in groups.values():
        coverage = index.resolve(pairs[0][1], context=pairs[0][0])
        if coverage is None:
            continue
        periods = [period_bounds(eob.get("billablePeriod")) for eob, _ref in pairs]
        starts = [s for s, _e in periods if s]
        ends = [end for s, e in periods if (end := e or s) is not None]
        refs = [index.ref_of(pairs[0][0]), index.ref_of(pairs[-1][0])]
        span = (min(starts, default=None), max(ends, default=None))
        facts.append(_coverage(index, coverage, refs, span, as_of))
    return facts


def _recency(fact: CoverageFact) -> tuple[bool, int]:
    """Sort key: active (or status-less) first, then the latest period first."""
    latest = fact.period_end or fact.period_start or dt.date.min
    return fact.status not in (None, "active"), -latest.toordinal()


def extract_coverages(index: ResourceIndex, *, as_of: dt.date) -> tuple[CoverageFact, ...]:
    """Every coverage, active and most recent first; ``in_force`` as of ``as_of``."""
    facts = [
        _coverage(index, c, [index.ref_of(c)], (None, None), as_of)
        for c in index.resources("Coverage")
    ]
    facts += _eob_coverages(index, as_of)
    return tuple(sorted(facts, key=_recency))
