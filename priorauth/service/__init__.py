"""The integration layer: HTTP service, audit log and batch runs on top of the library pipeline.

Nothing here knows FHIR or payer rules; it calls the pipeline (``pipeline.Pipeline``: load the
chart, extract facts, select and evaluate policies, render the letter) and adds what running it
for others needs:

* ``app`` — ``create_app(settings)``: the FastAPI service; ``handling`` runs one audited request,
  ``body`` reads it safely, ``outcome`` builds OperationOutcomes, ``context`` adds request ids and
  the access log, ``payers`` lists policies, ``server`` runs uvicorn;
* ``auth`` — hashed API keys; ``config`` — settings from TOML and the environment;
* ``audit`` — the audit store (SQLite or PostgreSQL via SQLAlchemy Core);
* ``batch`` + ``manifest`` — a folder of charts → PDFs and a summary, resumable after a crash.

Deployment is described in ``docs/deploy.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - names for type checkers; runtime uses __getattr__
    from priorauth.service.app import create_app
    from priorauth.service.audit import AuditEvent, AuditStore, open_audit_store
    from priorauth.service.batch import BatchReport, ChartResult, discover_charts, run_batch
    from priorauth.service.config import ConfigError, Settings, load_settings
    from priorauth.service.pipeline import Pipeline

# Imported on first use (PEP 562), so a batch run or the audit command does not load the HTTP
# stack, and ``serve`` does not load the batch runner.
_EXPORTS = {
    "AuditEvent": "priorauth.service.audit",
    "AuditStore": "priorauth.service.audit",
    "BatchReport": "priorauth.service.batch",
    "ChartResult": "priorauth.service.batch",
    "ConfigError": "priorauth.service.config",
    "Pipeline": "priorauth.service.pipeline",
    "Settings": "priorauth.service.config",
    "create_app": "priorauth.service.app",
    "discover_charts": "priorauth.service.batch",
    "load_settings": "priorauth.service.config",
    "open_audit_store": "priorauth.service.audit",
    "run_batch": "priorauth.service.batch",
}

__all__ = [
    "AuditEvent",
    "AuditStore",
    "BatchReport",
    "ChartResult",
    "ConfigError",
    "Pipeline",
    "Settings",
    "create_app",
    "discover_charts",
    "load_settings",
    "open_audit_store",
    "run_batch",
]


def __getattr__(name: str) -> Any:
    """Import an exported name on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'priorauth.service' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
