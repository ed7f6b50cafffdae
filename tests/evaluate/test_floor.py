"""The safety floor on hand-written records: every finding, its level, and what it does to status.

The policy here is met by the base record, so each test shows what the floor alone changes:
an absolute finding gives ``safety_hold``, a relative one ``clinician_review`` until a named
clinician reviews it, a missing suicide-risk screen a gap. Controls show nothing over-triggers.
"""

from __future__ import annotations

import pytest

from priorauth.errors import ReviewError
from priorauth.evaluate import evaluate
from priorauth.evaluate.floor import check_reviewed, floor_status, safety_floor

ADULT = {"id": "adult", "kind": "age", "min": 18, "title": "Adult", "quote": "18 or older"}
PHQ = {
    "id": "phq",
    "kind": "severity_score",
    "instruments": ["phq9"],
    "op": ">=",
    "value": 15,
    "within_days": 30,
    "title": "PHQ-9 15+",
    "quote": "PHQ-9 of 15 or more",
}
BASE = {
    "patient": {"birth_date": "1980-01-01"},
    "diagnoses": [{"code": "F33.2"}],
    "scores": [{"instrument": "phq9", "date": "2026-11-20", "value": 20}],
    "coverages": [{"payer_name": "Test Payer", "status": "active"}],
}


def item9(value: int, date: str = "2026-11-20") -> dict[str, object]:
    return {
        "source": "phq9_item9",
        "date": date,
        "positive": value > 0,
        "kind": "ideation" if value > 0 else "screen",
        "value": value,
        "description": "PHQ-9 item 9",
        "evidence": [f"Observation/item9-{date}"],
    }


def suicide_dx(code: str, kind: str, date: str | None, active: bool = True) -> dict[str, object]:
    return {
        "source": "diagnosis",
        "date": date,
        "positive": True,
        "kind": kind,
        "code": code,
        "description": code,
        "active": active,
        "evidence": [f"Condition/{code}"],
    }


def determine(h, reviewed=None, **changes):
    facts = {**BASE, **changes}
    policy = h.policy({"all": [ADULT, PHQ]})
    return evaluate(h.record(**facts), policy, as_of=h.AS_OF, reviewed=reviewed)


def alert_ids(d) -> list[str]:
    return [a.id for a in d.alerts]


def test_the_clean_base_record_meets_with_no_alert(h):
    d = determine(h)
    assert (d.status, d.criteria_status, d.alerts, d.gaps) == ("meets", "meets", (), ())


# --- suicide risk ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "alert", "status"),
    [
        ([item9(3)], "acute-suicide-risk", "safety_hold"),
        ([item9(2)], "acute-suicide-risk", "safety_hold"),
        ([item9(1)], "suicide-risk-review", "clinician_review"),
        ([item9(3, "2026-06-01"), item9(0)], "suicide-risk-review", "clinician_review"),
        ([item9(3, "2026-11-01"), item9(0)], "suicide-risk-review", "clinician_review"),
        ([item9(0), suicide_dx("T14.91XA", "attempt", "2026-11-04")], "acute-suicide-risk",
         "safety_hold"),
        ([item9(0), suicide_dx("T14.91XA", "attempt", "2025-03-01", active=False)],
         "suicide-risk-review", "clinician_review"),
        ([item9(0), suicide_dx("R45.851", "ideation", "2024-01-01")], "acute-suicide-risk",
         "safety_hold"),
        ([item9(0), suicide_dx("Z91.51", "history", "2019-01-01")], "suicide-risk-review",
         "clinician_review"),
    ],
    ids=["item9-nearly-every-day", "item9-more-than-half", "item9-several-days",
         "item9-3-six-months-ago", "item9-3-then-negative", "attempt-3-weeks-ago",
         "attempt-old-inactive", "active-ideation-dx", "history-of-suicidal-behaviour"],
)  # fmt: skip
def test_suicide_risk(facts, alert, status, h):
    d = determine(h, suicide_risk=facts)
    assert alert_ids(d)[0] == alert
    assert d.status == status
    assert d.criteria_status == "meets"


def test_acute_suicide_risk_is_urgent_and_says_what_to_do(h):
    d = determine(h, suicide_risk=[item9(3)])
    [alert] = d.alerts
    assert alert.urgent
    assert alert.level == "absolute"
    assert "same day" in alert.action
    assert "not the path for an emergency" in alert.action
    assert alert.evidence[0].resources == ("Observation/item9-2026-11-20",)
    assert "PHQ-9 item 9 answered 3 (nearly every day) on 2026-11-20" in alert.message
    assert not any("suicide" in g.action for g in d.gaps), "an alert, never a documentation gap"


