"""Data-quality notes: everything in a chart that was unusable, and why.

A note never holds patient data beyond resource references (``"MedicationRequest/abc"``) and
locations (``"entry[12].resource.authoredOn"``); it is safe to log and to show in an error report.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["info", "warning", "error"]


class DataQualityNote(BaseModel):
    """One thing in the chart that could not be used as it stands."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    severity: Severity = "warning"
    code: str
    """Stable machine code, e.g. ``invalid-resource``, ``dangling-reference``, ``no-date``."""
    message: str
    """Plain English; names resource references and field paths, never patient data."""
    resource: str | None = None
    """``Type/id`` of the resource concerned, when there is one."""
    location: str | None = None
    """Where in the input: ``entry[3].resource.dosageInstruction[0]`` or ``file.ndjson:17``."""
