"""Antidepressant and augmentation ingredients: lookup by name, RxNorm/NDC code and free text.

Data: ``data/ingredients.csv`` (one row per ingredient), ``data/rxnorm_map.csv`` (RxCUI ->
ingredient + strength in mg per dose unit, one row per ingredient of a combination product) and
``data/ndc_map.csv`` (NDC -> ingredient).

>>> [(m.ingredient.name, m.strength_mg) for m in drugs_for_code(RXNORM, "403969")]
[('fluoxetine', 25.0), ('olanzapine', 6.0)]
>>> [(m.ingredient.name, m.strength_mg) for m in drugs_in_text("Zoloft 100 mg daily")]
[('sertraline', 100.0)]
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import cast

import yaml

from priorauth.limits import bounded
from priorauth.terminology._data import (
    parse_bool,
    parse_float,
    read_csv,
    split_list,
)
from priorauth.terminology.models import DrugClass, DrugMatch, Ingredient, IngredientRole
from priorauth.terminology.systems import NDC, RXNORM, canonical_system, normalise_code

__all__ = [
    "adequate_dose_table",
    "all_ingredients",
    "drugs_for_code",
    "drugs_in_text",
    "ingredient",
]


@cache
def _ingredients() -> Mapping[str, Ingredient]:
    table: dict[str, Ingredient] = {}
    for row in read_csv("ingredients.csv"):
        table[row["name"]] = Ingredient(
            name=row["name"],
            rxcui=row["rxcui"] or None,
            atc=row["atc"] or None,
            drug_class=cast(DrugClass, row["drug_class"]),
            alt_classes=cast(tuple[DrugClass, ...], split_list(row["alt_classes"])),
            role=cast(IngredientRole, row["role"]),
            min_adequate_mg_per_day=parse_float(row["min_adequate_mg_per_day"]),
            dose_confirmed=parse_bool(row["dose_confirmed"]),
            usual_max_mg_per_day=parse_float(row["usual_max_mg_per_day"]),
            brands=split_list(row["brands"]),
            dose_source=row["dose_source"],
            notes=row["notes"],
        )
    return MappingProxyType(table)


def ingredient(name: str) -> Ingredient:
    """The ingredient called ``name`` (lower-case generic name, case-insensitive).

    Raises KeyError if unknown.

    >>> ingredient("Sertraline").drug_class
    'ssri'
    """
    try:
        return _ingredients()[name.strip().lower()]
    except KeyError:
        raise KeyError(f"unknown ingredient {name!r}") from None


def all_ingredients() -> tuple[Ingredient, ...]:
    """Every ingredient in the table, in file order (antidepressants first)."""
    return tuple(_ingredients().values())


# --------------------------------------------------------------------------- codes


@cache
def _code_index() -> Mapping[tuple[str, str], tuple[DrugMatch, ...]]:
    ingredients = _ingredients()
    index: dict[tuple[str, str], list[DrugMatch]] = {}
    for file, system in (("rxnorm_map.csv", RXNORM), ("ndc_map.csv", NDC)):
        label = "rxnorm" if system == RXNORM else "ndc"
        for row in read_csv(file):
            code = normalise_code(system, row["code"])
            match = DrugMatch(
                ingredient=ingredients[row["ingredient"]],
                strength_mg=parse_float(row["strength_mg"]),
                per=row["per"] or None,
                how=f"{label} {row['code']} ({row['tty']})",
            )
            index.setdefault((system, code), []).append(match)
            if system == NDC and len(code) == 11:  # also findable by its 9-digit product code
                product = match.model_copy(update={"how": f"ndc {code[:5]}-{code[5:9]} (product)"})
                index.setdefault((system, code[:9]), []).append(product)
    return MappingProxyType({key: tuple(value) for key, value in index.items()})


def drugs_for_code(system: str | None, code: str | None) -> tuple[DrugMatch, ...]:
    """Ingredients of an RxNorm (any TTY) or NDC code, with strength per dose unit.

    Combination products give one match per ingredient we track (olanzapine/fluoxetine ->
    both). Unknown system or code -> empty tuple. Only the two systems are supported; use
    :func:`drugs_in_text` on the display of anything else.
    """
    sys_uri = canonical_system(system)
    if sys_uri not in (RXNORM, NDC) or not code:
        return ()
    norm = normalise_code(sys_uri, code)
    index = _code_index()
    found = index.get((sys_uri, norm), ())
    if not found and sys_uri == NDC and len(norm) == 11:
        found = index.get((sys_uri, norm[:9]), ())
    return found


# --------------------------------------------------------------------------- text

_SEP = r"\s*(?:/|-|\+|\band\b|\bwith\b)\s*"
_NUM = r"\d+(?:\.\d+|,\d{1,2}(?!\d))?"  # "37.5" and "37,5"; not "1,000"
# Words allowed between a drug name and its strength: salts, release forms, dose forms.
_FILLER = (
    r"(?:hcl|hydrochloride|hydrobromide|hbr|succinate|oxalate|maleate|mesylate|fumarate|"
    r"sulfate|sodium|carbonate|citrate|er|xr|xl|sr|cr|ir|la|odt|dr|ec|pm|cd|"
    r"extended|delayed|release|oral|tablets?|tabs?|capsules?|caps?|solution|"
    r"disintegrating|solt?ab)"
)
_STRENGTH = re.compile(
    rf"^(?:\s*\([^()]{{0,40}}\))?(?:[\s,:]+{_FILLER}\b\.?)*[\s,:]*"
    rf"(?P<a>{_NUM})(?:\s*/\s*(?P<b>{_NUM}))?\s*(?P<unit>mg|mcg|µg|ug|milligrams?|micrograms?)\b",
    re.IGNORECASE,
)
_BOUNDARY_BEFORE = r"(?<![A-Za-z0-9])"
_BOUNDARY_AFTER = r"(?![A-Za-z0-9])"


class _Term:
    __slots__ = ("ingredients", "kind", "label")

    def __init__(self, label: str, kind: str, ingredients: tuple[str, ...]) -> None:
        self.label = label
        self.kind = kind
        self.ingredients = ingredients


def _alias_pattern(alias: str) -> str:
    """Regex for a name: separators (space, hyphen, slash) match any run of separators."""
    words = re.split(r"\s*(?:/|-|\s)\s*|\s+", alias.strip().lower())
    return r"[\s/\-+]*".join(re.escape(w) for w in words if w)


@cache
def _text_matcher() -> tuple[re.Pattern[str], Mapping[str, _Term]]:
    terms: dict[str, _Term] = {}

    def add(name: str, kind: str, ingredient_name: str) -> None:
        key = _term_key(name)
        if key in terms:
            existing = terms[key]
            if ingredient_name not in existing.ingredients:
                existing.ingredients = (*existing.ingredients, ingredient_name)
        else:
            terms[key] = _Term(name, kind, (ingredient_name,))

    for ing in _ingredients().values():
        if _generic_text_enabled(ing.name):
            add(ing.name, "generic", ing.name)
        for brand in ing.brands:
            add(brand, "brand", ing.name)
        for alias in _aliases(ing.name):
            add(alias, "generic", ing.name)
    ordered = sorted(terms, key=len, reverse=True)
    groups = "|".join(f"(?:{_alias_pattern(k)})" for k in ordered)
    pattern = re.compile(rf"{_BOUNDARY_BEFORE}(?P<name>{groups}){_BOUNDARY_AFTER}", re.IGNORECASE)
    return pattern, MappingProxyType(terms)


@cache
def _ingredient_text_flags() -> Mapping[str, tuple[bool, tuple[str, ...]]]:
    return MappingProxyType(
        {
            row["name"]: (parse_bool(row["text_generic"]), split_list(row["aliases"]))
            for row in read_csv("ingredients.csv")
        }
    )


def _generic_text_enabled(name: str) -> bool:
    return _ingredient_text_flags()[name][0]


def _aliases(name: str) -> tuple[str, ...]:
    return _ingredient_text_flags()[name][1]


@cache
def _combination_order() -> Mapping[str, tuple[str, ...]]:
    """Brand -> ingredient order of its written strength ("Symbyax 6/25": olanzapine 6)."""
    return MappingProxyType(
        {
            "symbyax": ("olanzapine", "fluoxetine"),
            "auvelity": ("dextromethorphan", "bupropion"),
            "dextromethorphan bupropion": ("dextromethorphan", "bupropion"),
            "dextromethorphan and bupropion": ("dextromethorphan", "bupropion"),
            "bupropion dextromethorphan": ("bupropion", "dextromethorphan"),
            "bupropion and dextromethorphan": ("bupropion", "dextromethorphan"),
        }
    )


def _to_mg(value: str, unit: str) -> float:
    number = float(value.replace(",", "."))
    return number / 1000 if unit.lower().startswith(("mc", "µ", "u", "micro")) else number


def drugs_in_text(text: str | None) -> tuple[DrugMatch, ...]:
    """Ingredients named in free text (generic or brand), with a strength written next to them.

    Matching is case-insensitive on whole words: ``"Zoloft"`` matches, ``"Zoloftish"`` does not.
    A strength in mg or mcg directly after the name (salts, release and dose-form words and one
    parenthesis may sit in between: ``"sertraline HCl 50mg tab"``, ``"Wellbutrin XL 300 mg"``)
    becomes ``strength_mg``. Combination names give every ingredient; ``"Symbyax 6/25 mg"`` and
    ``"olanzapine/fluoxetine 6/25 mg"`` split the strengths in the written order.
    Results are in order of first mention, one per (ingredient, strength).
    """
    text = bounded(text)
    if not text:
        return ()
    pattern, terms = _text_matcher()
    ingredients = _ingredients()
    found: list[DrugMatch] = []
    previous: tuple[int, str, str] | None = None  # end, ingredient, raw text of the last generic
    for match in pattern.finditer(text):
        raw = match.group("name")
        term = terms.get(_term_key(raw))
        if term is None:
            continue
        hits = [
            (name, strength, f"text: {term.kind} '{raw}'")
            for name, strength in _strengths_after(text, match.end(), _term_key(raw), term)
        ]
        split = _split_strength(text, match.end())
        if (
            split is not None
            and previous is not None
            and term.kind == "generic"
            and len(term.ingredients) == 1
            and re.fullmatch(_SEP, text[previous[0] : match.start()], re.IGNORECASE)
        ):  # "olanzapine/fluoxetine 6/25 mg": strengths in the written order
            hits = [
                (previous[1], split[0], f"text: generic '{previous[2]}'"),
                (term.ingredients[0], split[1], f"text: generic '{raw}'"),
            ]
        for name, strength, how in hits:
            found.append(DrugMatch(ingredient=ingredients[name], strength_mg=strength, how=how))
        single = term.kind == "generic" and len(term.ingredients) == 1
        previous = (match.end(), term.ingredients[0], raw) if single else None
    return _drop_redundant(found)


def _term_key(name: str) -> str:
    return re.sub(r"[\s/\-+]+", " ", name.strip().lower())


def _strengths_after(text: str, end: int, key: str, term: _Term) -> list[tuple[str, float | None]]:
    """(ingredient, strength) for each ingredient of the term, from a strength after the name."""
    parsed = _STRENGTH.match(text[end : end + 80])
    unknown: list[tuple[str, float | None]] = [(name, None) for name in term.ingredients]
    if parsed is None:
        return unknown
    unit = parsed.group("unit")
    a = _to_mg(parsed.group("a"), unit)
    if parsed.group("b") is not None:
        order = _combination_order().get(key)
        if order is None:
            return unknown
        return [(order[0], a), (order[1], _to_mg(parsed.group("b"), unit))]
    if len(term.ingredients) == 1:
        return [(term.ingredients[0], a)]
    return unknown


def _split_strength(text: str, end: int) -> tuple[float, float] | None:
    parsed = _STRENGTH.match(text[end : end + 80])
    if parsed is None or parsed.group("b") is None:
        return None
    unit = parsed.group("unit")
    return _to_mg(parsed.group("a"), unit), _to_mg(parsed.group("b"), unit)


def _drop_redundant(found: list[DrugMatch]) -> tuple[DrugMatch, ...]:
    """One match per (ingredient, strength), first mention first; a strength-less match is dropped
    when the same ingredient also appears with a strength."""
    with_strength = {m.ingredient.name for m in found if m.strength_mg is not None}
    seen: set[tuple[str, float | None]] = set()
    result = []
    for m in found:
        key = (m.ingredient.name, m.strength_mg)
        if key in seen or (m.strength_mg is None and m.ingredient.name in with_strength):
            continue
        seen.add(key)
        result.append(m)
    return tuple(result)


# --------------------------------------------------------------------------- dose config


def adequate_dose_table(path: Path | None = None) -> Mapping[str, float]:
    """Minimum adequate daily dose (mg) per ingredient name, optionally overridden from a file.

    Without ``path``: the packaged defaults (ingredients whose default is None are absent).
    With ``path``: a ``.yaml``/``.yml`` mapping ``ingredient: mg`` or a ``.csv`` with columns
    ``ingredient,min_adequate_mg_per_day`` overlays the defaults; a null/empty value removes the
    ingredient's threshold. Unknown ingredient names raise ValueError naming the file.
    """
    table: dict[str, float] = {
        ing.name: ing.min_adequate_mg_per_day
        for ing in all_ingredients()
        if ing.min_adequate_mg_per_day is not None
    }
    if path is None:
        return MappingProxyType(table)
    for name, value in _read_overrides(path).items():
        key = name.strip().lower()
        if key not in _ingredients():
            raise ValueError(f"{path}: unknown ingredient {name!r} in dose table")
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    return MappingProxyType(table)


def _read_overrides(path: Path) -> dict[str, float | None]:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of ingredient -> mg/day")
        return {str(k): _as_dose(path, str(k), v) for k, v in data.items()}
    if suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        if rows and not {"ingredient", "min_adequate_mg_per_day"} <= set(rows[0]):
            raise ValueError(f"{path}: expected columns ingredient,min_adequate_mg_per_day")
        return {
            r["ingredient"]: _as_dose(path, r["ingredient"], r["min_adequate_mg_per_day"])
            for r in rows
        }
    raise ValueError(f"{path}: dose table must be .yaml, .yml or .csv")


def _as_dose(path: Path, name: str, value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        dose = float(cast(str, value))
    except (TypeError, ValueError):
        raise ValueError(f"{path}: {name}: {value!r} is not a number of mg/day") from None
    if dose < 0:
        raise ValueError(f"{path}: {name}: dose must not be negative")
    return dose