def test_item9_not_at_all_is_a_screen_and_no_alert(h):
    d = determine(h, suicide_risk=[item9(0)])
    assert (d.status, d.alerts) == ("meets", ())


def test_no_suicide_screen_within_30_days_is_a_gap(h):
    d = determine(h, suicide_risk=[item9(0, "2026-09-01")])
    assert d.status == "needs_documentation"
    assert d.criteria_status == "meets"
    [gap] = d.gaps
    assert gap.criterion_id == "safety-floor.suicide-screen"
    assert "between 2026-10-26 and 2026-11-25" in gap.action


# --- diagnoses, devices, seizures --------------------------------------------------------------


@pytest.mark.parametrize(
    ("diagnosis", "alert", "status"),
    [
        ({"code": "F31.4", "category": "bipolar"}, "bipolar", "safety_hold"),
        ({"code": "F31.81", "category": "bipolar", "active": False}, "bipolar-history",
         "clinician_review"),
        ({"code": "F33.3"}, "psychotic-features", "safety_hold"),
        ({"code": "F20.9", "category": "psychotic"}, "psychotic-features", "safety_hold"),
        ({"code": "F06.1", "category": "catatonia"}, "catatonia", "safety_hold"),
        ({"code": "G30.9", "category": "dementia"}, "dementia", "clinician_review"),
        ({"code": "F10.20", "category": "substance_use"}, "substance-use", "clinician_review"),
    ],
    ids=["bipolar-beside-mdd", "bipolar-history", "mdd-psychotic", "schizophrenia", "catatonia",
         "dementia", "alcohol-use"],
)  # fmt: skip
def test_diagnoses(diagnosis, alert, status, h):
    d = determine(h, diagnoses=[{"code": "F33.2"}, diagnosis])
    assert alert in alert_ids(d)
    assert d.status == status


def test_an_implant_near_the_coil_holds(h):
    d = determine(
        h,
        safety={"findings": [{"category": "implanted_device", "description": "VNS"}]},
    )
    assert (alert_ids(d), d.status) == (["implant-near-coil"], "safety_hold")


def test_active_seizure_disorder_needs_review(h):
    finding = {"category": "seizure", "description": "Epilepsy", "date": "1998-05-20"}
    d = determine(h, safety={"findings": [finding]})
    assert (alert_ids(d), d.status) == (["seizure-history"], "clinician_review")


def test_a_resolved_childhood_seizure_raises_no_alert(h):
    finding = {"category": "seizure", "description": "Febrile seizure", "date": "1988-06-01",
               "active": False}  # fmt: skip
    d = determine(h, safety={"findings": [finding]})
    assert (d.alerts, d.status) == ((), "meets")


def test_a_resolved_seizure_two_years_ago_needs_review(h):
    finding = {"category": "seizure", "description": "Seizure", "date": "2024-10-01",
               "active": False}  # fmt: skip
    assert alert_ids(determine(h, safety={"findings": [finding]})) == ["seizure-history"]


def test_a_contradiction_needs_review(h):
    contradiction = {
        "category": "seizure",
        "description": "active seizure diagnosis G40.909 beside a negative seizure screen",
        "evidence": ["Condition/epilepsy", "Observation/screen"],
    }
    d = determine(h, safety={"contradictions": [contradiction]})
    assert (alert_ids(d), d.status) == (["safety-contradiction"], "clinician_review")
    assert d.alerts[0].evidence[0].resources == ("Condition/epilepsy", "Observation/screen")


# --- the patient, coverage, courses, scores ----------------------------------------------------


def test_a_deceased_patient_holds(h):
    d = determine(h, patient={"birth_date": "1980-01-01", "deceased": True})
    assert (alert_ids(d), d.status) == (["deceased"], "safety_hold")


def test_no_coverage_in_force_holds(h):
    ended = {"payer_name": "Test Payer", "period_end": "2025-01-31", "in_force": False}
    d = determine(h, coverages=[ended])
    assert (alert_ids(d), d.status) == (["no-active-coverage"], "safety_hold")


def test_the_policy_payers_coverage_ended_while_another_is_in_force(h):
    coverages = [
        {"payer_name": "Test Payer", "period_end": "2025-01-31", "in_force": False},
        {"payer_name": "Other Plan", "status": "active"},
    ]
    d = determine(h, coverages=coverages)
    assert (alert_ids(d), d.status) == (["coverage-ended"], "safety_hold")


def test_a_chart_without_coverage_raises_no_coverage_alert(h):
    assert determine(h, coverages=[]).alerts == ()


