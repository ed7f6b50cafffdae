"""Psychotherapy, ECT and prior TMS from Procedure, Encounter, CarePlan and Observation."""

from __future__ import annotations

import datetime as dt

from .conftest import LOINC, SNOMED, facts

D = dt.date
CPT = "http://www.ama-assn.org/go/cpt"


def procedure(id_: str, code: dict, date: str | None, status: str = "completed", **extra) -> dict:
    resource = {
        "resourceType": "Procedure",
        "id": id_,
        "status": status,
        "code": code,
        "subject": {"reference": "Patient/p1"},
        **extra,
    }
    if date:
        resource["performedDateTime"] = date
    return resource


def cpt(code: str) -> dict:
    return {"coding": [{"system": CPT, "code": code}]}


def test_procedures_count_sessions_and_the_specific_type_wins():
    """CPT 90834 (unspecified psychotherapy) + SNOMED 183383008 (cognitive psychotherapy)."""
    code = {"coding": [{"system": CPT, "code": "90834"}, {"system": SNOMED, "code": "183383008"}]}
    record = facts(*(procedure(f"p{i}", code, f"2025-05-{6 + 7 * i:02d}") for i in range(4)))
    summary = record.psychotherapy
    assert (summary.sessions, summary.first, summary.last, summary.weeks, summary.types) == (
        4,
        D(2025, 5, 6),
        D(2025, 5, 27),
        3.0,
        ("cbt",),
    )
    assert summary.evidence == ("Procedure/p0", "Procedure/p1", "Procedure/p2", "Procedure/p3")


def test_encounters_typed_by_text():
    encounters = [
        {
            "resourceType": "Encounter",
            "id": f"e{i}",
            "status": "finished",
            "class": {"code": "AMB"},
            "type": [{"text": "Individual psychotherapy (CBT)"}],
            "subject": {"reference": "Patient/p1"},
            "period": {"start": f"2024-06-{4 + 7 * i:02d}T17:00:00-04:00"},
        }
        for i in range(3)
    ]
    evaluation = {
        **encounters[0],
        "id": "eval",
        "type": [
            {
                "coding": [
                    {"system": CPT, "code": "90791", "display": "Psychiatric diagnostic evaluation"}
                ]
            }
        ],
        "period": {"start": "2024-05-01"},
    }
    summary = facts(*encounters, evaluation).psychotherapy
    assert (summary.sessions, summary.first, summary.last) == (3, D(2024, 6, 4), D(2024, 6, 18))


def test_procedure_and_its_encounter_are_one_session():
    encounter = {
        "resourceType": "Encounter",
        "id": "e",
        "status": "finished",
        "class": {"code": "AMB"},
        "type": [{"text": "psychotherapy"}],
        "subject": {"reference": "Patient/p1"},
        "period": {"start": "2024-06-04"},
    }
    code = {"coding": [{"system": SNOMED, "code": "183383008"}]}
    record = facts(encounter, procedure("p", code, "2024-06-04"))
    (therapy,) = record.therapies
    assert (therapy.therapy_type, therapy.evidence) == ("cbt", ("Procedure/p", "Encounter/e"))


def test_care_plan_activities_carry_types_and_dates_but_no_sessions():
    plan = {
        "resourceType": "CarePlan",
        "id": "cp",
        "status": "completed",
        "intent": "plan",
        "subject": {"reference": "Patient/p1"},
        "period": {"start": "2015-07-03", "end": "2017-03-14"},
        "activity": [
            {
                "detail": {
                    "status": "completed",
                    "code": {
                        "coding": [
                            {"system": SNOMED, "code": "76168009", "display": "Group psychotherapy"}
                        ]
                    },
                }
            },
            {"detail": {"status": "completed", "code": {"text": "Physical therapy"}}},
        ],
    }
    record = facts(plan)
    summary = record.psychotherapy
    assert (summary.sessions, summary.first, summary.last, summary.types) == (
        0,
        D(2015, 7, 3),
        D(2017, 3, 14),
        ("group",),
    )


def test_observation_by_code_only():
    """SHIFT records CBT as an Observation (SNOMED 444175001); a "TMS safety screen"
    Observation is not a TMS session."""
    cbt = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": {"coding": [{"system": SNOMED, "code": "444175001"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2023-08-05",
    }
    screen = {
        **cbt,
        "id": "o2",
        "code": {"text": "TMS safety screen: history of seizure"},
        "valueBoolean": False,
    }
    record = facts(cbt, screen)
    assert [(t.category, t.evidence) for t in record.therapies] == [
        ("psychotherapy", ("Observation/o1",))
    ]


