"""Diagnosis codes (ICD-10-CM, SNOMED CT) -> category and, for depression, episode details.

Data: ``data/diagnoses_icd10cm.csv`` and ``data/diagnoses_snomed.csv`` (one row per code with the
details already parsed; ``match=prefix`` rows cover every ICD-10-CM descendant). Lookup order:

1. exact code in the table;
2. ICD-10-CM only: the longest ``prefix`` row that the code starts with (``G40`` -> ``G40.909``);
   substance-use codes get ``in_remission_code`` from the ICD-10-CM pattern (F1x.11, F1x.21,
   F1x.91, F17.2x1 = "in remission");
3. the display text, if given, for depression wording ("Severe recurrent major depression
   without psychotic features" -> mdd, recurrent, severe, psychotic False).

>>> d = diagnosis_info("http://hl7.org/fhir/sid/icd-10-cm", "F33.41")
>>> d.episode, d.remission, d.in_remission_code
('recurrent', 'partial', True)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import cast

from priorauth.limits import bounded
from priorauth.terminology._data import read_csv
from priorauth.terminology.models import (
    DiagnosisCategory,
    DiagnosisInfo,
    Episode,
    Remission,
    Severity,
)
from priorauth.terminology.systems import (
    ICD10CM,
    SNOMED,
    canonical_system,
    code_stems,
    normalise_code,
)

__all__ = ["diagnosis_info", "parse_depression_display"]


def _tri(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value.strip().lower())


def _row_info(row: dict[str, str], system: str) -> DiagnosisInfo:
    return DiagnosisInfo(
        category=cast(DiagnosisCategory, row["category"]),
        code=row["code"],
        system=system,
        display=row["description"] or None,
        episode=cast(Episode, row["episode"]) if row["episode"] else None,
        severity=cast(Severity, row["severity"]) if row["severity"] else None,
        psychotic_features=_tri(row["psychotic_features"]),
        remission=cast(Remission, row["remission"]) if row["remission"] else None,
        in_remission_code=_tri(row["in_remission_code"]) is True,
    )


@cache
def _tables() -> tuple[Mapping[tuple[str, str], DiagnosisInfo], Mapping[str, DiagnosisInfo]]:
    exact: dict[tuple[str, str], DiagnosisInfo] = {}
    prefixes: dict[str, DiagnosisInfo] = {}
    for file, system in (("diagnoses_icd10cm.csv", ICD10CM), ("diagnoses_snomed.csv", SNOMED)):
        for row in read_csv(file):
            info = _row_info(row, system)
            code = normalise_code(system, row["code"])
            if row.get("match") == "prefix":
                prefixes[code] = info
            exact[(system, code)] = info
    return MappingProxyType(exact), MappingProxyType(prefixes)


_SUD_REMISSION = re.compile(r"^F1[0-689]\.[129]1$|^F17\.2\d1$")


def _by_prefix(code: str, display: str | None) -> DiagnosisInfo | None:
    _exact, prefixes = _tables()
    for n in reversed(code_stems(code)):
        stem = code[:n].rstrip(".")
        info = prefixes.get(stem)
        if info is None:
            continue
        remission = info.category == "substance_use" and bool(_SUD_REMISSION.match(code))
        return info.model_copy(
            update={
                "code": code,
                "display": display,
                "in_remission_code": remission or info.in_remission_code,
            }
        )
    return None


def diagnosis_info(
    system: str | None, code: str | None, display: str | None = None
) -> DiagnosisInfo | None:
    """What a diagnosis code says: category and (for depression) episode, severity, psychosis,
    remission. None for codes outside our tables whose display says nothing we recognise.

    ``display`` (e.g. ``Coding.display`` or ``CodeableConcept.text``) is returned as given when
    the table has no description, and parsed when the code is unknown.
    """
    sys_uri = canonical_system(system)
    if code and sys_uri in (ICD10CM, SNOMED):
        norm = normalise_code(sys_uri, code)
        exact, _prefixes = _tables()
        found = exact.get((sys_uri, norm))
        if found is not None:
            return (
                found
                if found.display or not display
                else found.model_copy(update={"display": display})
            )
        if sys_uri == ICD10CM:
            found = _by_prefix(norm, display)
            if found is not None:
                return found
    if display:
        parsed = parse_depression_display(display)
        if parsed is not None:
            return parsed.model_copy(
                update={"code": (code or "").strip(), "system": sys_uri or (system or "")}
            )
    return None


def parse_depression_display(display: str) -> DiagnosisInfo | None:
    """Read MDD details from a depression diagnosis name (SNOMED FSN, ICD title or free text).

    Returns None unless the text names major depression (or "major depressive"); other depressive
    wording ("Depression, unspecified", "dysthymia") gives ``depression_other``.

    >>> i = parse_depression_display("Severe recurrent major depression with psychotic features")
    >>> i.episode, i.severity, i.psychotic_features
    ('recurrent', 'severe', True)
    """
    text = bounded(display).lower()
    if re.search(r"\bbipolar\b|\bmanic\b|\bschizo", text):
        return None
    major = re.search(r"major depress|\bmdd\b", text) is not None
    if not major:
        if re.search(r"dysthymi|persistent depressive|\bdepressi(on|ve)\b", text):
            graded = _severity(text) if re.search(r"mild|moderate|severe", text) else None
            return _info("depression_other", display, None, graded, None, None, False)
        return None
    episode: Episode = "unspecified"
    if re.search(r"single", text):
        episode = "single"
    elif re.search(r"recurrent", text):
        episode = "recurrent"
    in_remission = "remission" in text
    remission: Remission | None = None
    if re.search(r"partial(ly)? remission", text):
        remission = "partial"
    elif re.search(r"full(y)? remission|complete remission", text):
        remission = "full"
    severity: Severity | None = None
    psychotic: bool | None = None
    if not in_remission:
        severity = _severity(text)
        if re.search(r"without psycho|non-?psychotic|no psychotic", text):
            psychotic = False
        elif re.search(r"psychotic|psychosis", text):
            psychotic = True
        elif severity in ("mild", "moderate"):
            psychotic = False
    return _info("mdd", display, episode, severity, psychotic, remission, in_remission)


def _severity(text: str) -> Severity:
    if re.search(r"moderately severe|moderate", text):
        return "moderate"
    if re.search(r"severe", text):
        return "severe"
    if re.search(r"mild|minimal", text):
        return "mild"
    return "unspecified"


def _info(
    category: DiagnosisCategory,
    display: str,
    episode: Episode | None,
    severity: Severity | None,
    psychotic: bool | None,
    remission: Remission | None,
    in_remission: bool,
) -> DiagnosisInfo:
    return DiagnosisInfo(
        category=category,
        code="",
        system="",
        display=display,
        episode=episode,
        severity=severity,
        psychotic_features=psychotic,
        remission=remission,
        in_remission_code=in_remission,
    )
