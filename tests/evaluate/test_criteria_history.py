"""psychotherapy, contraindication, prior_tms_response and retreatment."""

from __future__ import annotations

import pytest


def therapy(start, end=None, sessions=1, therapy_type="cbt", **extra):
    return {
        "category": "psychotherapy",
        "therapy_type": therapy_type,
        "start": start,
        "end": end,
        "sessions": sessions,
        **extra,
    }


PT = {"min_sessions": 8, "min_weeks": 6, "window": "lifetime"}


@pytest.mark.parametrize(
    ("end", "sessions", "expected"),
    [("2026-02-16", 8, "met"), ("2026-02-15", 8, "not_met"), ("2026-02-16", 7, "not_met")],
)
def test_psychotherapy_sessions_and_weeks(end, sessions, expected, h):
    rec = h.record(therapies=[therapy("2026-01-05", end, sessions)])
    assert h.run("psychotherapy", rec, **PT).outcome == expected


def test_psychotherapy_types(h):
    rec = h.record(therapies=[therapy("2026-01-05", "2026-03-02", 10, therapy_type="supportive")])
    assert h.run("psychotherapy", rec, types=["cbt", "ipt"], **PT).outcome == "not_met"
    untyped = h.record(therapies=[therapy("2026-01-05", "2026-03-02", 10, therapy_type=None)])
    verdict = h.run("psychotherapy", untyped, types=["cbt", "ipt"], **PT)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == ("Document the type of each psychotherapy (accepted: cbt, ipt)",)


def test_psychotherapy_none_recorded_is_a_gap(h):
    verdict = h.run("psychotherapy", h.record(), **PT)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == (
        "Document psychotherapy (psychotherapy: 8 sessions over 6+ weeks): type, dates, sessions",
    )


def test_psychotherapy_declined_sessions_do_not_count(h):
    rec = h.record(therapies=[therapy("2026-01-05", "2026-03-02", 10, status="declined")])
    assert h.run("psychotherapy", rec, **PT).outcome == "unknown"


def test_psychotherapy_summary_fallback(h):
    rec = h.record(
        psychotherapy={
            "sessions": 12,
            "first": "2026-01-05",
            "last": "2026-04-06",
            "types": ["cbt"],
        }
    )
    assert h.run("psychotherapy", rec, **PT).outcome == "met"


def test_psychotherapy_lookback(h):
    rec = h.record(therapies=[therapy("2023-01-05", "2023-04-06", 12)])
    assert (
        h.run("psychotherapy", rec, window="lookback", lookback_days=365, min_sessions=8).outcome
        == "unknown"
    )


METAL = {"categories": ["implanted_device", "retained_metal"]}


def test_contraindication_found(h):
    rec = h.record(
        safety={
            "findings": [
                {
                    "category": "implanted_device",
                    "description": "vagus nerve stimulator",
                    "evidence": ["Device/d1"],
                }
            ]
        }
    )
    verdict = h.run("contraindication", rec, **METAL)
    assert verdict.outcome == "not_met"
    assert verdict.evidence[0].resources == ("Device/d1",)


def test_contraindication_screened_negative(h):
    rec = h.record(safety={"screened_negative": ["implanted_device", "retained_metal"]})
    assert h.run("contraindication", rec, **METAL).outcome == "met"


def test_contraindication_unknown_without_screen(h):
    rec = h.record(safety={"screened_negative": ["implanted_device"]})
    verdict = h.run("contraindication", rec, **METAL)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == ("Document a screen for retained metal in or near the head",)


def test_seizure_history_counts_only_with_include_history(h):
    rec = h.record(
        safety={
            "findings": [
                {"category": "seizure", "description": "febrile seizure", "active": False}
            ],
            "screened_negative": ["seizure"],
        }
    )
    assert h.run("contraindication", rec, categories=["seizure"]).outcome == "met"
    assert (
        h.run("contraindication", rec, categories=["seizure"], include_history=True).outcome
        == "not_met"
    )


def course(**extra):
    return {
        "start": "2026-01-05",
        "end": "2026-02-20",
        "instrument": "phq9",
        "baseline_score": 20,
        "best_score": 10,
        **extra,
    }


@pytest.mark.parametrize(
    ("op", "best", "expected"),
    [(">=", 10, "met"), (">", 10, "not_met"), (">", 9, "met"), (">=", 11, "not_met")],
)
def test_prior_response_comparator(op, best, expected, h):
    rec = h.record(prior_tms=[course(best_score=best)])
    assert h.run("prior_tms_response", rec, min_improvement_pct=50, op=op).outcome == expected


