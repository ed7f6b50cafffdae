"""Generate ``diagnoses_icd10cm.csv``, ``diagnoses_snomed.csv`` and ``code_sets.csv`` (called by
``build_data.py``; not a test).

ICD-10-CM rows come from the reference ``icd10cm_subsets_2026.csv`` (CMS FY2026 tabular) plus the
rows listed in ``EXTRA_ICD`` (codes the reference names only in prose, or ICD-10-CM categories the
project needs that the reference does not list: pregnancy, anxiety, PTSD, neurological
exclusions; these are marked ``not in reference`` in the source column). SNOMED CT rows come
from the VSAC value sets in ``valuesets/`` plus ``EXTRA_SNOMED``. Depression details are parsed
from the descriptions with ``priorauth.terminology.diagnoses.parse_depression_display`` and then
overridden by ``ICD_MDD`` (the README 3a table, checked by hand).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from priorauth.terminology.diagnoses import parse_depression_display

DATA = Path(__file__).resolve().parents[2] / "priorauth" / "terminology" / "data"
REF_ICD = "CMS ICD-10-CM FY2026 tabular (reference icd10cm_subsets_2026.csv)"
NOT_IN_REF = "ICD-10-CM category named by this project, not in the reference code tables; verify"

# code: (category, episode, severity, psychotic, remission, in_remission)  -- README 3a
ICD_MDD: dict[str, tuple[str, str, str, str, str, str]] = {
    "F32": ("depression_other", "single", "unspecified", "", "", "false"),
    "F32.0": ("mdd", "single", "mild", "false", "", "false"),
    "F32.1": ("mdd", "single", "moderate", "false", "", "false"),
    "F32.2": ("mdd", "single", "severe", "false", "", "false"),
    "F32.3": ("mdd", "single", "severe", "true", "", "false"),
    "F32.4": ("mdd", "single", "", "", "partial", "true"),
    "F32.5": ("mdd", "single", "", "", "full", "true"),
    "F32.8": ("depression_other", "single", "unspecified", "", "", "false"),
    "F32.81": ("depression_other", "", "", "", "", "false"),
    "F32.89": ("depression_other", "single", "unspecified", "", "", "false"),
    "F32.9": ("mdd", "single", "unspecified", "", "", "false"),
    "F32.A": ("depression_other", "unspecified", "unspecified", "", "", "false"),
    "F33": ("mdd", "recurrent", "unspecified", "", "", "false"),
    "F33.0": ("mdd", "recurrent", "mild", "false", "", "false"),
    "F33.1": ("mdd", "recurrent", "moderate", "false", "", "false"),
    "F33.2": ("mdd", "recurrent", "severe", "false", "", "false"),
    "F33.3": ("mdd", "recurrent", "severe", "true", "", "false"),
    "F33.4": ("mdd", "recurrent", "", "", "", "true"),
    "F33.40": ("mdd", "recurrent", "", "", "", "true"),
    "F33.41": ("mdd", "recurrent", "", "", "partial", "true"),
    "F33.42": ("mdd", "recurrent", "", "", "full", "true"),
    "F33.8": ("depression_other", "recurrent", "unspecified", "", "", "false"),
    "F33.9": ("mdd", "recurrent", "unspecified", "", "", "false"),
}

GROUP_CATEGORY = {
    "MDD_and_depressive_episode": "mdd",
    "other_depressive_or_mood (context)": "depression_other",
    "bipolar": "bipolar",
    "bipolar_related": "bipolar",
    "psychotic_F20-F29": "psychotic",
    "substance_F10-F19 (category only; see tabular for descendants)": "substance_use",
    "epilepsy_seizure": "seizure",
}

# (code, match, category, description, source)
EXTRA_ICD = [
    ("Z33.1", "exact", "pregnancy", "Pregnant state, incidental", NOT_IN_REF),
    ("Z34", "prefix", "pregnancy", "Encounter for supervision of normal pregnancy", NOT_IN_REF),
    ("Z3A", "prefix", "pregnancy", "Weeks of gestation", NOT_IN_REF),
    (
        "O",
        "prefix",
        "pregnancy",
        "Pregnancy, childbirth and the puerperium (chapter 15)",
        NOT_IN_REF,
    ),
    ("F40", "prefix", "anxiety", "Phobic anxiety disorders", NOT_IN_REF),
    ("F41", "prefix", "anxiety", "Other anxiety disorders", NOT_IN_REF),
    ("F43.1", "prefix", "ptsd", "Post-traumatic stress disorder", NOT_IN_REF),
    ("I60", "prefix", "neurological", "Cerebrovascular diseases (I60-I69)", NOT_IN_REF),
    ("I61", "prefix", "neurological", "Cerebrovascular diseases (I60-I69)", NOT_IN_REF),
    ("I62", "prefix", "neurological", "Cerebrovascular diseases (I60-I69)", NOT_IN_REF),
    ("I63", "prefix", "neurological", "Cerebrovascular diseases (I60-I69)", NOT_IN_REF),
    ("I65", "prefix", "neurological", "Cerebrovascular diseases (I60-I69)", NOT_IN_REF),
    ("I66", "prefix", "neurological", "Cerebrovascular diseases (I60-I69)", NOT_IN_REF),
    ("I67", "prefix", "neurological", "Cerebrovascular diseases (I60-I69)", NOT_IN_REF),
    ("I68", "prefix", "neurological", "Cerebrovascular diseases (I60-I69)", NOT_IN_REF),
    ("I69", "prefix", "neurological", "Cerebrovascular diseases (I60-I69)", NOT_IN_REF),
    ("F01", "prefix", "dementia", "Vascular dementia", NOT_IN_REF),
    ("F02", "prefix", "dementia", "Dementia in other diseases", NOT_IN_REF),
    ("F03", "prefix", "dementia", "Unspecified dementia", NOT_IN_REF),
    ("G30", "prefix", "dementia", "Alzheimer's disease", NOT_IN_REF),
    ("G31.0", "prefix", "dementia", "Frontotemporal dementia", NOT_IN_REF),
    ("G31.83", "prefix", "dementia", "Neurocognitive disorder with Lewy bodies", NOT_IN_REF),
    (
        "F06.1",
        "exact",
        "catatonia",
        "Catatonic disorder due to known physiological condition",
        NOT_IN_REF,
    ),
    ("S06", "prefix", "neurological", "Intracranial injury", NOT_IN_REF),
    ("C71", "prefix", "neurological", "Malignant neoplasm of brain", NOT_IN_REF),
    ("D33", "prefix", "neurological", "Benign neoplasm of brain and other CNS", NOT_IN_REF),
    ("G93.2", "prefix", "neurological", "Benign intracranial hypertension", NOT_IN_REF),
    ("F34.1", "exact", "depression_other", "Dysthymic disorder", REF_ICD),
]

# (code, category, display, source) -- SNOMED codes named in README prose or seen in the fixtures
EXTRA_SNOMED = [
    ("84757009", "seizure", "Epilepsy", "README 5a (Synthea epilepsy module)"),
    ("128613002", "seizure", "Seizure disorder", "README 5a (Synthea epilepsy module)"),
    ("703151001", "seizure", "History of single seizure", "README 5a (Synthea epilepsy module)"),
    (
        "310496002",
        "depression_other",
        "Moderate depression",
        "README 3b (seen in FHIR examples, not VSAC)",
    ),
    ("35489007", "depression_other", "Depressive disorder", "README 3b (generic; not VSAC)"),
    ("7200002", "substance_use", "Alcoholism", "Synthea fixtures (display as emitted)"),
    ("5602001", "substance_use", "Opioid abuse", "Synthea fixtures (display as emitted)"),
    ("47505003", "ptsd", "Posttraumatic stress disorder", "Synthea fixtures (display as emitted)"),
    ("80583007", "anxiety", "Severe anxiety (panic)", "Synthea fixtures (display as emitted)"),
    ("72892002", "pregnancy", "Normal pregnancy", "Synthea fixtures (display as emitted)"),
]

SNOMED_SETS = {
    "2.16.840.1.113883.3.464.1003.105.11.1017": ("mdd", "VSAC Major Depression 105.11.1017"),
    "2.16.840.113883.3.67.1.101.3.2444": ("mdd", "VSAC Major Depression Including Remission"),
    "2.16.840.1.113883.3.464.1003.105.11.1060": ("mdd", "VSAC Major Depression In Remission"),
    "2.16.840.1.113883.3.67.1.101.1.254": ("depression_other", "VSAC Dysthymia 101.1.254"),
    "2.16.840.1.113883.3.67.1.101.1.44": ("bipolar", "VSAC Bipolar Disorder 101.1.44"),
    "2.16.840.1.113883.3.464.1003.105.11.1163": (
        "psychotic",
        "VSAC Schizophrenia/Psychotic 11.1163",
    ),
}

COLUMNS = [
    "code",
    "match",
    "category",
    "episode",
    "severity",
    "psychotic_features",
    "remission",
    "in_remission_code",
    "description",
    "source",
]


def _valueset_codes(ref: Path, oid: str) -> list[tuple[str, str, str]]:
    data = json.loads((ref / "valuesets" / f"valueset-{oid}.json").read_text(encoding="utf-8"))
    return [
        (c["system"], c["code"], c.get("display", ""))
        for c in data.get("expansion", {}).get("contains", [])
    ]


def _details(category: str, description: str) -> dict[str, str]:
    empty = dict.fromkeys(
        ["episode", "severity", "psychotic_features", "remission", "in_remission_code"], ""
    )
    empty["in_remission_code"] = "false"
    if category in ("mdd", "depression_other"):
        parsed = parse_depression_display(description)
        if parsed is None:
            return empty
        return {
            "episode": parsed.episode or "",
            "severity": parsed.severity or "",
            "psychotic_features": ""
            if parsed.psychotic_features is None
            else str(parsed.psychotic_features).lower(),
            "remission": parsed.remission or "",
            "in_remission_code": str(parsed.in_remission_code).lower(),
        }
    if category == "bipolar" and "remission" in description.lower():
        empty["in_remission_code"] = "true"
        low = description.lower()
        empty["remission"] = "partial" if "partial" in low else "full" if "full" in low else ""
    return empty


def _write(path: Path, header: str, rows: list[dict[str, str]], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)


def build_diagnoses(ref: Path) -> None:
    icd: dict[str, dict[str, str]] = {}
    with (ref / "icd10cm_subsets_2026.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            category = GROUP_CATEGORY.get(row["group"])
            if category is None:
                continue
            code = row["code"]
            if code.startswith(("F32", "F33")):
                cat, ep, sev, psy, rem, inrem = ICD_MDD[code]
                details = {
                    "episode": ep,
                    "severity": sev,
                    "psychotic_features": psy,
                    "remission": rem,
                    "in_remission_code": inrem,
                }
                category = cat
            else:
                if code.startswith("F34.0"):
                    category = "bipolar"
                details = _details(category, row["description"])
            short = code.replace(".", "")
            match = "prefix" if row["billable"] == "False" and len(short) <= 4 else "exact"
            if category == "substance_use":
                match = "prefix"
            icd[code] = {
                "code": code,
                "match": match,
                "category": category,
                **details,
                "description": row["description"],
                "source": REF_ICD,
            }
    for code, match, category, description, source in EXTRA_ICD:
        icd.setdefault(
            code,
            {
                "code": code,
                "match": match,
                "category": category,
                **_details(category, description),
                "description": description,
                "source": source,
            },
        )
    _write(
        DATA / "diagnoses_icd10cm.csv",
        "# ICD-10-CM diagnosis codes -> category and depression details. Generated by\n"
        "# tests/terminology/build_data.py; see SOURCES.md. match=prefix: matches descendants.\n",
        sorted(icd.values(), key=lambda r: r["code"]),
        COLUMNS,
    )
    snomed: dict[str, dict[str, str]] = {}
    for oid, (category, source) in SNOMED_SETS.items():
        for system, code, display in _valueset_codes(ref, oid):
            if "snomed" not in system or code in snomed:
                continue
            snomed[code] = {
                "code": code,
                "match": "exact",
                "category": category,
                **_details(category, display),
                "description": display,
                "source": source,
            }
    for code, category, display, source in EXTRA_SNOMED:
        snomed.setdefault(
            code,
            {
                "code": code,
                "match": "exact",
                "category": category,
                **_details(category, display),
                "description": display,
                "source": source,
            },
        )
    _write(
        DATA / "diagnoses_snomed.csv",
        "# SNOMED CT diagnosis codes -> category and depression details parsed from the display.\n"
        "# Generated by tests/terminology/build_data.py; see SOURCES.md (SNOMED CT licence).\n",
        sorted(snomed.values(), key=lambda r: int(r["code"])),
        COLUMNS,
    )


def build_code_sets(ref: Path) -> None:
    rows: list[dict[str, str]] = []

    def add(name: str, system: str, code: str, match: str, label: str, source: str) -> None:
        rows.append(
            {
                "set": name,
                "system": system,
                "code": code,
                "match": match,
                "label": label,
                "source": source,
            }
        )

    with (ref / "icd10cm_subsets_2026.csv").open(encoding="utf-8") as fh:
        subsets = list(csv.DictReader(fh))
    by_code = {r["code"]: r for r in subsets}
    for code in ("G40", "R56.1", "R56.9"):
        add(
            "seizure",
            "icd10cm",
            code,
            "prefix" if code == "G40" else "exact",
            by_code[code]["description"],
            REF_ICD,
        )
    for code, label in (
        ("84757009", "Epilepsy"),
        ("128613002", "Seizure disorder"),
        ("703151001", "History of single seizure"),
    ):
        add("seizure", "snomed", code, "exact", label, "README 5a (Synthea epilepsy module)")
    for code in ("Z82.0", "Z87.820"):
        add("seizure_risk", "icd10cm", code, "exact", by_code[code]["description"], REF_ICD)
    device_codes = [
        "Z96.21",
        "Z96.82",
        "Z45.42",
        "Z45.49",
        "Z45.321",
        "Z45.320",
        "Z45.328",
        "Z45.31",
        "Z95.0",
        "Z95.810",
        "Z95.811",
        "Z95.812",
        "Z95.818",
        "Z98.2",
        "Z45.41",
        "Z45.010",
        "Z45.018",
        "Z45.02",
    ]
    for code in device_codes:
        add("implanted_device", "icd10cm", code, "exact", by_code[code]["description"], REF_ICD)
    for code, label in (
        ("Z96.20", "Presence of otological and audiological implant, unspecified"),
        ("Z96.29", "Presence of other otological and audiological implants"),
    ):
        add("implanted_device", "icd10cm", code, "exact", label, "README 5b table")
    add("implanted_device", "icd10cm", "T85.1", "prefix", by_code["T85.1"]["description"], REF_ICD)
    add(
        "implanted_device",
        "icd10cm",
        "T85.0",
        "prefix",
        "Mechanical complication of ventricular intracranial (communicating) shunt",
        NOT_IN_REF,
    )
    for system, code, display in _valueset_codes(ref, "2.16.840.1.113883.3.526.3.368"):
        if "snomed" in system:
            add(
                "implanted_device",
                "snomed",
                code,
                "exact",
                display,
                "VSAC Cardiac Pacer in Situ 2.16.840.1.113883.3.526.3.368",
            )
    for code in ("Z96.89", "Z96.9"):
        add("implant_unspecified", "icd10cm", code, "exact", by_code[code]["description"], REF_ICD)
    add("retained_metal", "icd10cm", "Z18.1", "prefix", by_code["Z18.1"]["description"], REF_ICD)
    add("retained_metal", "icd10cm", "Z18.9", "exact", by_code["Z18.9"]["description"], REF_ICD)
    for r in subsets:
        if r["group"] in ("bipolar", "bipolar_related"):
            add(
                "bipolar",
                "icd10cm",
                r["code"],
                "prefix" if r["code"] in ("F30", "F31") else "exact",
                r["description"],
                REF_ICD,
            )
        elif r["group"] == "psychotic_F20-F29":
            add(
                "psychotic",
                "icd10cm",
                r["code"],
                "prefix" if len(r["code"]) == 3 else "exact",
                r["description"],
                REF_ICD,
            )
        elif r["group"].startswith("substance_F10"):
            add("substance_use", "icd10cm", r["code"], "prefix", r["description"], REF_ICD)
    for _system, code, display in _valueset_codes(ref, "2.16.840.1.113883.3.67.1.101.1.44"):
        add("bipolar", "snomed", code, "exact", display, "VSAC Bipolar Disorder 101.1.44")
    for _system, code, display in _valueset_codes(ref, "2.16.840.1.113883.3.464.1003.105.11.1163"):
        add("psychotic", "snomed", code, "exact", display, "VSAC Schizophrenia/Psychotic 11.1163")
    for code in ("F32.3", "F33.3", "F31.2", "F31.5", "F31.64", "F30.2"):
        add("psychotic_features", "icd10cm", code, "exact", by_code[code]["description"], REF_ICD)
    with (DATA / "diagnoses_snomed.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(line for line in fh if not line.startswith("#")):
            if r["category"] == "mdd" and r["psychotic_features"] == "true":
                add(
                    "psychotic_features",
                    "snomed",
                    r["code"],
                    "exact",
                    r["description"],
                    r["source"],
                )
    for code, label in (("7200002", "Alcoholism"), ("5602001", "Opioid abuse")):
        add("substance_use", "snomed", code, "exact", label, "Synthea fixtures (not in reference)")
    for code, match, category, description, _source in EXTRA_ICD:
        if category in ("pregnancy", "neurological"):
            add(category, "icd10cm", code, match, description, NOT_IN_REF)
        elif category == "dementia":  # payer summaries list dementia among neurological exclusions
            add("neurological", "icd10cm", code, match, description, NOT_IN_REF)
    add(
        "pregnancy",
        "snomed",
        "72892002",
        "exact",
        "Normal pregnancy",
        "Synthea fixtures (not in reference)",
    )
    _write(
        DATA / "code_sets.csv",
        "# Named code sets for contraindications / exclusions. Generated by\n"
        "# tests/terminology/build_data.py; see SOURCES.md. match=prefix: ICD-10-CM descendants.\n",
        rows,
        ["set", "system", "code", "match", "label", "source"],
    )
