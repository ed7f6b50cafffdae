"""What ``GET /payers`` and ``GET /payers/{id}`` return: the loaded policies and their metadata."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from priorauth.errors import UnknownPayerError
from priorauth.rules import Policy
from priorauth.service.outcome import ApiError
from priorauth.service.pipeline import Pipeline

__all__ = ["PayerDetail", "PayerSummary", "PolicySummary", "payer_detail", "payer_summaries"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class PolicySummary(_Out):
    """One policy version: identity, validity window, provenance, content hash."""

    id: str
    version: str
    status: str
    title: str
    number: str | None
    effective_from: dt.date | None
    """None only for a draft whose effective date is not documented."""
    effective_until: dt.date | None
    last_reviewed: dt.date
    sources: tuple[str, ...]
    content_hash: str


class PayerSummary(_Out):
    """A payer and its policy versions."""

    id: str
    name: str
    policies: tuple[PolicySummary, ...]


class PayerDetail(PayerSummary):
    """A payer with every policy in full (criteria tree, quotes, attestations)."""

    documents: tuple[dict[str, Any], ...]


def _summary(policy: Policy) -> PolicySummary:
    return PolicySummary(
        id=policy.id,
        version=policy.version,
        status=policy.status,
        title=policy.title,
        number=policy.number,
        effective_from=policy.effective.from_,
        effective_until=policy.effective.until,
        last_reviewed=policy.last_reviewed,
        sources=tuple(source.url for source in policy.sources),
        content_hash=policy.content_hash,
    )


def payer_summaries(pipeline: Pipeline) -> list[PayerSummary]:
    """Every payer, sorted by id, with its policies sorted by id."""
    return [_payer(pipeline.payer_policies(payer_id)) for payer_id in pipeline.payer_ids()]


def _payer(policies: list[Policy]) -> PayerSummary:
    ordered = sorted(policies, key=lambda p: p.id)
    return PayerSummary(
        id=ordered[0].payer.id,
        name=ordered[0].payer.name,
        policies=tuple(_summary(p) for p in ordered),
    )


def payer_detail(pipeline: Pipeline, payer_id: str) -> PayerDetail:
    """One payer in full; 404 OperationOutcome when unknown."""
    try:
        policies = sorted(pipeline.payer_policies(payer_id), key=lambda p: p.id)
    except UnknownPayerError as exc:
        raise ApiError(404, "not-found", str(exc), expression=["http.payer_id"]) from exc
    summary = _payer(policies)
    # warnings=False: the criteria union's discriminator reads dicts; the dump itself is exact
    documents = tuple(p.model_dump(mode="json", by_alias=True, warnings=False) for p in policies)
    return PayerDetail(**summary.model_dump(), documents=documents)
