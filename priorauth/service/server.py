"""Running the service under uvicorn, and making API keys.

Workers are separate processes that each build the app from the same configuration; the
configuration travels in the environment (``PRIORAUTH_CONFIG`` and friends), so ``--workers N``
behaves exactly like N single-worker instances behind a load balancer.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.config import LOGGING_CONFIG

from priorauth.service.app import create_app
from priorauth.service.auth import Scheme, hash_token, new_token
from priorauth.service.config import load_settings
from priorauth.service.orphans import die_with_parent

__all__ = ["app_from_env", "log_config", "make_key", "serve"]


def app_from_env() -> FastAPI:
    """The uvicorn factory: settings from ``PRIORAUTH_CONFIG`` and the environment.

    In a worker process (``--workers`` > 1) the worker also dies with its supervisor.
    """
    parent = multiprocessing.parent_process()
    if parent is not None and parent.pid is not None:
        die_with_parent(parent.pid)
    return create_app(load_settings())


def log_config() -> dict[str, Any]:
    """Uvicorn's logging set-up plus the ``priorauth`` logger (no access log: ours replaces it)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["priorauth"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config.setdefault("filters", {})["escape_controls"] = {"()": "priorauth.log.EscapeControls"}
    for handler in config["handlers"].values():  # no forged lines or terminal escapes (issue 15)
        handler["filters"] = [*handler.get("filters", []), "escape_controls"]
    return config


def serve(
    *,
    host: str,
    port: int,
    workers: int = 1,
    config: Path | None = None,
    auth: bool | None = None,
) -> None:
    """Validate the configuration (rules, keys, audit store), then run uvicorn until stopped."""
    if config is not None:
        os.environ["PRIORAUTH_CONFIG"] = str(config.resolve())
    if auth is not None:
        os.environ["PRIORAUTH_AUTH"] = "true" if auth else "false"
    app = app_from_env()  # fail here, with one clear message, rather than in every worker
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": log_config(),
        "access_log": False,
        "server_header": False,
    }
    if workers == 1:
        uvicorn.run(app, **common)
    else:
        uvicorn.run(
            "priorauth.service.server:app_from_env", factory=True, workers=workers, **common
        )


def make_key(key_id: str, scheme: Scheme = "sha256") -> tuple[str, str]:
    """A new token for ``key_id`` and its ``KEY_ID:HASH`` configuration line."""
    token = new_token(key_id)
    return token, f"{key_id}:{hash_token(token, scheme)}"
