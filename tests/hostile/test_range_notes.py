"""Values out of range become data-quality notes naming the resource and the JSON path, and the
facts that depended on them stay unknown (issue 15, Deliver 1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from priorauth.facts import PatientRecord
from priorauth.fhir.notes import DataQualityNote
from priorauth.pipeline import chart_facts

AS_OF = dt.date(2026, 11, 25)
FIRST_ORDER = 6
"""entry[6]: MedicationRequest/cd744b04-… (bupropion, 2025-06-02 to 2025-08-10)."""


def order(chart: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = chart["entry"][FIRST_ORDER]["resource"]
    assert resource["resourceType"] == "MedicationRequest"
    return resource


def ref(resource: dict[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource['id']}"


def notes_of(record: PatientRecord, code: str) -> list[DataQualityNote]:
    return [note for note in record.notes if note.code == code]


def cited(record: PatientRecord, reference: str) -> list[Any]:
    return [trial for trial in record.trials if reference in trial.evidence]


def test_an_order_dated_in_9999_is_a_note_and_no_trial(chart: dict[str, Any]) -> None:
    request = order(chart)
    request["authoredOn"] = "9999-12-31"
    request["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]["start"] = "9999"
    record = chart_facts(chart, as_of=AS_OF)
    found = notes_of(record, "date-out-of-range")
    assert [(n.resource, n.location) for n in found] == [
        (ref(request), f"entry[{FIRST_ORDER}].resource.authoredOn"),
        (
            ref(request),
            f"entry[{FIRST_ORDER}].resource.dosageInstruction[0].timing.repeat.boundsPeriod.start",
        ),
    ]
    assert "9999" not in " ".join(n.message for n in found)  # the value itself is not shown
    assert all(ref(request) in n.message for n in found)
    assert cited(record, ref(request)) == []  # no start date: no trial, and a no-date note
    assert ref(request) in {n.resource for n in notes_of(record, "no-date")}


def test_a_deceased_date_in_9999_leaves_death_unknown(chart: dict[str, Any]) -> None:
    patient = chart["entry"][0]["resource"]
    patient["deceasedDateTime"] = "9999-12-31T00:00:00Z"
    record = chart_facts(chart, as_of=AS_OF)
    [note] = notes_of(record, "date-out-of-range")
    assert (note.resource, note.location) == (ref(patient), "entry[0].resource.deceasedDateTime")
    assert (record.patient.deceased, record.patient.deceased_date) == (None, None)


def test_a_birth_date_in_year_0_leaves_age_unknown(chart: dict[str, Any]) -> None:
    patient = chart["entry"][0]["resource"]
    patient["birthDate"] = "0999-01-01"
    record = chart_facts(chart, as_of=AS_OF)
    [note] = notes_of(record, "date-out-of-range")
    assert note.location == "entry[0].resource.birthDate"
    assert (record.patient.birth_date, record.patient.age) == (None, None)


def test_a_supply_of_a_billion_days_is_implausible_and_the_end_unknown(
    chart: dict[str, Any],
) -> None:
    request = order(chart)
    del request["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]["end"]
    request["status"] = "completed"
    request["dispenseRequest"] = {
        "expectedSupplyDuration": {"value": 10**9, "unit": "days", "code": "d"},
        "numberOfRepeatsAllowed": 10**9,
    }
    record = chart_facts(chart, as_of=AS_OF)
    [duration] = notes_of(record, "duration-implausible")
    assert duration.resource == ref(request)
    assert duration.location == (
        f"entry[{FIRST_ORDER}].resource.dispenseRequest.expectedSupplyDuration.value"
    )
    [refills] = notes_of(record, "refills-implausible")
    assert refills.location.endswith("resource.dispenseRequest.numberOfRepeatsAllowed")
    [trial] = cited(record, ref(request))
    assert (trial.end, trial.end_known) == (None, False)


def test_a_dose_of_a_billion_mg_is_implausible_and_unknown(chart: dict[str, Any]) -> None:
    request = order(chart)
    dosage = request["dosageInstruction"][0]
    dosage.pop("text", None)
    dosage["doseAndRate"] = [{"doseQuantity": {"value": 10**9, "unit": "mg", "code": "mg"}}]
    record = chart_facts(chart, as_of=AS_OF)
    [note] = notes_of(record, "dose-implausible")
    assert note.location == (
        f"entry[{FIRST_ORDER}].resource.dosageInstruction[0].doseAndRate[0].doseQuantity.value"
    )
    [trial] = cited(record, ref(request))
    assert trial.peak_daily_dose_mg is None


def test_a_score_of_1e300_is_a_note(chart: dict[str, Any]) -> None:
    observation = chart["entry"][14]["resource"]  # a PHQ-9 total
    del observation["valueInteger"]
    observation["valueQuantity"] = {"value": 1e300}
    record = chart_facts(chart, as_of=AS_OF)
    assert [n.location for n in notes_of(record, "number-out-of-range")] == [
        "entry[14].resource.valueQuantity.value"
    ]
    assert [s for s in record.scores if ref(observation) in s.evidence] == []


def test_the_example_chart_has_no_range_notes(chart: dict[str, Any]) -> None:
    record = chart_facts(chart, as_of=AS_OF)
    codes = {note.code for note in record.notes}
    assert not codes & {
        "date-out-of-range",
        "duration-implausible",
        "refills-implausible",
        "dose-implausible",
        "number-out-of-range",
        "text-too-long",
        "code-too-long",
        "number-too-long",
    }
