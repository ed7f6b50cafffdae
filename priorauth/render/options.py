"""LetterOptions: what the caller chooses about a letter (the Determination says the rest)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["DEFAULT_DEVICE", "DEFAULT_PROTOCOL", "LetterKind", "LetterOptions", "PdfVariant"]

LetterKind = Literal["initial", "continuation"]
PdfVariant = Literal["pdf/a-3b", "pdf/a-3u", "pdf/ua-1", "none"]

DEFAULT_DEVICE = "FDA-cleared rTMS system for major depressive disorder (21 CFR 882.5805)"
DEFAULT_PROTOCOL = (
    "Standard rTMS, 10 Hz, left dorsolateral prefrontal cortex, 120% of resting motor "
    "threshold, 3,000 pulses per session, 5 sessions per week"
)


class LetterOptions(BaseModel):
    """Choices the signer makes; every field has a sensible default.

    >>> LetterOptions(kind="continuation", signer_name="Dana Reyes").kind
    'continuation'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: LetterKind = "initial"
    signer_name: str | None = None
    """Defaults to the requesting practitioner in the chart."""
    signer_credentials: str | None = None
    signer_npi: str | None = None
    planned_start: dt.date | None = None
    """``None`` prints "Upon authorization"."""
    sessions: int | None = None
    """Acute sessions requested; defaults to the policy's, else 30."""
    taper_sessions: int | None = None
    """Taper sessions requested; defaults to the policy's, else 6."""
    device: str = DEFAULT_DEVICE
    protocol: str = DEFAULT_PROTOCOL
    pdf_variant: PdfVariant = "pdf/a-3b"
    """PDF/A-3b (archival, the Determination JSON attached) by default; ``pdf/ua-1`` tags the
    PDF for accessibility; ``none`` skips both (fastest)."""
    attach_json: bool = True
    """Embed ``determination.json`` (relationship Data) in the PDF."""
