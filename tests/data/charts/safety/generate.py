"""Write the safety-floor charts: the clean example chart with ONE fact changed per chart.

Run from anywhere:  python tests/data/charts/safety/generate.py

Every chart starts from ``example_chart()`` (tests/data/charts/generate.py, the clean adult of
examples/trd_meets_policies.json who meets every policy in force on 2026-11-25) and changes one
fact: a safety finding, a relative precaution, a trial-semantics trap, or a control that must NOT
trigger the floor. README.md beside this file lists each chart, the fact changed, the expected
floor alert and the codes used with their source.

The output is deterministic: new ids come from ``uid()`` (uuid5 of a fixed seed), no clock, no
randomness. Every standard code is a real code: ICD-10-CM FY2026, LOINC and SNOMED CT from
/work/shared/reference/terminology/ (a few ICD-10-CM codes the reference subsets lack were checked
against the same CMS FY2026 tabular the reference cites, see README.md); where no reference code
exists the resource carries a clearly local code with text.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from generate import (  # noqa: E402  (the sibling generator is not a package)
    CPT,
    ICD10,
    LOINC,
    PROBLEM,
    SNOMED,
    SURVEY,
    R,
    cc,
    clinical_status,
    daily_timing,
    dtz,
    example_chart,
    mg,
    rx,
    uid,
    ver_confirmed,
    write_json,
)

AS_OF = "2026-11-25"
LOCAL = "https://ehr.example-psychiatry.org/codes"
V3_INTERP = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
ITEM9 = "44260-8"
ITEM9_DISPLAY = (
    "Thoughts that you would be better off dead, or of hurting yourself in some way in last 2 "
    "weeks [Reported.PHQ]"
)
CSSRS_PANEL = ("93245-9", "Columbia - suicide severity rating scale - lifetime recent [C-SSRS]")

# Extra RxNorm SCDs (rxnorm_scd_antidepressants_vsac.csv) not in generate.SCD.
EXTRA_SCD = {
    "312940": "sertraline 25 MG Oral Tablet",
    "808751": "24 HR venlafaxine 37.5 MG Extended Release Oral Tablet",
    "476809": "mirtazapine 7.5 MG Oral Tablet",
}


# --------------------------------------------------------------------------------------------
# Access to the example chart
# --------------------------------------------------------------------------------------------
def ex(name: str) -> str:
    """The id example_chart() gives the resource it names ``name``."""
    return uid("example/" + name)


PID = ex("patient")
PREF = {"reference": f"urn:uuid:{PID}", "display": "Avery Example-Patient"}
DREF = {"reference": f"urn:uuid:{ex('practitioner')}", "display": "Dr. Morgan Samplewood, MD"}
COND_MDD = ex("cond-mdd")
MED_NAMES = (
    "mr-sertraline",
    "mr-bupropion-300",
    "mr-bupropion-450",
    "mr-venlafaxine",
    "mr-duloxetine",
    "mr-aripiprazole-5",
    "mr-aripiprazole-10",
    "mr-mirtazapine",
)


def resources(bundle: R) -> list[R]:
    return [e["resource"] for e in bundle["entry"]]


def by_id(bundle: R, rid: str) -> R:
    return next(r for r in resources(bundle) if r["id"] == rid)


def add(bundle: R, *new: R) -> None:
    bundle["entry"] += [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in new]


def remove(bundle: R, *rids: str) -> None:
    drop = set(rids)
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["id"] not in drop]


def condition(
    chart: str,
    name: str,
    code: tuple[str, str],
    onset: str,
    *,
    status: str = "active",
    snomed: tuple[str, str] | None = None,
    text: str | None = None,
    abatement: str | None = None,
) -> R:
    coding = [{"system": ICD10, "code": code[0], "display": code[1]}]
    if snomed:
        coding.append({"system": SNOMED, "code": snomed[0], "display": snomed[1]})
    res: R = {
        "resourceType": "Condition",
        "id": uid(f"safety/{chart}/{name}"),
        "clinicalStatus": clinical_status(status),
        "verificationStatus": ver_confirmed(),
        "category": PROBLEM,
        "code": {"coding": coding, "text": text or code[1]},
        "subject": PREF,
        "onsetDateTime": onset,
        "recordedDate": onset,
        "recorder": DREF,
    }
    if abatement:
        res["abatementDateTime"] = abatement
    return res


def med_request(
    chart: str,
    name: str,
    code: str,
    dose: float,
    start: str,
    end: str | None,
    status: str,
    reason: str | None,
    when: list[str] | None = None,
) -> R:
    """A MedicationRequest shaped like example_chart()'s ``mreq`` (mg doseQuantity, bounds)."""
    mr: R = {"resourceType": "MedicationRequest", "id": uid(f"safety/{chart}/{name}")}
    mr["status"] = status
    if reason:
        mr["statusReason"] = {"text": reason}
    medication = (
        rx(code)
        if code not in EXTRA_SCD
        else cc(
            "http://www.nlm.nih.gov/research/umls/rxnorm", code, EXTRA_SCD[code], EXTRA_SCD[code]
        )
    )
    mr.update(
        {
            "intent": "order",
            "medicationCodeableConcept": medication,
            "subject": PREF,
            "authoredOn": dtz(start, "10:30:00"),
            "requester": DREF,
            "reasonReference": [{"reference": f"urn:uuid:{COND_MDD}"}],
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


def phq9(chart: str, date: str, value: int) -> R:
    return {
        "resourceType": "Observation",
        "id": uid(f"safety/{chart}/phq9-{date}"),
        "status": "final",
        "category": SURVEY,
        "code": cc(
            LOINC, "44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"
        ),
        "subject": PREF,
        "effectiveDateTime": dtz(date, "10:05:00"),
        "performer": [DREF],
        "valueInteger": value,
    }


def cssrs(chart: str, date: str, positive: bool) -> R:
    """A C-SSRS screener result: the LOINC C-SSRS panel code with the overall answer.

    The panel code 93245-9 is from the reference README §2; the answer is LOINC LA33-6 "Yes" /
    LA32-8 "No" with the HL7 v3 interpretation POS / NEG (no C-SSRS overall-result LOINC term is
    in the reference, so none is invented).
    """
    answer = ("LA33-6", "Yes") if positive else ("LA32-8", "No")
    interp = ("POS", "Positive") if positive else ("NEG", "Negative")
    return {
        "resourceType": "Observation",
        "id": uid(f"safety/{chart}/cssrs-{date}"),
        "status": "final",
        "category": SURVEY,
        "code": {
            "coding": [{"system": LOINC, "code": CSSRS_PANEL[0], "display": CSSRS_PANEL[1]}],
            "text": "C-SSRS screener (since last visit)",
        },
        "subject": PREF,
        "effectiveDateTime": dtz(date, "10:15:00"),
        "performer": [DREF],
        "valueCodeableConcept": cc(
            LOINC,
            answer[0],
            answer[1],
            "Positive screen" if positive else "Negative screen",
        ),
        "interpretation": [cc(V3_INTERP, interp[0], interp[1])],
    }


def weekdays(start: str, count: int) -> list[str]:
    day = dt.date.fromisoformat(start)
    out: list[str] = []
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day.isoformat())
        day += dt.timedelta(days=1)
    return out


# --------------------------------------------------------------------------------------------
# The charts: name -> function changing one fact of a fresh copy of the example
# --------------------------------------------------------------------------------------------
def set_item9(bundle: R, answer: tuple[str, str]) -> None:
    """The latest PHQ-9 (2026-11-10, total 22): item 9 answered ``answer``."""
    obs = by_id(bundle, ex("phq9-2026-11-10"))
    obs["component"] = [
        {
            "code": cc(LOINC, ITEM9, ITEM9_DISPLAY),
            "valueCodeableConcept": cc(LOINC, answer[0], answer[1]),
        }
    ]


def phq9_item9_nearly_every_day(bundle: R) -> None:
    set_item9(bundle, ("LA6571-9", "Nearly every day"))


def cssrs_positive(bundle: R) -> None:
    add(bundle, cssrs("cssrs_positive", "2026-11-10", positive=True))


def suicide_attempt_recent(bundle: R) -> None:
    add(
        bundle,
        condition(
            "suicide_attempt_recent",
            "attempt",
            ("T14.91XA", "Suicide attempt, initial encounter"),
            "2026-11-04",
        ),
    )


def bipolar_beside_mdd(bundle: R) -> None:
    add(
        bundle,
        condition(
            "bipolar_beside_mdd",
            "bipolar",
            ("F31.81", "Bipolar II disorder"),
            "2026-09-14",
            snomed=("83225003", "Bipolar II disorder (disorder)"),
        ),
    )


def mdd_psychotic_features(bundle: R) -> None:
    cond = by_id(bundle, COND_MDD)
    cond["code"] = {
        "coding": [
            {
                "system": ICD10,
                "code": "F33.3",
                "display": "Major depressive disorder, recurrent, severe with psychotic symptoms",
            },
            {
                "system": SNOMED,
                "code": "28475009",
                "display": "Severe recurrent major depression with psychotic features (disorder)",
            },
        ],
        "text": "Major depressive disorder, recurrent, severe, with psychotic features",
    }
    cond.pop("note", None)


def catatonia(bundle: R) -> None:
    add(
        bundle,
        condition(
            "catatonia",
            "catatonia",
            ("F06.1", "Catatonic disorder due to known physiological condition"),
            "2026-10-20",
        ),
    )


def epilepsy_contradiction(bundle: R) -> None:
    add(
        bundle,
        condition(
            "epilepsy_contradiction",
            "epilepsy",
            ("G40.909", "Epilepsy, unspecified, not intractable, without status epilepticus"),
            "2019-03-11",
            snomed=("84757009", "Epilepsy (disorder)"),
        ),
    )


def implanted_neurostimulator(bundle: R) -> None:
    chart = "implanted_neurostimulator"
    device_id = uid(f"safety/{chart}/device")
    add(
        bundle,
        condition(chart, "z96-82", ("Z96.82", "Presence of neurostimulator"), "2024-03-18"),
        {
            "resourceType": "Device",
            "id": device_id,
            "status": "active",
            "type": {
                "coding": [
                    {"system": LOCAL, "code": "DEV-DBS", "display": "Deep brain stimulator"}
                ],
                "text": "Deep brain stimulator (implanted neurostimulator), bilateral leads",
            },
            "patient": PREF,
        },
        {
            "resourceType": "DeviceUseStatement",
            "id": uid(f"safety/{chart}/device-use"),
            "status": "active",
            "subject": PREF,
            "timingDateTime": dtz("2024-03-18", "08:00:00"),
            "device": {"reference": f"urn:uuid:{device_id}"},
            "bodySite": {"text": "Brain (bilateral subthalamic nucleus)"},
        },
    )


def deceased(bundle: R) -> None:
    by_id(bundle, PID)["deceasedDateTime"] = "2026-11-20"


def coverage_ended(bundle: R) -> None:
    by_id(bundle, ex("coverage"))["period"] = {"start": "2025-01-01", "end": "2025-11-25"}


def remission_range_scores(bundle: R) -> None:
    by_id(bundle, ex("phq9-2026-11-10"))["valueInteger"] = 6
    by_id(bundle, ex("hamd-2026-11-10"))["valueInteger"] = 9


def repeat_course_no_response(bundle: R) -> None:
    chart = "repeat_course_no_response"
    days = weekdays("2025-11-24", 30)  # Mon 2025-11-24 .. Fri 2026-01-02, one session a weekday
    new: list[R] = [phq9(chart, "2025-11-24", 22), phq9(chart, "2026-01-05", 21)]
    for i, d in enumerate(days):
        code, text = (
            ("90867", "TMS initial session with motor threshold and mapping")
            if i == 0
            else ("90868", "TMS subsequent delivery and management, per session")
        )
        new.append(
            {
                "resourceType": "Procedure",
                "id": uid(f"safety/{chart}/tms-{d}"),
                "status": "completed",
                "code": {"coding": [{"system": CPT, "code": code}], "text": text},
                "subject": PREF,
                "performedDateTime": dtz(d, "08:30:00"),
                "performer": [{"actor": DREF}],
            }
        )
    add(bundle, *new)


def pregnancy(bundle: R) -> None:
    add(
        bundle,
        condition("pregnancy", "pregnancy", ("Z33.1", "Pregnant state, incidental"), "2026-10-06"),
    )


# --- trial semantics ----------------------------------------------------------------------
def only_one_10_day_trial(bundle: R) -> None:
    remove(bundle, *(ex(n) for n in MED_NAMES))
    add(
        bundle,
        med_request(
            "only_one_10_day_trial",
            "mr-sertraline",
            "312941",
            50,
            "2025-06-02",
            "2025-06-11",
            "stopped",
            "No improvement after 10 days",
        ),
    )


def one_week_at_adequate_dose(bundle: R) -> None:
    """Every trial titrated so that only its last 7 days are at the minimum adequate dose
    (bounds are inclusive, as in example_chart(): the low dose ends the day before)."""
    chart = "one_week_at_adequate_dose"
    remove(bundle, *(ex(n) for n in MED_NAMES))
    plan: list[tuple[str, str, float, str, str | None, str, str | None, list[str] | None]] = [
        ("sertraline-25", "312940", 25, "2025-06-02", "2025-08-03", "completed", None, None),
        (
            "sertraline-50",
            "312941",
            50,
            "2025-08-04",
            "2025-08-10",
            "stopped",
            "Inadequate response after 10 weeks",
            None,
        ),
        ("bupropion-150", "993541", 150, "2025-08-18", "2025-10-19", "completed", None, None),
        (
            "bupropion-300",
            "993557",
            300,
            "2025-10-20",
            "2025-10-26",
            "stopped",
            "Inadequate response after 10 weeks",
            None,
        ),
        ("venlafaxine-37.5", "808751", 37.5, "2025-11-03", "2025-12-07", "completed", None, None),
        (
            "venlafaxine-75",
            "808753",
            75,
            "2025-12-08",
            "2025-12-14",
            "stopped",
            "Intolerance - nausea and hypertension",
            None,
        ),
        ("duloxetine-30", "596930", 30, "2025-12-22", "2026-04-12", "completed", None, None),
        (
            "duloxetine-60",
            "596934",
            60,
            "2026-04-13",
            "2026-04-19",
            "stopped",
            "No improvement after 17 weeks",
            None,
        ),
        ("mirtazapine-7.5", "476809", 7.5, "2026-05-04", "2026-11-17", "completed", None, ["HS"]),
        ("mirtazapine-15", "311725", 15, "2026-11-18", None, "active", None, ["HS"]),
    ]
    add(
        bundle,
        *(
            med_request(chart, name, code, dose, start, end, status, reason, when)
            for name, code, dose, start, end, status, reason, when in plan
        ),
    )


def _without_augmentation(bundle: R) -> None:
    remove(bundle, ex("mr-aripiprazole-5"), ex("mr-aripiprazole-10"), ex("mr-mirtazapine"))
    by_id(bundle, ex("mr-duloxetine"))["statusReason"] = {"text": "No improvement after 15 weeks"}


def cross_taper_as_augmentation(bundle: R) -> None:
    """No aripiprazole: duloxetine is cross-tapered to mirtazapine over its last two weeks."""
    chart = "cross_taper_as_augmentation"
    _without_augmentation(bundle)
    dulox = by_id(bundle, ex("mr-duloxetine"))
    dulox["dosageInstruction"][0]["timing"] = daily_timing(1, "2025-12-22", "2026-04-06")
    dulox["statusReason"] = {"text": "Cross-tapered to mirtazapine"}
    dulox["status"] = "completed"
    add(
        bundle,
        med_request(
            chart,
            "mr-duloxetine-taper",
            "596930",
            30,
            "2026-04-06",
            "2026-04-19",
            "stopped",
            "No improvement after 15 weeks; taper completed (cross-taper to mirtazapine)",
        ),
        med_request(
            chart,
            "mr-mirtazapine",
            "314111",
            30,
            "2026-04-06",
            "2026-07-13",
            "stopped",
            "No improvement after 14 weeks",
            when=["HS"],
        ),
    )


def deliberate_combination(bundle: R) -> None:
    """Control: no aripiprazole; mirtazapine deliberately added to full-dose duloxetine for 8
    weeks (both continued together), then both stopped for no improvement."""
    chart = "deliberate_combination"
    _without_augmentation(bundle)
    dulox = by_id(bundle, ex("mr-duloxetine"))
    dulox["statusReason"] = {
        "text": "No improvement after 17 weeks, including 8 weeks combined with mirtazapine"
    }
    add(
        bundle,
        med_request(
            chart,
            "mr-mirtazapine",
            "314111",
            30,
            "2026-02-23",
            "2026-04-20",
            "stopped",
            "No improvement after 8 weeks of combination with duloxetine",
            when=["HS"],
        ),
    )


def three_day_intolerance(bundle: R) -> None:
    remove(bundle, *(ex(n) for n in MED_NAMES))
    add(
        bundle,
        med_request(
            "three_day_intolerance",
            "mr-sertraline",
            "312941",
            50,
            "2025-06-02",
            "2025-06-04",
            "stopped",
            "Intolerance - nausea and dizziness after 3 days",
        ),
    )


# --- controls -----------------------------------------------------------------------------
def control_negative_screens(bundle: R) -> None:
    """Item 9 'Not at all' (as in the example) and a negative C-SSRS on the same day."""
    set_item9(bundle, ("LA6568-5", "Not at all"))
    add(bundle, cssrs("control_negative_screens", "2026-11-10", positive=False))


def no_suicide_screen(bundle: R) -> None:
    """Gap: item 9 is not answered on any PHQ-9 (no suicide-risk screen in the last 30 days)."""
    for d in ("2026-08-24", "2026-11-10"):
        by_id(bundle, ex(f"phq9-{d}")).pop("component", None)


def control_childhood_seizure(bundle: R) -> None:
    add(
        bundle,
        condition(
            "control_childhood_seizure",
            "childhood-seizure",
            ("R56.9", "Unspecified convulsions"),
            "1989-09-15",
            status="resolved",
            text="Single unprovoked seizure at age 8; no recurrence",
            abatement="1989-09-15",
        ),
    )


CHARTS: dict[str, Callable[[R], None]] = {
    "phq9_item9_nearly_every_day": phq9_item9_nearly_every_day,
    "cssrs_positive": cssrs_positive,
    "suicide_attempt_recent": suicide_attempt_recent,
    "bipolar_beside_mdd": bipolar_beside_mdd,
    "mdd_psychotic_features": mdd_psychotic_features,
    "catatonia": catatonia,
    "epilepsy_contradiction": epilepsy_contradiction,
    "implanted_neurostimulator": implanted_neurostimulator,
    "deceased": deceased,
    "coverage_ended": coverage_ended,
    "remission_range_scores": remission_range_scores,
    "repeat_course_no_response": repeat_course_no_response,
    "pregnancy": pregnancy,
    "only_one_10_day_trial": only_one_10_day_trial,
    "one_week_at_adequate_dose": one_week_at_adequate_dose,
    "cross_taper_as_augmentation": cross_taper_as_augmentation,
    "three_day_intolerance": three_day_intolerance,
    "no_suicide_screen": no_suicide_screen,
    "control_negative_screens": control_negative_screens,
    "control_childhood_seizure": control_childhood_seizure,
    "deliberate_combination": deliberate_combination,
}


def build(name: str) -> R:
    bundle = copy.deepcopy(example_chart())
    CHARTS[name](bundle)
    bundle["id"] = uid(f"safety/{name}/bundle")
    return bundle


def main() -> None:
    for name in CHARTS:
        write_json(HERE / f"{name}.json", build(name))


if __name__ == "__main__":
    main()
