"""Why a medication trial ended: inadequate response, intolerance, another reason, or unknown.

Sources (docs/trial-conventions.md, ``outcome``): a record's statusReason, reasonCode or note
text, and AllergyIntolerance / AdverseEvent resources naming the drug. Text is matched against
short phrase lists; a phrase preceded by a negation (``"no nausea"``, ``"denies side effects"``)
does not count.

>>> classify_text("Stopped: no improvement after 8 weeks")
Stated(outcome='inadequate_response', detail='no improvement')
>>> classify_text("discontinued due to nausea")
Stated(outcome='intolerance', detail='nausea')
>>> classify_text("well tolerated, no side effects; switched because of cost")
Stated(outcome='other', detail='cost')
>>> classify_text("refill sent")
Stated(outcome='unknown', detail=None)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from priorauth.facts.models import Outcome
from priorauth.limits import bounded

__all__ = ["Stated", "classify_code", "classify_text", "strongest"]

_RANK: dict[Outcome, int] = {"intolerance": 3, "inadequate_response": 2, "other": 1, "unknown": 0}

_REACTIONS = (
    "nausea", "vomiting", "diarrh(?:o)?ea", "constipation", "headaches?", "dizziness",
    "drowsiness", "sedation", "somnolence", "fatigue", "sexual (?:dysfunction|side effects?)",
    "erectile dysfunction", "anorgasmia", "decreased libido", "weight gain", "akathisia",
    "agitation", "jitter(?:y|iness|s)", "restless(?:ness)?", "tremor", "rash", "hives",
    "urticaria", "hyponatr(?:a)?emia",
    "serotonin syndrome", "qtc? prolongation", "palpitations", "tachycardia", "sweating",
    "hyperhidrosis", "dry mouth", "blurred vision", "urinary retention", "hypertension",
    "orthostatic hypotension", "gi upset", "stomach upset", "emotional blunting", "apathy",
    "activation", "manic switch", "hypomania", "mania", "seizure", "suicidal (?:thoughts|ideation)",
    "insomnia", "bruising", "bleeding", "elevated liver enzymes", "hepatotoxicity",
    "angioedema", "anaphylaxis", "metabolic syndrome", "hyperglycemia", "tardive dyskinesia",
    "extrapyramidal (?:symptoms|side effects)", "eps", "hyperprolactin(?:a)?emia",
)  # fmt: skip
_INTOLERANCE = (
    "intoleran(?:ce|t)", "not tolerated", "poorly tolerated", "could not tolerate",
    "couldn't tolerate", "unable to tolerate", "did not tolerate", "didn't tolerate",
    "side[- ]effects?", "adverse (?:reaction|effect|event|drug reaction)s?", "allerg(?:y|ic)",
    "toxicity", "suspected intolerance",
)  # fmt: skip
_INADEQUATE = (
    "no response", "non-?response", "not respond(?:ing)?", "did not respond", "didn't respond",
    "partial(?:ly)? respon(?:se|ded|ding)", "inadequate(?:ly)? respon(?:se|ded|ding)",
    "insufficient response", "minimal response", "poor response", "suboptimal response",
    "lack of (?:response|efficacy|effect|benefit|improvement)", "ineffective",
    "not effective", "no improvement", "no significant improvement", "not improved",
    "no benefit", "did not help", "didn't help", "not helpful", "no effect",
    "treatment failure", "failed", "failure", "non-?responder", "refractory",
    "no clinical response", "symptoms persist(?:ed)?", "persistent symptoms",
)  # fmt: skip
_OTHER = (
    "cost", "expensive", "insurance", "formulary", "not covered", "pregnan(?:cy|t)",
    "breast-?feeding", "lactation", "patient (?:choice|preference|request|decision)",
    "patient (?:declined|refused|stopped)", "non-?adheren(?:ce|t)", "non-?complian(?:ce|t)",
    "remission", "recovered", "resolved", "good response", "responded well", "improved",
    "drug interaction", "interaction", "surgery", "hospital admission", "unavailable",
    "shortage", "washout", "alternative (?:choice|treatment)", "switched to",
)  # fmt: skip
_NEGATION = re.compile(
    r"\b(?:no|not|without|denies|denied|negative for|free of)\s+"
    r"(?:(?!and\b|but\b|with\b)\w+[\s,/]+(?:or\s+)?){0,2}$",
    re.IGNORECASE,
)
"""A negation cue up to two words before a phrase, not across "and"/"but"/"with"."""


def _compile(phrases: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(phrases) + r")\b", re.IGNORECASE)


_PATTERNS: tuple[tuple[Outcome, re.Pattern[str]], ...] = (
    ("intolerance", _compile(_REACTIONS)),
    ("intolerance", _compile(_INTOLERANCE)),
    ("inadequate_response", _compile(_INADEQUATE)),
    ("other", _compile(_OTHER)),
)
_SELF_NEGATING = re.compile(r"^(?:no |non|not |did not|didn't|could not|couldn't|unable)", re.I)

# HL7 medicationrequest-status-reason and common SNOMED CT reasons
_CODES: dict[str, tuple[Outcome, str]] = {
    "sintol": ("intolerance", "suspected intolerance"),
    "salg": ("intolerance", "suspected allergy"),
    "labint": ("other", "lab interference"),
    "preg": ("other", "pregnancy"),
    "altchoice": ("other", "alternative treatment"),
    "clarif": ("other", "prescription requires clarification"),
    "drughigh": ("other", "drug level too high"),
    "hospadm": ("other", "admission to hospital"),
    "non-avail": ("other", "patient not available"),
    "sddi": ("other", "drug interacts with another drug"),
    "sdupther": ("other", "duplicate therapy"),
    "surg": ("other", "patient scheduled for surgery"),
    "washout": ("other", "washout"),
    "62014003": ("intolerance", "adverse reaction to drug"),
    "281647001": ("intolerance", "adverse reaction"),
    "59037007": ("intolerance", "drug intolerance"),
    "29544009": ("intolerance", "drug intolerance"),
    "416098002": ("intolerance", "drug allergy"),
    "266721009": ("inadequate_response", "absent response to treatment"),
    "399307001": ("inadequate_response", "partial response to treatment"),
    "182840001": ("inadequate_response", "drug treatment stopped - ineffective"),
}


@dataclass(frozen=True)
class Stated:
    """An outcome read from one source, with the reaction or reason named."""

    outcome: Outcome
    detail: str | None = None


UNKNOWN = Stated("unknown")


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATION.search(text[max(0, start - 40) : start]))


def _first_match(text: str, outcome: Outcome, pattern: re.Pattern[str]) -> Stated | None:
    for match in pattern.finditer(text):
        phrase = match.group(1)
        if _SELF_NEGATING.match(phrase) or not _negated(text, match.start()):
            return Stated(outcome, phrase.lower())
    return None


def classify_text(text: str | None, *, reactions: bool = True) -> Stated:
    """The strongest outcome a free text states (intolerance > inadequate response > other).

    ``reactions=False`` ignores named side effects (for reason codes, where "insomnia" is the
    indication, not a reaction).
    """
    text = bounded(text)
    if not text:
        return UNKNOWN
    patterns = _PATTERNS if reactions else _PATTERNS[1:]
    for outcome, pattern in patterns:
        found = _first_match(text, outcome, pattern)
        if found is not None:
            return found
    return UNKNOWN


def classify_code(code: str | None, display: str | None = None) -> Stated:
    """Outcome of a coded status reason (HL7 status-reason or SNOMED CT), else of its display."""
    if code and code.strip() in _CODES:
        outcome, label = _CODES[code.strip()]
        return Stated(outcome, display or label)
    return classify_text(display)


def strongest(stated: Iterable[Stated]) -> Stated:
    """The highest-ranked outcome; the first one wins a tie (intolerance first)."""
    best = UNKNOWN
    for item in stated:
        if _RANK[item.outcome] > _RANK[best.outcome]:
            best = item
    return best
