"""Drug lookup: RxNorm/NDC codes, free text, the ingredient table and the dose configuration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from priorauth.terminology import (
    NDC,
    RXNORM,
    DrugMatch,
    adequate_dose_table,
    all_ingredients,
    drugs_for_code,
    drugs_in_text,
    ingredient,
)

SHARED_FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def _pairs(matches: tuple[DrugMatch, ...]) -> list[tuple[str, float | None]]:
    return [(m.ingredient.name, m.strength_mg) for m in matches]


# Every antidepressant code in the shared fixtures, with the strength its RxNorm name states.
# synthea_r4_smart (Milan_Beatty, Sherman_McGlynn, Donnell_Torphy, ...): 328670 "Sertraline 100MG",
# 406022 "Fluoxetine 25MG" (both SCDC); ecqm_qicore_2024 CMS128: 1000048, 1099316, 1190110;
# shift_demo: 315952 "fluoxetine 20 MG". Codes named in the brief/README: 312938, 313989, 310385.
FIXTURE_CODES = [
    ("328670", "sertraline", 100.0),  # sertraline 100 mg (SCDC)
    ("406022", "fluoxetine", 25.0),  # fluoxetine 25 mg (SCDC)
    ("312938", "sertraline", 100.0),  # sertraline 100 MG Oral Tablet
    ("312941", "sertraline", 50.0),  # sertraline 50 MG Oral Tablet
    ("310385", "fluoxetine", 20.0),  # fluoxetine 20 MG Oral Capsule
    ("313989", "fluoxetine", 40.0),  # fluoxetine 40 MG Oral Capsule
    ("315952", "fluoxetine", 20.0),  # fluoxetine 20 MG (SCDC)
    ("1000048", "doxepin", 10.0),  # doxepin 10 MG Oral Capsule
    ("1099316", "desipramine", 75.0),  # desipramine hydrochloride 75 MG Oral Tablet
    ("1190110", "fluoxetine", 60.0),  # fluoxetine 60 MG Oral Tablet
    ("200371", "citalopram", 20.0),  # citalopram 20 MG Oral Tablet
    ("313581", "venlafaxine", 150.0),  # 24 HR venlafaxine 150 MG Extended Release Oral Capsule
]


@pytest.mark.parametrize(("code", "name", "strength"), FIXTURE_CODES)
def test_fixture_codes_map_to_ingredient_and_strength(
    code: str | None, name: str, strength: float | None
) -> None:
    assert _pairs(drugs_for_code(RXNORM, code)) == [(name, strength)]


def test_how_names_code_and_term_type() -> None:
    (match,) = drugs_for_code(RXNORM, "312938")
    assert match.how == "rxnorm 312938 (SCD)"
    assert match.per == "tablet"
    assert drugs_for_code(RXNORM, "328670")[0].how == "rxnorm 328670 (SCDC)"


@pytest.mark.parametrize(
    "system",
    [
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        "urn:oid:2.16.840.1.113883.6.88",
        "https://www.nlm.nih.gov/research/umls/rxnorm/",
        "RxNorm",
    ],
)
def test_rxnorm_system_variants(system: str | None) -> None:
    assert _pairs(drugs_for_code(system, " 312938 ")) == [("sertraline", 100.0)]


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (RXNORM, "314076"),  # lisinopril
        (RXNORM, ""),
        (RXNORM, None),
        (None, "312938"),
        ("http://snomed.info/sct", "312938"),
        (RXNORM, "1551468"),  # bupropion / naltrexone (Contrave): not an antidepressant trial
        (RXNORM, "1000091"),  # doxepin topical cream
        (RXNORM, "369269"),  # oral selegiline [eldepryl]
        (RXNORM, "1043400"),  # cough syrup with dextromethorphan (Synthea)
    ],
)
def test_unknown_or_excluded_codes_give_nothing(system: str | None, code: str | None) -> None:
    assert drugs_for_code(system, code) == ()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("403969", [("fluoxetine", 25.0), ("olanzapine", 6.0)]),  # fluoxetine 25 / olanzapine 6
        ("721787", [("fluoxetine", 25.0), ("olanzapine", 3.0)]),
        ("403971", [("fluoxetine", 50.0), ("olanzapine", 12.0)]),
        ("2611260", [("bupropion", 105.0), ("dextromethorphan", 45.0)]),  # Auvelity SCD
        ("2611266", [("bupropion", 105.0), ("dextromethorphan", 45.0)]),  # Auvelity SBD
    ],
)
def test_combination_products_map_to_both_ingredients(code: str | None, expected: Any) -> None:
    assert sorted(_pairs(drugs_for_code(RXNORM, code))) == expected


@pytest.mark.parametrize(
    ("code", "name", "strength", "per"),
    [
        ("865210", "selegiline", 9.0, "24 h"),  # 24 HR selegiline 0.375 MG/HR Transdermal System
        ("2119391", "esketamine", 56.0, "kit"),  # Spravato 56 mg dose kit
        ("672356", "aripiprazole", 9.75, "injection"),  # 1.3 ML aripiprazole 7.5 MG/ML injection
        ("310386", "fluoxetine", 4.0, "mL"),  # fluoxetine 4 MG/ML Oral Solution
        ("993567", "bupropion", 348.0, "tablet"),  # bupropion hydrobromide 348 MG ER tablet
        ("1653469", "vilazodone", None, None),  # 10 mg/20 mg titration pack: no single strength
        ("82728", "sertraline", None, None),  # Zoloft (brand name)
        ("36437", "sertraline", None, None),  # ingredient
        ("42351", "lithium", None, None),  # lithium carbonate
        ("52105", "lithium", None, None),  # lithium citrate
        ("6448", "lithium", None, None),  # lithium
    ],
)
def test_strength_and_unit_from_rxnorm_names(
    code: str | None, name: str, strength: float | None, per: str | None
) -> None:
    (match,) = drugs_for_code(RXNORM, code)
    assert (match.ingredient.name, match.strength_mg, match.per) == (name, strength, per)


def test_branded_drug_maps() -> None:
    (match,) = drugs_for_code(RXNORM, "1790883")  # vortioxetine oral tablet [trintellix]
    assert match.ingredient.name == "vortioxetine"
    assert match.how.endswith("(SBDF)")


@pytest.mark.parametrize("code", ["81968-045-30", "81968004530", "81968-0045-30", "81968-045"])
def test_ndc_auvelity(code: str | None) -> None:
    assert sorted(_pairs(drugs_for_code(NDC, code))) == [
        ("bupropion", 105.0),
        ("dextromethorphan", 45.0),
    ]


def test_unknown_ndc() -> None:
    assert drugs_for_code("urn:oid:2.16.840.1.113883.6.69", "0093-0948") == ()


@pytest.mark.skipif(not SHARED_FIXTURES.is_dir(), reason="shared fixtures not present")
def test_every_antidepressant_in_shared_fixtures_maps() -> None:
    """Scan the shared FHIR fixtures: any RxNorm coding whose display names a tracked ingredient
    must map to that ingredient by code, with the strength the display states."""
    checked = 0
    for path in sorted(SHARED_FIXTURES.rglob("*.json")) + sorted(SHARED_FIXTURES.rglob("*.ndjson")):
        for coding in _rxnorm_codings(path.read_text(encoding="utf-8")):
            named = drugs_in_text(coding.get("display"))
            if not named:
                continue
            checked += 1
            by_code = _pairs(drugs_for_code(coding["system"], coding["code"]))
            assert sorted(by_code) == sorted(_pairs(named)), (path.name, coding)
    assert checked >= 5


def _rxnorm_codings(text: str) -> list[dict[str, Any]]:
    docs: list[Any] = []
    try:
        docs.append(json.loads(text))
    except json.JSONDecodeError:
        docs.extend(json.loads(line) for line in text.splitlines() if line.strip())
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "rxnorm" in str(node.get("system", "")).lower() and "code" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for doc in docs:
        walk(doc)
    return found


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zoloft", [("sertraline", None)]),
        ("zoloft 100 mg daily", [("sertraline", 100.0)]),
        ("sertraline 50mg tab", [("sertraline", 50.0)]),
        ("Sertraline 100MG", [("sertraline", 100.0)]),  # Synthea display
        ("sertraline HCl 25 mg oral tablet", [("sertraline", 25.0)]),
        ("sertraline (Zoloft) 150 mg", [("sertraline", 150.0)]),
        ("Wellbutrin XL 300 mg", [("bupropion", 300.0)]),
        ("Effexor XR 150mg", [("venlafaxine", 150.0)]),
        ("Lexapro 10 mg", [("escitalopram", 10.0)]),
        ("trazodone 50 mg at bedtime", [("trazodone", 50.0)]),
        ("LIOTHYRONINE 25 mcg", [("liothyronine", 0.025)]),
        ("Tofranil-PM 75 mg", [("imipramine", 75.0)]),
        ("desvenlafaxine 50 mg", [("desvenlafaxine", 50.0)]),  # not venlafaxine
        ("levomilnacipran 40 mg", [("levomilnacipran", 40.0)]),  # not milnacipran
        ("escitalopram 10 mg", [("escitalopram", 10.0)]),  # not citalopram
        ("lithium carbonate 300 mg", [("lithium", 300.0)]),
        ("Spravato", [("esketamine", None)]),
        (
            "sertraline 50 mg, later sertraline 100 mg",
            [("sertraline", 50.0), ("sertraline", 100.0)],
        ),
    ],
)
def test_text_matches(text: str | None, expected: Any) -> None:
    assert _pairs(drugs_in_text(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Zoloftish",
        "xsertraline",
        "sertralinex 50 mg",
        "prosertraline",
        "dextromethorphan 15 mg cough syrup",  # not Auvelity
        "Contrave",
        "",
        None,
        "no antidepressant on file",
    ],
)
def test_text_negatives(text: str | None) -> None:
    assert drugs_in_text(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("olanzapine/fluoxetine 6/25 mg", [("olanzapine", 6.0), ("fluoxetine", 25.0)]),
        ("Symbyax 12/50 mg", [("olanzapine", 12.0), ("fluoxetine", 50.0)]),
        ("Symbyax", [("fluoxetine", None), ("olanzapine", None)]),
        ("Auvelity 45/105 mg BID", [("dextromethorphan", 45.0), ("bupropion", 105.0)]),
        ("dextromethorphan-bupropion ER", [("dextromethorphan", None), ("bupropion", None)]),
    ],
)
def test_text_combinations_give_both(text: str | None, expected: Any) -> None:
    assert sorted(_pairs(drugs_in_text(text))) == sorted(expected)


def test_text_how() -> None:
    (brand,) = drugs_in_text("Lexapro")
    assert brand.how == "text: brand 'Lexapro'"
    (generic,) = drugs_in_text("started SERTRALINE")
    assert generic.how == "text: generic 'SERTRALINE'"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_drugs_in_text_never_raises(text: str | None) -> None:
    result = drugs_in_text(text)
    assert isinstance(result, tuple)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Zoloft", "sertraline", " ", "/", "mg", "50", "(", ")", "Symbyax", "x"])
    )
)
def test_drugs_in_text_never_raises_on_drug_like_text(parts: list[str]) -> None:
    assert isinstance(drugs_in_text("".join(parts)), tuple)


# --------------------------------------------------------------------------- ingredient table


def test_ingredient_lookup_and_errors() -> None:
    assert ingredient("Sertraline").rxcui == "36437"
    with pytest.raises(KeyError, match="unknown ingredient"):
        ingredient("aspirin")


def test_trazodone_floor_is_antidepressant_dose() -> None:
    trazodone = ingredient("trazodone")
    assert trazodone.min_adequate_mg_per_day == 200
    assert trazodone.min_adequate_mg_per_day is not None
    assert trazodone.min_adequate_mg_per_day >= 150
    (match,) = drugs_in_text("trazodone 50 mg at bedtime")
    assert match.strength_mg is not None
    assert match.strength_mg < trazodone.min_adequate_mg_per_day


@pytest.mark.parametrize(
    "name",
    [
        "amitriptyline",
        "nortriptyline",
        "imipramine",
        "desipramine",
        "clomipramine",
        "doxepin",
        "protriptyline",
        "trimipramine",
        "amoxapine",
        "maprotiline",
        "phenelzine",
        "tranylcypromine",
        "isocarboxazid",
        "selegiline",
        "lithium",
        "liothyronine",
        "gepirone",
    ],
)
def test_unconfirmed_doses_are_flagged(name: str) -> None:
    assert ingredient(name).dose_confirmed is False


def test_phenelzine_and_isocarboxazid_floors_are_label_targets() -> None:
    """Their UTD usual-range floors are starting doses; the floors are the label targets."""
    assert ingredient("phenelzine").min_adequate_mg_per_day == 60
    assert ingredient("isocarboxazid").min_adequate_mg_per_day == 40


@pytest.mark.parametrize(
    ("name", "drug_class", "role"),
    [
        ("sertraline", "ssri", "antidepressant"),
        ("venlafaxine", "snri", "antidepressant"),
        ("amitriptyline", "tca", "antidepressant"),
        ("maprotiline", "tca", "antidepressant"),
        ("phenelzine", "maoi", "antidepressant"),
        ("bupropion", "bupropion", "antidepressant"),
        ("mirtazapine", "mirtazapine", "antidepressant"),
        ("trazodone", "serotonin_modulator", "antidepressant"),
        ("vortioxetine", "serotonin_modulator", "antidepressant"),
        ("zuranolone", "other", "antidepressant"),
        ("aripiprazole", "sga", "augmentation"),
        ("lithium", "lithium", "augmentation"),
        ("liothyronine", "thyroid", "augmentation"),
        ("esketamine", "esketamine", "augmentation"),
    ],
)
def test_classes(name: str, drug_class: str, role: str) -> None:
    ing = ingredient(name)
    assert (ing.drug_class, ing.role) == (drug_class, role)


def test_vilazodone_can_be_read_as_ssri() -> None:
    assert ingredient("vilazodone").alt_classes == ("ssri",)


def test_table_is_consistent() -> None:
    names = [i.name for i in all_ingredients()]
    assert len(names) == len(set(names))
    for ing in all_ingredients():
        assert ing.name == ing.name.lower()
        if ing.min_adequate_mg_per_day is not None and ing.usual_max_mg_per_day is not None:
            assert ing.min_adequate_mg_per_day <= ing.usual_max_mg_per_day, ing.name


def test_models_are_frozen() -> None:
    ing = ingredient("sertraline")
    with pytest.raises(ValueError, match="frozen"):
        ing.name = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------- dose configuration


def test_default_dose_table() -> None:
    table = adequate_dose_table()
    assert table["sertraline"] == 50
    assert table["phenelzine"] == 60
    assert "lithium" not in table


def test_dose_overrides_yaml(tmp_path: Path) -> None:
    path = tmp_path / "doses.yaml"
    path.write_text("amitriptyline: 100\nPhenelzine: 45\nsertraline: null\n", encoding="utf-8")
    table = adequate_dose_table(path)
    assert table["amitriptyline"] == 100
    assert table["phenelzine"] == 45
    assert "sertraline" not in table
    assert table["citalopram"] == 20
    assert ingredient("amitriptyline").min_adequate_mg_per_day == 150  # packaged default unchanged


def test_dose_overrides_csv(tmp_path: Path) -> None:
    path = tmp_path / "doses.csv"
    path.write_text("ingredient,min_adequate_mg_per_day\nnortriptyline,75\n", encoding="utf-8")
    assert adequate_dose_table(path)["nortriptyline"] == 75


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("d.yaml", "aspirin: 100\n", "unknown ingredient 'aspirin'"),
        ("d.yaml", "sertraline: lots\n", "not a number"),
        ("d.yaml", "sertraline: -5\n", "must not be negative"),
        ("d.yaml", "- sertraline\n", "expected a mapping"),
        ("d.csv", "drug,mg\nsertraline,50\n", "expected columns"),
        ("d.txt", "sertraline 50\n", "must be .yaml"),
    ],
)
def test_dose_override_errors(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        adequate_dose_table(path)
