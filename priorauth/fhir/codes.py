"""Code-system URIs, with the variants real charts use for the same system.

Each system has a canonical constant (the URI HL7 Terminology names) and a ``*_SYSTEMS`` set of
every spelling seen in data: OIDs, the CMS ``http`` vs ``https`` forms. Compare with
:func:`in_system`, which also ignores a trailing slash and the http/https difference:

>>> in_system("urn:oid:2.16.840.1.113883.6.90", ICD10CM_SYSTEMS)
True
>>> in_system("https://hl7.org/fhir/sid/icd-10-cm/", ICD10CM_SYSTEMS)
True
>>> in_system("http://hl7.org/fhir/sid/icd-10", ICD10CM_SYSTEMS)
False
>>> in_system(None, LOINC_SYSTEMS)
False
"""

from __future__ import annotations

from typing import Final

RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
RXNORM_OID: Final = "urn:oid:2.16.840.1.113883.6.88"
RXNORM_SYSTEMS: Final = frozenset({RXNORM, RXNORM_OID})

NDC: Final = "http://hl7.org/fhir/sid/ndc"
NDC_OID: Final = "urn:oid:2.16.840.1.113883.6.69"
NDC_SYSTEMS: Final = frozenset({NDC, NDC_OID})

LOINC: Final = "http://loinc.org"
LOINC_OID: Final = "urn:oid:2.16.840.1.113883.6.1"
LOINC_SYSTEMS: Final = frozenset({LOINC, LOINC_OID})

SNOMED: Final = "http://snomed.info/sct"
SNOMED_OID: Final = "urn:oid:2.16.840.1.113883.6.96"
SNOMED_SYSTEMS: Final = frozenset({SNOMED, SNOMED_OID})

ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
"""ICD-10-CM (US clinical modification): the diagnosis codes payers ask for."""
ICD10CM_OID: Final = "urn:oid:2.16.840.1.113883.6.90"
ICD10CM_CMS: Final = "http://www.cms.gov/Medicare/Coding/ICD10"
"""Seen in vendor and PAS data for ICD-10-CM."""
ICD10CM_SYSTEMS: Final = frozenset({ICD10CM, ICD10CM_OID, ICD10CM_CMS})

ICD10: Final = "http://hl7.org/fhir/sid/icd-10"
"""ICD-10 (WHO international edition); codes mostly agree with ICD-10-CM at 3 characters."""
ICD10_OID: Final = "urn:oid:2.16.840.1.113883.6.3"
ICD10_SYSTEMS: Final = frozenset({ICD10, ICD10_OID})

CPT: Final = "http://www.ama-assn.org/go/cpt"
CPT_OID: Final = "urn:oid:2.16.840.1.113883.6.12"
CPT_SYSTEMS: Final = frozenset({CPT, CPT_OID})

HCPCS: Final = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
HCPCS_HTTP: Final = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
HCPCS_OID: Final = "urn:oid:2.16.840.1.113883.6.285"
"""HCPCS Level II."""
HCPCS_ALL_LEVELS_OID: Final = "urn:oid:2.16.840.1.113883.6.14"
HCPCS_SYSTEMS: Final = frozenset({HCPCS, HCPCS_HTTP, HCPCS_OID, HCPCS_ALL_LEVELS_OID})

UCUM: Final = "http://unitsofmeasure.org"
UCUM_SYSTEMS: Final = frozenset({UCUM, "urn:oid:2.16.840.1.113883.6.8"})


def _normalise(uri: str) -> str:
    """Drop a trailing slash and an ``https`` scheme so spelling variants compare equal."""
    uri = uri.strip().rstrip("/")
    if uri.startswith("https://"):
        return "http://" + uri[len("https://") :]
    return uri


def in_system(system: str | None, systems: frozenset[str]) -> bool:
    """Whether ``system`` is one of ``systems``, ignoring trailing slashes and http vs https."""
    if not system:
        return False
    if system in systems:
        return True
    wanted = _normalise(system)
    return any(_normalise(candidate) == wanted for candidate in systems)
