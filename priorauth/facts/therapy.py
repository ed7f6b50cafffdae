"""Psychotherapy, ECT and TMS sessions and courses (Procedure, Encounter, CarePlan, Observation).

* **Procedure** (code, else code text) and **Observation** (code only: a text such as "TMS safety
  screen" is not a session): one session each. A Procedure with status
  ``not-done`` is ``declined`` when its statusReason says the patient declined or refused,
  otherwise ``not_done``; the reason text is kept (ECT declined by the patient).
* **Encounter** (type, serviceType, reasonCode): one session per finished encounter.
* **CarePlan** activity (detail.code): a planned or ongoing course. It carries *no* session
  count (``sessions=0``): a plan is not proof of attended sessions, but its types and dates count.

A Procedure and an Encounter naming the same therapy on the same day are one session citing
both. :func:`summarise` gives the psychotherapy totals; :func:`prior_courses` groups TMS (or ECT)
sessions into courses (a gap of more than ``gap_days`` starts a new course) and computes the
improvement and response (:func:`course_response`) from the scores around each course.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any, Literal

from priorauth.facts.models import (
    CourseResponse,
    PriorCourse,
    ScoreFact,
    TherapyFact,
    TherapySummary,
)
from priorauth.facts.notes import Notes
from priorauth.facts.trials import weeks_from_days
from priorauth.fhir.datatypes import (
    Concept,
    cc_text,
    concept,
    field,
    parse_date,
    period_bounds,
)
from priorauth.fhir.index import ResourceIndex
from priorauth.limits import bounded
from priorauth.terminology import ProcedureInfo, procedure_in_text, procedure_info

__all__ = [
    "course_response",
    "extract_therapies",
    "prior_courses",
    "prior_ect_courses",
    "prior_tms_courses",
    "summarise",
]

Status = Literal["completed", "in_progress", "not_done", "declined", "planned"]
_PROCEDURE_STATUS: dict[str, Status] = {
    "completed": "completed", "in-progress": "in_progress", "stopped": "completed",
    "not-done": "not_done", "preparation": "planned", "on-hold": "planned",
}  # fmt: skip
_ENCOUNTER_STATUS: dict[str, Status] = {
    "finished": "completed", "in-progress": "in_progress", "arrived": "in_progress",
    "triaged": "in_progress", "onleave": "in_progress", "planned": "planned",
}  # fmt: skip
_ACTIVITY_STATUS: dict[str, Status] = {
    "completed": "completed", "in-progress": "in_progress", "stopped": "completed",
    "scheduled": "planned", "not-started": "planned", "on-hold": "planned",
}  # fmt: skip
_OBSERVATION_STATUS: dict[str, Status] = {
    "final": "completed", "amended": "completed", "corrected": "completed",
    "preliminary": "in_progress", "registered": "planned",
}  # fmt: skip
_DECLINED = ("declin", "refus", "patient choice", "patient preference", "patient request",
             "did not want", "does not want", "not want")  # fmt: skip
_COUNTED: frozenset[str] = frozenset({"completed", "in_progress"})


def _specific(infos: Sequence[ProcedureInfo]) -> ProcedureInfo | None:
    """The first info with a named therapy type, else the first one."""
    named = [i for i in infos if i.therapy_type not in (None, "unspecified")]
    found = named or list(infos)
    return found[0] if found else None


@lru_cache(maxsize=4096)
def _code_info(system: str | None, code: str | None) -> ProcedureInfo | None:
    """``procedure_info``, memoised: a chart repeats the same few codes thousands of times."""
    return procedure_info(system, code)


@lru_cache(maxsize=4096)
def _text_info(text: str) -> ProcedureInfo | None:
    """``procedure_in_text``, memoised (the result is a frozen model, safe to share)."""
    return procedure_in_text(text)


def procedure_of(concepts: Sequence[Any], *, text: bool = True) -> ProcedureInfo | None:
    """The therapy named by the concepts: codes first (the most specific type wins: CPT 90834 +
    SNOMED CBT is CBT), then, when ``text`` is set, their texts and displays.

    Works on models and raw dicts alike, so the same call is the raw prefilter."""
    return _procedure_of(tuple(concept(c) for c in concepts), text)


@lru_cache(maxsize=4096)
def _procedure_of(concepts: tuple[Concept, ...], text: bool) -> ProcedureInfo | None:
    """``procedure_of``, memoised on the frozen concepts (the result is a frozen model)."""
    coded = [
        info
        for code in concepts
        for system, value, _display in code.codings
        if (info := _code_info(system, value)) is not None
    ]
    if coded or not text:
        return _specific(coded)
    texts = [t for c in concepts for t in (cc_text(c), *(d for _s, _c, d in c.codings if d)) if t]
    return _specific([info for t in texts if (info := _text_info(t)) is not None])


def _encounter_concepts(encounter: Any) -> list[Any]:
    """type, serviceType and reasonCode of an Encounter (model or raw dict)."""
    concepts = [*_list(field(encounter, "type")), field(encounter, "serviceType"),
                *_list(field(encounter, "reasonCode"))]  # fmt: skip
    return [c for c in concepts if c is not None]


def _is_therapy_procedure(code: Concept) -> bool:
    """Code prefilter: the same lookup :meth:`_Reader.procedures` runs on the model."""
    return _procedure_of((code,), True) is not None


def _is_therapy_encounter(raw: dict[str, Any]) -> bool:
    """Raw prefilter: the same lookup :meth:`_Reader.encounters` runs on the model."""
    return procedure_of(_encounter_concepts(raw)) is not None


def _may_be_therapy_plan(raw: dict[str, Any]) -> bool:
    """Raw prefilter for CarePlans: some activity's detail.code names a therapy.

    Accepts whatever it cannot read (validation then decides), so it is a superset of what
    :meth:`_Reader.care_plans` uses."""
    if raw.get("status") in ("entered-in-error", "draft"):
        return False
    activities = raw.get("activity")
    if activities is None:
        return False
    if not isinstance(activities, list):
        return True
    for activity in activities:
        if not isinstance(activity, dict):
            return True
        detail = activity.get("detail")
        if detail is None:
            continue
        if not isinstance(detail, dict) or procedure_of([detail.get("code")]) is not None:
            return True
    return False


def _is_therapy_observation(code: Concept) -> bool:
    """Code prefilter: the same lookup :meth:`_Reader.observations` runs on the model."""
    return _procedure_of((code,), False) is not None


def _reason(resource: Any) -> str | None:
    texts = [cc_text(c) for c in _list(field(resource, "statusReason"))]
    return "; ".join(t for t in texts if t) or None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _not_done_status(reason: str | None) -> Status:
    text = bounded(reason).lower()
    return "declined" if any(word in text for word in _DECLINED) else "not_done"


class _Reader:
    def __init__(self, index: ResourceIndex, notes: Notes) -> None:
        self.index = index
        self.notes = notes

    def fact(
        self,
        info: ProcedureInfo,
        resource: Any,
        span: tuple[dt.date | None, dt.date | None],
        status: Status,
        *,
        sessions: int = 1,
        reason: str | None = None,
    ) -> TherapyFact | None:
        ref = self.index.ref_of(resource)
        start, end = span
        if start is None:
            self.notes.add(
                "no-date", f"{ref}: {info.category} record has no date; not counted", resource=ref
            )
            return None
        return TherapyFact(
            category=info.category, therapy_type=info.therapy_type, start=start,
            end=end if end is not None and end > start else None, sessions=sessions,
            status=status, reason=reason, how=info.how, evidence=(ref,),
        )  # fmt: skip

    def skip(self, resource: Any, status: str | None) -> None:
        ref = self.index.ref_of(resource)
        self.notes.add(
            "not-exposure",
            f"{ref} (status {status}) is not counted as therapy",
            resource=ref,
            severity="info",
        )

    def procedures(self) -> Iterator[TherapyFact | None]:
        for procedure in self.index.resources("Procedure", code=_is_therapy_procedure):
            info = procedure_of([field(procedure, "code")])
            if info is None:
                continue
            status = field(procedure, "status")
            mapped = _PROCEDURE_STATUS.get(str(status))
            if mapped is None:
                self.skip(procedure, status)
                continue
            reason = _reason(procedure) if mapped == "not_done" else None
            mapped = _not_done_status(reason) if mapped == "not_done" else mapped
            yield self.fact(info, procedure, self._procedure_span(procedure), mapped, reason=reason)

    def _procedure_span(self, procedure: Any) -> tuple[dt.date | None, dt.date | None]:
        start, end = period_bounds(field(procedure, "performedPeriod"))
        start = parse_date(field(procedure, "performedDateTime")) or start
        start = start or parse_date(field(procedure, "performedString"))
        if start is None and field(procedure, "encounter") is not None:
            encounter = self.index.resolve(field(procedure, "encounter"), context=procedure)
            start = period_bounds(field(encounter, "period"))[0]
        return start, end

    def encounters(self) -> Iterator[TherapyFact | None]:
        for encounter in self.index.resources("Encounter", where=_is_therapy_encounter):
            info = procedure_of(_encounter_concepts(encounter))
            if info is None:
                continue
            status = _ENCOUNTER_STATUS.get(str(field(encounter, "status")))
            if status is None:
                self.skip(encounter, field(encounter, "status"))
                continue
            yield self.fact(info, encounter, period_bounds(field(encounter, "period")), status)

    def care_plans(self) -> Iterator[TherapyFact | None]:
        for plan in self.index.resources("CarePlan", where=_may_be_therapy_plan):
            if field(plan, "status") in ("entered-in-error", "draft"):
                continue
            for activity in field(plan, "activity") or []:
                yield from self._activity(plan, field(activity, "detail"))

    def _activity(self, plan: Any, detail: Any) -> Iterator[TherapyFact | None]:
        info = procedure_of([field(detail, "code")]) if detail is not None else None
        if info is None:
            return
        status = _ACTIVITY_STATUS.get(str(field(detail, "status")))
        if status is None:
            self.skip(plan, field(detail, "status"))
            return
        plan_start, plan_end = period_bounds(field(plan, "period"))
        start, end = period_bounds(field(detail, "scheduledPeriod"))
        yield self.fact(info, plan, (start or plan_start, end or plan_end), status, sessions=0)

    def observations(self) -> Iterator[TherapyFact | None]:
        for obs in self.index.resources("Observation", code=_is_therapy_observation):
            info = procedure_of([field(obs, "code")], text=False)
            status = _OBSERVATION_STATUS.get(str(field(obs, "status")))
            if info is None or status is None:
                continue
            start, end = period_bounds(field(obs, "effectivePeriod"))
            start = parse_date(field(obs, "effectiveDateTime")) or start
            yield self.fact(info, obs, (start, end), status)


def _compatible(a: TherapyFact, b: TherapyFact) -> bool:
    """Same therapy on the same day from another resource (a Procedure and its Encounter)."""
    vague = (None, "unspecified")
    same_type = (
        a.therapy_type == b.therapy_type or a.therapy_type in vague or b.therapy_type in vague
    )
    return (
        (a.category, a.start, a.status) == (b.category, b.start, b.status)
        and same_type
        and min(a.sessions, 1) == min(b.sessions, 1)
        and not set(a.evidence) & set(b.evidence)
    )


def _combine(a: TherapyFact, b: TherapyFact) -> TherapyFact:
    specific = a if a.therapy_type not in (None, "unspecified") else b
    evidence = tuple(dict.fromkeys((*a.evidence, *b.evidence)))
    return a.model_copy(update={"therapy_type": specific.therapy_type, "evidence": evidence})


def _merge_same_day(facts: Sequence[TherapyFact]) -> list[TherapyFact]:
    merged: list[TherapyFact] = []
    for fact in facts:
        match = next((i for i, kept in enumerate(merged) if _compatible(kept, fact)), None)
        if match is None:
            merged.append(fact)
        else:
            merged[match] = _combine(merged[match], fact)
    return merged


def extract_therapies(index: ResourceIndex, notes: Notes) -> tuple[TherapyFact, ...]:
    """Every psychotherapy, ECT and TMS record, ordered by start date."""
    reader = _Reader(index, notes)
    found = [
        *reader.procedures(),
        *reader.encounters(),
        *reader.care_plans(),
        *reader.observations(),
    ]
    facts = _merge_same_day([f for f in found if f is not None])
    return tuple(sorted(facts, key=lambda f: (f.start, f.category, f.evidence)))


def summarise(therapies: Sequence[TherapyFact]) -> TherapySummary:
    """Psychotherapy totals over completed and in-progress records."""
    done = [t for t in therapies if t.category == "psychotherapy" and t.status in _COUNTED]
    if not done:
        return TherapySummary()
    first = min(t.start for t in done)
    last = max(t.end or t.start for t in done)
    return TherapySummary(
        sessions=sum(t.sessions for t in done),
        first=first,
        last=last,
        weeks=weeks_from_days((last - first).days),
        types=tuple(sorted({t.therapy_type for t in done if t.therapy_type})),
        evidence=tuple(dict.fromkeys(ref for t in done for ref in t.evidence)),
    )


def _courses(sessions: Sequence[TherapyFact], gap_days: int) -> list[list[TherapyFact]]:
    courses: list[list[TherapyFact]] = []
    for fact in sorted(sessions, key=lambda t: t.start):
        last = courses[-1][-1] if courses else None
        if last is None or (fact.start - (last.end or last.start)).days > gap_days:
            courses.append([fact])
        else:
            courses[-1].append(fact)
    return courses


def _response(
    start: dt.date, end: dt.date, scores: Sequence[ScoreFact], gap_days: int
) -> dict[str, Any]:
    window = dt.timedelta(days=gap_days)
    for instrument in ("phq9", "phqa", "hamd", "madrs", "bdi2", "qids_sr"):
        mine = [s for s in scores if s.instrument == instrument]
        before = [s for s in mine if start - window <= s.date <= start]
        after = [s for s in mine if start < s.date <= end + window]
        if before and after:
            baseline = max(before, key=lambda s: s.date)
            best = min(after, key=lambda s: s.value)
            pct = (baseline.value - best.value) / baseline.value * 100 if baseline.value else None
            return {
                "baseline_score": baseline.value, "best_score": best.value,
                "instrument": instrument,
                "improvement_pct": round(pct, 1) if pct is not None else None,
                "scores": (*baseline.evidence, *best.evidence),
            }  # fmt: skip
    return {"scores": ()}


def course_response(improvement_pct: float | None) -> CourseResponse:
    """``response`` at >= 50 %, ``partial_response`` at 25-49 %, ``no_response`` below 25 %,
    ``unknown`` without an improvement (no scores bracketing the course).

    >>> course_response(60.0), course_response(25.0), course_response(10.0), course_response(None)
    ('response', 'partial_response', 'no_response', 'unknown')
    """
    if improvement_pct is None:
        return "unknown"
    if improvement_pct >= 50:
        return "response"
    return "partial_response" if improvement_pct >= 25 else "no_response"


def prior_courses(
    therapies: Sequence[TherapyFact],
    scores: Sequence[ScoreFact],
    *,
    modality: Literal["tms", "ect"],
    gap_days: int,
) -> tuple[PriorCourse, ...]:
    """Courses of one modality (sessions no more than ``gap_days`` apart) with their response
    when scores bracket them (see :class:`PriorCourse`)."""
    sessions = [t for t in therapies if t.category == modality and t.status in _COUNTED]
    result = []
    for course in _courses(sessions, gap_days):
        start = course[0].start
        end = max(t.end or t.start for t in course)
        response = _response(start, end, scores, gap_days)
        counted = all(t.end is None for t in course)
        result.append(PriorCourse(
            modality=modality, start=start, end=end,
            sessions=sum(t.sessions for t in course) if counted else None,
            evidence=tuple(dict.fromkeys([*(r for t in course for r in t.evidence),
                                          *response.pop("scores")])),
            response=course_response(response.get("improvement_pct")),
            **response,
        ))  # fmt: skip
    return tuple(result)


def prior_tms_courses(
    therapies: Sequence[TherapyFact], scores: Sequence[ScoreFact], *, gap_days: int
) -> tuple[PriorCourse, ...]:
    """TMS courses with sessions and, when scores bracket them, the response."""
    return prior_courses(therapies, scores, modality="tms", gap_days=gap_days)


def prior_ect_courses(
    therapies: Sequence[TherapyFact], scores: Sequence[ScoreFact], *, gap_days: int
) -> tuple[PriorCourse, ...]:
    """ECT courses with sessions and, when scores bracket them, the response."""
    return prior_courses(therapies, scores, modality="ect", gap_days=gap_days)