@pytest.mark.parametrize(
    ("course", "alert"),
    [
        ({"response": "no_response", "improvement_pct": 4.5}, ["repeat-course"]),
        ({"response": "unknown"}, ["repeat-course"]),
        ({"response": "response", "improvement_pct": 60}, []),
    ],
    ids=["no-response", "response-unknown", "responded"],
)
def test_a_repeat_course(course, alert, h):
    prior = {"start": "2025-09-01", "end": "2025-10-15", "sessions": 30, **course}
    assert alert_ids(determine(h, prior_tms=[prior])) == alert


@pytest.mark.parametrize(
    ("current", "alert"),
    [
        ({"instrument": "phq9", "date": "2026-11-20", "value": 6, "range": "mild"},
         ["remission-range-score"]),
        ({"instrument": "hamd", "date": "2026-11-20", "value": 5, "range": "remission"},
         ["remission-range-score"]),
        ({"instrument": "phq9", "date": "2026-11-20", "value": 20, "range": "moderate_or_worse"},
         []),
        ({"instrument": "phq9", "date": "2026-01-20", "value": 6, "range": "mild"}, []),
    ],
    ids=["phq9-mild", "hamd-remission", "phq9-severe", "mild-but-old"],
)  # fmt: skip
def test_remission_range_scores(current, alert, h):
    assert alert_ids(determine(h, current_severity=[current])) == alert


def test_pregnancy_needs_review(h):
    assert alert_ids(determine(h, pregnant=True)) == ["pregnancy"]


# --- status precedence and review --------------------------------------------------------------


def test_absolute_alerts_come_first_and_hold_whatever_the_criteria(h):
    d = determine(
        h,
        scores=[],
        pregnant=True,
        suicide_risk=[item9(3)],
        diagnoses=[{"code": "F33.2"}, {"code": "F31.4", "category": "bipolar"}],
    )
    assert d.criteria_status == "needs_documentation"
    assert d.status == "safety_hold"
    assert [(a.id, a.level) for a in d.alerts] == [
        ("acute-suicide-risk", "absolute"),
        ("bipolar", "absolute"),
        ("pregnancy", "relative"),
    ]


def test_a_relative_alert_does_not_hide_unmet_criteria(h):
    d = determine(
        h, pregnant=True, scores=[{"instrument": "phq9", "date": "2026-11-20", "value": 10}]
    )
    assert (d.criteria_status, d.status) == ("does_not_meet", "does_not_meet")
    assert alert_ids(d) == ["pregnancy"]


def test_a_named_clinicians_review_clears_a_relative_alert(h):
    d = determine(h, pregnant=True, reviewed={"pregnancy": "Dr. Morgan Samplewood, MD"})
    assert d.status == "meets"
    assert d.alerts[0].reviewed_by == "Dr. Morgan Samplewood, MD"


def test_a_review_cannot_clear_an_absolute_alert(h):
    record = h.record(**{**BASE, "suicide_risk": [item9(3)]})
    floor = safety_floor(record, None, as_of=h.AS_OF, reviewed={"acute-suicide-risk": "Dr. X"})
    assert floor.alerts[0].reviewed_by is None
    assert floor_status("meets", floor) == "safety_hold"
    with pytest.raises(ReviewError, match="cannot be cleared by review"):
        check_reviewed({"acute-suicide-risk": "Dr. X"}, floor.alerts)


def test_a_review_of_an_alert_the_chart_does_not_have_is_refused(h):
    floor = safety_floor(h.record(**BASE), None, as_of=h.AS_OF)
    with pytest.raises(ReviewError, match="reviewable: none"):
        check_reviewed({"pregnancy": "Dr. X"}, floor.alerts)


SUICIDE_CRITERION = {
    "id": "no-suicidality",
    "kind": "contraindication",
    "categories": ["suicide_risk"],
    "title": "No active suicidality",
    "quote": "active suicidality",
}


def test_a_policys_own_suicide_screen_gap_replaces_the_floors(h):
    policy = h.policy({"all": [ADULT, PHQ, SUICIDE_CRITERION]})
    record = h.record(**{**BASE, "suicide_risk": []})
    d = evaluate(record, policy, as_of=h.AS_OF)
    assert d.status == "needs_documentation"
    assert [g.criterion_id for g in d.gaps] == ["no-suicidality"]


def test_the_floors_gap_stays_when_the_policys_criterion_is_not_deciding(h):
    """The criterion sits in an alternative that is not needed: its gap is not deciding, so the
    floor's gap is what keeps the request from `meets`."""
    policy = h.policy({"all": [ADULT, {"id": "path", "any": [PHQ, SUICIDE_CRITERION]}]})
    d = evaluate(h.record(**{**BASE, "suicide_risk": []}), policy, as_of=h.AS_OF)
    assert (d.criteria_status, d.status) == ("meets", "needs_documentation")
    assert [g.criterion_id for g in d.gaps] == ["safety-floor.suicide-screen"]