def test_ect_declined_by_the_patient():
    record = facts(
        procedure(
            "ect",
            cpt("90870"),
            "2025-02-01",
            status="not-done",
            statusReason={"text": "Patient declined ECT"},
        )
    )
    (therapy,) = record.therapies
    assert (therapy.category, therapy.status, therapy.reason) == (
        "ect",
        "declined",
        "Patient declined ECT",
    )
    assert record.psychotherapy.sessions == 0


def test_ect_not_done_for_another_reason_without_a_date_uses_its_encounter():
    encounter = {
        "resourceType": "Encounter",
        "id": "e",
        "status": "finished",
        "class": {"code": "AMB"},
        "subject": {"reference": "Patient/p1"},
        "period": {"start": "2025-03-03"},
    }
    record = facts(
        encounter,
        procedure(
            "ect",
            {"text": "Electroconvulsive therapy"},
            None,
            status="not-done",
            encounter={"reference": "Encounter/e"},
            statusReason={"text": "medically contraindicated"},
        ),
    )
    ect = [t for t in record.therapies if t.category == "ect"]
    assert [(t.start, t.status) for t in ect] == [(D(2025, 3, 3), "not_done")]


def test_prior_tms_course_with_response():
    """Daily TMS sessions (CPT 90868) 2024-01-08..2024-02-16; PHQ-9 20 on 2024-01-05, 14 on
    2024-01-26 and 8 on 2024-02-20 → improvement (20 - 8) / 20 = 60 %."""
    sessions = [
        procedure(f"t{i}", cpt("90868"), (D(2024, 1, 8) + dt.timedelta(days=i)).isoformat())
        for i in range(0, 40, 2)
    ]
    scores = [
        {
            "resourceType": "Observation",
            "id": f"s{i}",
            "status": "final",
            "code": {"coding": [{"system": LOINC, "code": "44261-6"}]},
            "subject": {"reference": "Patient/p1"},
            "effectiveDateTime": day,
            "valueInteger": v,
        }
        for i, (day, v) in enumerate(
            [("2024-01-05", 20), ("2024-01-26", 14), ("2024-02-20", 8), ("2024-06-01", 21)]
        )
    ]
    (course,) = facts(*sessions, *scores).prior_tms
    assert (course.start, course.end, course.sessions) == (D(2024, 1, 8), D(2024, 2, 15), 20)
    assert (
        course.instrument,
        course.baseline_score,
        course.best_score,
        course.improvement_pct,
    ) == ("phq9", 20.0, 8.0, 60.0)
    assert "Observation/s0" in course.evidence
    assert "Observation/s2" in course.evidence


def test_two_tms_courses_apart_and_no_scores():
    sessions = [
        procedure("a", cpt("90867"), "2022-01-03"),
        procedure("b", cpt("90868"), "2022-01-04"),
        procedure("c", cpt("90867"), "2024-05-01"),
    ]
    courses = facts(*sessions).prior_tms
    assert [(c.start, c.sessions, c.improvement_pct) for c in courses] == [
        (D(2022, 1, 3), 2, None),
        (D(2024, 5, 1), 1, None),
    ]


def phq9(id_: str, day: str, value: int) -> dict:
    return {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "44261-6"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": day,
        "valueInteger": value,
    }


def test_prior_ect_course_with_a_partial_response():
    """ECT (CPT 90870) three times a week for four weeks; PHQ-9 24 before, 16 after:
    (24 - 16) / 24 = 33.3 % → partial response."""
    sessions = [
        procedure(f"e{i}", cpt("90870"), (D(2023, 3, 6) + dt.timedelta(days=i)).isoformat())
        for i in range(0, 28, 2)
    ]
    record = facts(*sessions, phq9("before", "2023-03-01", 24), phq9("after", "2023-04-10", 16))
    (course,) = record.prior_ect
    assert (course.modality, course.start, course.sessions) == ("ect", D(2023, 3, 6), 14)
    assert (course.improvement_pct, course.response) == (33.3, "partial_response")
    assert record.prior_tms == ()


def test_course_response_thresholds():
    courses = [
        facts(
            procedure("t", cpt("90868"), "2024-01-08"),
            phq9("b", "2024-01-05", 20),
            phq9("a", "2024-01-20", after),
        )
        .prior_tms[0]
        .response
        for after in (10, 15, 16)
    ]
    assert courses == ["response", "partial_response", "no_response"]


def test_course_without_bracketing_scores_has_an_unknown_response():
    (course,) = facts(procedure("e", cpt("90870"), "2022-05-02")).prior_ect
    assert (course.improvement_pct, course.response) == (None, "unknown")
