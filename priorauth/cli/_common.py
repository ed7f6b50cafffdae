"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from priorauth.errors import EXIT_ERROR, PriorAuthError
from priorauth.log import escape_controls

if TYPE_CHECKING:
    from priorauth.determination import SafetyAlert

F = TypeVar("F", bound=Callable[..., object])


def as_of_option(func: F) -> F:
    """``--as-of DATE``: the evaluation date (default: today, read here at the edge)."""
    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help="Evaluation date, YYYY-MM-DD [default: today].",
    )(func)


def budget_option(func: F) -> F:
    """``--budget SECONDS``: CPU time the chart's load and fact extraction may take."""
    return click.option(
        "--budget",
        "budget",
        type=click.FloatRange(min=0),
        default=None,
        metavar="SECONDS",
        help="CPU seconds loading the chart and extracting its facts may take; past it the "
        "command stops with an error [default: $PRIORAUTH_CHART_BUDGET_SECONDS or 20; 0: none].",
    )(func)


BUDGET_HINT = "--budget SECONDS raises the limit, --budget 0 lifts it"


@contextlib.contextmanager
def chart_budget(seconds: float | None) -> Iterator[None]:
    """The chart stage under ``--budget`` (else the environment's budget): raises
    :class:`~priorauth.errors.BudgetExceededError` past it (issue 15)."""
    from priorauth.budget import budget_from_env, cpu_budget

    if seconds is None:
        try:
            seconds = budget_from_env()
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    with cpu_budget(seconds, hint=BUDGET_HINT):
        yield


def resolve_as_of(value: dt.datetime | None) -> dt.date:
    """The as-of date from the option, or today's date."""
    return value.date() if value is not None else dt.date.today()


def fail(exc: PriorAuthError, code: int = EXIT_ERROR) -> NoReturn:
    """Print one line naming what and where, and exit with ``code`` (no traceback)."""
    click.echo(safe_text(f"error: {exc}"), err=True)
    raise SystemExit(code)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``.

    A reader never sees a half-written file, and a failed write leaves the old file in place.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


config_option = click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Settings file naming the audit database [env: PRIORAUTH_CONFIG].",
)
"""``--config``: the service settings file (the audit database: audit log, staff users)."""
db_option = click.option(
    "--db",
    "url",
    metavar="URL",
    help="Database URL (overrides the settings) [env: PRIORAUTH_AUDIT_URL].",
)
"""``--db URL``: the audit database, overriding the settings."""


def rules_dir_option(func: F) -> F:
    """``--rules-dir DIR``: payer rule files to load instead of the packaged ones."""
    return click.option(
        "--rules-dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="Folder of payer rule files [default: the packaged payer_rules/].",
    )(func)


def review_options(func: F) -> F:
    """``--reviewed ID`` (repeatable) with ``--reviewer NAME``: relative safety alerts a named
    clinician has reviewed (docs/safety.md)."""
    func = click.option(
        "--reviewer",
        metavar="NAME",
        default=None,
        help="The clinician who reviewed the --reviewed alerts (name and credentials).",
    )(func)
    return click.option(
        "--reviewed",
        "reviewed_ids",
        multiple=True,
        metavar="ALERT_ID",
        help="A relative safety alert the --reviewer has reviewed (repeatable).",
    )(func)


def reviews(reviewed_ids: tuple[str, ...], reviewer: str | None) -> dict[str, str]:
    """Alert id → reviewer, or a usage error when ids and a reviewer do not come together."""
    if reviewed_ids and not (reviewer or "").strip():
        raise click.BadParameter("name the clinician with --reviewer", param_hint="--reviewed")
    if reviewer and not reviewed_ids:
        raise click.BadParameter("give the alert ids with --reviewed", param_hint="--reviewer")
    return dict.fromkeys(reviewed_ids, (reviewer or "").strip())


def alert_block(alerts: Iterable[SafetyAlert]) -> list[str]:
    """The safety alerts of one or several determinations, once each, absolute and urgent first:
    the lines every text surface prints before anything else (empty when there are none)."""
    from priorauth.alerts import HOLD_HEADING, REVIEW_HEADING, blocks, each_alert

    listed = list(alerts)
    if not listed:
        return []
    hold = any(a.level == "absolute" for a in listed)
    head = HOLD_HEADING if hold else REVIEW_HEADING if any(blocks(a) for a in listed) else None
    ids = ", ".join(dict.fromkeys(a.id for a in listed if blocks(a)))
    return [*([f"{head}: {ids}"] if head else []), *each_alert(listed), ""]


def safe_text(text: str) -> str:
    """``text`` for a terminal: control characters inside each line escaped (chart text such as a
    drug name cannot send a terminal escape sequence or forge a line), line breaks kept."""
    return "\n".join(escape_controls(line) for line in text.split("\n"))


def escaped(value: Any) -> Any:
    """``value`` (dumped JSON-like data) with control characters escaped in every string."""
    if isinstance(value, str):
        return escape_controls(value)
    if isinstance(value, dict):
        return {key: escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(escaped(item) for item in value)
    return value
