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

from priorauth.service.app import create_app
from priorauth.service.audit import AuditEvent, AuditStore, open_audit_store
from priorauth.service.batch import BatchReport, ChartResult, discover_charts, run_batch
from priorauth.service.config import ConfigError, Settings, load_settings
from priorauth.service.pipeline import Pipeline

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
