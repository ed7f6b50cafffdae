"""Terminology for TMS prior authorization: drugs, instruments, diagnoses, procedures, code sets.

Every table is a data file in ``priorauth/terminology/data/`` (CSV or YAML) whose source and
licence are stated in ``data/SOURCES.md``. Tables are read lazily, once per process
(``functools.cache``), and looked up through dicts. Every value returned is a frozen pydantic
model, so callers can keep and share them.

Code systems are given as FHIR URIs; common variants (OIDs such as
``urn:oid:2.16.840.1.113883.6.90``, ``https``, trailing slashes, short names) are normalised by
:func:`canonical_system`. ICD-10-CM codes match with or without the dot (``F332`` == ``F33.2``);
NDCs match in hyphenated 10-digit or plain 11-digit form.

Minimum adequate doses are configurable. :func:`adequate_dose_table` returns the packaged
defaults (``data/ingredients.csv``, column ``min_adequate_mg_per_day``), optionally overlaid by a
practice-supplied YAML or CSV file::

    # YAML: a mapping ingredient -> mg/day (null removes the threshold)
    amitriptyline: 100
    phenelzine: 45

    # CSV: columns ingredient,min_adequate_mg_per_day
    ingredient,min_adequate_mg_per_day
    amitriptyline,100

The function is pure (nothing is stored globally): callers that need a practice's table pass
its path in and keep the returned mapping. :attr:`Ingredient.min_adequate_mg_per_day` always
holds the packaged default. Doses the reference marks UNCONFIRMED (all TCAs and MAOIs, lithium,
liothyronine, gepirone, milnacipran...) carry ``dose_confirmed=False``.

Examples:

>>> [m.ingredient.name for m in drugs_for_code(RXNORM, "312938")]
['sertraline']
>>> drugs_for_code("rxnorm", "312938")[0].strength_mg
100.0
>>> diagnosis_info("http://hl7.org/fhir/sid/icd-10-cm", "F332").severity
'severe'
>>> severity_band("phq9", 15)
'moderately severe'
"""

from __future__ import annotations

from priorauth.terminology.codesets import (
    CodeSetName,
    code_set,
    contraindication_in_text,
    is_known_code,
)
from priorauth.terminology.diagnoses import diagnosis_info
from priorauth.terminology.drugs import (
    adequate_dose_table,
    all_ingredients,
    drugs_for_code,
    drugs_in_text,
    ingredient,
)
from priorauth.terminology.instruments import (
    instrument,
    instrument_for_code,
    instrument_in_text,
    severity_band,
)
from priorauth.terminology.models import (
    CodeSet,
    DiagnosisCategory,
    DiagnosisInfo,
    DrugClass,
    DrugMatch,
    Ingredient,
    Instrument,
    InstrumentId,
    ProcedureInfo,
)
from priorauth.terminology.procedures import procedure_in_text, procedure_info
from priorauth.terminology.systems import (
    CPT,
    HCPCS,
    ICD10CM,
    LOINC,
    NDC,
    RXNORM,
    SNOMED,
    canonical_system,
    normalise_code,
)

__all__ = [
    "CPT",
    "HCPCS",
    "ICD10CM",
    "LOINC",
    "NDC",
    "RXNORM",
    "SNOMED",
    "CodeSet",
    "CodeSetName",
    "DiagnosisCategory",
    "DiagnosisInfo",
    "DrugClass",
    "DrugMatch",
    "Ingredient",
    "Instrument",
    "InstrumentId",
    "ProcedureInfo",
    "adequate_dose_table",
    "all_ingredients",
    "canonical_system",
    "code_set",
    "contraindication_in_text",
    "diagnosis_info",
    "drugs_for_code",
    "drugs_in_text",
    "ingredient",
    "instrument",
    "instrument_for_code",
    "instrument_in_text",
    "is_known_code",
    "normalise_code",
    "procedure_in_text",
    "procedure_info",
    "severity_band",
]
