"""Stage 2 of the pipeline: a loaded chart → :class:`PatientRecord` (clinical facts with evidence).

Knows FHIR and terminology, nothing of payers. ``extract_facts`` chooses the patient and runs
one extractor per subject, each in its own module:

``patient`` (patient, coverage) · ``providers`` (requesting practitioner and practice) ·
``diagnoses`` (the depressive episode,
exclusions, pregnancy) · ``medications`` + ``exposures`` + ``dosing`` (medication resources →
exposure records with daily doses) · ``reactions`` + ``outcomes`` + ``indication`` (why a drug
was stopped or given) · ``trials`` (exposures → trials, per docs/trial-conventions.md) ·
``instruments`` + ``scores`` + ``questionnaires`` (severity scores) · ``severity`` (current
severity and trend per instrument) · ``therapy`` (psychotherapy, ECT, prior TMS and ECT courses) ·
``suicide`` (PHQ-9 item 9, C-SSRS, suicide-risk diagnoses) · ``safety`` (seizures, implants,
metal, contradictions) · ``extract``
(orchestration and data-quality notes) · ``summary`` (the text ``priorauth facts`` prints).

>>> import datetime as dt
>>> from priorauth.fhir import load_chart
>>> chart = load_chart({"resourceType": "MedicationStatement", "id": "m1", "status": "completed",
...     "subject": {"reference": "Patient/p"},
...     "medicationCodeableConcept": {"text": "sertraline 50 mg"},
...     "effectivePeriod": {"start": "2024-01-01", "end": "2024-02-25"},
...     "dosage": [{"text": "one tablet daily"}]})
>>> trial = extract_facts(chart, as_of=dt.date(2024, 6, 1)).trials[0]
>>> trial.ingredient, trial.days, trial.weeks, trial.peak_daily_dose_mg, trial.adequate_dose
('sertraline', 56, 8.0, 50.0, True)
"""

from priorauth.facts.extract import extract_facts
from priorauth.facts.models import PatientRecord

__all__ = ["PatientRecord", "extract_facts"]
