"""The medical-necessity rationale, composed sentence by sentence from the Determination.

Each sentence is written only when the facts behind it are in the record, and says what they
say: the remission status from ``record.current_severity``, the failed trials actually listed,
the safety sentence only under a negative screen with no finding or alert, ECT only from
recorded ECT. Chart evidence is cited by number (``cites``); literature by its author-year
marker (``refs``, keys of ``literature.BIBLIOGRAPHY``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from priorauth.determination import Determination
from priorauth.facts.models import (
    CurrentSeverity,
    MedicationTrial,
    PatientRecord,
    PriorCourse,
    TherapyFact,
)
from priorauth.render import _format as f
from priorauth.render._view_clinical import FAILED, SAFETY_ITEMS, primary_diagnosis
from priorauth.render.citations import Citations
from priorauth.render.literature import Literature
from priorauth.render.view_models import (
    ContinuationView,
    RationaleParagraph,
    RationaleSentence,
    RequestView,
)

__all__ = ["rationale"]


def _s(*, id: str, text: str, **kw: object) -> RationaleSentence:
    """A sentence; its final period is left to the template (after the literature markers)."""
    return RationaleSentence(id=id, text=text.rstrip("."), **kw)


SCREEN = frozenset(category for category, _ in SAFETY_ITEMS if category != "other")


def rationale(
    d: Determination,
    notes: Citations,
    refs: Literature,
    cont: ContinuationView | None = None,
    request: RequestView | None = None,
) -> tuple[RationaleParagraph, ...]:
    """The paragraphs of the rationale; a paragraph without sentences is left out."""
    paragraphs = (
        RationaleParagraph(
            id="trd", heading="Treatment-resistant depression", sentences=_trd(d, notes, refs)
        ),
        RationaleParagraph(id="tms", heading="Why TMS", sentences=_tms(d, notes, refs)),
        RationaleParagraph(
            id="course", heading="Course of treatment", sentences=_course(d, request)
        ),
        RationaleParagraph(
            id="retreatment", heading="Retreatment", sentences=_retreat(d, notes, cont)
        ),
        _alternatives_paragraph(d, notes, refs),
    )
    return tuple(p for p in paragraphs if p.sentences)


def _failed(record: PatientRecord) -> list[MedicationTrial]:
    return sorted(
        (t for t in record.trials if t.role == "antidepressant" and t.outcome in FAILED),
        key=lambda t: (t.start, t.ingredient),
    )


def _trial_phrase(t: MedicationTrial) -> str:
    why = "intolerance" if t.outcome == "intolerance" else "inadequate response"
    drug_class = f.DRUG_CLASSES.get(t.drug_class, t.drug_class).split(" (")[0]
    return f"{f.drug_name(t.ingredient)} ({drug_class}, {why})"


def _trd(d: Determination, notes: Citations, refs: Literature) -> tuple[RationaleSentence, ...]:
    record, subject = d.record, d.record.patient.name or "The patient"
    out: list[RationaleSentence] = []
    dx = primary_diagnosis(record)
    if dx is not None:
        out.append(
            _s(
                id="diagnosis",
                text=f"{subject} has major depressive disorder ({dx.code}).",
                cites=notes.cite(dx.evidence, f"diagnosis {dx.code}"),
            )
        )
    out += _remission(record, notes)
    failed = _failed(record)
    if failed:
        out.append(
            _s(
                id="failed-trials",
                text=f"{f.plural(len(failed), 'antidepressant trial')} ended without remission: "
                f"{f.join(_trial_phrase(t) for t in failed)}.",
                cites=notes.cite(
                    [r for t in failed for r in t.evidence], "failed antidepressant trials"
                ),
            )
        )
    adequate = [t for t in failed if t.adequate_dose]
    if len(adequate) >= 2 and not _remitted(record):
        out.append(
            _s(
                id="trd-definition",
                text=f"Depression that persists after {f.plural(len(adequate), 'trial')} at a "
                "documented adequate dose meets the usual definition of treatment-resistant "
                "depression, in which each further medication step brings remission to fewer "
                "patients",
                refs=refs.cite("rush2006"),
            )
        )
    return tuple(out)


def _remitted(record: PatientRecord) -> bool:
    return any(c.range == "remission" for c in record.current_severity)


def _score(c: CurrentSeverity) -> str:
    band = f" ({c.band})" if c.band else ""
    return f"{f.instrument(c.instrument)} {f.number(c.value)}{band} on {f.date_short(c.date)}"


def _remission(record: PatientRecord, notes: Citations) -> Iterator[RationaleSentence]:
    """Remission status from the latest score of each instrument; nothing without scores."""
    current = sorted(record.current_severity, key=lambda c: (c.date, c.instrument), reverse=True)
    if not current:
        return
    cites = notes.cite([r for c in current for r in c.evidence], "latest severity scores")
    scores = f.join(_score(c) for c in current)
    ranges = {c.range for c in current}
    are = "score is" if len(current) == 1 else "scores are"
    if ranges == {"moderate_or_worse"}:
        yield _s(
            id="remission",
            text=f"The current episode has not remitted: the latest {are} {scores}.",
            cites=cites,
        )
    elif "remission" in ranges:
        yield _s(
            id="remission",
            text=f"The latest scores ({scores}) include one in the remission range; the "
            "treating physician must confirm that the episode is still active.",
            cites=cites,
        )
        return
    else:
        yield _s(
            id="remission",
            text=f"Symptoms persist at a milder level: the latest {are} {scores}; the "
            "episode has not remitted.",
            cites=cites,
        )
    yield from _trend(current[0])


def _trend(c: CurrentSeverity) -> Iterator[RationaleSentence]:
    if c.trend is None or c.previous_value is None or c.previous_date is None:
        return
    words = {"improving": "improved", "worsening": "worsened", "stable": "stayed about the same"}
    yield _s(
        id="trend",
        text=f"The {f.instrument(c.instrument)} has {words[c.trend]} since the previous score "
        f"({f.number(c.previous_value)} on {f.date_short(c.previous_date)}).",
    )


def _screen_clear(d: Determination) -> bool:
    """A documented negative screen, and no finding, contradiction, alert or warning."""
    s = d.record.safety
    return (
        SCREEN <= set(s.screened_negative)
        and not s.findings
        and not s.contradictions
        and not d.alerts
        and not d.warnings
    )


def _tms(d: Determination, notes: Citations, refs: Literature) -> tuple[RationaleSentence, ...]:
    out = [
        _s(
            id="tms-what",
            text="Transcranial magnetic stimulation is an FDA-cleared, non-invasive outpatient "
            "treatment for adults with major depressive disorder that has not improved with "
            "antidepressant medication; a coil over the left dorsolateral prefrontal cortex "
            "delivers focused magnetic pulses, acting on the mood circuit directly rather than "
            "through whole-body drug exposure.",
        ),
        _s(
            id="tms-evidence",
            text="In a multisite sham-controlled trial in patients who had not benefited from "
            "antidepressant treatment, active TMS produced higher response rates and about "
            "twice the remission rate of sham, with adverse events generally mild and "
            "transient",
            refs=refs.cite("oreardon2007"),
        ),
        _s(
            id="tms-tolerability",
            text="It needs no anesthesia or sedation; the patient stays awake and resumes "
            "normal activities the same day.",
        ),
    ]
    if _screen_clear(d):
        s = d.record.safety
        out.append(
            _s(
                id="safety",
                text="The safety screen above is negative for seizure history, implanted "
                "devices and ferromagnetic metal near the coil, and the chart records no "
                "contraindication; seizure, the most serious adverse event, is rare in patients "
                "so screened.",
                cites=notes.cite(s.screen_evidence, "TMS safety screen"),
            )
        )
    return tuple(out)


def _course(d: Determination, request: RequestView | None) -> tuple[RationaleSentence, ...]:
    out = []
    if request is not None:
        service = d.policy.service
        limits = service.initial_sessions is not None or service.max_weeks is not None
        within = (
            f", within what the policy allows ({request.policy_allows[:1].lower()}"
            f"{request.policy_allows[1:]})"
            if limits
            else ""
        )
        out.append(_s(id="course", text=f"I request {request.course}{within}."))
    scales = sorted({f.instrument(c.instrument) for c in d.record.current_severity})
    if scales:
        out.append(
            _s(
                id="measure",
                text=f"Progress will be measured with the {f.join(scales).replace(', ', ' and ')} "
                "used at baseline, at regular intervals during the course.",
            )
        )
    return tuple(out)


def _response(c: PriorCourse) -> str:
    if c.response != "unknown":
        return c.response
    if c.improvement_pct is None:
        return "unknown"
    return "response" if c.improvement_pct >= 50 else "partial_response"


def _retreat(
    d: Determination, notes: Citations, cont: ContinuationView | None
) -> tuple[RationaleSentence, ...]:
    """Only in a continuation letter, and only from a recorded prior course."""
    courses = sorted(d.record.prior_tms, key=lambda c: c.start)
    if cont is None or not courses:
        return ()
    last = courses[-1]
    subject = d.record.patient.name or "The patient"
    pct = (
        f" ({f.number(last.improvement_pct, digits=0)}% improvement)"
        if last.improvement_pct
        else ""
    )
    words = {
        "response": f"{subject} responded to the previous course of TMS{pct}.",
        "partial_response": f"{subject} partly responded to the previous course of TMS{pct}.",
        "no_response": f"{subject} did not respond to the previous course of TMS{pct}.",
        "unknown": "The response to the previous course of TMS is not documented.",
    }
    dates = f.date_range(last.start, last.end)
    out = [
        _s(
            id="prior-response",
            text=words[_response(last)],
            cites=notes.cite(last.evidence, f"prior TMS course, {dates}"),
        )
    ]
    if cont.relapse_summary != f.NOT_DOCUMENTED:
        out.append(_s(id="relapse", text=cont.relapse_summary, cites=cont.relapse_cites))
    if _response(last) == "response" and cont.relapse_summary != f.NOT_DOCUMENTED:
        out.append(
            _s(
                id="repeat",
                text="A repeat course of the treatment that previously produced a response is "
                "the most direct way to restore it.",
            )
        )
    return tuple(out)


def _ect(
    therapies: Sequence[TherapyFact], ect: Sequence[PriorCourse]
) -> Iterator[RationaleSentence]:
    """ECT sentences only from recorded ECT: offered/declined, not done, planned, completed."""
    records = sorted((t for t in therapies if t.category == "ect"), key=lambda t: t.start)
    if not records:
        return
    last = records[-1]
    reason = f" ({last.reason})" if last.reason else ""
    when = f.date_short(last.start)
    text = {
        "declined": f"Electroconvulsive therapy was offered and declined on {when}{reason}.",
        "not_done": f"Electroconvulsive therapy was not done{reason} ({when}).",
        "planned": f"Electroconvulsive therapy is planned ({when}){reason}.",
        "in_progress": f"A course of electroconvulsive therapy is in progress since {when}.",
        "completed": f"A course of electroconvulsive therapy was completed ({when}).",
    }[last.status]
    yield _s(id="ect", text=text)
    done = [c for c in ect if c.response != "unknown"]
    if last.status == "completed" and done:
        outcome = _response(done[-1]).replace("_", " ")
        yield _s(id="ect-outcome", text=f"Its documented outcome: {outcome}.")
    if last.status in ("declined", "not_done"):
        yield _s(
            id="ect-burden",
            text="ECT requires general anesthesia and carries a risk of cognitive side effects; "
            "TMS requires neither.",
        )


def _alternatives_paragraph(
    d: Determination, notes: Citations, refs: Literature
) -> RationaleParagraph:
    """The "alternatives considered" paragraph when the chart records one; else the request."""
    sentences = _alternatives(d, notes, refs)
    if len(sentences) > 1:
        return RationaleParagraph(
            id="alternatives", heading="Alternatives considered", sentences=sentences
        )
    ask = _s(id="ask", text="I ask that TMS be authorized.")
    return RationaleParagraph(id="alternatives", heading="Request", sentences=(ask,))


def _alternatives(
    d: Determination, notes: Citations, refs: Literature
) -> tuple[RationaleSentence, ...]:
    record = d.record
    out: list[RationaleSentence] = []
    failed = _failed(record)
    classes = {t.drug_class for t in failed}
    if len(failed) >= 2:
        out.append(
            _s(
                id="more-medication",
                text=f"After {f.plural(len(failed), 'failed trial')} across "
                f"{f.plural(len(classes), 'drug class')}, a further medication change is less "
                "likely to bring remission",
                refs=refs.cite("rush2006"),
            )
        )
    for s in _ect(record.therapies, record.prior_ect):
        ids = [r for t in record.therapies if t.category == "ect" for r in t.evidence]
        out.append(s.model_copy(update={"cites": notes.cite(ids, "ECT")}) if s.id == "ect" else s)
    out.append(
        _s(id="ask", text="TMS is the appropriate next step, and I ask that it be authorized.")
    )
    return tuple(out)
