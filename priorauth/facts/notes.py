"""Collecting data-quality notes while extracting facts.

A note names resources (``Type/id``) and locations, never patient data (see
``priorauth.fhir.notes``). Every extractor that drops or doubts a record adds one, so nothing is
dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable

from priorauth.fhir.notes import DataQualityNote, Severity

__all__ = ["Notes"]


class Notes:
    """An ordered, de-duplicated collection of data-quality notes."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str, str | None], DataQualityNote] = {}

    def add(
        self,
        code: str,
        message: str,
        *,
        resource: str | None = None,
        location: str | None = None,
        severity: Severity = "warning",
    ) -> None:
        """Record one note (a repeat of the same code, message and resource is kept once)."""
        note = DataQualityNote(
            severity=severity, code=code, message=message, resource=resource, location=location
        )
        self._items.setdefault((code, message, resource), note)

    def extend(self, notes: Iterable[DataQualityNote]) -> None:
        """Record notes made elsewhere (the loader's, the trial builder's)."""
        for note in notes:
            self._items.setdefault((note.code, note.message, note.resource), note)

    def all(self) -> tuple[DataQualityNote, ...]:
        """Every note, in the order first recorded."""
        return tuple(self._items.values())

    def __len__(self) -> int:
        return len(self._items)
