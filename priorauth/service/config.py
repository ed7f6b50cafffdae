"""Service settings: a TOML config file, overridden by environment variables.

Every setting has a default, so ``priorauth serve`` runs with no file at all (except that it needs
at least one API key unless ``auth = false``). A config file looks like::

    max_body_bytes = 16_777_216     # 413 above this; enforced while the body streams in
    max_json_depth = 64             # 400 for JSON nested deeper than this
    work_threads = 2                # pipeline calls at once per worker process (others queue)
    auth = true                     # false: no API keys checked (local use only)
    audit_url = "postgresql+psycopg://priorauth:...@db:5432/priorauth"   # default: a SQLite file
    rules_dir = "/srv/payer_rules"  # default: the packaged payer_rules/
    chart_budget_seconds = 20       # 422 for a chart needing more work; 0: no budget, no pool

    [[keys]]
    id = "clinic-a"
    hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    revoked = false

Environment variables (they win over the file): ``PRIORAUTH_CONFIG`` (the file),
``PRIORAUTH_API_KEYS`` (``id:hash,id:hash``, added to the file's keys),
``PRIORAUTH_REVOKED_KEYS`` (``id,id``), ``PRIORAUTH_AUDIT_URL``, ``PRIORAUTH_MAX_BODY_BYTES``,
``PRIORAUTH_MAX_JSON_DEPTH``, ``PRIORAUTH_WORK_THREADS``, ``PRIORAUTH_RULES_DIR``,
``PRIORAUTH_AUTH`` (``false`` disables), ``PRIORAUTH_CHART_BUDGET_SECONDS``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from priorauth.errors import PriorAuthError
from priorauth.service.auth import ApiKey, parse_key_spec, parse_keys_env

__all__ = ["ConfigError", "Settings", "default_audit_url", "load_settings"]

ENV_PREFIX = "PRIORAUTH_"


class ConfigError(PriorAuthError):
    """The service configuration (file or environment) is unusable."""


class Settings(BaseModel):
    """Everything the HTTP service and the batch runner read from configuration."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    keys: tuple[ApiKey, ...] = ()
    auth: bool = True
    max_body_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    max_json_depth: int = Field(default=64, gt=1, le=512)
    work_threads: int = Field(default=2, gt=0, le=64)
    """Pipeline calls (parse, evaluate, render) running at once per worker process; the rest
    queue. The work is CPU-bound Python, so more threads only share one core's GIL."""
    audit_url: str = Field(default_factory=lambda: default_audit_url())
    rules_dir: Path | None = None
    chart_budget_seconds: float = Field(default=20.0, ge=0)
    """Work budget per chart: loading it and extracting its facts run in a pool of child
    processes (``work_threads`` of them) and a chart that needs more than this many seconds is
    stopped there (HTTP 422); 0 runs the stage in the worker's threads, with no budget."""
    watch_dir: Path | None = None
    """A folder whose chart files the staff pages queue as ``watched-folder`` (see
    ``priorauth.service.web.watch``); none by default."""
    watch_seconds: float = Field(default=10.0, gt=0)
    """How often the watched folder is looked at."""


def default_audit_url(env: Mapping[str, str] | None = None) -> str:
    """A SQLite file under ``$XDG_STATE_HOME/priorauth`` (``~/.local/state/priorauth``)."""
    env = os.environ if env is None else env
    state = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return f"sqlite:///{Path(state) / 'priorauth' / 'audit.sqlite'}"


def load_settings(
    path: Path | None = None, *, env: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    """Settings from ``path`` (or ``$PRIORAUTH_CONFIG``), the environment, then ``overrides``."""
    env = os.environ if env is None else env
    if path is None and env.get(f"{ENV_PREFIX}CONFIG"):
        path = Path(env[f"{ENV_PREFIX}CONFIG"])
    values = _read_file(path) if path is not None else {}
    values.update(_from_env(env, values.get("keys", ())))
    values.update({k: v for k, v in overrides.items() if v is not None})
    values.setdefault("audit_url", default_audit_url(env))
    try:
        return Settings(**values)
    except ValidationError as exc:
        where = str(path) if path is not None else "environment"
        first = exc.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{where}: {loc}: {first['msg']}") from exc


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    keys = data.pop("keys", [])
    if not isinstance(keys, list):
        raise ConfigError(f"{path}: keys: expected [[keys]] tables with id and hash")
    data["keys"] = tuple(_key_from_table(path, i, table) for i, table in enumerate(keys))
    return data


def _key_from_table(path: Path, index: int, table: object) -> ApiKey:
    if not isinstance(table, dict) or set(table) - {"id", "hash", "revoked"}:
        raise ConfigError(f"{path}: keys[{index}]: expected a table with id, hash, revoked")
    try:
        key = parse_key_spec(f"{table.get('id', '')}:{table.get('hash', '')}")
        return ApiKey(key.key_id, key.digest, revoked=bool(table.get("revoked", False)))
    except ValueError as exc:
        raise ConfigError(f"{path}: keys[{index}]: {exc}") from exc


def _from_env(env: Mapping[str, str], file_keys: tuple[ApiKey, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    names = (
        "audit_url",
        "max_body_bytes",
        "max_json_depth",
        "work_threads",
        "rules_dir",
        "auth",
        "chart_budget_seconds",
        "watch_dir",
        "watch_seconds",
    )
    for name in names:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw:
            values[name] = raw
    try:
        env_keys = parse_keys_env(env.get(f"{ENV_PREFIX}API_KEYS", ""))
    except ValueError as exc:
        raise ConfigError(f"{ENV_PREFIX}API_KEYS: {exc}") from exc
    revoked = {k.strip() for k in env.get(f"{ENV_PREFIX}REVOKED_KEYS", "").split(",") if k.strip()}
    if env_keys or revoked:
        merged = {key.key_id: key for key in (*file_keys, *env_keys)}
        values["keys"] = tuple(
            ApiKey(k.key_id, k.digest, revoked=k.revoked or k.key_id in revoked)
            for k in merged.values()
        )
    return values
