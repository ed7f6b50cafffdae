"""Write the hand-designed TRD test charts (FHIR R4 JSON / NDJSON) from readable Python.

Run from anywhere:  python tests/data/charts/generate.py

The output is deterministic (ids are derived from fixed seeds, no clock, no randomness), so running
the script twice gives byte-identical files. The *expected* values (``*.expected.yaml``) are NOT
generated: they were written by hand from the JSON and docs/trial-conventions.md (see README.md).

Every clinical code used here is a real code taken from /work/shared/reference/terminology/
(RxNorm SCDs, LOINC, ICD-10-CM FY2026, SNOMED CT from VSAC, CPT from VSAC). Where the reference has
no code (HAM-D, cochlear-implant device type, aneurysm clip, reaction manifestations) the resource
carries text or a clearly local code instead -- never an invented standard code.

All people, organizations, NPIs, TINs and member ids are fictional.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[2] / "examples"

AS_OF = "2026-11-25"

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
CPT = "http://www.ama-assn.org/go/cpt"
UCUM = "http://unitsofmeasure.org"
NPI = "http://hl7.org/fhir/sid/us-npi"
TIN = "urn:oid:2.16.840.1.113883.4.4"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
SOPT = "https://nahdo.org/sopt"
GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"

R = dict[str, Any]

# --------------------------------------------------------------------------------------------
# Real RxNorm SCDs (rxnorm_scd_antidepressants_vsac.csv; aripiprazole/lithium SCDs from
# rxnorm_rxcui_to_ingredient_drtk.csv, display re-cased in RxNorm style).
# --------------------------------------------------------------------------------------------
SCD: dict[str, str] = {
    "312941": "sertraline 50 MG Oral Tablet",
    "312938": "sertraline 100 MG Oral Tablet",
    "808753": "24 HR venlafaxine 75 MG Extended Release Oral Tablet",
    "808748": "24 HR venlafaxine 225 MG Extended Release Oral Tablet",
    "313585": "24 HR venlafaxine 75 MG Extended Release Oral Capsule",
    "993541": "24 HR bupropion hydrochloride 150 MG Extended Release Oral Tablet",
    "993557": "24 HR bupropion hydrochloride 300 MG Extended Release Oral Tablet",
    "1232585": "24 HR bupropion hydrochloride 450 MG Extended Release Oral Tablet",
    "402131": "aripiprazole 5 MG Oral Tablet",
    "349545": "aripiprazole 10 MG Oral Tablet",
    "349332": "escitalopram 10 MG Oral Tablet",
    "351250": "escitalopram 20 MG Oral Tablet",
    "311725": "mirtazapine 15 MG Oral Tablet",
    "314111": "mirtazapine 30 MG Oral Tablet",
    "311726": "mirtazapine 45 MG Oral Tablet",
    "596930": "duloxetine 30 MG Delayed Release Oral Capsule",
    "596934": "duloxetine 60 MG Delayed Release Oral Capsule",
    "200371": "citalopram 20 MG Oral Tablet",
    "309314": "citalopram 40 MG Oral Tablet",
    "317136": "nortriptyline 25 MG Oral Capsule",
    "197889": "lithium carbonate 300 MG Oral Capsule",
    "313447": "tranylcypromine 10 MG Oral Tablet",
    "310384": "fluoxetine 10 MG Oral Capsule",
    "310385": "fluoxetine 20 MG Oral Capsule",
    "790264": "24 HR desvenlafaxine 100 MG Extended Release Oral Tablet",
}


# --------------------------------------------------------------------------------------------
# Small deterministic helpers
# --------------------------------------------------------------------------------------------
_NS = uuid.UUID("6f1c2a8e-3b7d-4c1e-9a55-0d2f7e9b1c44")


def uid(seed: str) -> str:
    """A stable UUID for a seed string."""
    return str(uuid.uuid5(_NS, seed))


_ALPHA = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def epic_id(seed: str, n: int = 44) -> str:
    """An Epic-looking opaque id: 'e' + base62 with dots and hyphens (FHIR id charset)."""
    num = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    chars: list[str] = []
    while len(chars) < n:
        num, rem = divmod(num, 62)
        chars.append(_ALPHA[rem])
    s = "".join(chars)
    return "e" + s[:11] + "." + s[11:25] + "-" + s[25:n]


def npi(first9: str) -> str:
    """A 10-digit NPI with a valid Luhn check digit (prefix 80840), for fictional providers."""
    digits = [int(c) for c in "80840" + first9]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return first9 + str((10 - total % 10) % 10)


def tz(date: str) -> str:
    """US Eastern offset, roughly (DST April..October)."""
    return "-04:00" if 4 <= int(date[5:7]) <= 10 else "-05:00"


def dtz(date: str, time: str = "09:30:00", offset: str | None = None) -> str:
    """A dateTime with a timezone offset; times are daytime so the UTC date is the same day."""
    return f"{date}T{time}{offset if offset is not None else tz(date)}"


def cc(system: str | None, code: str, display: str | None = None, text: str | None = None) -> R:
    coding: R = {}
    if system:
        coding["system"] = system
    coding["code"] = code
    if display:
        coding["display"] = display
    out: R = {"coding": [coding]}
    if text:
        out["text"] = text
    return out


def rx(code: str, text: str | None = None) -> R:
    return cc(RXNORM, code, SCD[code], text or SCD[code])


def qty(value: float, unit: str, code: str | None = None) -> R:
    q: R = {"value": value, "unit": unit, "system": UCUM}
    q["code"] = code or unit
    return q


TABLET = ("tablet", "{tbl}")
CAPSULE = ("capsule", "{cap}")


def units(n: float, form: tuple[str, str] = TABLET) -> R:
    return qty(n, form[0], form[1])


def mg(n: float) -> R:
    return qty(n, "mg", "mg")


def days(n: int, code: str = "d") -> R:
    return {"value": n, "unit": "day" if code == "d" else "days", "system": UCUM, "code": code}


def daily_timing(
    freq: int = 1, start: str | None = None, end: str | None = None, when: list[str] | None = None
) -> R:
    rep: R = {}
    if start or end:
        bp: R = {}
        if start:
            bp["start"] = start
        if end:
            bp["end"] = end
        rep["boundsPeriod"] = bp
    rep.update({"frequency": freq, "period": 1, "periodUnit": "d"})
    if when:
        rep["when"] = when
    return {"repeat": rep}


def clinical_status(code: str) -> R:
    return cc("http://terminology.hl7.org/CodeSystem/condition-clinical", code)


def ver_confirmed() -> R:
    return cc("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed")


PROBLEM = [
    cc(
        "http://terminology.hl7.org/CodeSystem/condition-category",
        "problem-list-item",
        "Problem List Item",
    )
]
SURVEY = [cc("http://terminology.hl7.org/CodeSystem/observation-category", "survey", "Survey")]
BH_SECURITY = [
    {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"},
    {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "BH"},
]

PHQ9_TOTAL = cc(
    LOINC, "44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"
)
PHQ9_ITEM9_NOT_AT_ALL: R = {
    "code": cc(
        LOINC,
        "44260-8",
        "Thoughts that you would be better off dead, or of hurting yourself in some way in last 2 "
        "weeks [Reported.PHQ]",
    ),
    "valueCodeableConcept": cc(LOINC, "LA6568-5", "Not at all"),
}
PHQA_TOTAL = cc(
    LOINC,
    "89204-2",
    "Patient Health Questionnaire-9: Modified for Teens total score [Reported.PHQ.Teen]",
)
F33_2 = ("F33.2", "Major depressive disorder, recurrent severe without psychotic features")
F32_2 = ("F32.2", "Major depressive disorder, single episode, severe without psychotic features")
SCT_SEVERE_RECURRENT = (
    "36474008",
    "Severe recurrent major depression without psychotic features (disorder)",
)
SCT_SEVERE_SINGLE = (
    "76441001",
    "Severe major depression, single episode, without psychotic features (disorder)",
)
CPT_PSYTX = {
    "90832": "Psychotherapy, 30 minutes with patient",
    "90834": "Psychotherapy, 45 minutes with patient",
    "90837": "Psychotherapy, 60 minutes with patient",
}


def weekly(start: str, count: int, step_days: int = 7) -> list[str]:
    import datetime as dt

    d0 = dt.date.fromisoformat(start)
    return [(d0 + dt.timedelta(days=step_days * i)).isoformat() for i in range(count)]


def write_json(path: Path, obj: R) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def address(line: str, city: str, state: str, zip_: str) -> R:
    return {
        "use": "work",
        "line": [line],
        "city": city,
        "state": state,
        "postalCode": zip_,
        "country": "US",
    }


def practice_org(oid: str, name: str, npi9: str, tin: str, addr: R, phone: str, fax: str) -> R:
    return {
        "resourceType": "Organization",
        "id": oid,
        "identifier": [
            {"system": NPI, "value": npi(npi9)},
            {"type": cc(V2_0203, "TAX", "Tax ID number"), "system": TIN, "value": tin},
        ],
        "active": True,
        "type": [
            cc(
                "http://terminology.hl7.org/CodeSystem/organization-type",
                "prov",
                "Healthcare Provider",
            )
        ],
        "name": name,
        "telecom": [
            {"system": "phone", "value": phone, "use": "work"},
            {"system": "fax", "value": fax, "use": "work"},
        ],
        "address": [addr],
    }


def payer_org(oid: str, name: str) -> R:
    return {
        "resourceType": "Organization",
        "id": oid,
        "active": True,
        "type": [cc("http://terminology.hl7.org/CodeSystem/organization-type", "pay", "Payer")],
        "name": name,
    }


def psychiatrist(
    pid: str, family: str, given: list[str], npi9: str, ident_extra: list[R] | None = None
) -> R:
    return {
        "resourceType": "Practitioner",
        "id": pid,
        "identifier": [{"system": NPI, "value": npi(npi9)}, *(ident_extra or [])],
        "active": True,
        "name": [{"use": "official", "family": family, "given": given, "suffix": ["MD"]}],
        "qualification": [{"code": {"text": "MD, Board certified in Psychiatry"}}],
    }


# ============================================================================================
# 1. epic_orders.json -- Epic-like searchset from Patient/$everything
# ============================================================================================
EPIC_BASE = "https://fhir.epic-example.org/api/FHIR/R4"
EPIC_OID = "urn:oid:1.2.840.114350.1.13.999.2.7"


def epic_chart() -> R:
    pid = epic_id("epic/patient")
    prac = epic_id("epic/practitioner")
    org = epic_id("epic/org")
    aetna = epic_id("epic/aetna")
    cov = epic_id("epic/coverage")
    enc = epic_id("epic/enc-intake")
    pref = {"reference": f"Patient/{pid}", "display": "Testwell, Renata"}
    dref = {"reference": f"Practitioner/{prac}", "display": "Placeholder, Theodora, MD"}

    patient = {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [
            {
                "use": "usual",
                "type": {"text": "EPI"},
                "system": f"{EPIC_OID}.5.737384.14",
                "value": "E4829301",
            },
            {
                "use": "usual",
                "type": cc(V2_0203, "MR", "Medical record number", "MRN"),
                "system": f"{EPIC_OID}.2.698084",
                "value": "100482930",
            },
        ],
        "active": True,
        "name": [
            {
                "use": "official",
                "text": "Renata Testwell",
                "family": "Testwell",
                "given": ["Renata", "Q"],
            }
        ],
        "telecom": [{"system": "phone", "value": "555-0142", "use": "home"}],
        "gender": "female",
        "birthDate": "1979-03-14",
        "address": [
            {
                "use": "home",
                "line": ["12 Example Row"],
                "city": "Springfield",
                "state": "MA",
                "postalCode": "01101",
                "country": "US",
            }
        ],
        "generalPractitioner": [dref],
    }
    practitioner = psychiatrist(
        prac,
        "Placeholder",
        ["Theodora"],
        "100000001",
        [{"use": "usual", "system": f"{EPIC_OID}.2.697780", "value": "PSY1042"}],
    )
    organization = practice_org(
        org,
        "Lakeside Behavioral Health Associates (Example)",
        "100000002",
        "98-7654321",
        address("400 Fictional Parkway, Suite 210", "Springfield", "MA", "01103"),
        "413-555-0100",
        "413-555-0199",
    )
    payer = payer_org(aetna, "Aetna")
    coverage = {
        "resourceType": "Coverage",
        "id": cov,
        "identifier": [
            {
                "type": cc(V2_0203, "MB", "Member Number"),
                "system": "https://fhir.epic-example.org/member-id",
                "value": "W284610937",
            }
        ],
        "status": "active",
        "type": cc(SOPT, "59", "Other Private Insurance", "Commercial"),
        "subscriberId": "W284610937",
        "beneficiary": pref,
        "relationship": cc("http://terminology.hl7.org/CodeSystem/subscriber-relationship", "self"),
        "period": {"start": "2026-01-01"},
        "payor": [{"reference": f"Organization/{aetna}", "display": "Aetna"}],
        "class": [
            {
                "type": cc("http://terminology.hl7.org/CodeSystem/coverage-class", "group"),
                "value": "0284512",
                "name": "Fictional Widgets Inc.",
            },
            {
                "type": cc("http://terminology.hl7.org/CodeSystem/coverage-class", "plan"),
                "value": "OAMC",
                "name": "Aetna Open Access Managed Choice",
            },
        ],
    }
    encounter = {
        "resourceType": "Encounter",
        "id": enc,
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "type": [{"text": "Office Visit"}],
        "subject": pref,
        "participant": [{"individual": dref}],
        "period": {"start": dtz("2024-05-20", "09:00:00"), "end": dtz("2024-05-20", "10:00:00")},
        "serviceProvider": {"reference": f"Organization/{org}"},
    }
    condition = {
        "resourceType": "Condition",
        "id": epic_id("epic/cond-mdd"),
        "clinicalStatus": clinical_status("active"),
        "verificationStatus": ver_confirmed(),
        "category": PROBLEM,
        "code": {
            "coding": [
                {"system": ICD10, "code": F33_2[0], "display": F33_2[1]},
                {
                    "system": SNOMED,
                    "code": SCT_SEVERE_RECURRENT[0],
                    "display": SCT_SEVERE_RECURRENT[1],
                },
            ],
            "text": "Major depressive disorder, recurrent, severe (HCC)",
        },
        "subject": pref,
        "encounter": {"reference": f"Encounter/{enc}"},
        "onsetDateTime": "2024-04-15",
        "recordedDate": dtz("2024-05-20", "09:42:00"),
        "recorder": dref,
        "note": [{"text": "Current episode began mid-April 2024; prior episodes 2011 and 2018."}],
    }

    def order(
        seed: str,
        code: str,
        epic_name: str,
        n: float,
        freq: int,
        start: str,
        end: str | None,
        status: str,
        reason: str | None,
        authored: str,
        form: tuple[str, str] = TABLET,
        when: list[str] | None = None,
        extra_dose: R | None = None,
    ) -> R:
        mid = "med" + seed[-3:]
        timing = daily_timing(freq, start, end, when)
        timing["code"] = {"text": "0900" if not when else "2100"}
        dar: list[R] = [
            {
                "type": cc(
                    "http://epic.com/CodeSystem/dose-rate-type",
                    "admin-amount",
                    "admin-amount",
                    "admin-amount",
                ),
                "doseQuantity": units(n, form),
            }
        ]
        if extra_dose:
            dar.append(extra_dose)
        mr: R = {
            "resourceType": "MedicationRequest",
            "id": epic_id("epic/" + seed),
            "contained": [
                {
                    "resourceType": "Medication",
                    "id": mid,
                    "code": {
                        "coding": [{"system": RXNORM, "code": code, "display": SCD[code]}],
                        "text": epic_name,
                    },
                    "form": {"text": form[0]},
                }
            ],
            "identifier": [
                {
                    "use": "usual",
                    "system": f"{EPIC_OID}.2.798268",
                    "value": str(int(hashlib.md5(seed.encode()).hexdigest()[:7], 16)),
                }
            ],
            "status": status,
        }
        if reason:
            mr["statusReason"] = {"text": reason}
        mr.update(
            {
                "intent": "order",
                "category": [
                    cc(
                        "http://terminology.hl7.org/CodeSystem/medicationrequest-category",
                        "community",
                        "Community",
                        "Community",
                    )
                ],
                "medicationReference": {"reference": f"#{mid}", "display": epic_name},
                "subject": pref,
                "encounter": {"reference": f"Encounter/{enc}"},
                "authoredOn": authored,
                "requester": dref,
                "reasonCode": [
                    {
                        "coding": [{"system": ICD10, "code": F33_2[0]}],
                        "text": "Severe episode of recurrent major depressive disorder",
                    }
                ],
                "courseOfTherapyType": cc(
                    "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy",
                    "continuous",
                    "Continuous long term therapy",
                ),
                "dosageInstruction": [
                    {
                        "text": f"Take {int(n)} {form[0]}s by mouth "
                        + ("at bedtime" if when else "once daily"),
                        "timing": timing,
                        "asNeededBoolean": False,
                        "route": {"text": "Oral"},
                        "doseAndRate": dar,
                    }
                ],
            }
        )
        if status != "active":
            # the active order deliberately has no expectedSupplyDuration: with one, the
            # conventions would end it at start + supply instead of treating it as ongoing
            mr["dispenseRequest"] = {
                "quantity": units(n * 30, form),
                "expectedSupplyDuration": days(30),
            }
        return mr

    meds = [
        # sertraline titration: 2 x 50 mg (=100 mg/d) then 2 x 100 mg (=200 mg/d)
        order(
            "mr-sert-050",
            "312941",
            "sertraline (ZOLOFT) 50 MG tablet",
            2,
            1,
            "2024-06-03",
            "2024-07-14",
            "completed",
            None,
            dtz("2024-05-31", "16:05:11"),
        ),
        order(
            "mr-sert-100",
            "312938",
            "sertraline (ZOLOFT) 100 MG tablet",
            2,
            1,
            "2024-07-15",
            "2024-09-08",
            "stopped",
            "Inadequate response after 8 weeks at 200 mg",
            dtz("2024-07-12", "11:20:40"),
        ),
        # venlafaxine XR: intolerance comes from the AllergyIntolerance, not a statusReason
        order(
            "mr-venl-075",
            "808753",
            "venlafaxine (EFFEXOR XR) 75 MG 24 hr tablet",
            2,
            1,
            "2024-09-16",
            "2024-10-27",
            "stopped",
            None,
            dtz("2024-09-13", "14:02:09"),
            extra_dose={
                "type": cc(
                    "http://epic.com/CodeSystem/dose-rate-type",
                    "calculated",
                    "calculated",
                    "calculated",
                ),
                "doseQuantity": mg(150),
            },
        ),
        order(
            "mr-bupr-150",
            "993541",
            "buPROPion (WELLBUTRIN XL) 150 MG 24 hr tablet",
            2,
            1,
            "2024-11-04",
            "2025-01-26",
            "stopped",
            "Inadequate response after 12 weeks at 300 mg",
            dtz("2024-11-01", "10:44:00"),
        ),
        order(
            "mr-arip-005",
            "402131",
            "ARIPiprazole (ABILIFY) 5 MG tablet",
            1,
            1,
            "2024-12-16",
            "2025-02-09",
            "stopped",
            "No improvement after 8 weeks of augmentation",
            dtz("2024-12-13", "15:31:27"),
        ),
        order(
            "mr-esci-010",
            "349332",
            "escitalopram (LEXAPRO) 10 MG tablet",
            2,
            1,
            "2025-02-17",
            "2025-04-13",
            "stopped",
            "sexual dysfunction",
            dtz("2025-02-14", "09:12:55"),
        ),
        order(
            "mr-mirt-015",
            "311725",
            "mirtazapine (REMERON) 15 MG tablet",
            2,
            1,
            "2025-05-05",
            None,
            "active",
            None,
            dtz("2025-05-02", "13:47:03"),
            when=["HS"],
        ),
    ]
    allergy = {
        "resourceType": "AllergyIntolerance",
        "id": epic_id("epic/allergy-venlafaxine"),
        "clinicalStatus": cc(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"
        ),
        "verificationStatus": cc(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
            "confirmed",
            "Confirmed",
        ),
        "type": "intolerance",
        "category": ["medication"],
        "criticality": "low",
        "code": {
            "coding": [{"system": RXNORM, "code": "39786", "display": "venlafaxine"}],
            "text": "Venlafaxine",
        },
        "patient": pref,
        "onsetDateTime": "2024-10-20",
        "recordedDate": dtz("2024-10-28", "10:15:00"),
        "recorder": dref,
        "reaction": [
            {
                "manifestation": [{"text": "Palpitations and elevated blood pressure"}],
                "severity": "moderate",
            }
        ],
    }
    phq = [
        ("2024-05-20", 21),
        ("2024-09-05", 19),
        ("2025-01-23", 20),
        ("2025-04-10", 18),
        ("2025-10-02", 19),
        ("2026-11-12", 22),
    ]
    observations = [
        {
            "resourceType": "Observation",
            "id": epic_id(f"epic/phq9-{d}"),
            "status": "final",
            "category": SURVEY,
            "code": {
                "coding": [
                    {
                        "system": LOINC,
                        "code": "44261-6",
                        "display": PHQ9_TOTAL["coding"][0]["display"],
                    },
                    {
                        "system": f"{EPIC_OID}.2.707679",
                        "code": "1570000142",
                        "display": "PHQ-9 TOTAL SCORE",
                    },
                ],
                "text": "PHQ-9 Total Score",
            },
            "subject": pref,
            "effectiveDateTime": dtz(d, "10:15:00"),
            "issued": f"{d}T15:20:11Z",
            "valueInteger": v,
        }
        for d, v in phq
    ]
    sessions = weekly("2025-06-03", 14)
    procedures = [
        {
            "resourceType": "Procedure",
            "id": epic_id(f"epic/psytx-{d}"),
            "status": "completed",
            "code": {
                "coding": [{"system": CPT, "code": "90837", "display": CPT_PSYTX["90837"]}],
                "text": "PSYTX W PT 60 MINUTES",
            },
            "subject": pref,
            "performedDateTime": dtz(d, "14:00:00"),
            "performer": [{"actor": {"display": "Mockley, Jordan, LICSW"}}],
        }
        for d in sessions
    ]
    outcome = {
        "resourceType": "OperationOutcome",
        "id": epic_id("epic/oo"),
        "issue": [
            {
                "severity": "warning",
                "code": "processing",
                "details": cc(
                    f"{EPIC_OID}.2.657369",
                    "4119",
                    text="Some resource types were not returned: DocumentReference",
                ),
                "diagnostics": "Client not authorized for DocumentReference",
            }
        ],
    }
    matches: list[R] = [
        patient,
        condition,
        coverage,
        encounter,
        *meds,
        allergy,
        *observations,
        *procedures,
    ]
    includes: list[R] = [practitioner, organization, payer]
    entries = [
        {
            "link": [{"relation": "self", "url": f"{EPIC_BASE}/{r['resourceType']}/{r['id']}"}],
            "fullUrl": f"{EPIC_BASE}/{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "match"},
        }
        for r in matches
    ]
    entries += [
        {
            "fullUrl": f"{EPIC_BASE}/{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "include"},
        }
        for r in includes
    ]
    entries.append({"resource": outcome, "search": {"mode": "outcome"}})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(matches),
        "link": [{"relation": "self", "url": f"{EPIC_BASE}/Patient/{pid}/$everything"}],
        "entry": entries,
    }


# ============================================================================================
# 2. intake_statements.json -- collection, urn:uuid, MedicationStatements with brand text only
# ============================================================================================
def intake_chart() -> R:
    def u(name: str) -> str:
        return uid("intake/" + name)

    pid, org, prac = u("patient"), u("org"), u("practitioner")
    pref = {"reference": f"urn:uuid:{pid}"}
    res: list[R] = []
    res.append(
        {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [
                {
                    "type": cc(V2_0203, "MR", "Medical record number"),
                    "system": "https://ehr.example.org/mrn",
                    "value": "TMS-000417",
                }
            ],
            "name": [{"family": "Sampleton", "given": ["Colby"]}],
            "gender": "male",
            "birthDate": "1988-08-02",
        }
    )
    res.append(
        practice_org(
            org,
            "Brightwater TMS Center (Example)",
            "100000003",
            "11-2233445",
            address("88 Sample Street", "Albany", "NY", "12207"),
            "518-555-0123",
            "518-555-0124",
        )
    )
    res.append(psychiatrist(prac, "Quasimodo-Test", ["Ines"], "100000004"))
    res.append(
        {
            "resourceType": "Coverage",
            "id": u("coverage"),
            "status": "active",
            "subscriberId": "U88231907",
            "beneficiary": pref,
            # quirk: payor is display-only, no Organization resource
            "payor": [{"display": "Cigna"}],
            "class": [
                {
                    "type": cc("http://terminology.hl7.org/CodeSystem/coverage-class", "group"),
                    "value": "3341207",
                }
            ],
        }
    )
    res.append(
        {
            "resourceType": "Condition",
            "id": u("cond-mdd"),
            "clinicalStatus": clinical_status("active"),
            "verificationStatus": ver_confirmed(),
            "category": [
                cc(
                    "http://terminology.hl7.org/CodeSystem/condition-category",
                    "encounter-diagnosis",
                    "Encounter Diagnosis",
                )
            ],
            "code": {
                "coding": [
                    {"system": ICD10, "code": F32_2[0], "display": F32_2[1]},
                    {
                        "system": SNOMED,
                        "code": SCT_SEVERE_SINGLE[0],
                        "display": SCT_SEVERE_SINGLE[1],
                    },
                ]
            },
            "subject": pref,
            "onsetDateTime": "2023-01-09",
            "recordedDate": "2026-10-27",
            "recorder": {"reference": f"urn:uuid:{prac}"},
        }
    )

    def stmt(
        name: str,
        text: str,
        status: str,
        period: R | None,
        dose_text: str,
        reason: str | None = None,
        reason_code: str | None = None,
        note: str | None = None,
    ) -> R:
        ms: R = {"resourceType": "MedicationStatement", "id": u(name), "status": status}
        if reason:
            ms["statusReason"] = [{"text": reason}]
        ms["medicationCodeableConcept"] = {"text": text}
        ms["subject"] = pref
        if period is not None:
            ms["effectivePeriod"] = period
        ms["dateAsserted"] = dtz("2026-10-27", "08:50:00")
        ms["informationSource"] = pref
        if reason_code:
            ms["reasonCode"] = [{"text": reason_code}]
        if note:
            ms["note"] = [{"text": note}]
        ms["dosage"] = [{"text": dose_text}]
        return ms

    res += [
        stmt(
            "ms-lexapro",
            "Lexapro 20mg daily",
            "completed",
            {"start": "2023-02", "end": "2023-06-15"},
            "20 mg by mouth once daily",
            reason="did not help",
        ),
        stmt(
            "ms-wellbutrin",
            "Wellbutrin XL 300 mg",
            "completed",
            {"start": "2023-07", "end": "2023-12"},
            "300 mg once daily in the morning",
            reason="no improvement",
        ),
        stmt(
            "ms-effexor",
            "Effexor XR 150mg",
            "stopped",
            {"start": "2024-01-08", "end": "2024-02-18"},
            "150 mg once daily",
            reason="made me jittery",
            note="Stopped by prescriber because of side effects.",
        ),
        stmt("ms-zoloft", "Zoloft 150 mg", "active", {"start": "2024-04-01"}, "150 mg once daily"),
        stmt(
            "ms-trazodone",
            "trazodone 50 mg at bedtime for sleep",
            "active",
            {"start": "2024-05"},
            "50 mg at bedtime",
            reason_code="insomnia",
        ),
        # no date at all -> data-quality note, not a trial
        stmt(
            "ms-prozac-nodate",
            "Prozac",
            "completed",
            None,
            "unsure of dose",
            note="Took in college, does not remember when or how much.",
        ),
    ]
    hamd = [("2024-06-03", 22, "+00:00"), ("2026-11-17", 25, None)]
    for d, v, off in hamd:
        res.append(
            {
                "resourceType": "Observation",
                "id": u(f"hamd-{d}"),
                "status": "final",
                "category": SURVEY,
                "code": {
                    "coding": [{"system": "https://ehr.example.org/codes", "code": "HAMD17"}],
                    "text": "Hamilton Depression Rating Scale 17-item",
                },
                "subject": pref,
                "effectiveDateTime": dtz(d, "11:00:00", off),
                "performer": [{"reference": f"urn:uuid:{prac}"}],
                "valueQuantity": {"value": v, "unit": "score"},
            }
        )
    # the diagnostic evaluation is an Encounter too, but it is not psychotherapy
    res.append(
        {
            "resourceType": "Encounter",
            "id": u("enc-eval"),
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "type": [
                {
                    "coding": [
                        {
                            "system": CPT,
                            "code": "90791",
                            "display": "Psychiatric diagnostic evaluation",
                        }
                    ],
                    "text": "Psychiatric diagnostic evaluation",
                }
            ],
            "subject": pref,
            "period": {
                "start": dtz("2026-10-27", "09:00:00"),
                "end": dtz("2026-10-27", "10:30:00"),
            },
            "serviceProvider": {"reference": f"urn:uuid:{org}"},
        }
    )
    for d in weekly("2024-06-04", 16):
        res.append(
            {
                "resourceType": "Encounter",
                "id": u(f"enc-cbt-{d}"),
                "status": "finished",
                "class": {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": "AMB",
                },
                "type": [{"text": "Individual psychotherapy (CBT)"}],
                "subject": pref,
                "period": {"start": dtz(d, "17:00:00"), "end": dtz(d, "17:55:00")},
            }
        )
    return {
        "resourceType": "Bundle",
        "id": uid("intake/bundle"),
        "type": "collection",
        "timestamp": "2026-10-27T13:05:00-04:00",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in res],
    }


# ============================================================================================
# 3. pharmacy_fills.json -- MedicationDispense only
# ============================================================================================
PH_BASE = "https://pharmacy-hub.example.org/fhir"


def pharmacy_chart() -> R:
    pid = "pt-dmockford"
    pref = {"reference": f"Patient/{pid}"}
    res: list[R] = [
        {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [
                {
                    "type": cc(V2_0203, "MR", "Medical record number"),
                    "system": "https://clinic.example.org/mrn",
                    "value": "55-20931",
                }
            ],
            "name": [{"family": "Mockford", "given": ["Dolores"]}],
            "gender": "female",
            "birthDate": "1965-12-30",
        },
        payer_org("org-uhc", "UnitedHealthcare"),
        {
            "resourceType": "Coverage",
            "id": "cov-uhc",
            "status": "active",
            "identifier": [
                {
                    "type": cc(V2_0203, "MB", "Member Number"),
                    "system": "https://uhc.example.org/member",
                    "value": "918273645",
                }
            ],
            "subscriberId": "918273645",
            "beneficiary": pref,
            "period": {"start": "2022-01-01"},
            "payor": [{"reference": "Organization/org-uhc"}],
            "class": [
                {
                    "type": cc("http://terminology.hl7.org/CodeSystem/coverage-class", "group"),
                    "value": "705522",
                    "name": "Example County Schools",
                }
            ],
        },
        # quirk: ICD-10-CM coding with version and no display
        {
            "resourceType": "Condition",
            "id": "cond-mdd",
            "clinicalStatus": clinical_status("active"),
            "verificationStatus": ver_confirmed(),
            "category": PROBLEM,
            "code": {"coding": [{"system": ICD10, "version": "2026", "code": "F33.2"}]},
            "subject": pref,
            "onsetDateTime": "2023-01-16",
            "recordedDate": "2023-02-27",
        },
    ]

    def fill(
        fid: str,
        code: str,
        q: float,
        ds: int,
        handed: str | None,
        *,
        sig: R | None = None,
        prepared: str | None = None,
        ds_code: str = "d",
    ) -> R:
        form = CAPSULE if "Capsule" in SCD[code] else TABLET
        md: R = {
            "resourceType": "MedicationDispense",
            "id": fid,
            "status": "completed",
            "medicationCodeableConcept": rx(code),
            "subject": pref,
            "type": cc("http://terminology.hl7.org/CodeSystem/v3-ActCode", "FF", "First Fill")
            if fid.endswith("-1")
            else cc("http://terminology.hl7.org/CodeSystem/v3-ActCode", "RF", "Refill"),
            "quantity": units(q, form),
            "daysSupply": days(ds, ds_code),
        }
        if prepared:
            md["whenPrepared"] = prepared
        if handed:
            md["whenHandedOver"] = handed
        if sig:
            md["dosageInstruction"] = [sig]
        return md

    sig_sert = {
        "text": "Take 1 tablet by mouth once daily",
        "timing": daily_timing(1),
        "doseAndRate": [{"doseQuantity": units(1)}],
    }
    # sertraline trial 1 (100 mg/day); fill 4 is 12 days late
    s1 = ["2023-03-06", "2023-04-05", "2023-05-05", "2023-06-16", "2023-07-16", "2023-08-15"]
    for i, d in enumerate(s1, 1):
        res.append(
            fill(
                f"md-sert-a-{i}",
                "312938",
                30,
                30,
                dtz(d, "17:42:00", "-06:00"),
                sig=sig_sert if i in (1, 4) else None,
            )
        )
    # 90-day gap, then sertraline again at 200 mg/day (60 x 100 mg per 30 days, no sig)
    for i, d in enumerate(["2023-12-13", "2024-01-12", "2024-02-11"], 1):
        res.append(
            fill(f"md-sert-b-{i}", "312938", 60, 30, dtz(d, "12:05:00", "-06:00"), ds_code="days")
        )
    # duloxetine 30 mg x 30 days, then 60 mg; fill 4 has only whenPrepared
    dul = [
        ("596930", "2024-03-20"),
        ("596934", "2024-04-19"),
        ("596934", "2024-05-19"),
        ("596934", "2024-06-18"),
        ("596934", "2024-07-18"),
    ]
    for i, (code, d) in enumerate(dul, 1):
        if i == 4:
            res.append(
                fill(f"md-dulo-{i}", code, 30, 30, None, prepared=dtz(d, "08:15:00", "-05:00"))
            )
        else:
            res.append(fill(f"md-dulo-{i}", code, 30, 30, dtz(d, "15:30:00", "-05:00")))
    # mirtazapine 15 mg, then an early refill at 30 mg (5 days early), added to duloxetine
    mir = [
        ("311725", "2024-06-03"),
        ("314111", "2024-06-28"),
        ("314111", "2024-07-28"),
        ("314111", "2024-08-27"),
    ]
    for i, (code, d) in enumerate(mir, 1):
        sig = (
            {
                "text": "Take 1 tablet by mouth at bedtime",
                "timing": daily_timing(1, when=["HS"]),
                "doseAndRate": [{"doseQuantity": units(1)}],
            }
            if i == 2
            else None
        )
        res.append(fill(f"md-mirt-{i}", code, 30, 30, dtz(d, "18:10:00", "-05:00"), sig=sig))
    for d, v in [
        ("2023-02-27", 19),
        ("2023-09-11", 17),
        ("2024-03-18", 18),
        ("2024-09-23", 16),
        ("2026-11-02", 20),
    ]:
        res.append(
            {
                "resourceType": "Observation",
                "id": f"obs-phq9-{d}",
                "status": "final",
                "category": SURVEY,
                "code": PHQ9_TOTAL,
                "subject": pref,
                "effectiveDateTime": dtz(d, "10:00:00", "-06:00"),
                "valueQuantity": {"value": v, "unit": "{score}", "system": UCUM, "code": "{score}"},
            }
        )
    return {
        "resourceType": "Bundle",
        "id": "pharmacy-fills-dmockford",
        "type": "collection",
        "entry": [
            {"fullUrl": f"{PH_BASE}/{r['resourceType']}/{r['id']}", "resource": r} for r in res
        ],
    }


# ============================================================================================
# 4. bulk_ndjson/ -- one patient, bulk export, relative references, Medicare
# ============================================================================================
def bulk_chart() -> dict[str, list[R]]:
    pid = "b7f0c3d2-5a41-4e8e-9c1d-0f5e2a7b9c31"
    pref = {"reference": f"Patient/{pid}"}
    prac_npi = npi("100000005")
    cond_requester = {"reference": f"Practitioner?identifier={NPI}|{prac_npi}"}
    out: dict[str, list[R]] = {
        k: []
        for k in (
            "Patient",
            "Condition",
            "MedicationRequest",
            "Medication",
            "Observation",
            "Procedure",
            "Coverage",
            "Organization",
            "Practitioner",
        )
    }
    out["Patient"].append(
        {
            "resourceType": "Patient",
            "id": pid,
            "meta": {
                "profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]
            },
            "identifier": [
                {
                    "type": cc(V2_0203, "MR", "Medical record number"),
                    "system": "https://ehr.harborview-example.org/mrn",
                    "value": "HV-771203",
                }
            ],
            "name": [{"use": "official", "family": "Placeholder", "given": ["Walter", "J"]}],
            "gender": "male",
            "birthDate": "1958-06-11",
        }
    )
    out["Organization"] += [
        practice_org(
            "org-harbor",
            "Harbor Example Psychiatry Group",
            "100000006",
            "45-6789012",
            address("1 Placeholder Plaza", "Portland", "ME", "04101"),
            "207-555-0160",
            "207-555-0161",
        ),
        payer_org("org-medicare", "Medicare"),
    ]
    out["Practitioner"].append(
        psychiatrist("prac-okafor", "Testperson-Okafor", ["Nnamdi"], "100000005")
    )
    out["Coverage"].append(
        {
            "resourceType": "Coverage",
            "id": "cov-medicare",
            "status": "active",
            "type": cc(SOPT, "1", "MEDICARE"),
            "subscriberId": "1EG4TE5MK73",
            "beneficiary": pref,
            "period": {"start": "2023-06-01"},
            "payor": [{"reference": "Organization/org-medicare"}],
            "class": [
                {
                    "type": cc("http://terminology.hl7.org/CodeSystem/coverage-class", "plan"),
                    "value": "Part B",
                    "name": "Medicare Part B",
                }
            ],
        }
    )
    # quirk: SNOMED-only diagnosis
    out["Condition"].append(
        {
            "resourceType": "Condition",
            "id": "cond-mdd-2023",
            "clinicalStatus": clinical_status("active"),
            "verificationStatus": ver_confirmed(),
            "category": PROBLEM,
            "code": {
                "coding": [
                    {
                        "system": SNOMED,
                        "code": SCT_SEVERE_RECURRENT[0],
                        "display": SCT_SEVERE_RECURRENT[1],
                    }
                ]
            },
            "subject": pref,
            "onsetDateTime": "2023-09-04",
            "recordedDate": "2023-09-18",
        }
    )

    def medication(mid: str, code: str, form: str) -> R:
        return {"resourceType": "Medication", "id": mid, "code": rx(code), "form": {"text": form}}

    out["Medication"] += [
        medication("med-citalopram-20", "200371", "Oral Tablet"),
        medication("med-nortriptyline-25", "317136", "Oral Capsule"),
        medication("med-lithium-300", "197889", "Oral Capsule"),
        medication("med-venlafaxine-er-75", "313585", "Extended Release Oral Capsule"),
        medication("med-tranylcypromine-10", "313447", "Oral Tablet"),
        # NB: med-sertraline-100 is referenced below but deliberately NOT exported
    ]

    def req(
        rid: str,
        med: str,
        display: str,
        status: str,
        authored: str,
        dosage: R,
        reason: str | None = None,
        dispense: R | None = None,
        requester: R | None = None,
    ) -> R:
        mr: R = {"resourceType": "MedicationRequest", "id": rid, "status": status}
        if reason:
            mr["statusReason"] = {"text": reason}
        mr.update(
            {
                "intent": "order",
                "medicationReference": {"reference": f"Medication/{med}", "display": display},
                "subject": pref,
                "authoredOn": authored,
                "requester": requester or {"reference": "Practitioner/prac-okafor"},
                "dosageInstruction": [dosage],
            }
        )
        if dispense:
            mr["dispenseRequest"] = dispense
        return mr

    out["MedicationRequest"] += [
        # dangling Medication reference; dose given in mg
        req(
            "mr-sertraline-2021",
            "med-sertraline-100",
            "sertraline 100 MG Oral Tablet",
            "completed",
            "2021-02-26T14:00:00-05:00",
            {
                "text": "100 mg daily",
                "timing": daily_timing(1, "2021-03-01", "2021-08-29"),
                "doseAndRate": [{"doseQuantity": mg(100)}],
            },
        ),
        # end from dispenseRequest.validityPeriod.end
        req(
            "mr-citalopram",
            "med-citalopram-20",
            "citalopram 20 MG Oral Tablet",
            "stopped",
            "2023-10-02T10:05:00-04:00",
            {
                "text": "1 tablet daily",
                "timing": daily_timing(1),
                "doseAndRate": [{"doseQuantity": units(1)}],
            },
            reason="Ineffective",
            dispense={
                "validityPeriod": {"start": "2023-10-02", "end": "2023-12-31"},
                "quantity": units(30),
                "numberOfRepeatsAllowed": 2,
            },
            requester=cond_requester,
        ),
        # end from expectedSupplyDuration x (1 + repeats); validityPeriod has a start only
        req(
            "mr-nortriptyline",
            "med-nortriptyline-25",
            "nortriptyline 25 MG Oral Capsule",
            "completed",
            "2024-01-15T11:30:00-05:00",
            {
                "text": "3 capsules at bedtime",
                "timing": daily_timing(1, when=["HS"]),
                "doseAndRate": [{"doseQuantity": units(3, CAPSULE)}],
            },
            reason="Inadequate response",
            dispense={
                "validityPeriod": {"start": "2024-01-15"},
                "quantity": units(90, CAPSULE),
                "numberOfRepeatsAllowed": 2,
                "expectedSupplyDuration": days(30),
            },
            requester=cond_requester,
        ),
        # lithium augmentation; frequency from timing.code BID
        req(
            "mr-lithium",
            "med-lithium-300",
            "lithium carbonate 300 MG Oral Capsule",
            "stopped",
            "2024-02-23T15:45:00-05:00",
            {
                "text": "1 capsule twice daily",
                "timing": {
                    "repeat": {"boundsPeriod": {"start": "2024-02-26", "end": "2024-04-07"}},
                    "code": cc(GTS, "BID", "BID"),
                },
                "doseAndRate": [{"doseQuantity": units(1, CAPSULE)}],
            },
            reason="Side effects: tremor and nausea",
        ),
        req(
            "mr-venlafaxine",
            "med-venlafaxine-er-75",
            "venlafaxine 75 MG 24HR ER capsule",
            "stopped",
            "2024-05-03T09:10:00-04:00",
            {
                "text": "2 capsules daily",
                "timing": daily_timing(1, "2024-05-06", "2024-08-25"),
                "doseAndRate": [{"doseQuantity": units(2, CAPSULE)}],
            },
            reason="Partial response only",
        ),
        req(
            "mr-tranylcypromine",
            "med-tranylcypromine-10",
            "tranylcypromine 10 MG Oral Tablet",
            "active",
            "2026-08-10T13:20:00-04:00",
            {
                "text": "1 tablet three times daily",
                "timing": daily_timing(3, "2026-08-17"),
                "doseAndRate": [{"doseQuantity": units(1)}],
            },
        ),
    ]
    phq = [
        ("2023-09-18", 20, "int"),
        ("2024-01-08", 19, "int"),
        ("2024-05-06", 17, "str"),
        ("2026-11-16", 21, "int"),
    ]
    for d, v, kind in phq:
        obs: R = {
            "resourceType": "Observation",
            "id": f"obs-phq9-{d}",
            "status": "final",
            "category": SURVEY,
            "code": PHQ9_TOTAL,
            "subject": pref,
            "effectiveDateTime": f"{d}T13:00:00+00:00",
        }
        obs["valueInteger" if kind == "int" else "valueString"] = v if kind == "int" else str(v)
        out["Observation"].append(obs)
    for d, v in [("2024-08-19", 21), ("2026-11-16", 23)]:
        out["Observation"].append(
            {
                "resourceType": "Observation",
                "id": f"obs-hamd-{d}",
                "status": "final",
                "category": SURVEY,
                "code": {
                    "coding": [
                        {
                            "system": "https://ehr.harborview-example.org/CodeSystem/scales",
                            "code": "HAMD-17",
                            "display": "HAM-D 17 total",
                        }
                    ],
                    "text": "Hamilton Rating Scale for Depression (17-item) total",
                },
                "subject": pref,
                "effectiveDateTime": f"{d}T14:30:00+00:00",
                "valueInteger": v,
            }
        )
    # screening procedure (not psychotherapy, no score)
    out["Procedure"].append(
        {
            "resourceType": "Procedure",
            "id": "proc-phq9-screen-2023-09-18",
            "status": "completed",
            "code": cc(
                SNOMED,
                "715252007",
                "Depression screening using Patient Health Questionnaire Nine Item score "
                "(procedure)",
            ),
            "subject": pref,
            "performedDateTime": "2023-09-18T13:00:00+00:00",
        }
    )
    for d in weekly("2024-02-06", 12, 14):
        out["Procedure"].append(
            {
                "resourceType": "Procedure",
                "id": f"proc-ipt-{d}",
                "status": "completed",
                "code": {
                    "coding": [
                        {"system": CPT, "code": "90834", "display": CPT_PSYTX["90834"]},
                        {
                            "system": SNOMED,
                            "code": "443730003",
                            "display": "Interpersonal psychotherapy (regime/therapy)",
                        },
                    ]
                },
                "subject": pref,
                "performedDateTime": f"{d}T15:00:00+00:00",
                "performer": [{"actor": {"reference": "Practitioner/prac-okafor"}}],
            }
        )
    return out


# ============================================================================================
# 5. phq9_questionnaire.json -- PHQ-9 only as QuestionnaireResponses (transaction, urn:uuid)
# ============================================================================================
PHQ9_ITEMS = [
    ("44250-9", "Little interest or pleasure in doing things?"),
    ("44255-8", "Feeling down, depressed, or hopeless?"),
    ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("44254-1", "Feeling tired or having little energy"),
    ("44251-7", "Poor appetite or overeating"),
    (
        "44258-2",
        "Feeling bad about yourself - or that you are a failure or have let yourself or "
        "your family down",
    ),
    (
        "44252-5",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
    ),
    (
        "44253-3",
        "Moving or speaking so slowly that other people could have noticed. Or the "
        "opposite - being so fidgety or restless that you have been moving around a lot "
        "more than usual",
    ),
    ("44260-8", "Thoughts that you would be better off dead, or of hurting yourself in some way"),
]
LA = {
    0: ("LA6568-5", "Not at all"),
    1: ("LA6569-3", "Several days"),
    2: ("LA6570-1", "More than half the days"),
    3: ("LA6571-9", "Nearly every day"),
}
DIFFICULTY = {"system": LOINC, "code": "LA6573-5", "display": "Somewhat difficult"}


def phq9_qr_chart() -> R:
    def u(name: str) -> str:
        return uid("phq9qr/" + name)

    pid = u("patient")
    pref = {"reference": f"urn:uuid:{pid}"}
    res: list[R] = [
        {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [{"system": "https://ehr.example.org/mrn", "value": "QR-30417"}],
            "name": [{"family": "Exampleton", "given": ["Hana"]}],
            "gender": "female",
            "birthDate": "1992-04-21",
        },
        {
            "resourceType": "Condition",
            "id": u("cond"),
            "clinicalStatus": clinical_status("active"),
            "verificationStatus": ver_confirmed(),
            "category": PROBLEM,
            "code": {"coding": [{"system": ICD10, "code": "F33.1"}]},
            "subject": pref,
            "onsetDateTime": "2025-01-13T10:00:00-06:00",
        },
    ]

    def answer(points: int, with_system: bool = True) -> list[R]:
        code, disp = LA[points]
        coding: R = (
            {"system": LOINC, "code": code, "display": disp}
            if with_system
            else {"code": code, "display": disp}
        )
        return [{"valueCoding": coding}]

    # response 1: LOINC linkIds ("/44250-9"), like the US Core example; no total item
    pts1 = [3, 3, 2, 3, 2, 2, 2, 1, 1]
    items1 = [
        {"linkId": f"/{code}", "text": text, "answer": answer(p)}
        for (code, text), p in zip(PHQ9_ITEMS, pts1, strict=True)
    ]
    items1.append(
        {
            "linkId": "/69722-7",
            "text": "How difficult have these problems made it for you to do your work, "
            "take care of things at home, or get along with other people?",
            "answer": [{"valueCoding": DIFFICULTY}],
        }
    )
    # response 2: a local form with code-less linkIds and LA codes without a system
    pts2 = [2, 2, 2, 2, 1, 2, 1, 1, 0]
    items2 = [
        {"linkId": f"phq9.{i}", "text": text, "answer": answer(p, with_system=False)}
        for i, ((_, text), p) in enumerate(zip(PHQ9_ITEMS, pts2, strict=True), 1)
    ]
    items2.append(
        {
            "linkId": "phq9.10",
            "text": "How difficult have these problems made it...",
            "answer": [{"valueCoding": {"code": "LA6573-5", "display": "Somewhat difficult"}}],
        }
    )
    # response 3: items nested in a group
    pts3 = [3, 3, 3, 2, 2, 3, 2, 2, 1]
    items3 = [
        {
            "linkId": "phq9-group",
            "text": "Over the last 2 weeks, how often have you been "
            "bothered by any of the following problems?",
            "item": [
                {"linkId": f"/{code}", "text": text, "answer": answer(p)}
                for (code, text), p in zip(PHQ9_ITEMS, pts3, strict=True)
            ],
        }
    ]
    for name, authored, items, qurl in [
        ("qr-1", "2025-02-24T15:20:00-06:00", items1, "http://loinc.org/q/44249-1"),
        (
            "qr-2",
            "2025-07-14T09:05:00-05:00",
            items2,
            "https://forms.example.org/Questionnaire/phq9-intake|3",
        ),
        ("qr-3", "2026-11-09T14:45:00-06:00", items3, "http://loinc.org/q/44249-1"),
    ]:
        res.append(
            {
                "resourceType": "QuestionnaireResponse",
                "id": u(name),
                "questionnaire": qurl,
                "status": "completed",
                "subject": pref,
                "authored": authored,
                "author": pref,
                "item": items,
            }
        )

    def mreq(
        name: str,
        code: str,
        dose_mg: float,
        status: str,
        authored: str,
        start: str | None,
        end: str | None,
        reason: str | None,
        when: list[str] | None = None,
    ) -> R:
        mr: R = {"resourceType": "MedicationRequest", "id": u(name), "status": status}
        if reason:
            mr["statusReason"] = {"text": reason}
        mr.update(
            {
                "intent": "order",
                "medicationCodeableConcept": rx(code),
                "subject": pref,
                "authoredOn": authored,
                "dosageInstruction": [
                    {
                        "timing": daily_timing(1, start, end, when),
                        "doseAndRate": [{"doseQuantity": mg(dose_mg)}],
                    }
                ],
            }
        )
        return mr

    res += [
        mreq(
            "mr-fluoxetine",
            "310385",
            40,
            "stopped",
            "2025-03-03T10:00:00-06:00",
            "2025-03-03",
            "2025-05-11",
            "No response at 40 mg after 10 weeks",
        ),
        mreq(
            "mr-desvenlafaxine",
            "790264",
            100,
            "stopped",
            "2025-05-16T10:00:00-05:00",
            "2025-05-19",
            "2025-07-13",
            "Partial response",
        ),
        # active, authoredOn only -> ongoing to the as-of date
        mreq(
            "mr-mirtazapine",
            "311725",
            15,
            "active",
            "2025-07-28T16:30:00-05:00",
            None,
            None,
            None,
            when=["HS"],
        ),
    ]
    for d in weekly("2025-04-01", 8, 14):
        res.append(
            {
                "resourceType": "Procedure",
                "id": u(f"psytx-{d}"),
                "status": "completed",
                "code": {
                    "coding": [
                        {"system": CPT, "code": "90832", "display": CPT_PSYTX["90832"]},
                        {
                            "system": SNOMED,
                            "code": "75516001",
                            "display": "Psychotherapy (regime/therapy)",
                        },
                    ]
                },
                "subject": pref,
                "performedDateTime": f"{d}T16:00:00-05:00",
            }
        )
    return {
        "resourceType": "Bundle",
        "id": u("bundle"),
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:{r['id']}",
                "resource": r,
                "request": {"method": "POST", "url": r["resourceType"]},
            }
            for r in res
        ],
    }


# ============================================================================================
# 6. teen_trd.json -- 16-year-old, Medicaid, PHQ-A + PHQ-9, BH security labels
# ============================================================================================
TEEN_BASE = "https://fhir.youthclinic-example.org/r4"


def teen_chart() -> R:
    pid = "teen-skyler"
    pref = {"reference": f"Patient/{pid}"}
    bh = {"security": BH_SECURITY}
    res: list[R] = [
        {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [
                {
                    "type": cc(V2_0203, "MR", "Medical record number"),
                    "system": "https://youthclinic-example.org/mrn",
                    "value": "Y-20091201",
                }
            ],
            "name": [{"family": "Testkid", "given": ["Skyler", "Juniper"]}],
            "gender": "female",
            "birthDate": "2009-12-01",
            "contact": [
                {
                    "relationship": [
                        cc("http://terminology.hl7.org/CodeSystem/v2-0131", "N", "Next-of-Kin")
                    ],
                    "name": {"family": "Testkid", "given": ["Morgan"]},
                }
            ],
        },
        practice_org(
            "org-youth",
            "Youth Example Behavioral Health",
            "100000007",
            "33-1122334",
            address("7 Sample Court", "Columbus", "OH", "43215"),
            "614-555-0170",
            "614-555-0171",
        ),
        psychiatrist("prac-child", "Fakenham", ["Rosalind"], "100000008"),
        payer_org("org-medicaid", "Example State Medicaid"),
        {
            "resourceType": "Coverage",
            "id": "cov-medicaid",
            "status": "active",
            # type as text only: the terminology reference has no Medicaid payer-type code
            "type": {"text": "Medicaid"},
            "identifier": [
                {
                    "type": cc(V2_0203, "MB", "Member Number"),
                    "system": "https://medicaid.example.gov/id",
                    "value": "MCD400918273",
                }
            ],
            "subscriberId": "MCD400918273",
            "beneficiary": pref,
            "relationship": cc(
                "http://terminology.hl7.org/CodeSystem/subscriber-relationship", "self"
            ),
            "period": {"start": "2024-07-01"},
            "payor": [{"reference": "Organization/org-medicaid"}],
        },
        {
            "resourceType": "Condition",
            "id": "cond-mdd",
            "meta": bh,
            "clinicalStatus": clinical_status("active"),
            "verificationStatus": ver_confirmed(),
            "category": PROBLEM,
            "code": {
                "coding": [
                    {"system": ICD10, "code": F32_2[0], "display": F32_2[1]},
                    {
                        "system": SNOMED,
                        "code": SCT_SEVERE_SINGLE[0],
                        "display": SCT_SEVERE_SINGLE[1],
                    },
                ]
            },
            "subject": pref,
            "onsetDateTime": "2025-04-07",
            "recordedDate": "2025-05-01",
        },
    ]

    def mreq(
        rid: str,
        code: str,
        n: int,
        start: str,
        end: str,
        status: str,
        reason: str | None,
        authored: str,
    ) -> R:
        form = CAPSULE if "Capsule" in SCD[code] else TABLET
        mr: R = {"resourceType": "MedicationRequest", "id": rid, "meta": bh, "status": status}
        if reason:
            mr["statusReason"] = {"text": reason}
        mr.update(
            {
                "intent": "order",
                "medicationCodeableConcept": rx(code),
                "subject": pref,
                "authoredOn": authored,
                "requester": {"reference": "Practitioner/prac-child"},
                "dosageInstruction": [
                    {
                        "text": f"Take {n} {form[0]}{'s' if n > 1 else ''} by mouth every morning",
                        "timing": daily_timing(1, start, end),
                        "doseAndRate": [{"doseQuantity": units(n, form)}],
                    }
                ],
            }
        )
        return mr

    res += [
        mreq(
            "mr-fluox-10",
            "310384",
            1,
            "2025-09-08",
            "2025-10-05",
            "completed",
            None,
            "2025-09-08T15:10:00-04:00",
        ),
        mreq(
            "mr-fluox-20",
            "310385",
            2,
            "2025-10-06",
            "2025-12-14",
            "stopped",
            "No improvement after 10 weeks at 40 mg",
            "2025-10-06T15:40:00-04:00",
        ),
        mreq(
            "mr-escit-10",
            "349332",
            1,
            "2026-01-05",
            "2026-01-25",
            "completed",
            None,
            "2026-01-05T16:00:00-05:00",
        ),
        mreq(
            "mr-escit-20",
            "351250",
            1,
            "2026-01-26",
            "2026-03-29",
            "stopped",
            "Partial response",
            "2026-01-26T16:20:00-05:00",
        ),
    ]
    for d, v in [("2025-08-25", 19), ("2025-12-08", 18), ("2026-03-23", 17)]:
        res.append(
            {
                "resourceType": "Observation",
                "id": f"obs-phqa-{d}",
                "meta": bh,
                "status": "final",
                "category": SURVEY,
                "code": PHQA_TOTAL,
                "subject": pref,
                "effectiveDateTime": dtz(d, "15:00:00"),
                "valueInteger": v,
            }
        )
    res.append(
        {
            "resourceType": "Observation",
            "id": "obs-phq9-2026-11-09",
            "meta": bh,
            "status": "final",
            "category": SURVEY,
            "code": PHQ9_TOTAL,
            "subject": pref,
            "effectiveDateTime": dtz("2026-11-09", "15:00:00"),
            "valueQuantity": {"value": 20, "unit": "{score}", "system": UCUM, "code": "{score}"},
        }
    )
    for d in weekly("2025-05-06", 20):
        res.append(
            {
                "resourceType": "Procedure",
                "id": f"proc-cbt-{d}",
                "meta": bh,
                "status": "completed",
                "code": {
                    "coding": [
                        {"system": CPT, "code": "90834", "display": CPT_PSYTX["90834"]},
                        {
                            "system": SNOMED,
                            "code": "183383008",
                            "display": "Psychotherapy - cognitive (regime/therapy)",
                        },
                    ],
                    "text": "Individual CBT, 45 min",
                },
                "subject": pref,
                "performedDateTime": dtz(d, "16:00:00"),
            }
        )
    return {
        "resourceType": "Bundle",
        "id": "teen-trd-skyler",
        "type": "collection",
        "timestamp": "2026-11-20T10:00:00-05:00",
        "entry": [
            {"fullUrl": f"{TEEN_BASE}/{r['resourceType']}/{r['id']}", "resource": r} for r in res
        ],
    }


# ============================================================================================
# 7. contraindicated.json -- Cerner-like searchset; seizure disorder, cochlear implant, bipolar hx
# ============================================================================================
CERNER_BASE = "https://fhir-ehr.cerner-example.com/r4/ec2458f2-1e24-41c8-b71b-0e701af7583d"
CERNER_SYN = "https://fhir.cerner-example.com/ec2458f2-1e24-41c8-b71b-0e701af7583d/synonym"


def contraindicated_chart() -> R:
    pid = "12724066"
    pref = {"reference": f"Patient/{pid}", "display": "NULLTEST, BARTHOLOMEW"}
    res: list[R] = [
        {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [
                {
                    "use": "usual",
                    "type": cc(V2_0203, "MR", "Medical record number"),
                    "system": "urn:oid:2.16.840.1.113883.6.1000",
                    "value": "7700118",
                }
            ],
            "name": [
                {
                    "use": "official",
                    "text": "NULLTEST, BARTHOLOMEW",
                    "family": "Nulltest",
                    "given": ["Bartholomew"],
                }
            ],
            "gender": "male",
            "birthDate": "1971-09-09",
        },
    ]
    conds = [
        (
            "99001",
            [
                (ICD10, F33_2[0], F33_2[1]),
                (SNOMED, SCT_SEVERE_RECURRENT[0], SCT_SEVERE_RECURRENT[1]),
            ],
            "active",
            "2024-09-02",
            None,
        ),
        (
            "99002",
            [
                (
                    ICD10,
                    "G40.909",
                    "Epilepsy, unspecified, not intractable, without status epilepticus",
                )
            ],
            "active",
            "1998-05-20",
            None,
        ),
        ("99003", [(ICD10, "Z96.21", "Cochlear implant status")], "active", "2012-03-14", None),
        (
            "99004",
            [(ICD10, "F31.81", "Bipolar II disorder")],
            "inactive",
            "2014-02-10",
            "2016-05-01",
        ),
    ]
    for cid, codings, status, onset, abate in conds:
        c: R = {
            "resourceType": "Condition",
            "id": cid,
            "clinicalStatus": clinical_status(status),
            "verificationStatus": ver_confirmed(),
            "category": PROBLEM,
            "code": {
                "coding": [{"system": s, "code": k, "display": d} for s, k, d in codings],
                "text": codings[0][2],
            },
            "subject": pref,
            "onsetDateTime": onset,
        }
        if abate:
            c["abatementDateTime"] = abate
        res.append(c)
    res += [
        {
            "resourceType": "Device",
            "id": "dev-ci-1",
            "status": "active",
            "type": {"text": "Cochlear implant, left ear"},
            "patient": pref,
        },
        {
            "resourceType": "Device",
            "id": "dev-clip-1",
            "status": "active",
            "type": {"text": "Intracranial aneurysm clip"},
            "patient": pref,
            "note": [{"text": "Placed 2010 (right MCA aneurysm clipping)."}],
        },
    ]

    def cerner_req(
        rid: str,
        code: str | None,
        text: str,
        status: str,
        authored: str,
        dosage: R,
        reason: str | None = None,
        intent: str = "order",
        reported: bool = False,
        validity_start: str | None = None,
    ) -> R:
        coding: list[R] = []
        if code:
            coding.append(
                {"system": RXNORM, "code": code, "display": SCD[code], "userSelected": False}
            )
        coding.append(
            {
                "system": CERNER_SYN,
                "code": str(4000000 + int(rid[-3:])),
                "display": text,
                "userSelected": True,
            }
        )
        mr: R = {"resourceType": "MedicationRequest", "id": rid, "status": status}
        if reason:
            mr["statusReason"] = {"text": reason}
        mr.update(
            {
                "intent": intent,
                "reportedBoolean": reported,
                "medicationCodeableConcept": {"coding": coding, "text": text},
                "subject": pref,
                "authoredOn": authored,
                "dosageInstruction": [dosage],
            }
        )
        if validity_start:
            mr["dispenseRequest"] = {"validityPeriod": {"start": validity_start}}
        return mr

    res += [
        # end unknown: stopped, no bounds end, validityPeriod start only, no supply
        cerner_req(
            "31000101",
            "309314",
            "citalopram 40 mg oral tablet",
            "stopped",
            "2024-11-04T14:10:00.000Z",
            {
                "text": "40 mg, Oral, Daily",
                "timing": {"code": cc(GTS, "QD", "QD")},
                "doseAndRate": [{"doseQuantity": mg(40)}],
            },
            reason="Ineffective",
            validity_start="2024-11-04T14:10:00.000Z",
        ),
        cerner_req(
            "31000102",
            "808748",
            "venlafaxine 225 mg/24 hr oral tablet, extended release",
            "stopped",
            "2025-01-03T15:00:00.000Z",
            {
                "text": "225 mg, Oral, Daily",
                "timing": daily_timing(
                    1, "2025-01-06T09:00:00.000-05:00", "2025-03-30T09:00:00.000-04:00"
                ),
                "doseAndRate": [{"doseQuantity": mg(225)}],
            },
            reason="No improvement",
            validity_start="2025-01-03T15:00:00.000Z",
        ),
        cerner_req(
            "31000103",
            "311726",
            "mirtazapine 45 mg oral tablet",
            "active",
            "2025-04-14T13:00:00.000Z",
            {
                "text": "45 mg, Oral, At Bedtime",
                "timing": daily_timing(1, "2025-04-14T13:00:00.000Z", when=["HS"]),
                "doseAndRate": [{"doseQuantity": mg(45)}],
            },
            intent="plan",
            reported=True,
            validity_start="2025-04-14T13:00:00.000Z",
        ),
        # entered in error: must be ignored
        cerner_req(
            "31000104",
            "312938",
            "sertraline 100 mg oral tablet",
            "entered-in-error",
            "2025-04-14T13:05:00.000Z",
            {
                "text": "100 mg, Oral, Daily",
                "timing": daily_timing(1, "2025-04-14T13:05:00.000Z"),
                "doseAndRate": [{"doseQuantity": mg(100)}],
            },
        ),
        # not an antidepressant (text only, no code)
        cerner_req(
            "31000105",
            None,
            "levetiracetam 500 mg oral tablet",
            "active",
            "2019-06-01T13:00:00.000Z",
            {"text": "500 mg, Oral, BID", "timing": {"code": cc(GTS, "BID", "BID")}},
            intent="plan",
            reported=True,
        ),
    ]
    for d, v in [("2024-09-02", 20), ("2025-03-24", 19), ("2026-11-03", 21)]:
        res.append(
            {
                "resourceType": "Observation",
                "id": f"P-{d.replace('-', '')}",
                "status": "final",
                "category": SURVEY,
                "code": PHQ9_TOTAL,
                "subject": pref,
                "effectiveDateTime": f"{d}T15:30:00.000Z",
                "valueInteger": v,
            }
        )
    for d in weekly("2025-05-06", 10):
        res.append(
            {
                "resourceType": "Procedure",
                "id": f"PT{d.replace('-', '')}",
                "status": "completed",
                "code": {
                    "coding": [{"system": CPT, "code": "90837", "display": CPT_PSYTX["90837"]}]
                },
                "subject": pref,
                "performedDateTime": f"{d}T18:00:00.000Z",
            }
        )
    return {
        "resourceType": "Bundle",
        "id": "cerner-contra-7700118",
        "type": "searchset",
        "total": len(res),
        "link": [{"relation": "self", "url": f"{CERNER_BASE}/Patient?_id={pid}"}],
        "entry": [
            {
                "fullUrl": f"{CERNER_BASE}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in res
        ],
    }


# ============================================================================================
# 8. examples/trd_meets_policies.json -- a clean adult who meets most payer policies
# ============================================================================================
def example_chart() -> R:
    def u(name: str) -> str:
        return uid("example/" + name)

    pid, prac, org, aetna = u("patient"), u("practitioner"), u("org"), u("aetna")
    pref = {"reference": f"urn:uuid:{pid}", "display": "Avery Example-Patient"}
    dref = {"reference": f"urn:uuid:{prac}", "display": "Dr. Morgan Samplewood, MD"}
    cond_id = u("cond-mdd")
    res: list[R] = [
        {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [
                {
                    "type": cc(V2_0203, "MR", "Medical record number"),
                    "system": "https://ehr.example-psychiatry.org/mrn",
                    "value": "EX-450622",
                }
            ],
            "name": [{"use": "official", "family": "Example-Patient", "given": ["Avery"]}],
            "telecom": [{"system": "phone", "value": "555-0188", "use": "mobile"}],
            "gender": "female",
            "birthDate": "1981-06-22",
            "address": [
                {
                    "use": "home",
                    "line": ["42 Synthetic Lane"],
                    "city": "Hartford",
                    "state": "CT",
                    "postalCode": "06103",
                }
            ],
        },
        psychiatrist(prac, "Samplewood", ["Morgan"], "100000009"),
        practice_org(
            org,
            "Example Psychiatry & TMS of Hartford",
            "100000010",
            "06-1234567",
            address("250 Demo Avenue, Floor 3", "Hartford", "CT", "06106"),
            "860-555-0130",
            "860-555-0131",
        ),
        payer_org(aetna, "Aetna"),
        {
            "resourceType": "Coverage",
            "id": u("coverage"),
            "status": "active",
            "identifier": [
                {
                    "type": cc(V2_0203, "MB", "Member Number"),
                    "system": "https://www.aetna.example/member",
                    "value": "W901234567",
                }
            ],
            "type": cc(SOPT, "59", "Other Private Insurance"),
            "subscriberId": "W901234567",
            "beneficiary": pref,
            "relationship": cc(
                "http://terminology.hl7.org/CodeSystem/subscriber-relationship", "self"
            ),
            "period": {"start": "2025-01-01"},
            "payor": [{"reference": f"urn:uuid:{aetna}", "display": "Aetna"}],
            "class": [
                {
                    "type": cc("http://terminology.hl7.org/CodeSystem/coverage-class", "group"),
                    "value": "0876543",
                    "name": "Demo Manufacturing LLC",
                },
                {
                    "type": cc("http://terminology.hl7.org/CodeSystem/coverage-class", "plan"),
                    "value": "CHOICE-POS-II",
                    "name": "Aetna Choice POS II",
                },
            ],
        },
        {
            "resourceType": "Condition",
            "id": cond_id,
            "clinicalStatus": clinical_status("active"),
            "verificationStatus": ver_confirmed(),
            "category": PROBLEM,
            "code": {
                "coding": [
                    {"system": ICD10, "code": F33_2[0], "display": F33_2[1]},
                    {
                        "system": SNOMED,
                        "code": SCT_SEVERE_RECURRENT[0],
                        "display": SCT_SEVERE_RECURRENT[1],
                    },
                ],
                "text": "Major depressive disorder, recurrent, severe, without psychotic features",
            },
            "subject": pref,
            "onsetDateTime": "2025-05-19",
            "recordedDate": "2025-05-19",
            "recorder": dref,
            "note": [
                {
                    "text": "Third lifetime episode; current episode onset May 2025. No history "
                    "of mania/hypomania or psychosis."
                }
            ],
        },
    ]

    def mreq(
        name: str,
        code: str,
        dose: float,
        start: str,
        end: str | None,
        status: str,
        reason: str | None,
        when: list[str] | None = None,
    ) -> R:
        mr: R = {"resourceType": "MedicationRequest", "id": u(name), "status": status}
        if reason:
            mr["statusReason"] = {"text": reason}
        mr.update(
            {
                "intent": "order",
                "medicationCodeableConcept": rx(code),
                "subject": pref,
                "authoredOn": dtz(start, "10:30:00"),
                "requester": dref,
                "reasonReference": [{"reference": f"urn:uuid:{cond_id}"}],
                "dosageInstruction": [
                    {
                        "text": f"{dose:g} mg by mouth " + ("at bedtime" if when else "once daily"),
                        "timing": daily_timing(1, start, end, when),
                        "doseAndRate": [{"doseQuantity": mg(dose)}],
                    }
                ],
            }
        )
        return mr

    res += [
        mreq(
            "mr-sertraline",
            "312938",
            200,
            "2025-06-02",
            "2025-08-10",
            "stopped",
            "Inadequate response after 10 weeks at 200 mg/day",
        ),
        mreq("mr-bupropion-300", "993557", 300, "2025-08-18", "2025-08-31", "completed", None),
        mreq(
            "mr-bupropion-450",
            "1232585",
            450,
            "2025-09-01",
            "2025-10-26",
            "stopped",
            "Inadequate response after 8 weeks at 450 mg/day",
        ),
        mreq(
            "mr-venlafaxine",
            "808748",
            225,
            "2025-11-03",
            "2025-12-14",
            "stopped",
            "Intolerance - nausea and hypertension",
        ),
        mreq(
            "mr-duloxetine",
            "596934",
            60,
            "2025-12-22",
            "2026-04-19",
            "stopped",
            "No improvement after 17 weeks, including 8 weeks with aripiprazole augmentation",
        ),
        mreq("mr-aripiprazole-5", "402131", 5, "2026-02-23", "2026-03-08", "completed", None),
        mreq(
            "mr-aripiprazole-10",
            "349545",
            10,
            "2026-03-09",
            "2026-04-19",
            "stopped",
            "No improvement after 8 weeks of augmentation",
        ),
        mreq("mr-mirtazapine", "314111", 30, "2026-05-04", None, "active", None, when=["HS"]),
    ]
    for d, v in [
        ("2025-05-19", 21),
        ("2025-08-11", 20),
        ("2025-10-27", 21),
        ("2026-02-23", 19),
        ("2026-04-20", 20),
        ("2026-08-24", 21),
        ("2026-11-10", 22),
    ]:
        res.append(
            {
                "resourceType": "Observation",
                "id": u(f"phq9-{d}"),
                "status": "final",
                "category": SURVEY,
                "code": PHQ9_TOTAL,
                "subject": pref,
                "effectiveDateTime": dtz(d, "10:05:00"),
                "performer": [dref],
                "valueInteger": v,
                # item 9 (thoughts of self-harm) answered "Not at all" at the two latest visits
                **({"component": [PHQ9_ITEM9_NOT_AT_ALL]} if d >= "2026-08-24" else {}),
            }
        )
    res.append(
        {
            "resourceType": "Observation",
            "id": u("hamd-2026-11-10"),
            "status": "final",
            "category": SURVEY,
            "code": {
                "coding": [
                    {"system": "https://ehr.example-psychiatry.org/codes", "code": "HAMD-17"}
                ],
                "text": "Hamilton Depression Rating Scale, 17-item (HAM-D 17) total",
            },
            "subject": pref,
            "effectiveDateTime": dtz("2026-11-10", "10:40:00"),
            "performer": [dref],
            "valueInteger": 24,
        }
    )
    for name, text in [
        ("screen-metal", "TMS safety screen: metal or implanted device in or near the head"),
        ("screen-seizure", "TMS safety screen: history of seizure or epilepsy"),
    ]:
        res.append(
            {
                "resourceType": "Observation",
                "id": u(name),
                "status": "final",
                "category": SURVEY,
                "code": {
                    "coding": [
                        {"system": "https://ehr.example-psychiatry.org/codes", "code": name.upper()}
                    ],
                    "text": text,
                },
                "subject": pref,
                "effectiveDateTime": dtz("2026-11-10", "10:50:00"),
                "performer": [dref],
                "valueBoolean": False,
            }
        )
    for d in weekly("2026-05-05", 17):
        res.append(
            {
                "resourceType": "Procedure",
                "id": u(f"cbt-{d}"),
                "status": "completed",
                "code": {
                    "coding": [
                        {"system": CPT, "code": "90837", "display": CPT_PSYTX["90837"]},
                        {
                            "system": SNOMED,
                            "code": "183383008",
                            "display": "Psychotherapy - cognitive (regime/therapy)",
                        },
                    ],
                    "text": "Cognitive behavioral therapy, 60 min",
                },
                "subject": pref,
                "performedDateTime": dtz(d, "17:00:00"),
                "performer": [{"actor": {"display": "Riley Fictitious, PhD"}}],
            }
        )
    for code, n, text in [
        ("90867", 1, "TMS initial session with motor threshold and mapping"),
        ("90868", 35, "TMS subsequent delivery and management, per session"),
        ("90869", 1, "TMS subsequent motor threshold re-determination"),
    ]:
        res.append(
            {
                "resourceType": "ServiceRequest",
                "id": u(f"sr-{code}"),
                "status": "active",
                "intent": "order",
                "requisition": {
                    "system": "https://ehr.example-psychiatry.org/requisition",
                    "value": "TMS-2026-0117",
                },
                "code": {"coding": [{"system": CPT, "code": code}], "text": text},
                "quantityQuantity": {"value": n, "unit": "session"},
                "subject": pref,
                "authoredOn": dtz("2026-11-18", "12:00:00"),
                "requester": dref,
                "reasonReference": [{"reference": f"urn:uuid:{cond_id}"}],
                "note": [
                    {
                        "text": "Acute course: 30 sessions over 6 weeks plus 6 taper "
                        "sessions (left DLPFC, 10 Hz)."
                    }
                ],
            }
        )
    return {
        "resourceType": "Bundle",
        "id": u("bundle"),
        "type": "collection",
        "timestamp": "2026-11-18T12:05:00-05:00",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in res],
    }


# ============================================================================================
def main() -> None:
    write_json(HERE / "epic_orders.json", epic_chart())
    write_json(HERE / "intake_statements.json", intake_chart())
    write_json(HERE / "pharmacy_fills.json", pharmacy_chart())
    bulk_dir = HERE / "bulk_ndjson"
    bulk_dir.mkdir(exist_ok=True)
    for rtype, resources in bulk_chart().items():
        lines = [json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in resources]
        (bulk_dir / f"{rtype}.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_json(HERE / "phq9_questionnaire.json", phq9_qr_chart())
    write_json(HERE / "teen_trd.json", teen_chart())
    write_json(HERE / "contraindicated.json", contraindicated_chart())
    write_json(EXAMPLES / "trd_meets_policies.json", example_chart())


if __name__ == "__main__":
    main()
