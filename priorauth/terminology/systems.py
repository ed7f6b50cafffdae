"""Code-system URIs and code normalisation.

>>> canonical_system("urn:oid:2.16.840.1.113883.6.90")
'http://hl7.org/fhir/sid/icd-10-cm'
>>> normalise_code(ICD10CM, "f332")
'F33.2'
"""

from __future__ import annotations

from priorauth.fhir.codes import CPT, HCPCS_HTTP, ICD10CM, LOINC, NDC, RXNORM, SNOMED

__all__ = [
    "CPT",
    "HCPCS",
    "ICD10CM",
    "LOINC",
    "NDC",
    "RXNORM",
    "SNOMED",
    "canonical_system",
    "ndc_to_11",
    "normalise_code",
]

# The canonical URIs are the loader's (priorauth.fhir.codes); HCPCS is canonicalised to its
# http:// form, which the aliases below map every other spelling to.
HCPCS = HCPCS_HTTP

_ALIASES: dict[str, str] = {
    ICD10CM: ICD10CM,
    "http://hl7.org/fhir/sid/icd-10": ICD10CM,
    "http://hl7.org/fhir/sid/icd-10-us": ICD10CM,
    "urn:oid:2.16.840.1.113883.6.90": ICD10CM,
    "icd-10-cm": ICD10CM,
    "icd10cm": ICD10CM,
    "icd10": ICD10CM,
    "icd-10": ICD10CM,
    SNOMED: SNOMED,
    "http://snomed.info/sct/731000124108": SNOMED,
    "urn:oid:2.16.840.1.113883.6.96": SNOMED,
    "snomed": SNOMED,
    "snomedct": SNOMED,
    "sct": SNOMED,
    LOINC: LOINC,
    "urn:oid:2.16.840.1.113883.6.1": LOINC,
    "loinc": LOINC,
    CPT: CPT,
    "urn:oid:2.16.840.1.113883.6.12": CPT,
    "cpt": CPT,
    HCPCS: HCPCS,
    "urn:oid:2.16.840.1.113883.6.285": HCPCS,
    "hcpcs": HCPCS,
    RXNORM: RXNORM,
    "urn:oid:2.16.840.1.113883.6.88": RXNORM,
    "rxnorm": RXNORM,
    NDC: NDC,
    "urn:oid:2.16.840.1.113883.6.69": NDC,
    "ndc": NDC,
}
_ALIASES_LOWER = {k.lower().rstrip("/"): v for k, v in _ALIASES.items()}


def canonical_system(system: str | None) -> str | None:
    """Return the canonical URI for a code-system URI/OID/short name, or None if unknown.

    Comparison ignores case, a trailing slash, ``http`` vs ``https`` and a SNOMED edition suffix.
    """
    if not system:
        return None
    key = system.strip().lower().rstrip("/")
    if key.startswith("https://"):
        key = "http://" + key[len("https://") :]
    if key.startswith("http://snomed.info/sct/"):
        return SNOMED
    return _ALIASES_LOWER.get(key)


MAX_STEM = 8
"""The longest ICD-10-CM code (``T40.2X1A``): prefix matching never looks at a longer stem, so its
work is bounded whatever the length of the code in a chart (issue 15)."""


def code_stems(norm: str) -> range:
    """The stem lengths prefix matching tries for a normalised ICD-10-CM code, shortest first."""
    return range(1, min(len(norm), MAX_STEM + 1))


def normalise_code(system: str | None, code: str) -> str:
    """Normalise a code for lookup: strip; ICD-10-CM upper-case with a dot after 3 characters.

    >>> normalise_code(ICD10CM, "F332")
    'F33.2'
    >>> normalise_code(ICD10CM, "g40.909")
    'G40.909'
    >>> normalise_code(NDC, "0093-7198-56")
    '00093719856'
    """
    code = code.strip()
    if system == ICD10CM:
        flat = code.upper().replace(".", "").replace(" ", "")
        return flat if len(flat) <= 3 else f"{flat[:3]}.{flat[3:]}"
    if system == NDC:
        return ndc_to_11(code)
    if system == CPT or system == HCPCS:
        return code.upper()
    return code


def ndc_to_11(code: str) -> str:
    """Normalise an NDC: hyphenated package codes (4-4-2, 5-3-2, 5-4-1) -> 11 digits (5-4-2),
    hyphenated product codes (labeler-product) -> 9 digits (5-4); plain digits are kept.

    >>> ndc_to_11("81968-045-30"), ndc_to_11("81968-045")
    ('81968004530', '819680045')
    """
    parts = code.strip().split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        a, b, c = parts
        return f"{a.zfill(5)}{b.zfill(4)}{c.zfill(2)}"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return f"{parts[0].zfill(5)}{parts[1].zfill(4)}"
    return code.strip().replace("-", "").replace(" ", "")
