"""``extract_facts``: a loaded chart → one patient's :class:`PatientRecord`.

Reads like the pipeline: choose the patient, then each extractor in turn; every record that
cannot be used leaves a data-quality note (the loader's notes first, then the extractors'),
never a silent drop. Notes and errors name resources by ``Type/id`` only, never patient data.
The as-of date is passed in; nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from priorauth.dates import check_as_of
from priorauth.errors import SeveralPatientsError
from priorauth.facts.diagnoses import current_episode_onset, extract_diagnoses, pregnancy_status
from priorauth.facts.exposures import medication_exposures
from priorauth.facts.levels import drug_levels
from priorauth.facts.models import PatientRecord
from priorauth.facts.notes import Notes
from priorauth.facts.patient import deceased_on, extract_coverages, extract_patient
from priorauth.facts.providers import extract_providers
from priorauth.facts.reactions import drug_reactions
from priorauth.facts.safety import extract_safety
from priorauth.facts.scores import extract_scores
from priorauth.facts.severity import current_severity
from priorauth.facts.suicide import extract_suicide_risk
from priorauth.facts.therapy import (
    extract_therapies,
    prior_ect_courses,
    prior_tms_courses,
    summarise,
)
from priorauth.facts.trials import build_trials
from priorauth.fhir.datatypes import field, parse_date
from priorauth.fhir.index import ResourceIndex
from priorauth.gcpause import gc_paused
from priorauth.terminology import adequate_dose_table

__all__ = ["extract_facts", "select_patient"]


def _wanted_ref(wanted: str) -> str:
    """``"123"`` → ``"Patient/123"``; references and fullUrls pass through."""
    if "/" in wanted or wanted.startswith("urn:"):
        return wanted
    return f"Patient/{wanted}"


def select_patient(index: ResourceIndex, wanted: str | None) -> tuple[ResourceIndex, Any]:
    """The view of the chosen patient's resources and its Patient model (None if no Patient).

    One Patient and no choice: the whole chart. Several and no choice: ``SeveralPatientsError``
    naming them and how to choose.
    """
    refs = index.patients()
    if wanted is None and len(refs) > 1:
        raise SeveralPatientsError(tuple(refs), source=index.source)
    if wanted is None:
        patients = index.resources("Patient")
        return index, patients[0] if patients else None
    view = index.for_patient(_wanted_ref(wanted))
    patients = view.resources("Patient")
    return view, patients[0] if patients else None


def _patient_notes(view: ResourceIndex, patient: Any, as_of: dt.date, notes: Notes) -> None:
    if patient is None:
        notes.add("no-patient", "the chart has no Patient resource; patient details are unknown")
        return
    ref = view.ref_of(patient)
    if deceased_on(patient, as_of)[0]:
        notes.add("patient-deceased", f"{ref} is recorded as deceased", resource=ref)
    if field(patient, "birthDate") is None:
        notes.add("no-birth-date", f"{ref} has no birth date; age is unknown", resource=ref)


def extract_facts(
    index: ResourceIndex,
    *,
    as_of: dt.date,
    patient: str | None = None,
    gap_days: int = 30,
    dose_table: Mapping[str, float] | None = None,
) -> PatientRecord:
    """Every clinical fact of one patient's chart as of ``as_of``, each citing its evidence.

    ``patient`` chooses among several patients (``"Patient/123"``, ``"123"`` or a fullUrl);
    ``gap_days`` is the trial gap tolerance; ``dose_table`` maps ingredient → minimum adequate
    mg/day (default: the packaged table, see ``priorauth.terminology.adequate_dose_table``).
    """
    check_as_of(as_of)
    with gc_paused():  # models and facts hold no cycles: see priorauth.gcpause
        return _extract(index, as_of, patient, gap_days, dose_table)


def _extract(
    index: ResourceIndex,
    as_of: dt.date,
    patient: str | None,
    gap_days: int,
    dose_table: Mapping[str, float] | None,
) -> PatientRecord:
    view, patient_model = select_patient(index, patient)
    notes = Notes()
    _patient_notes(view, patient_model, as_of, notes)
    death = parse_date(field(patient_model, "deceasedDateTime"))
    exposures = medication_exposures(view, as_of=as_of, notes=notes, death=death)
    reactions = drug_reactions(view, notes)
    table = dose_table if dose_table is not None else adequate_dose_table()
    trials, trial_notes = build_trials(
        exposures,
        reactions,
        as_of=as_of,
        gap_days=gap_days,
        dose_table=table,
        levels=drug_levels(view, notes),
    )
    notes.extend(trial_notes)
    diagnoses = extract_diagnoses(view, as_of=as_of, notes=notes)
    scores = extract_scores(view, notes)
    therapies = extract_therapies(view, notes)
    practitioner, organization = extract_providers(view)
    record = PatientRecord(
        as_of=as_of,
        source=view.source,
        patient=extract_patient(view, patient_model, as_of),
        coverages=extract_coverages(view, as_of=as_of),
        practitioner=practitioner,
        organization=organization,
        diagnoses=diagnoses,
        current_episode_onset=current_episode_onset(diagnoses),
        trials=trials,
        scores=scores,
        therapies=therapies,
        psychotherapy=summarise(therapies),
        prior_tms=prior_tms_courses(therapies, scores, gap_days=gap_days),
        prior_ect=prior_ect_courses(therapies, scores, gap_days=gap_days),
        current_severity=current_severity(scores, as_of=as_of),
        suicide_risk=extract_suicide_risk(view, as_of=as_of),
        safety=extract_safety(view, as_of=as_of, notes=notes),
        pregnant=pregnancy_status(view, diagnoses),
    )
    loader = Notes()
    loader.extend(view.notes)
    loader.extend(notes.all())
    return record.model_copy(update={"notes": loader.all()})
