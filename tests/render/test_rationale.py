"""The rationale is composed from the determination: each sentence only with its facts."""

from __future__ import annotations

import datetime as dt

import pytest

from priorauth.determination import Determination
from priorauth.facts.models import (
    CurrentSeverity,
    PriorCourse,
    SafetyFinding,
    TherapyFact,
)
from priorauth.render import LetterOptions, render_html
from priorauth.render.literature import Literature, Reference, load_bibliography

from .conftest import SEIZURE_ALERT, example_determination
from .test_html import parse, text_of


def sentences(d: Determination, kind: str = "initial") -> dict[str, str]:
    root = parse(render_html(d, options=LetterOptions(kind=kind)))
    section = next(el for el in root.iter() if el.get("data-section") == "rationale")
    return {
        el.get("data-sentence"): text_of(el) for el in section.iter() if el.get("data-sentence")
    }


def rationale_text(d: Determination) -> str:
    root = parse(render_html(d))
    return text_of(next(el for el in root.iter() if el.get("data-section") == "rationale"))


def with_record(**changes: object) -> Determination:
    d = example_determination()
    return d.model_copy(update={"record": d.record.model_copy(update=changes)})


def test_example_has_every_supported_sentence():
    s = sentences(example_determination())
    assert s["remission"].startswith("The current episode has not remitted")
    assert "PHQ-9 22 (severe) on 11/10/2026" in s["remission"]
    assert "Sertraline (SSRI, inadequate response)" in s["failed-trials"]
    assert "Venlafaxine (SNRI, intolerance)" in s["failed-trials"]
    assert "(Rush et al., 2006)" in s["more-medication"]
    assert "safety" in s
    assert "ect" not in s  # the example records no ECT


def test_no_scores_no_remission_sentence():
    s = sentences(with_record(current_severity=()))
    assert "remission" not in s
    assert "measure" not in s


def test_remission_range_score_changes_the_sentence():
    d = example_determination()
    low = CurrentSeverity(
        instrument="phq9", date=dt.date(2026, 11, 10), value=4, band="minimal", range="remission"
    )
    s = sentences(with_record(current_severity=(low,)))
    assert "has not remitted" not in s["remission"]
    assert "remission range" in s["remission"]
    assert "trd-definition" not in s
    assert d.record.current_severity  # the example itself has scores


def test_trials_sentence_lists_only_failed_trials():
    d = example_determination()
    only_one = tuple(t for t in d.record.trials if t.ingredient in ("sertraline", "mirtazapine"))
    s = sentences(with_record(trials=only_one))
    assert s["failed-trials"].startswith("1 antidepressant trial ended")
    assert "Mirtazapine" not in s["failed-trials"]  # ongoing, outcome unknown
    assert "more-medication" not in s
    assert "trd-definition" not in s
    assert "failed-trials" not in sentences(with_record(trials=()))


def test_safety_sentence_only_under_a_clean_screen():
    d = example_determination()
    implant = SafetyFinding(category="implanted_device", description="Cardiac pacemaker")
    screen = d.record.safety.model_copy(update={"findings": (implant,)})
    assert "safety" not in sentences(with_record(safety=screen))
    partial = d.record.safety.model_copy(update={"screened_negative": ("seizure",)})
    assert "safety" not in sentences(with_record(safety=partial))
    alerted = d.model_copy(update={"alerts": (SEIZURE_ALERT,), "status": "clinician_review"})
    assert "safety" not in sentences(alerted)
    assert "as documented above" not in rationale_text(alerted)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("declined", "offered and declined on 10/02/2026 (patient declined anesthesia)"),
        ("not_done", "not done (patient declined anesthesia)"),
        ("completed", "was completed (10/02/2026)"),
    ],
)
def test_ect_sentences_only_from_recorded_ect(status, expected):
    ect = TherapyFact(
        category="ect",
        start=dt.date(2026, 10, 2),
        status=status,
        reason="patient declined anesthesia" if status != "completed" else None,
        evidence=("Procedure/ect-1",),
    )
    d = example_determination()
    s = sentences(with_record(therapies=(*d.record.therapies, ect)))
    assert expected in s["ect"]
    assert ("ect-burden" in s) is (status != "completed")
    text = rationale_text(example_determination())
    assert "ECT" not in text
    assert "electroconvulsive" not in text.lower()


def test_retreatment_sentence_follows_the_prior_response():
    def course(pct: float, response: str) -> PriorCourse:
        return PriorCourse(
            start=dt.date(2026, 1, 12),
            end=dt.date(2026, 3, 20),
            sessions=36,
            baseline_score=21,
            best_score=6,
            instrument="phq9",
            improvement_pct=pct,
            response=response,
            evidence=("Procedure/tms-1",),
        )

    good = sentences(with_record(prior_tms=(course(71.4, "response"),)), "continuation")
    assert good["prior-response"].startswith("Avery Example-Patient responded")
    none = sentences(with_record(prior_tms=(course(10, "no_response"),)), "continuation")
    assert "did not respond" in none["prior-response"]
    assert "repeat" not in none
    assert "prior-response" not in sentences(with_record(prior_tms=()), "continuation")


def test_literature_has_markers_not_numbers_and_identifiers():
    root = parse(render_html(example_determination()))
    refs = [el for el in root.iter() if el.get("data-reference")]
    assert [r.get("data-reference") for r in refs] == [
        "Rush et al., 2006",
        "O'Reardon et al., 2007",
    ]
    assert all("doi:" in text_of(r) or "PMID" in text_of(r) for r in refs)
    rationale = next(el for el in root.iter() if el.get("data-section") == "rationale")
    assert "[1, 2]" not in text_of(rationale)


def test_every_bibliography_entry_says_who_checked_it_and_how():
    for ref in load_bibliography().values():
        assert ref.doi or ref.pmid, ref.key
        assert ref.checked.by, ref.key
        assert ref.checked.how, ref.key


def test_accelerated_evidence_only_where_the_policy_covers_it():
    base = next(iter(load_bibliography().values()))
    fast = base.model_copy(update={"key": "fast", "marker": "Fast, 2020", "accelerated": True})
    entries: dict[str, Reference] = {"fast": fast}
    assert Literature(accelerated_covered=False, entries=entries).cite("fast") == ()
    assert Literature(accelerated_covered=None, entries=entries).cite("fast") == ()
    assert Literature(accelerated_covered=True, entries=entries).cite("fast") == ("Fast, 2020",)
