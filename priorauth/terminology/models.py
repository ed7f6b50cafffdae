"""Frozen value objects returned by :mod:`priorauth.terminology`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from priorauth.terminology.systems import canonical_system, code_stems, normalise_code

__all__ = [
    "CodeSet",
    "DiagnosisCategory",
    "DiagnosisInfo",
    "DrugClass",
    "DrugMatch",
    "Episode",
    "Ingredient",
    "IngredientRole",
    "Instrument",
    "InstrumentId",
    "ProcedureInfo",
    "Remission",
    "Severity",
]

DrugClass = Literal[
    "ssri",
    "snri",
    "tca",
    "maoi",
    "bupropion",
    "mirtazapine",
    "serotonin_modulator",
    "other",
    "sga",
    "lithium",
    "thyroid",
    "esketamine",
    "augmentation_other",
]

IngredientRole = Literal["antidepressant", "augmentation"]

InstrumentId = Literal[
    "phq9",
    "phq2",
    "phqa",
    "hamd",
    "madrs",
    "bdi2",
    "qids_sr",
    "bdi1",
    "ids_c",
    "ids_sr",
    "zung_sds",
    "gad7",
]

DiagnosisCategory = Literal[
    "mdd",
    "depression_other",
    "bipolar",
    "psychotic",
    "substance_use",
    "seizure",
    "pregnancy",
    "anxiety",
    "ptsd",
    "neurological",
    "catatonia",
    "dementia",
    "other_excluded",
]
"""``depression_other``: depressive codes that are not MDD proper (F32.A, F32.8x, F33.8, F34.1,
dysthymia...). ``neurological``: conditions payers list as TMS exclusions (cerebrovascular disease,
dementia, intracranial injury, brain tumour, raised intracranial pressure)."""

Episode = Literal["single", "recurrent", "unspecified"]
Severity = Literal["mild", "moderate", "severe", "unspecified"]
Remission = Literal["partial", "full"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Ingredient(_Frozen):
    """One drug ingredient (antidepressant or augmentation agent).

    ``min_adequate_mg_per_day`` is the packaged default (see ``adequate_dose_table`` for the
    configurable table); ``dose_confirmed`` is False where the reference marks the dose
    UNCONFIRMED or where it is a product decision rather than a sourced number.
    """

    name: str
    rxcui: str | None
    atc: str | None
    drug_class: DrugClass
    role: IngredientRole
    min_adequate_mg_per_day: float | None
    dose_confirmed: bool
    usual_max_mg_per_day: float | None
    brands: tuple[str, ...]
    alt_classes: tuple[DrugClass, ...] = ()
    """Other classes some payers use (vilazodone/vortioxetine: ``("ssri",)``)."""
    dose_source: str = ""
    notes: str = ""


class DrugMatch(_Frozen):
    """One ingredient found in a code or a text."""

    ingredient: Ingredient
    strength_mg: float | None
    """mg per dose unit (tablet, capsule, mL, patch per 24 h...) when the product states it."""
    how: str
    """e.g. ``"rxnorm 312938 (SCD)"``, ``"text: brand 'Lexapro'"``."""
    per: str | None = None
    """The dose unit of ``strength_mg`` when known from a code: "tablet", "capsule", "mL",
    "24 h" (transdermal), "actuation", "injection", "kit"..."""


class Instrument(_Frozen):
    """A depression (or related) rating instrument with its score range and severity bands."""

    id: InstrumentId
    name: str
    loinc_total: str | None
    min_score: int
    max_score: int
    bands: tuple[tuple[int, int, str], ...]
    item_loincs: tuple[str, ...]
    loinc_total_confirmed: bool = False
    """False where the reference marks the total-score LOINC UNCONFIRMED (or has none)."""
    loinc_panel: str | None = None
    loinc_other: tuple[str, ...] = ()
    """Other panel codes (e.g. the PHQ-2 CMS variant 58120-7)."""
    bands_confirmed: bool = False
    """False where the reference marks the cut-offs UNCONFIRMED or source-dependent."""
    aliases: tuple[str, ...] = ()


class DiagnosisInfo(_Frozen):
    """What a diagnosis code (ICD-10-CM or SNOMED CT) says, as far as its code/display allows."""

    category: DiagnosisCategory
    code: str
    system: str
    display: str | None
    episode: Episode | None
    """Depression codes only."""
    severity: Severity | None
    """Depression codes only; SNOMED "minimal" reads as mild, "moderately severe" as moderate;
    None for remission codes."""
    psychotic_features: bool | None
    """True/False when the code says so (ICD-10-CM mild/moderate MDD codes are non-psychotic by
    construction); None when it does not."""
    remission: Remission | None
    """partial/full when the code says which; None otherwise (also for "in remission, unspecified",
    which has ``in_remission_code=True``)."""
    in_remission_code: bool
    """The code itself says "in remission" (MDD, bipolar, substance use)."""


class ProcedureInfo(_Frozen):
    """A psychotherapy, ECT or TMS procedure recognised from a code or a text."""

    category: Literal["psychotherapy", "ect", "tms"]
    therapy_type: str | None
    how: str


class CodeSet(_Frozen):
    """A named set of (system, code) pairs.

    ICD-10-CM entries that are categories/subcategories (marked ``prefix`` in the data file) match
    every descendant: ``G40`` matches ``G40.909``, ``O`` matches every pregnancy chapter code.
    ``prefixes`` is the subset of ``codes`` that match that way.
    """

    name: str
    source: str
    codes: frozenset[tuple[str, str]]
    prefixes: frozenset[tuple[str, str]] = frozenset()

    def contains(self, system: str | None, code: str | None) -> bool:
        """True if (system, code) is in the set, or is a descendant of a prefix entry."""
        sys_uri = canonical_system(system)
        if sys_uri is None or not code:
            return False
        norm = normalise_code(sys_uri, code)
        if (sys_uri, norm) in self.codes:
            return True
        return any((sys_uri, norm[:n].rstrip(".")) in self.prefixes for n in code_stems(norm))
