"""``priorauth audit list`` / ``audit export``: read the audit log (hashes and ids, no PHI)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Literal

import click

from priorauth.cli import cli
from priorauth.cli._common import config_option, db_option, fail, safe_text
from priorauth.errors import AuditError, PriorAuthError

_config = config_option
_db = db_option
_since = click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Only rows at or after this UTC date/time.",
)


@cli.group()
def audit() -> None:
    """Read the audit log of evaluations and letters."""


@audit.command("list")
@_since
@click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(1), help="Newest N rows."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_config
@_db
def list_events(
    since: dt.datetime | None, limit: int, as_json: bool, config: Path | None, url: str | None
) -> None:
    """Show the newest audit rows (newest first).

    \b
        priorauth audit list --since 2026-11-01 --limit 20
    """
    from priorauth.service.audit import format_table, open_audit_store

    try:
        rows = open_audit_store(config, url).events(since=since, limit=limit)
    except PriorAuthError as exc:
        fail(exc)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row.model_dump(mode="json")))
    else:
        click.echo(safe_text(format_table(rows)))


@audit.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="File to write ('-' for stdout).",
)
@_since
@_config
@_db
def export_events(
    fmt: Literal["csv", "json"],
    output: Path,
    since: dt.datetime | None,
    config: Path | None,
    url: str | None,
) -> None:
    """Write every audit row (oldest first) as CSV or JSON.

    \b
        priorauth audit export --format csv -o audit.csv
    """
    from priorauth.service.audit import open_audit_store

    try:
        store = open_audit_store(config, url)
        if str(output) == "-":
            count = store.export(sys.stdout, fmt, since=since)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = store.export(out, fmt, since=since)
    except PriorAuthError as exc:
        fail(exc)
    except OSError as exc:  # a missing folder, no permission, a full disk
        reason = (exc.strerror or "cannot write the file").lower()
        fail(AuditError(f"{click.format_filename(output)}: {reason}"))
    click.echo(f"{count} rows -> {output}", err=True)
