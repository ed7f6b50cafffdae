"""Endnotes that tie each printed claim to the chart records behind it.

Each note names the FHIR resources (``Type/id``) and what and when they document::

    >>> notes = Citations()
    >>> notes.cite(("MedicationRequest/mr-1",), "sertraline trial, 01/05/2025 to 03/20/2025")
    (1,)
    >>> notes.cite(("MedicationRequest/mr-1",), "sertraline trial, 01/05/2025 to 03/20/2025")
    (1,)
    >>> notes.cite((), "no record")
    ()

The same resources and detail reuse one number; numbers follow first use in the letter.
"""

from __future__ import annotations

from collections.abc import Iterable

from priorauth.render.view_models import SourceNote


class Citations:
    """Numbers source records in order of first citation."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[tuple[str, ...], str], int] = {}

    def cite(self, resources: Iterable[str], detail: str) -> tuple[int, ...]:
        """The endnote number for these resources, or ``()`` when there are none."""
        refs = tuple(dict.fromkeys(r for r in resources if r))
        if not refs:
            return ()
        key = (refs, detail)
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers) + 1
        return (self._numbers[key],)

    def notes(self) -> tuple[SourceNote, ...]:
        """All notes, by number."""
        return tuple(
            SourceNote(number=n, resources=", ".join(refs), detail=detail)
            for (refs, detail), n in self._numbers.items()
        )
