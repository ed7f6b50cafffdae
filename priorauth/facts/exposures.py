"""Medication resources → exposure records, one per ingredient (docs/trial-conventions.md).

Each MedicationRequest, MedicationStatement, MedicationDispense or MedicationAdministration that
names an antidepressant or augmentation ingredient gives one :class:`Exposure` per ingredient
(a combination product gives two), with the start and exclusive end of the conventions table, the
daily dose, the stated outcome and the indication. Records that cannot be used become notes:
``no-date``, ``entered-in-error``, ``not-exposure`` (draft, cancelled, not-taken, intended,
doNotPerform), ``unknown-status``, ``future-record``, ``unparseable-dose``,
``unknown-drug-code`` (matched by name only), ``unrecognised-drug`` (a class name such as
"SSRI" without a drug), ``partial-date``, ``end-before-start``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from priorauth.dates import MAX_DATE
from priorauth.facts.dosing import (
    DailyDose,
    administration_dose,
    daily_dose,
    dispense_daily_dose,
)
from priorauth.facts.indication import indication_of, label_of_text
from priorauth.facts.medications import identify_concept, identify_medication
from priorauth.facts.notes import Notes
from priorauth.facts.outcomes import Stated, classify_code, classify_text, strongest
from priorauth.facts.records import Exposure
from priorauth.facts.sigs import (
    PLAUSIBLE_MARGIN,
    Step,
    as_needed_of,
    implausible,
    labelled_daily_equivalent,
    read_sig,
    structured_steps,
    taken_with_mg,
    text_of,
)
from priorauth.fhir.datatypes import cc_text, codings, date_precision, days_of, field, parse_date
from priorauth.fhir.index import ResourceIndex
from priorauth.limits import MAX_REFILLS, MAX_SUPPLY_DAYS, bounded
from priorauth.terminology import DrugMatch

__all__ = ["MEDICATION_TYPES", "medication_exposures", "plausible", "taken_together"]

MEDICATION_TYPES = (
    "MedicationRequest",
    "MedicationStatement",
    "MedicationDispense",
    "MedicationAdministration",
)
_IGNORED = {"entered-in-error"}
_NOT_EXPOSURE = {"draft", "cancelled", "not-taken", "intended", "declined", "not-done"}
_KNOWN_STATUS = {
    "MedicationRequest": {"active", "on-hold", "completed", "stopped"},
    "MedicationStatement": {"active", "completed", "stopped", "on-hold"},
    "MedicationDispense": {"preparation", "in-progress", "on-hold", "completed", "stopped"},
    "MedicationAdministration": {"in-progress", "on-hold", "completed", "stopped"},
}
_ONE_DAY = dt.timedelta(days=1)
_CLASS_WORDS = re.compile(
    r"antidepress|\bssri\b|\bsnri\b|\bmaoi\b|tricyclic|\btca\b|antipsychotic", re.IGNORECASE
)


@dataclass(frozen=True)
class _Span:
    start: dt.date
    end: dt.date | None
    ongoing: bool = False
    supply_days: float | None = None


def duration_days(duration: Any) -> float | None:
    """A Duration / Quantity of time in days (``{"value": 30, "unit": "days"}`` → 30.0); a
    supply over ten years or negative is implausible (``limits.MAX_SUPPLY_DAYS``): unknown."""
    days = days_of(duration)
    return days if days is not None and 0 <= days <= MAX_SUPPLY_DAYS else None


def _plus(day: dt.date | None, days: float = 1) -> dt.date | None:
    """``day`` plus ``days`` (whole days), saturating at the end of the date window."""
    if day is None:
        return None
    return day + dt.timedelta(days=int(min(days, (MAX_DATE - day).days)))


def exclusive_end(value: Any) -> dt.date | None:
    """The first day after a FHIR end date; a partial date covers its whole month or year.

    >>> exclusive_end("2024-02-18"), exclusive_end("2023-12"), exclusive_end("2024")
    (datetime.date(2024, 2, 19), datetime.date(2024, 1, 1), datetime.date(2025, 1, 1))
    """
    day = parse_date(value)
    if day is None:
        return None
    precision = date_precision(value)
    if precision == "year":
        return dt.date(day.year + 1, 1, 1)
    if precision == "month":
        return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return day + _ONE_DAY


def _first(items: Any) -> Any:
    return items[0] if items else None


def _request_start(resource: Any) -> Any:
    dosage = _first(field(resource, "dosageInstruction"))
    bounds = field(field(field(dosage, "timing"), "repeat"), "boundsPeriod")
    return field(bounds, "start") or field(resource, "authoredOn")


def _request_end(resource: Any, start: dt.date) -> tuple[dt.date | None, float | None]:
    dosage = _first(field(resource, "dosageInstruction"))
    bounds = field(field(field(dosage, "timing"), "repeat"), "boundsPeriod")
    end = exclusive_end(field(bounds, "end"))
    dispense = field(resource, "dispenseRequest")
    end = end or exclusive_end(field(field(dispense, "validityPeriod"), "end"))
    if end is not None:
        return end, None
    supply = duration_days(field(dispense, "expectedSupplyDuration"))
    if supply is None:
        return None, None
    fills = 1 + min(max(int(field(dispense, "numberOfRepeatsAllowed") or 0), 0), MAX_REFILLS)
    return _plus(start, supply * fills), supply * fills


def _raw_start(resource: Any, kind: str) -> Any:
    if kind == "MedicationRequest":
        return _request_start(resource)
    if kind == "MedicationDispense":
        return field(resource, "whenHandedOver") or field(resource, "whenPrepared")
    return field(resource, "effectiveDateTime") or field(
        field(resource, "effectivePeriod"), "start"
    )


def _end(resource: Any, kind: str, start: dt.date) -> tuple[dt.date | None, float | None]:
    """Exclusive end (None when unknown) and the days of supply it came from, if any."""
    if kind == "MedicationRequest":
        return _request_end(resource, start)
    if kind == "MedicationDispense":
        supply = duration_days(field(resource, "daysSupply"))
        return (_plus(start, supply), supply) if supply is not None else (None, None)
    end = exclusive_end(field(field(resource, "effectivePeriod"), "end"))
    if kind == "MedicationAdministration":
        return end or _plus(start), None
    return end, None


def _span(
    resource: Any, kind: str, start: dt.date, as_of: dt.date, death: dt.date | None = None
) -> _Span:
    """Start, exclusive end and ongoing flag; open records stop at the as-of date, or the day
    after the patient's death (then not ongoing)."""
    end, supply = _end(resource, kind, start)
    status = field(resource, "status")
    alive = death is None or death >= as_of
    limit = as_of if alive or death is None else death + _ONE_DAY
    if end is None and status == "active" and kind != "MedicationDispense":
        return _Span(start, limit, ongoing=alive, supply_days=supply)
    if end is not None and end > limit:
        return _Span(start, limit, ongoing=alive and status != "stopped", supply_days=supply)
    return _Span(start, end, supply_days=supply)


