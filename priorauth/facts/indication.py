"""Why a drug was given, when the chart says it was not for depression.

Read from ``reasonCode`` and resolved ``reasonReference`` (Condition / Observation codes). A
reason that names depression means "no other indication"; otherwise the first recognised
non-depression reason gives a short label (``insomnia``, ``pain``, ``smoking cessation``,
``anxiety``, ``ptsd``...). Unrecognised reasons give ``None``.

>>> label_of_text("Insomnia")
'insomnia'
>>> label_of_text("Posttraumatic stress disorder")
'ptsd'
>>> label_of_text("Major depressive disorder, recurrent")
'depression'
"""

from __future__ import annotations

import re
from typing import Any

from priorauth.fhir.datatypes import cc_text, codings, field
from priorauth.fhir.index import ResourceIndex
from priorauth.limits import bounded
from priorauth.terminology import diagnosis_info

__all__ = ["indication_of", "label_of_concept", "label_of_text"]

_DEPRESSION = "depression"
_TEXT_LABELS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), label)
    for pattern, label in (
        (r"\bbipolar|\bmanic\b|\bmania\b", "bipolar"),
        (r"depress|\bmdd\b|dysthymi", _DEPRESSION),
        (r"insomnia|\bsleep", "insomnia"),
        (r"\bagitat", "agitation"),
        (r"\bpain\b|neuropath|migraine|fibromyalg|headache", "pain"),
        (r"smok|tobacco|nicotine", "smoking cessation"),
        (r"hot flash|hot flush|vasomotor|menopaus", "hot flashes"),
        (r"enuresis|bed-?wetting", "enuresis"),
        (r"obesity|weight (?:loss|management)", "weight loss"),
        (r"post-?traumatic|\bptsd\b", "ptsd"),
        (r"obsessive|\bocd\b", "ocd"),
        (r"anxiety|panic|\bgad\b", "anxiety"),
    )
)
_CATEGORY_LABELS = {
    "mdd": _DEPRESSION,
    "depression_other": _DEPRESSION,
    "bipolar": "bipolar",
    "anxiety": "anxiety",
    "ptsd": "ptsd",
    "psychotic": "psychosis",
}


def label_of_text(text: str | None) -> str | None:
    """A short indication label for a reason text, or None when unrecognised."""
    text = bounded(text)
    if not text:
        return None
    for pattern, label in _TEXT_LABELS:
        if pattern.search(text):
            return label
    return None


def label_of_concept(concept: Any) -> str | None:
    """Label of a reason CodeableConcept: by diagnosis code, else by its text and displays."""
    for system, code, display in codings(concept):
        info = diagnosis_info(system, code, display)
        if info is not None and info.category in _CATEGORY_LABELS:
            return _CATEGORY_LABELS[info.category]
    texts = [cc_text(concept), *(d for _s, _c, d in codings(concept) if d)]
    return next((label for label in map(label_of_text, texts) if label), None)


def _reason_concepts(index: ResourceIndex, resource: Any) -> list[Any]:
    concepts = list(field(resource, "reasonCode") or [])
    for reference in field(resource, "reasonReference") or []:
        target = index.resolve(reference, context=resource)
        concepts.append(field(target, "code") if target is not None else None)
        if target is None and field(reference, "display"):
            concepts.append({"text": field(reference, "display")})
    return [c for c in concepts if c is not None]


def indication_of(index: ResourceIndex, resource: Any) -> str | None:
    """The non-depression indication of a medication record, or None."""
    labels = [label_of_concept(c) for c in _reason_concepts(index, resource)]
    if _DEPRESSION in labels:
        return None
    return next((label for label in labels if label), None)
