"""Write the issue-17 charts (sig schedules, as-needed orders, weekly doses, implausible fills).

Each chart is ``examples/trd_meets_policies.json`` with its medication records replaced by one
scenario's. Run ``python tests/data/charts/sigs/generate.py``; the output is deterministic. The
``*.expected.yaml`` beside each chart are written by hand (arithmetic in comments).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[3] / "examples" / "trd_meets_policies.json"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
MEDICATION_TYPES = ("MedicationRequest", "MedicationStatement", "MedicationDispense",
                    "MedicationAdministration")  # fmt: skip

# (RxNorm code, display) — real SCD/SCDC codes from priorauth/terminology/data/rxnorm_map.csv
SERTRALINE_25 = ("312940", "sertraline 25 MG Oral Tablet")
SERTRALINE_100 = ("312938", "sertraline 100 MG Oral Tablet")
ARIPIPRAZOLE_10 = ("349545", "aripiprazole 10 mg oral tablet")
VENLAFAXINE_37_5 = ("313583", "24 HR venlafaxine 37.5 MG Extended Release Oral Capsule")
VENLAFAXINE_75 = ("313585", "24 HR venlafaxine 75 MG Extended Release Oral Capsule")
FLUOXETINE_20 = ("310385", "fluoxetine 20 MG Oral Capsule")
FLUOXETINE_90 = ("313995", "fluoxetine 90 MG Delayed Release Oral Capsule")
QUETIAPINE_300 = ("312745", "quetiapine 300 mg oral tablet")
TRAZODONE_50 = ("856377", "trazodone hydrochloride 50 MG Oral Tablet")
OLANZAPINE_10 = ("316404", "olanzapine 10 mg")
LITHIUM_300 = ("197889", "lithium carbonate 300 mg oral capsule")
ESKETAMINE = ("2119365", "esketamine")
DULOXETINE_20 = ("596926", "duloxetine 20 MG Delayed Release Oral Capsule")
DULOXETINE_40 = ("616402", "duloxetine 40 MG Delayed Release Oral Capsule")
LOINC = "http://loinc.org"
FAILED = "Inadequate response"
BUPROPION_300 = ("993557", "24 HR bupropion hydrochloride 300 MG Extended Release Oral Tablet")


def _uuid(chart: int, n: int) -> str:
    return f"00000000-0017-4000-8000-{chart:04d}{n:08d}"


def _drug(drug: tuple[str, str]) -> dict[str, Any]:
    code, display = drug
    return {"coding": [{"system": RXNORM, "code": code, "display": display}], "text": display}


def daily(tablets: float = 1) -> dict[str, Any]:
    """A structured once-daily dosage of ``tablets`` units."""
    return {
        "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [{"doseQuantity": {"value": tablets, "unit": "tablet"}}],
    }


def order(
    id_: str,
    drug: tuple[str, str],
    start: str,
    last_day: str,
    dosage: dict[str, Any] | list[dict[str, Any]],
    reason: str | None = None,
) -> dict[str, Any]:
    """A MedicationRequest from ``start`` to ``last_day`` (inclusive)."""
    dosages = dosage if isinstance(dosage, list) else [dosage]
    dosages = json.loads(json.dumps(dosages))
    first = dosages[0]
    repeat = first.setdefault("timing", {}).setdefault("repeat", {})
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": id_,
        "status": "stopped" if reason else "completed",
        "intent": "order",
        "medicationCodeableConcept": _drug(drug),
        "authoredOn": start,
        "dosageInstruction": dosages,
    }
    if "boundsDuration" in repeat:  # bounds[x] is a choice: the record's end goes elsewhere
        resource["dispenseRequest"] = {"validityPeriod": {"start": start, "end": last_day}}
    else:
        repeat["boundsPeriod"] = {"start": start, "end": last_day}
    if reason:
        resource["statusReason"] = {"text": reason}
    return resource


def administration(id_: str, drug: tuple[str, str], when: str, mg: float) -> dict[str, Any]:
    return {
        "resourceType": "MedicationAdministration",
        "id": id_,
        "status": "completed",
        "medicationCodeableConcept": _drug(drug),
        "effectiveDateTime": when,
        "dosage": {
            "text": f"{mg:g} mg IM once",
            "route": {"text": "intramuscular"},
            "dose": {"value": mg, "unit": "mg", "system": "http://unitsofmeasure.org",
                     "code": "mg"},
        },
    }  # fmt: skip


def lithium_level(id_: str, when: str, mmol_l: float) -> dict[str, Any]:
    """A final serum lithium level (LOINC 14334-7) in mmol/L."""
    return {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "laboratory"}]}],
        "code": {"coding": [{"system": LOINC, "code": "14334-7",
                             "display": "Lithium [Moles/volume] in Serum or Plasma"}]},
        "effectiveDateTime": when,
        "valueQuantity": {"value": mmol_l, "unit": "mmol/L", "system": "http://unitsofmeasure.org",
                          "code": "mmol/L"},
    }  # fmt: skip


ESKETAMINE_SESSIONS = (
    # weeks 1-4 twice weekly (Mon/Thu), weeks 5-9 weekly: 13 sessions of 84 mg
    "2025-09-01", "2025-09-04", "2025-09-08", "2025-09-11", "2025-09-15", "2025-09-18",
    "2025-09-22", "2025-09-25", "2025-10-02", "2025-10-09", "2025-10-16", "2025-10-23",
    "2025-10-30",
)  # fmt: skip


def dispense(
    id_: str, drug: tuple[str, str], when: str, quantity: int, days: int
) -> dict[str, Any]:
    return {
        "resourceType": "MedicationDispense",
        "id": id_,
        "status": "completed",
        "medicationCodeableConcept": _drug(drug),
        "whenHandedOver": when,
        "quantity": {"value": quantity, "unit": "tablet"},
        "daysSupply": {"value": days, "unit": "day", "system": "http://unitsofmeasure.org",
                       "code": "d"},
    }  # fmt: skip


def _charts() -> dict[str, list[dict[str, Any]]]:
    u = _uuid
    return {
        # 1. A text-only titration sig, read step by step.
        "titration_text": [
            order(u(1, 1), SERTRALINE_100, "2025-01-06", "2025-04-27", daily(), FAILED),
            order(u(1, 2), ARIPIPRAZOLE_10, "2025-02-03", "2025-04-27", daily(), "No improvement"),
            order(u(1, 3), VENLAFAXINE_37_5, "2025-06-02", "2025-08-10",
                  {"text": "Take 1 capsule daily x7d then 2 capsules daily"}, FAILED),
        ],
        # 2. Weekly fluoxetine 90 mg DR after four weeks of 20 mg daily.
        "weekly_fluoxetine": [
            order(u(2, 1), FLUOXETINE_20, "2025-01-06", "2025-02-02", daily()),
            order(u(2, 2), FLUOXETINE_90, "2025-02-03", "2025-05-11", {
                "text": "Take 1 capsule by mouth once weekly",
                "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}},
                "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "capsule"}}],
            }, FAILED),
            order(u(2, 3), ARIPIPRAZOLE_10, "2025-02-03", "2025-05-11", daily(), "No improvement"),
            order(u(2, 4), VENLAFAXINE_75, "2025-06-02", "2025-08-10", daily(), FAILED),
        ],
        # 3. As-needed orders and a single inpatient administration are never trials.
        "prn_orders": [
            order(u(3, 1), SERTRALINE_100, "2025-01-06", "2025-04-27", daily(), FAILED),
            order(u(3, 2), TRAZODONE_50, "2025-03-03", "2025-06-01", {
                "text": "Take 1 tablet at bedtime as needed",
                "asNeededCodeableConcept": {"text": "sleep"},
                "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}],
            }),
            order(u(3, 3), VENLAFAXINE_75, "2025-06-02", "2025-08-10", daily(), FAILED),
            order(u(3, 4), QUETIAPINE_300, "2025-06-09", "2025-08-10", {
                "text": "Take 1 tablet at bedtime as needed for agitation",
                "asNeededBoolean": True,
                "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}],
            }, "No improvement"),
            administration(u(3, 5), OLANZAPINE_10, "2025-07-01T22:10:00-05:00", 10),
        ],
        # 4. Structured sequences: 9 weeks at 25 mg, then 1 week at 100 mg.
        "structured_titration": [
            order(u(4, 1), SERTRALINE_25, "2025-01-06", "2025-03-16", [
                {"sequence": 1, "text": "1 tablet daily for 9 weeks",
                 "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d",
                                       "boundsDuration": {"value": 63, "unit": "days",
                                                          "system": "http://unitsofmeasure.org",
                                                          "code": "d"}}},
                 "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}]},
                {"sequence": 2, "text": "then 4 tablets daily",
                 "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                 "doseAndRate": [{"doseQuantity": {"value": 4, "unit": "tablet"}}]},
            ], FAILED),
            order(u(4, 2), BUPROPION_300, "2025-04-07", "2025-07-27", daily(), FAILED),
            order(u(4, 3), ARIPIPRAZOLE_10, "2025-05-05", "2025-07-27", daily(), "No improvement"),
        ],
        # 5. A fill keyed with daysSupply 3 instead of 30 (3,000 mg/day of bupropion), and a
        # sertraline order whose dose field holds 20 tablets (2,000 mg/day, keyed for a quantity).
        "implausible_fill": [
            dispense(u(5, 1), BUPROPION_300, "2025-01-06", 30, 30),
            dispense(u(5, 2), BUPROPION_300, "2025-02-05", 30, 3),
            dispense(u(5, 3), BUPROPION_300, "2025-03-07", 30, 30),
            order(u(5, 4), SERTRALINE_100, "2025-06-02", "2025-08-10", daily(20), FAILED),
        ],
        # 6. Lithium adequacy from serum levels (LOINC 14334-7).
        "lithium_level": [
            order(u(6, 1), SERTRALINE_100, "2025-01-06", "2025-04-27", daily(), FAILED),
            order(u(6, 2), LITHIUM_300, "2025-02-03", "2025-04-27", {
                "text": "Take 1 capsule by mouth twice daily",
                "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "capsule"}}],
            }, "No improvement"),
            lithium_level(u(6, 3), "2025-02-17T08:30:00-05:00", 0.3),
            lithium_level(u(6, 4), "2025-03-03T08:30:00-05:00", 0.7),
            order(u(6, 5), VENLAFAXINE_75, "2025-06-02", "2025-08-10", daily(), FAILED),
        ],
        # 8. Two concurrent duloxetine orders the sigs say are taken together (40 + 20 mg).
        "taken_together": [
            order(u(8, 1), SERTRALINE_100, "2025-01-06", "2025-04-27", daily(), FAILED),
            order(u(8, 2), ARIPIPRAZOLE_10, "2025-02-03", "2025-04-27", daily(), "No improvement"),
            order(u(8, 3), DULOXETINE_40, "2025-06-02", "2025-08-10",
                  {"text": "Take 1 capsule daily together with the 20 mg capsule"}, FAILED),
            order(u(8, 4), DULOXETINE_20, "2025-06-02", "2025-08-10",
                  {"text": "Take 1 capsule daily with the 40 mg capsule"}, FAILED),
        ],
        # 7. Esketamine judged by sessions: 13 sessions of 84 mg with venlafaxine.
        "esketamine_sessions": [
            order(u(7, 1), SERTRALINE_100, "2025-01-06", "2025-04-27", daily(), FAILED),
            order(u(7, 2), VENLAFAXINE_75, "2025-06-02", "2025-10-31", daily(), FAILED),
            *(
                {**administration(u(7, 10 + i), ESKETAMINE, f"{day}T10:00:00-05:00", 84),
                 "dosage": {"text": "84 mg intranasal (3 devices)", "route": {"text": "nasal"},
                            "dose": {"value": 84, "unit": "mg", "system": "http://unitsofmeasure.org",
                                     "code": "mg"}}}
                for i, day in enumerate(ESKETAMINE_SESSIONS)
            ),
        ],
    }  # fmt: skip


def build(records: list[dict[str, Any]]) -> dict[str, Any]:
    bundle = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    patient = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    entries = [e for e in bundle["entry"] if e["resource"]["resourceType"] not in MEDICATION_TYPES]
    for resource in records:
        resource = {**resource, "subject": {"reference": patient["fullUrl"]}}
        entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
    return {**bundle, "entry": entries}


def main() -> None:
    for name, records in _charts().items():
        text = json.dumps(build(records), indent=1, ensure_ascii=False) + "\n"
        (HERE / f"{name}.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
