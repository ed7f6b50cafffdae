"""Regenerate the generated data files of ``priorauth/terminology/data/`` from the reference folder.

Generated: ``rxnorm_map.csv``, ``diagnoses_icd10cm.csv``, ``diagnoses_snomed.csv``,
``code_sets.csv``. Hand-written (not touched here): ``ingredients.csv``, ``ndc_map.csv``,
``instruments.yaml``, ``procedures.csv``, ``procedure_terms.yaml``,
``contraindication_terms.yaml``, ``known_codes.csv``.

Not a test (pytest collects only ``test_*.py``). Run from the repository root when the reference
CSVs change::

    python tests/terminology/build_data.py ../shared/reference/terminology

What it does for the RxNorm map (all of it is also described in ``data/SOURCES.md``):

* reads ``rxnorm_rxcui_to_ingredient_drtk.csv`` (RxNorm ~2019-2020, via DrugRepurposingToolKit)
  and ``rxnorm_scd_antidepressants_vsac.csv`` (VSAC, RxNorm 01/2024);
* keeps one row per (RxCUI, tracked ingredient); the VSAC display wins over the drtk name;
* drops topical products, Contrave (bupropion/naltrexone), oral selegiline, levothyroxine /
  liothyronine (liotrix) products, and VSAC rows without an antidepressant ingredient
  (lamotrigine, 5-HTP);
* adds rows the reference names only in README prose (Auvelity SBD 2611266, the
  dextromethorphan component of 2611260/2611266, bare lithium 6448);
* parses the strength per dose unit from the name and infers the term type from its shape.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "priorauth" / "terminology" / "data" / "rxnorm_map.csv"

RENAME = {"lithium carbonate": "lithium", "lithium citrate": "lithium"}
SALTS = (
    "hydrochloride|hydrobromide|succinate|oxalate|maleate|mesylate|fumarate|sulfate|sodium|"
    "pamoate|citrate|carbonate|oxide|dibudinate|hemihydrate|monohydrate|anhydrous|"
    "fumarate monohydrate|hydrochloride, hemihydrate|hydrochloride anhydrous|pamoate monohydrate"
)
FORM_WORDS = re.compile(
    r"\b(tablet|capsule|solution|suspension|injection|injectable|syringe|spray|system|"
    r"product|pill|liquid|cream|ointment|chewable|oral|transdermal|nasal|inhalant)\b"
)

EXTRA_ROWS = [
    # (rxcui, name, ingredient, source)
    (
        "2611260",
        "bupropion hydrochloride 105 MG / dextromethorphan hydrobromide 45 MG Extended Release "
        "Oral Tablet",
        "dextromethorphan",
        "vsac (second ingredient per README 1c)",
    ),
    (
        "2611266",
        "bupropion hydrochloride 105 MG / dextromethorphan hydrobromide 45 MG Extended Release "
        "Oral Tablet [Auvelity]",
        "bupropion",
        "README 1c (ndclist.com)",
    ),
    (
        "2611266",
        "bupropion hydrochloride 105 MG / dextromethorphan hydrobromide 45 MG Extended Release "
        "Oral Tablet [Auvelity]",
        "dextromethorphan",
        "README 1c (ndclist.com)",
    ),
    ("6448", "lithium", "lithium", "README 1c (drtk names table)"),
]


def excluded(name: str, ingredient: str) -> bool:
    n = name.lower()
    if "topical" in n or "naltrexone" in n or "contrave" in n or "levothyroxine" in n:
        return True
    if n in {"zonalon", "prudoxin", "thyrolar"}:
        return True
    if ingredient == "selegiline":
        return not ("transdermal" in n or "emsam" in n or n == "selegiline" or "mg/hr" in n)
    return False


def infer_tty(name: str, ingredient_names: set[str]) -> str:
    n = name.lower()
    if n.startswith("{") or " pack" in n:
        return "BPCK" if re.search(r"\}\s*pack\s*\[", n) else "GPCK"
    has_digit = bool(re.search(r"\d", n))
    branded = "[" in n
    has_form = bool(FORM_WORDS.search(n))
    if not has_digit:
        if branded:
            return "SBDF"
        if n in ingredient_names:
            return "IN"
        if any(re.fullmatch(rf"{re.escape(i)} ({SALTS})", n) for i in ingredient_names):
            return "PIN"
        if re.search(r"\b(product|pill)\b", n):
            return "SCDG"
        if has_form:
            return "SCDF"
        return "BN"
    if branded:
        return "SBD" if has_form else "SBDC"
    return "SCD" if has_form else "SCDC"


def dose_unit(name: str) -> str | None:
    n = name.lower()
    for word, unit in (
        ("transdermal", "24 h"),
        ("kit", "kit"),
        ("syringe", "injection"),
        ("injection", "injection"),
        ("injectable", "mL"),
        ("capsule", "capsule"),
        ("tablet", "tablet"),
        ("nasal spray", "mL"),
    ):
        if word in n:
            return unit
    return None


def strength(name: str, ingredient: str) -> tuple[float | None, str | None]:
    """mg per dose unit of ``ingredient`` as the RxNorm name states it."""
    n = name.lower()
    kit = re.search(r"\[[^\]]*?(\d+(?:\.\d+)?) mg dose kit\]", n)
    if kit:
        return float(kit.group(1)), "kit"
    if n.startswith("{"):
        values = {
            s
            for s, _ in (strength(inner, ingredient) for inner in re.findall(r"\(([^(){}]*)\)", n))
        }
        values.discard(None)
        if len(values) == 1:
            return values.pop(), dose_unit(n)
        return None, None
    n = re.sub(r"\[[^\]]*\]", "", n)
    n = re.sub(r"^(smoking cessation|pmdd|sprinkle)\s+", "", n)
    n = re.sub(r"^\d+ hr\s+", "", n)
    quantity = None
    q = re.match(r"^(\d+(?:\.\d+)?) ml\s+", n)
    if q:
        quantity = float(q.group(1))
        n = n[q.end() :]
    search = ingredient.split()[0] if ingredient != "lithium" else "lithium"
    for segment in n.split(" / "):
        if search not in segment:
            continue
        m = re.search(r"(\d+(?:\.\d+)?) (mg|mcg)(?:/(ml|hr|actuat|24 ?hr))?\b", segment)
        if not m:
            return None, None
        value = float(m.group(1)) / (1000 if m.group(2) == "mcg" else 1)
        per = m.group(3)
        if per == "hr":
            return round(value * 24, 3), "24 h"
        if per == "ml":
            if quantity is not None:
                return round(value * quantity, 3), dose_unit(name) or "injection"
            return value, "mL"
        if per == "actuat":
            return value, "actuation"
        return value, dose_unit(name)
    return None, None


def main(ref_dir: Path) -> None:
    ingredient_rows = {}
    with (OUT.parent / "ingredients.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            ingredient_rows[row["name"]] = row
    names_for_tty = set(ingredient_rows) | {"lithium carbonate", "lithium citrate"}
    rows: dict[tuple[str, str], dict[str, str]] = {}

    def add(code: str, name: str, ing: str, source: str) -> None:
        ing = RENAME.get(ing, ing)
        if ing not in ingredient_rows or excluded(name, ing):
            return
        key = (code, ing)
        if key in rows:
            if source not in rows[key]["source"]:
                rows[key]["source"] += f"+{source}"
            return
        value, per = strength(name, ing)
        rows[key] = {
            "code": code,
            "tty": infer_tty(name, names_for_tty),
            "ingredient": ing,
            "strength_mg": "" if value is None else f"{value:g}",
            "per": per or "",
            "name": name,
            "source": source,
        }

    with (ref_dir / "rxnorm_scd_antidepressants_vsac.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["ingredient_rxcui"]:
                add(row["rxcui"], row["display"], row["ingredient_name"], "vsac")
    for code, name, ing, source in EXTRA_ROWS:
        add(code, name, ing, source)
    with (ref_dir / "rxnorm_rxcui_to_ingredient_drtk.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            src = "drtk-name" if "name match" in row["source"] else "drtk"
            add(row["rxcui"], row["name_lowercased"], row["ingredient_name"], src)
    # VSAC rows are SCD or GPCK by construction of the value sets (README): trust that over shape.
    for row in rows.values():
        if row["source"].startswith("vsac") and row["tty"] not in ("GPCK", "BPCK"):
            row["tty"] = "SCD"
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        fh.write(
            "# RxCUI -> tracked ingredient with strength (mg per dose unit). Generated by\n"
            "# tests/terminology/build_data.py from the reference folder; see SOURCES.md.\n"
            "# tty is inferred from the name's shape for drtk rows (the source has no TTY).\n"
        )
        writer = csv.DictWriter(
            fh, ["code", "tty", "ingredient", "strength_mg", "per", "name", "source"]
        )
        writer.writeheader()
        for key in sorted(rows, key=lambda k: (int(k[0]), k[1])):
            writer.writerow(rows[key])


if __name__ == "__main__":
    ref = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/reference/terminology")
    main(ref)
    sys.path[:0] = [str(Path(__file__).parent), str(OUT.parents[3])]
    from build_diagnoses import build_code_sets, build_diagnoses

    build_diagnoses(ref)
    build_code_sets(ref)