def _concepts(resource: Any, name: str) -> list[Any]:
    value = field(resource, name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _reason_texts(resource: Any) -> list[str]:
    concepts = [
        *_concepts(resource, "statusReason"),
        *_concepts(resource, "statusReasonCodeableConcept"),
    ]
    return [t for t in (cc_text(c) for c in concepts) if t]


def _stated(resource: Any) -> Stated:
    """The outcome stated by status reasons, notes and reason codes of one record.

    The detail of an intolerance (or other reason) is the status reason text when the record
    gives one, else the phrase that matched; an inadequate response carries no detail.
    """
    found: list[Stated] = []
    for name in ("statusReason", "statusReasonCodeableConcept"):
        for concept in _concepts(resource, name):
            found += [classify_code(code, display) for _s, code, display in codings(concept)]
            found.append(classify_text(cc_text(concept)))
    found += [classify_text(field(note, "text")) for note in field(resource, "note") or []]
    for concept in _concepts(resource, "reasonCode"):
        stated = classify_text(cc_text(concept), reactions=False)
        found.append(stated if stated.outcome != "other" else Stated("unknown"))
    best = strongest(found)
    if best.outcome == "inadequate_response":
        return Stated(best.outcome)
    reasons = _reason_texts(resource)
    return (
        Stated(best.outcome, "; ".join(reasons)) if reasons and best.outcome != "unknown" else best
    )


def _dosages(resource: Any, kind: str) -> list[Any]:
    name = "dosageInstruction" if kind in ("MedicationRequest", "MedicationDispense") else "dosage"
    value = field(resource, name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


@dataclass(frozen=True)
class _Schedule:
    """The steps of one record (``None``: one dose, read by ``_dose``) or the words not read."""

    steps: tuple[Step, ...] | None = None
    unread: str | None = None
    total_days: float | None = None


def _schedule(resource: Any, kind: str, match: DrugMatch, single: bool) -> _Schedule:
    """Titration or taper steps from structured sequences or the dosage text (sigs.py)."""
    if kind == "MedicationAdministration":
        return _Schedule()
    dosages = _dosages(resource, kind)
    steps = structured_steps(dosages, match.strength_mg, single)
    if steps is not None:
        return _Schedule(steps)
    sig = read_sig(text_of(dosages), match.strength_mg if single else None)
    if sig.unread is not None:
        return _Schedule(unread=sig.unread)
    if sig.stepped or sig.stops:
        return _Schedule(sig.steps, total_days=sig.total_days)
    if taken_with_mg(text_of(dosages)) is not None and sig.understood:
        return _Schedule(sig.steps)  # the text names another unit's mass: read without it
    return _Schedule()


def _dose(resource: Any, kind: str, match: DrugMatch, single: bool, span: _Span) -> DailyDose:
    dosages = _dosages(resource, kind)
    if kind == "MedicationAdministration":
        return administration_dose(_first(dosages), match.strength_mg, single)
    dose = daily_dose(dosages, match.strength_mg, single) if dosages else DailyDose(None, "")
    if dose.mg is None and kind == "MedicationDispense":
        supply = duration_days(field(resource, "daysSupply"))
        dose = dispense_daily_dose(field(resource, "quantity"), supply, match.strength_mg, single)
    return dose


class _Reader:
    """Turns the medication resources of one chart into exposures, collecting notes."""

    def __init__(
        self, index: ResourceIndex, *, as_of: dt.date, notes: Notes, death: dt.date | None
    ) -> None:
        self.index = index
        self.as_of = as_of
        self.notes = notes
        self.death = death

    def read(self, resource: Any, kind: str) -> list[Exposure]:
        identified = identify_medication(self.index, resource)
        if not identified.matches:
            self._unrecognised(resource)
            return []
        ref = self.index.ref_of(resource)
        if identified.unknown_code:
            self.notes.add(
                "unknown-drug-code",
                f"{ref}: drug code not in the terminology tables; "
                "the ingredient was recognised from its name",
                resource=ref,
                severity="info",
            )
        if not self._usable(resource, kind, ref):
            return []
        start = self._start(resource, kind, ref)
        if start is None:
            return []
        return self._exposures(resource, kind, ref, start, identified.matches)

    def _unrecognised(self, resource: Any) -> None:
        """Note a medication that says "antidepressant" (or SSRI...) but names no known drug."""
        texts = [cc_text(field(resource, "medicationCodeableConcept"))]
        texts.append(str(field(field(resource, "medicationReference"), "display") or ""))
        if any(_CLASS_WORDS.search(bounded(text)) for text in texts):
            ref = self.index.ref_of(resource)
            self.notes.add(
                "unrecognised-drug",
                f"{ref} names an antidepressant class but no drug priorauth knows; not counted",
                resource=ref,
            )

    def _usable(self, resource: Any, kind: str, ref: str) -> bool:
        status = field(resource, "status")
        if status in _IGNORED:
            self.notes.add(
                "entered-in-error",
                f"{ref} is marked entered-in-error and is ignored",
                resource=ref,
                severity="info",
            )
            return False
        if status in _NOT_EXPOSURE or field(resource, "doNotPerform") is True:
            why = f"status {status}" if status in _NOT_EXPOSURE else "doNotPerform"
            self.notes.add(
                "not-exposure",
                f"{ref} ({why}) is not a medication exposure",
                resource=ref,
                severity="info",
            )
            return False
        if status not in _KNOWN_STATUS[kind]:
            self.notes.add(
                "unknown-status",
                f"{ref} has status {status!r}; its end is taken only from explicit dates",
                resource=ref,
            )
        return True

    def _start(self, resource: Any, kind: str, ref: str) -> dt.date | None:
        raw = _raw_start(resource, kind)
        start = parse_date(raw)
        location = self.index.location_of(resource)
        if start is None:
            self.notes.add(
                "no-date",
                f"{ref} names an antidepressant or augmentation agent but "
                "has no usable start date, so it is not counted as a trial",
                resource=ref,
                location=location,
            )
            return None
        if date_precision(raw) != "day":
            self.notes.add(
                "partial-date",
                f"{ref}: start date has {date_precision(raw)} "
                "precision; the first day of that period is used",
                resource=ref,
                location=location,
                severity="info",
            )
        if start > self.as_of:
            self.notes.add(
                "future-record",
                f"{ref} starts after the as-of date and is not counted",
                resource=ref,
                severity="info",
            )
            return None
        return start

    def _exposures(
        self, resource: Any, kind: str, ref: str, start: dt.date, matches: Sequence[DrugMatch]
    ) -> list[Exposure]:
        span = _span(resource, kind, start, self.as_of, self.death)
        if span.end is not None and span.end <= span.start:
            self.notes.add("end-before-start", f"{ref}: its end date is before its start; the "
                           "end is treated as unknown", resource=ref)  # fmt: skip
            span = _Span(span.start, None)
        stated = _stated(resource)
        indication = indication_of(self.index, resource)
        if self._as_needed(resource, kind, ref, matches, indication):
            return []
        result: list[Exposure] = []
        unread = False
        for match in matches:
            single = len(matches) == 1
            schedule = _schedule(resource, kind, match, single)
            dose = _dose(resource, kind, match, single, span)
            if schedule.unread is not None or schedule.steps is not None:
                dose = DailyDose(None, "")
            unread = unread or schedule.unread is not None
            dose = self._weekly(dose, match)
            supply = span.supply_days if kind == "MedicationDispense" else None
            base = Exposure(
                ingredient=match.ingredient, ref=ref, resource_type=kind, start=span.start,
                end=span.end, ongoing=span.ongoing, daily_mg=dose.mg, dose_how=dose.how,
                how=match.how, supply_days=supply, stated=stated, indication=indication,
                taken_with_mg=_taken_with(resource, kind) if single else None,
            )  # fmt: skip
            if schedule.steps is not None:
                result += self._stepped(base, schedule, match, ref)
            else:
                result.append(base)
            if schedule.unread is not None:
                self.notes.add(
                    "unread-sig",
                    f"{ref}: the dosage text announces a schedule that could not be read "
                    f"({schedule.unread!r}); the dose is left unknown",
                    resource=ref,
                )
        if unread:
            return result
        if _has_dose_data(resource, kind) and all(e.daily_mg is None for e in result):
            self.notes.add(
                "unparseable-dose",
                f"{ref}: the dosage could not be read as a daily "
                "dose in mg; the dose is left unknown",
                resource=ref,
                severity="info",
            )
        return result

    def _as_needed(
        self,
        resource: Any,
        kind: str,
        ref: str,
        matches: Sequence[DrugMatch],
        indication: str | None,
    ) -> bool:
        """An as-needed or one-time order is an exposure with its indication, never a trial: a
        note records it (docs/trial-conventions.md, "As-needed and one-off doses")."""
        if kind == "MedicationAdministration":
            return False
        dosages = _dosages(resource, kind)
        prn, reason = as_needed_of(dosages)
        one_time = read_sig(text_of(dosages), None).one_time
        if not prn and not one_time:
            return False
        label = label_of_text(reason) or indication
        use = f" for {reason}" if reason else ""
        use += f" ({label} use)" if label and label != reason else ""
        names = ", ".join(m.ingredient.name for m in matches)
        what = "as needed" if prn else "as a one-time dose"
        self.notes.add(
            "as-needed" if prn else "one-time-dose",
            f"{ref}: {names} ordered {what}{use}; recorded as exposure, never counted as an "
            "antidepressant or augmentation trial",
            resource=ref,
            severity="info",
        )
        return True

    def _weekly(self, dose: DailyDose, match: DrugMatch) -> DailyDose:
        found = labelled_daily_equivalent(match.ingredient.name, dose.mg)
        return DailyDose(found[0], f"{dose.how}; {found[1]}") if found else dose

    def _stepped(
        self, base: Exposure, schedule: _Schedule, match: DrugMatch, ref: str
    ) -> list[Exposure]:
        """One exposure per step: each day of the record has the dose of the step in force."""
        steps = [
            replace(step, mg_per_day=self._weekly(DailyDose(step.mg_per_day, step.how), match).mg)
            for step in schedule.steps or ()
        ]  # fmt: skip
        limit = base.end
        if limit is not None and schedule.total_days is not None:
            limit = min(limit, base.start + dt.timedelta(days=int(schedule.total_days)))
        if limit is None:  # the end is unknown: the days of each step cannot be placed
            doses = [s.mg_per_day for s in steps if s.mg_per_day is not None]
            return [replace(base, daily_mg=max(doses) if doses else None,
                            dose_how="peak step of a schedule")]  # fmt: skip
        result = []
        cursor = base.start
        for position, step in enumerate(steps):
            if cursor >= limit:
                break
            last = position == len(steps) - 1 or step.days is None
            stop = limit if last else min(limit, cursor + dt.timedelta(days=int(step.days or 0)))
            result.append(replace(
                base, start=cursor, end=stop, ongoing=base.ongoing and stop == base.end,
                daily_mg=step.mg_per_day, dose_how=f"step {position + 1}: {step.how}",
                supply_days=base.supply_days if position == 0 else None,
            ))  # fmt: skip
            cursor = stop
            if last:
                break
        return result


def plausible(exposures: Sequence[Exposure], notes: Notes) -> list[Exposure]:
    """A daily dose above the usual maximum x the margin is a keying error (note
    ``implausible-dose``; the dose becomes unknown) unless another record of the ingredient gives
    the same daily dose (note ``implausible-dose-confirmed``, info; the dose is kept)."""
    result = []
    for record in exposures:
        usual_max = record.ingredient.usual_max_mg_per_day
        if not implausible(record.daily_mg, usual_max):
            result.append(record)
            continue
        confirmed = any(
            other.ref != record.ref
            and other.ingredient.name == record.ingredient.name
            and other.daily_mg == record.daily_mg
            for other in exposures
        )
        name, dose = record.ingredient.name, record.daily_mg
        what = (
            f"{record.ref}: {name} {dose:g} mg/day ({record.dose_how}) is above "
            f"{PLAUSIBLE_MARGIN:g} x the usual maximum of {usual_max:g} mg/day"
        )
        if confirmed:
            notes.add("implausible-dose-confirmed", f"{what}; another record gives the same "
                      "dose, so it is kept", resource=record.ref, severity="info")  # fmt: skip
            result.append(record)
            continue
        notes.add("implausible-dose", f"{what}; probably a keying error (e.g. days supply), so "
                  "the dose is left unknown", resource=record.ref)  # fmt: skip
        result.append(replace(record, daily_mg=None, dose_how=""))
    return result


def _taken_with(resource: Any, kind: str) -> float | None:
    if kind == "MedicationAdministration":
        return None
    return taken_with_mg(text_of(_dosages(resource, kind)))


def _overlap(a: Exposure, b: Exposure) -> tuple[dt.date, dt.date] | None:
    if a.end is None or b.end is None:
        return None
    start, end = max(a.start, b.start), min(a.end, b.end)
    return (start, end) if start < end else None


def taken_together(exposures: Sequence[Exposure], notes: Notes) -> list[Exposure]:
    """Add the dose of the record a sig says is taken together with ("with the 75 mg capsule") on
    the days both run: the record is split into the days before, during and after the overlap.
    The partner is the one other record of the ingredient overlapping it whose daily dose is the
    named mg; with none (or several) the record keeps its own dose and a note says so."""
    result = []
    for record in exposures:
        mg = record.taken_with_mg
        if mg is None or record.daily_mg is None:
            result.append(record)
            continue
        partners = {
            other.ref: (other, span)
            for other in exposures
            if other.ingredient.name == record.ingredient.name
            and other.ref != record.ref
            and other.daily_mg == mg
            and (span := _overlap(record, other)) is not None
        }
        if len(partners) != 1:
            notes.add(
                "taken-with-unmatched",
                f"{record.ref}: the sig says it is taken with a {mg:g} mg unit, but "
                f"{len(partners)} concurrent {record.ingredient.name} records of {mg:g} mg/day "
                "were found; its own dose is used",
                resource=record.ref,
            )
            result.append(record)
            continue
        other, (start, end) = next(iter(partners.values()))
        total = round(record.daily_mg + mg, 3)
        both = f"{record.dose_how} + {other.ref} {mg:g} mg (taken together)"
        pieces = [(record.start, start, record.daily_mg, record.dose_how),
                  (start, end, total, both),
                  (end, record.end, record.daily_mg, record.dose_how)]  # fmt: skip
        last = record.end
        for begin, finish, dose, how in pieces:
            if finish is not None and begin < finish:
                result.append(replace(
                    record, start=begin, end=finish, daily_mg=dose, dose_how=how,
                    ongoing=record.ongoing and finish == last,
                    supply_days=record.supply_days if begin == record.start else None,
                ))  # fmt: skip
    return result


def _has_dose_data(resource: Any, kind: str) -> bool:
    for dosage in _dosages(resource, kind):
        if field(dosage, "text") or field(dosage, "doseAndRate") or field(dosage, "dose"):
            return True
    return False


def may_name_drug(raw: dict[str, Any]) -> bool:
    """Raw prefilter: could :meth:`_Reader.read` use this record or note it?

    A ``medicationCodeableConcept`` is identified exactly as on the model (plus the class-word
    test of the ``unrecognised-drug`` note); a ``medicationReference`` is always accepted (the
    Medication must be resolved to know); a record naming no medication gives nothing.
    """
    concept = raw.get("medicationCodeableConcept")
    if concept is None:
        return raw.get("medicationReference") is not None
    if not isinstance(concept, dict):
        return True  # validation decides
    if identify_concept(concept).matches:
        return True
    return _CLASS_WORDS.search(bounded(cc_text(concept))) is not None


def _all(index: ResourceIndex) -> Iterator[tuple[Any, str]]:
    for kind in MEDICATION_TYPES:
        for resource in index.resources(kind, where=may_name_drug):
            yield resource, kind


def medication_exposures(
    index: ResourceIndex, *, as_of: dt.date, notes: Notes, death: dt.date | None = None
) -> list[Exposure]:
    """Every exposure record of the chart's medication resources (``death``: the patient's date
    of death, which ends records still open)."""
    reader = _Reader(index, as_of=as_of, notes=notes, death=death)
    found = [exposure for resource, kind in _all(index) for exposure in reader.read(resource, kind)]
    return taken_together(plausible(found, notes), notes)
