"""Endnotes that tie each printed claim to the chart records behind it.

Each note names the FHIR resources (``Type/id``) and what and when they document::

    >>> notes = Citations()
    >>> notes.cite(("MedicationRequest/mr-1",), "sertraline trial, 01/05/2025 to 03/20/2025")
    (1,)
    >>> notes.cite(("MedicationRequest/mr-1",), "sertraline, 01/05/2025 to 03/20/2025")
    (1,)
    >>> notes.cite((), "no record")
    ()

The same resources reuse one number (and keep the detail of their first citation); numbers
follow first use in the letter. The appendix groups the notes by kind of record and shortens
long ids where the shortened form is unambiguous (the attached determination.json keeps them
whole)::

    >>> ids = ["Observation/5225ea08-e844-5bbf-b056-10fcaa4ee957", "Patient/pt-1"]
    >>> list(shorten_ids(ids).values())
    ['Observation/5225ea08…', 'Patient/pt-1']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from priorauth.render.view_models import SourceGroup, SourceNote

SHORT = 8
GROUPS = (
    ("Patient, coverage and practice", ("Patient", "Coverage", "Organization", "Practitioner")),
    ("Diagnoses", ("Condition",)),
    (
        "Medications",
        ("MedicationRequest", "MedicationStatement", "MedicationDispense", "Medication"),
    ),
    ("Scores and screens", ("Observation", "QuestionnaireResponse")),
    ("Procedures", ("Procedure", "ServiceRequest")),
)
OTHER = "Other records"


def shorten_ids(refs: Iterable[str]) -> dict[str, str]:
    """``Type/first-8-chars…`` for ids longer than 12 characters whose prefix is unique."""
    refs = list(dict.fromkeys(refs))
    prefixes = Counter(_prefix(r) for r in refs)
    return {r: f"{_prefix(r)}…" if _long(r) and prefixes[_prefix(r)] == 1 else r for r in refs}


def _long(ref: str) -> bool:
    return len(ref.partition("/")[2]) > SHORT + 4


def _prefix(ref: str) -> str:
    kind, _, rid = ref.partition("/")
    return f"{kind}/{rid[:SHORT]}"


def _group(refs: tuple[str, ...]) -> str:
    kind = refs[0].partition("/")[0]
    return next((label for label, kinds in GROUPS if kind in kinds), OTHER)


class Citations:
    """Numbers source records in order of first citation."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, ...], tuple[int, str]] = {}

    def cite(self, resources: Iterable[str], detail: str) -> tuple[int, ...]:
        """The endnote number for these resources, or ``()`` when there are none."""
        refs = tuple(dict.fromkeys(r for r in resources if r))
        if not refs:
            return ()
        if refs not in self._numbers:
            self._numbers[refs] = (len(self._numbers) + 1, detail)
        return (self._numbers[refs][0],)

    def notes(self) -> tuple[SourceNote, ...]:
        """All notes, by number, with shortened ids."""
        short = shorten_ids(r for refs in self._numbers for r in refs)
        return tuple(
            SourceNote(number=n, resources=", ".join(short[r] for r in refs), detail=detail)
            for refs, (n, detail) in self._numbers.items()
        )

    def groups(self) -> tuple[SourceGroup, ...]:
        """The notes grouped by kind of record (patient, diagnoses, medications, ...)."""
        notes = dict(zip(self._numbers, self.notes(), strict=True))
        labels = [label for label, _ in GROUPS] + [OTHER]
        grouped = {
            label: tuple(n for refs, n in notes.items() if _group(refs) == label)
            for label in labels
        }
        return tuple(SourceGroup(label=k, notes=v) for k, v in grouped.items() if v)
