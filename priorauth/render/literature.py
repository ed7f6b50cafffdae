"""Literature references for the rationale, from ``bibliography.yaml`` (checked entries only).

Literature is cited by an author-year marker, distinct from the bracketed numbers that point to
chart records; the letter lists only the references it cites, in order of first citation::

    >>> refs = Literature(accelerated_covered=False)
    >>> refs.cite("rush2006")
    ('Rush et al., 2006',)
    >>> [r.key for r in refs.cited()]
    ['rush2006']
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from priorauth.render.view_models import ReferenceRow

__all__ = ["BIBLIOGRAPHY", "Literature", "Reference", "load_bibliography"]

BIBLIOGRAPHY = Path(__file__).with_name("bibliography.yaml")


class _Checked(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    by: str
    how: str


class Reference(BaseModel):
    """One checked reference: who checked it and how is part of the entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    key: str
    marker: str
    citation: str
    doi: str | None = None
    pmid: str | None = None
    supports: str
    accelerated: bool = False
    checked: _Checked


@functools.cache
def load_bibliography(path: Path = BIBLIOGRAPHY) -> dict[str, Reference]:
    """Every reference by key; each has a DOI or a PMID."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    refs = [Reference.model_validate(r) for r in data["references"]]
    missing = [r.key for r in refs if not (r.doi or r.pmid)]
    if missing:
        raise ValueError(f"{path}: references without DOI or PMID: {', '.join(missing)}")
    return {r.key: r for r in refs}


class Literature:
    """Collects the references a letter cites; accelerated-protocol evidence only where the
    evaluated policy covers accelerated protocols."""

    def __init__(
        self, *, accelerated_covered: bool | None, entries: dict[str, Reference] | None = None
    ) -> None:
        self._entries = entries if entries is not None else load_bibliography()
        self._accelerated = accelerated_covered is True
        self._cited: dict[str, Reference] = {}

    def cite(self, *keys: str) -> tuple[str, ...]:
        """The markers of the usable references among ``keys`` (unknown keys are skipped)."""
        usable = [
            self._entries[k]
            for k in keys
            if k in self._entries and (self._accelerated or not self._entries[k].accelerated)
        ]
        for r in usable:
            self._cited.setdefault(r.key, r)
        return tuple(r.marker for r in usable)

    def cited(self) -> tuple[Reference, ...]:
        """The references cited so far, in order of first citation."""
        return tuple(self._cited.values())

    def rows(self) -> tuple[ReferenceRow, ...]:
        """The bibliography as printed."""
        return tuple(
            ReferenceRow(
                marker=r.marker,
                citation=r.citation,
                identifier=" · ".join(
                    x
                    for x in (f"doi:{r.doi}" if r.doi else "", f"PMID {r.pmid}" if r.pmid else "")
                    if x
                ),
            )
            for r in self.cited()
        )