def test_prior_response_unknown_and_none(h):
    verdict = h.run(
        "prior_tms_response", h.record(prior_tms=[course(best_score=None)]), min_improvement_pct=50
    )
    assert verdict.outcome == "unknown"
    assert verdict.gaps == ("Document the baseline and best scores of the last TMS course",)
    assert h.run("prior_tms_response", h.record(), min_improvement_pct=50).outcome == "not_met"


@pytest.mark.parametrize(("end", "expected"), [("2026-08-27", "met"), ("2026-08-28", "not_met")])
def test_prior_response_days_since(end, expected, h):
    rec = h.record(prior_tms=[course(end=end, improvement_pct=60)])
    verdict = h.run(
        "prior_tms_response", rec, min_improvement_pct=50, min_days_since_last_course=90
    )
    assert verdict.outcome == expected


RETREAT = {"min_improvement_pct": 50, "min_days_since_last_course": 60, "min_worsening_points": 5}


@pytest.mark.parametrize(("current", "expected"), [(15, "met"), (14, "not_met")])
def test_retreatment_relapse_points(current, expected, h):
    rec = h.record(
        prior_tms=[course()],
        scores=[{"instrument": "phq9", "date": "2026-11-20", "value": current}],
    )
    assert h.run("retreatment", rec, **RETREAT).outcome == expected


def test_retreatment_needs_a_current_score(h):
    rec = h.record(
        prior_tms=[course()], scores=[{"instrument": "hamd", "date": "2026-11-20", "value": 25}]
    )
    verdict = h.run("retreatment", rec, **RETREAT)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == ("Document a current PHQ-9 score showing relapse",)


def test_retreatment_worsening_pct(h):
    rec = h.record(
        prior_tms=[course()], scores=[{"instrument": "phq9", "date": "2026-11-20", "value": 15}]
    )
    keys = {"min_improvement_pct": 50, "min_worsening_pct": 50}
    assert h.run("retreatment", rec, **keys).outcome == "met"
    assert h.run("retreatment", rec, **{**keys, "min_worsening_pct": 51}).outcome == "not_met"


def test_retreatment_without_prior_course(h):
    assert h.run("retreatment", h.record(), **RETREAT).outcome == "not_met"


def test_psychotherapy_distinct_types(h):
    two = [
        therapy("2026-01-05", "2026-03-02", 8),
        therapy("2026-04-06", "2026-06-01", 8, therapy_type="ipt"),
    ]
    one = [therapy("2026-01-05", "2026-03-02", 8), therapy("2026-04-06", "2026-06-01", 8)]
    maybe = [
        therapy("2026-01-05", "2026-03-02", 8),
        therapy("2026-04-06", "2026-06-01", 8, therapy_type=None),
    ]
    keys = {"min_sessions": 2, "min_types": 2, "window": "lifetime"}
    assert h.run("psychotherapy", h.record(therapies=two), **keys).outcome == "met"
    assert h.run("psychotherapy", h.record(therapies=one), **keys).outcome == "not_met"
    assert h.run("psychotherapy", h.record(therapies=maybe), **keys).outcome == "unknown"


def test_intolerance_at_an_adequate_dose(h):
    def intolerant(name, cls, dose):
        return {
            "ingredient": name,
            "drug_class": cls,
            "start": "2026-01-05",
            "days": 10,
            "adequate_dose": dose,
            "outcome": "intolerance",
        }

    keys = {"min_trials": 1, "window": "lifetime", "adequate_dose": True}
    assert (
        h.run(
            "intolerance", h.record(trials=[intolerant("sertraline", "ssri", True)]), **keys
        ).outcome
        == "met"
    )
    low = h.record(trials=[intolerant("sertraline", "ssri", False)])
    assert h.run("intolerance", low, **keys).outcome == "not_met"
    assert h.run("intolerance", low, **{**keys, "adequate_dose": False}).outcome == "met"
    unknown = h.record(trials=[intolerant("sertraline", "ssri", None)])
    assert h.run("intolerance", unknown, **keys).gaps == (
        "sertraline (started 2026-01-05): document the daily dose reached",
    )


def test_any_documented_prior_improvement(h):
    rec = h.record(prior_tms=[course(best_score=19)])
    assert h.run("prior_tms_response", rec, min_improvement_pct=0, op=">").outcome == "met"
    flat = h.record(prior_tms=[course(best_score=20)])
    assert h.run("prior_tms_response", flat, min_improvement_pct=0, op=">").outcome == "not_met"


def test_first_course(h):
    assert h.run("first_course", h.record()).outcome == "met"
    assert h.run("first_course", h.record(prior_tms=[course()])).outcome == "not_met"
    session = {"category": "tms", "start": "2025-03-03", "evidence": ["Procedure/tms1"]}
    verdict = h.run("first_course", h.record(therapies=[session]))
    assert verdict.outcome == "not_met"
    assert verdict.evidence[0].resources == ("Procedure/tms1",)


