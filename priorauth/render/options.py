"""LetterOptions: what the caller chooses about a letter (the Determination says the rest)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = [
    "DEFAULT_DEVICE",
    "DEFAULT_PROTOCOL",
    "LetterKind",
    "LetterOptions",
    "PdfVariant",
    "PracticeDetails",
]

LetterKind = Literal["initial", "continuation", "appeal"]
PdfVariant = Literal["pdf/a-3b", "pdf/a-3u", "pdf/ua-1", "none"]

DEFAULT_DEVICE = "FDA-cleared rTMS system for major depressive disorder (21 CFR 882.5805)"
DEFAULT_PROTOCOL = (
    "Standard rTMS, 10 Hz, left dorsolateral prefrontal cortex, 120% of resting motor "
    "threshold, 3,000 pulses per session, 5 sessions per week"
)


class PracticeDetails(BaseModel):
    """The practice's letterhead as kept in its settings; a field left None comes from the chart."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    address_lines: tuple[str, ...] = ()
    phone: str | None = None
    fax: str | None = None
    npi: str | None = None
    tin: str | None = None


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
    signature_block: tuple[str, ...] = ()
    """Lines printed under the signer's name and NPI (title, department, contact)."""
    practice: PracticeDetails | None = None
    """The practice's own letterhead details, overriding the chart's (None: the chart's)."""
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
    denial_reason: str | None = None
    """An appeal: the payer's stated reason for the denial, as the practice gives it (printed
    verbatim, in quotation marks)."""
    denial_date: dt.date | None = None
    """An appeal: the date of the denial appealed."""
    denial_ref: str | None = None
    """An appeal: the payer's reference for the denial (optional)."""

    @model_validator(mode="after")
    def _appeal_fields(self) -> LetterOptions:
        if self.kind == "appeal" and (
            not (self.denial_reason or "").strip() or not self.denial_date
        ):
            raise ValueError("an appeal letter needs the denial reason and the denial date")
        if self.kind != "appeal" and (self.denial_reason or self.denial_date or self.denial_ref):
            raise ValueError("denial reason, date and reference apply only to an appeal letter")
        return self
