"""Hand-built Determinations for render tests (the evaluation stage is built in parallel)."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from pathlib import Path

import pytest

import priorauth
from priorauth.determination import (
    Attestation,
    CriterionResult,
    Determination,
    Evidence,
    Gap,
    PolicyRef,
    SafetyAlert,
    ServiceRequested,
)
from priorauth.facts.models import (
    Address,
    CoverageFact,
    DiagnosisFact,
    MedicationTrial,
    PatientFact,
    PatientRecord,
    PriorTmsCourse,
    ProviderFact,
    SafetyScreen,
    ScoreFact,
    TherapyFact,
    TherapySummary,
)

AS_OF = dt.date(2026, 11, 25)
D = dt.date


def make_record(**changes: object) -> PatientRecord:
    """A realistic adult with recurrent severe MDD and four failed trials."""
    record = PatientRecord(
        as_of=AS_OF,
        source="tests/render/conftest.py",
        patient=PatientFact(
            ref="Patient/pt-rivera",
            name="Jordan A. Rivera",
            birth_date=D(1984, 3, 14),
            age=42,
            sex="female",
            identifiers={"MRN": "MRN-000417"},
            evidence=("Patient/pt-rivera",),
        ),
        coverages=(
            CoverageFact(
                payer_name="Aetna",
                payer_identifiers=("60054",),
                member_id="W123456789",
                group="GRP-88120",
                plan="Aetna Choice POS II",
                status="active",
                evidence=("Coverage/cov-1",),
            ),
        ),
        practitioner=ProviderFact(
            kind="practitioner",
            name="Dana Reyes",
            credentials="MD",
            npi="1234567893",
            evidence=("Practitioner/dr-reyes",),
        ),
        organization=ProviderFact(
            kind="organization",
            name="Lakeside Behavioral Health",
            npi="1588667638",
            tin="12-3456789",
            phone="(555) 201-4400",
            fax="(555) 201-4401",
            address=Address(
                lines=("1200 Harbor Avenue, Suite 300",),
                city="Portland",
                state="OR",
                postal_code="97201",
            ),
            evidence=("Organization/org-lakeside",),
        ),
        diagnoses=(
            DiagnosisFact(
                category="mdd",
                code="F33.2",
                system="http://hl7.org/fhir/sid/icd-10-cm",
                display="Major depressive disorder, recurrent severe without psychotic features",
                episode="recurrent",
                severity="severe",
                psychotic_features=False,
                onset=D(2025, 1, 6),
                recorded=D(2025, 1, 6),
                clinical_status="active",
                active=True,
                evidence=("Condition/dx-mdd",),
            ),
            DiagnosisFact(
                category="anxiety",
                code="F41.1",
                system="http://hl7.org/fhir/sid/icd-10-cm",
                display="Generalized anxiety disorder",
                recorded=D(2023, 5, 2),
                clinical_status="active",
                active=True,
                evidence=("Condition/dx-gad",),
            ),
        ),
        current_episode_onset=D(2025, 1, 6),
        trials=(
            MedicationTrial(
                ingredient="sertraline",
                drug_class="ssri",
                role="antidepressant",
                start=D(2025, 1, 10),
                end=D(2025, 3, 28),
                days=77,
                weeks=11.0,
                peak_daily_dose_mg=200,
                adequate_dose_mg=50,
                adequate_dose=True,
                weeks_at_adequate_dose=10.0,
                outcome="inadequate_response",
                outcome_detail="PHQ-9 22 to 20",
                evidence=("MedicationRequest/mr-sert-1", "MedicationRequest/mr-sert-2"),
            ),
            MedicationTrial(
                ingredient="venlafaxine",
                drug_class="snri",
                role="antidepressant",
                start=D(2025, 4, 2),
                end=D(2025, 6, 30),
                days=89,
                weeks=12.7,
                peak_daily_dose_mg=225,
                adequate_dose_mg=75,
                adequate_dose=True,
                weeks_at_adequate_dose=11.0,
                outcome="intolerance",
                outcome_detail="hypertension, nausea",
                evidence=("MedicationRequest/mr-venla-1",),
            ),
            MedicationTrial(
                ingredient="bupropion",
                drug_class="bupropion",
                role="antidepressant",
                start=D(2025, 7, 7),
                end=D(2025, 10, 20),
                days=105,
                weeks=15.0,
                peak_daily_dose_mg=450,
                adequate_dose_mg=300,
                adequate_dose=True,
                weeks_at_adequate_dose=12.0,
                outcome="inadequate_response",
                evidence=("MedicationStatement/ms-bup-1",),
            ),
            MedicationTrial(
                ingredient="aripiprazole",
                drug_class="sga",
                role="augmentation",
                start=D(2025, 8, 18),
                end=D(2025, 10, 20),
                days=63,
                weeks=9.0,
                peak_daily_dose_mg=5,
                outcome="inadequate_response",
                augments=("bupropion",),
                evidence=("MedicationRequest/mr-ari-1",),
            ),
            MedicationTrial(
                ingredient="mirtazapine",
                drug_class="mirtazapine",
                role="antidepressant",
                start=D(2025, 11, 3),
                end=None,
                ongoing=True,
                days=387,
                weeks=55.3,
                peak_daily_dose_mg=45,
                adequate_dose_mg=15,
                adequate_dose=True,
                weeks_at_adequate_dose=50.0,
                outcome="inadequate_response",
                evidence=("MedicationRequest/mr-mirt-1",),
            ),
        ),
        scores=(
            *tuple(
                ScoreFact(
                    instrument="phq9",
                    date=day,
                    value=value,
                    band=band,
                    evidence=(f"Observation/phq9-{i}",),
                )
                for i, (day, value, band) in enumerate(
                    [
                        (D(2025, 1, 6), 22, "severe"),
                        (D(2025, 4, 1), 20, "severe"),
                        (D(2025, 7, 1), 19, "moderately severe"),
                        (D(2025, 11, 1), 21, "severe"),
                        (D(2026, 5, 4), 20, "severe"),
                        (D(2026, 11, 10), 23, "severe"),
                    ]
                )
            ),
            ScoreFact(
                instrument="hamd",
                date=D(2026, 11, 10),
                value=26,
                band="severe",
                evidence=("Observation/hamd-1",),
            ),
        ),
        therapies=(
            TherapyFact(
                category="psychotherapy",
                therapy_type="CBT",
                start=D(2025, 2, 3),
                end=D(2025, 8, 25),
                sessions=20,
                evidence=("Procedure/cbt-1",),
            ),
            TherapyFact(
                category="ect",
                start=D(2026, 10, 2),
                status="declined",
                reason="patient declined anesthesia",
                evidence=("Procedure/ect-1",),
            ),
        ),
        psychotherapy=TherapySummary(
            sessions=20,
            first=D(2025, 2, 3),
            last=D(2025, 8, 25),
            weeks=29.0,
            types=("CBT",),
            evidence=("Procedure/cbt-1",),
        ),
        safety=SafetyScreen(
            screened_negative=("seizure", "implanted_device", "retained_metal"),
            screen_evidence=("QuestionnaireResponse/tms-screen-1",),
        ),
        pregnant=False,
    )
    return record.model_copy(update=changes)


def _criteria() -> tuple[CriterionResult, ...]:
    ev = Evidence
    return (
        CriterionResult(
            id="criteria.all.0",
            title="Diagnosis of major depressive disorder",
            kind="diagnosis",
            outcome="met",
            explanation="F33.2 is an active diagnosis.",
            quote="Diagnosis of MDD, severe (single or recurrent episode)",
            evidence=(
                ev(
                    fact="diagnoses[0]",
                    summary="F33.2 recorded 01/06/2025",
                    resources=("Condition/dx-mdd",),
                ),
            ),
        ),
        CriterionResult(
            id="criteria.all.1",
            title="Age 18 or older",
            kind="age",
            outcome="met",
            explanation="Age 42 on the request date.",
            evidence=(
                ev(fact="patient", summary="born 03/14/1984", resources=("Patient/pt-rivera",)),
            ),
        ),
        CriterionResult(
            id="criteria.all.2",
            title="Treatment resistance",
            kind="all_of",
            outcome="met",
            explanation="Both parts are met.",
            children=(
                CriterionResult(
                    id="criteria.all.2.0",
                    title="Four antidepressant trials from two classes",
                    kind="antidepressant_trials",
                    outcome="met",
                    explanation="4 failed trials from 4 classes.",
                    quote="failure of 4 trials of psychopharmacologic agents",
                    evidence=(
                        ev(
                            fact="trials[0]",
                            summary="sertraline 200 mg/day, 11 weeks, inadequate response",
                            resources=("MedicationRequest/mr-sert-1",),
                        ),
                    ),
                ),
                CriterionResult(
                    id="criteria.all.2.1",
                    title="Evidence-based psychotherapy",
                    kind="psychotherapy",
                    outcome="met",
                    explanation="20 CBT sessions over 29 weeks.",
                    evidence=(
                        ev(
                            fact="psychotherapy",
                            summary="20 sessions of CBT",
                            resources=("Procedure/cbt-1",),
                        ),
                    ),
                ),
            ),
        ),
        CriterionResult(
            id="criteria.all.3",
            title="Recent standardized severity score",
            kind="score",
            outcome="met",
            explanation="PHQ-9 23 on 11/10/2026.",
            evidence=(
                ev(
                    fact="scores[5]",
                    summary="PHQ-9 23 on 11/10/2026",
                    resources=("Observation/phq9-5",),
                ),
            ),
        ),
        CriterionResult(
            id="criteria.all.4",
            title="No seizure history or metal implants",
            kind="safety",
            outcome="met",
            explanation="Screen documented negative.",
            evidence=(
                ev(
                    fact="safety",
                    summary="TMS safety screen negative",
                    resources=("QuestionnaireResponse/tms-screen-1",),
                ),
            ),
        ),
    )


def make_determination(*, record: PatientRecord | None = None, **changes: object) -> Determination:
    record = record or make_record()
    det = Determination(
        as_of=AS_OF,
        status="meets",
        policy=PolicyRef(
            id="aetna.cpb-0469-tms",
            version="3",
            payer="Aetna",
            title="Transcranial Magnetic Stimulation and Cranial Electrical Stimulation",
            number="CPB 0469",
            effective_from=D(2025, 1, 1),
            last_reviewed=D(2025, 9, 12),
            source_urls=("https://www.aetna.com/cpb/medical/data/400_499/0469.html",),
            content_hash="0" * 64,
            service=ServiceRequested(
                cpt_codes=("90867", "90868", "90869"), initial_sessions=30, taper_sessions=6
            ),
        ),
        criteria=_criteria(),
        attestations=(
            Attestation(
                id="device",
                text="The TMS device is FDA-cleared for major depressive "
                "disorder and will be used as labeled.",
            ),
            Attestation(
                id="supervision",
                text="A psychiatrist will supervise the course and be "
                "available on site during treatment.",
                quote="administered under the supervision of a psychiatrist",
            ),
        ),
        summary="Meets all criteria.",
        coverage=record.coverages[0] if record.coverages else None,
        record=record,
    )
    return det.model_copy(update=changes)


def make_continuation() -> Determination:
    record = make_record(
        prior_tms=(
            PriorTmsCourse(
                start=D(2026, 1, 12),
                end=D(2026, 3, 20),
                sessions=36,
                baseline_score=21,
                best_score=6,
                instrument="phq9",
                improvement_pct=71.4,
                evidence=("Procedure/tms-course-1",),
            ),
        ),
    )
    return make_determination(record=record)


def make_minimal() -> Determination:
    """No scores, no coverage, no practitioner, no trials: everything "not documented"."""
    record = PatientRecord(as_of=AS_OF)
    gap = Gap(criterion_id="criteria.all.0", action="Document a PHQ-9 within 30 days")
    return make_determination(
        record=record,
        status="needs_documentation",
        gaps=(gap,),
        attestations=(),
        criteria=(
            CriterionResult(
                id="criteria.all.0",
                title="Recent severity score",
                kind="score",
                outcome="unknown",
                explanation="No score in the record.",
                gaps=(gap,),
            ),
        ),
    )


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trd_meets_policies.json"
URGENT_ALERT = SafetyAlert(
    id="acute-suicide-risk",
    level="absolute",
    category="suicide_risk",
    title="Acute suicide risk",
    message="PHQ-9 item 9 answered 3 (nearly every day) on 2026-11-10 "
    "(Observation/phq9-item9-1). <script>alert(1)</script>",
    urgent=True,
    evidence=(
        Evidence(
            fact="suicide_risk[0]",
            summary="PHQ-9 item 9 = 3",
            resources=("Observation/phq9-item9-1",),
        ),
    ),
)
SEIZURE_ALERT = SafetyAlert(
    id="seizure-history",
    level="relative",
    category="seizure",
    title="Seizure history",
    message="G40.909 recorded 2019-03-02 (Condition/sz-1) beside a negative seizure screen.",
    evidence=(Evidence(fact="safety", summary="seizure", resources=("Condition/sz-1",)),),
)


@functools.cache
def example_determination() -> Determination:
    """The real pipeline on examples/trd_meets_policies.json (it meets its policy, no alerts)."""
    found: list[Determination] = priorauth.evaluate_file(EXAMPLE, payer="auto", as_of=AS_OF)
    assert found[0].status == "meets"
    assert not found[0].alerts
    return found[0]


def make_alerted(
    status: str = "safety_hold", alerts: tuple[SafetyAlert, ...] = (URGENT_ALERT, SEIZURE_ALERT)
) -> Determination:
    """The example as the safety floor would return it: criteria met, alerts on top."""
    update = {"status": status, "criteria_status": "meets", "alerts": alerts}
    return example_determination().model_copy(update=update)


@pytest.fixture
def determination() -> Determination:
    return make_determination()


@pytest.fixture
def continuation() -> Determination:
    return make_continuation()


@pytest.fixture
def minimal() -> Determination:
    return make_minimal()


@pytest.fixture
def no_render_logs(caplog: pytest.LogCaptureFixture):
    """Fail when WeasyPrint logs a warning or error (missing font, refused fetch, bad CSS)."""
    caplog.set_level(logging.WARNING)
    yield
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not noisy, [r.getMessage() for r in noisy]