def test_retreatment_must_say_how_relapse_is_checked(h):
    """Without worsening keys relapse used to be silently skipped; now the file must say."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="give min_worsening_points or min_worsening_pct"):
        h.run("retreatment", h.record(), min_improvement_pct=50)
    with pytest.raises(ValidationError, match="only used with relapse: measured"):
        h.run(
            "retreatment",
            h.record(),
            min_improvement_pct=50,
            relapse="attested",
            min_worsening_points=5,
        )


def test_retreatment_relapse_attested(h):
    rec = h.record(prior_tms=[course(best_score=8)])
    keys = {"min_improvement_pct": 50, "op": ">", "relapse": "attested"}
    verdict = h.run("retreatment", rec, **keys)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == (
        "Signer to confirm: The patient relapsed after responding to the last course of TMS.",
    )
    confirmed = h.run("retreatment", rec, attested=frozenset({"retreatment"}), **keys)
    assert confirmed.outcome == "met"
    assert [a.id for a in confirmed.attestations] == ["retreatment"]
    # a chart that already fails stays not met, whatever the signer confirms
    weak = h.record(prior_tms=[course(best_score=10)])
    assert h.run("retreatment", weak, **keys).outcome == "not_met"


def test_retreatment_relapse_not_required(h):
    rec = h.record(prior_tms=[course(best_score=8)])
    keys = {"min_improvement_pct": 50, "relapse": "not_required"}
    assert h.run("retreatment", rec, **keys).outcome == "met"


SUSTAINED = {"min_improvement_pct": 50, "min_sustained_days": 60, "relapse": "not_required"}


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        # course ends 2026-02-20, baseline 20: day 60 is 2026-04-21; 10 = 50% improvement
        ([("2026-04-21", 10)], "met"),
        ([("2026-04-20", 10)], "unknown"),  # day 59 only: not shown to hold for 60 days
        ([("2026-03-20", 10), ("2026-05-01", 9)], "met"),
        ([("2026-03-20", 11)], "not_met"),  # lost (45%) before day 60
        ([("2026-03-20", 11), ("2026-05-01", 8)], "met"),  # a later documented response counts
        ([("2026-05-01", 11)], "unknown"),  # first score after day 60 already worse: not shown
        ([], "unknown"),
    ],
)
def test_retreatment_sustained_response(scores, expected, h):
    rec = h.record(
        prior_tms=[course(best_score=6)],
        scores=[{"instrument": "phq9", "date": d, "value": v} for d, v in scores],
    )
    verdict = h.run("retreatment", rec, **SUSTAINED)
    assert verdict.outcome == expected
    if expected == "unknown":
        assert verdict.gaps == (
            "Document a PHQ-9 score from 60+ days after the last TMS course showing the "
            "response held",
        )


def test_retreatment_sustained_needs_the_course_baseline(h):
    rec = h.record(prior_tms=[course(baseline_score=None, improvement_pct=70)])
    verdict = h.run("retreatment", rec, **SUSTAINED)
    assert verdict.outcome == "unknown"
    assert "the course's instrument and baseline score" in verdict.gaps[0]


def test_psychotherapy_of_unspecified_type_is_unstated_not_another_type(h):
    """The facts stage writes `unspecified` for CPT 90837 etc.; it must not read as 'not CBT'."""
    rec = h.record(therapies=[therapy("2026-01-05", "2026-03-02", 10, therapy_type="unspecified")])
    verdict = h.run("psychotherapy", rec, types=["cbt", "ipt"], **PT)
    assert verdict.outcome == "unknown"
    assert verdict.gaps == ("Document the type of each psychotherapy (accepted: cbt, ipt)",)
    assert "psychotherapy (type not stated)" in verdict.evidence[0].summary
    assert h.run("psychotherapy", rec, **PT).outcome == "met"  # any type accepted


def test_psychotherapy_types_are_checked_against_the_known_values(h):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="behavioral"):
        h.run("psychotherapy", h.record(), types=["behavioral_activation"], **PT)


def test_psychotherapy_types_match_the_terminology_tables():
    import csv

    import yaml

    from priorauth.rules.criteria import PSYCHOTHERAPY_TYPES
    from priorauth.terminology._data import DATA_DIR

    lines = (DATA_DIR / "procedures.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    known = {r["therapy_type"] for r in rows if r["category"] == "psychotherapy"}
    terms = yaml.safe_load((DATA_DIR / "procedure_terms.yaml").read_text(encoding="utf-8"))
    known |= set(terms["psychotherapy"])
    assert set(PSYCHOTHERAPY_TYPES) == known - {"unspecified"}
