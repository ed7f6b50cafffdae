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

from priorauth.errors import (
    EXIT_ERROR,
    EXIT_USAGE,
    AmbiguousPolicyError,
    PayerNotOnChartError,
    PriorAuthError,
)
from priorauth.log import escape_controls

if TYPE_CHECKING:
    from priorauth.determination import SafetyAlert
    from priorauth.service.executor import Executor

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


def scheduler_option(func: F) -> F:
    """``--scheduler ADDRESS``: run the per-chart work on a Dask cluster instead of locally."""
    return click.option(
        "--scheduler",
        "scheduler",
        envvar="PRIORAUTH_DASK_SCHEDULER",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786) whose workers do the per-chart work; outputs are "
        "still written here [env: PRIORAUTH_DASK_SCHEDULER; default: local processes]. Needs "
        "pip install 'priorauth[cluster]' here and on the workers.",
    )(func)


@contextlib.contextmanager
def open_executor(scheduler: str | None) -> Iterator[Executor]:
    """The executor ``--scheduler`` names: local processes without one (Dask not imported),
    else a connection to that Dask scheduler, closed at the end."""
    if not scheduler:
        from priorauth.service.executor import local_map

        yield local_map
        return
    from priorauth.service.cluster import DaskExecutor

    with DaskExecutor(scheduler) as executor:
        for note in executor.notes:  # cluster settings that make its memory grow with the run
            click.echo(safe_text(f"note: {note}"), err=True)
        yield executor


BUDGET_HINT = "--budget SECONDS raises the limit, --budget 0 lifts it"


@contextlib.contextmanager
def chart_budget(seconds: float | None) -> Iterator[None]:
    """The chart stage under ``--budget`` (else the environment's budget): raises
    :class:`~priorauth.errors.BudgetExceededError` past it (issue 15)."""
    from priorauth.budget import cpu_budget

    with cpu_budget(resolve_budget(seconds), hint=BUDGET_HINT):
        yield


def resolve_budget(seconds: float | None) -> float:
    """``--budget``'s value, else ``$PRIORAUTH_CHART_BUDGET_SECONDS`` (default 20; 0: none)."""
    from priorauth.budget import budget_from_env

    if seconds is not None:
        return seconds
    try:
        return budget_from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def jobs_option(func: F) -> F:
    """``-j/--jobs N``: worker processes for per-chart or per-patient work."""
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(1),
        default=os.cpu_count() or 1,
        help="Worker processes [default: CPU count].",
    )(func)


def advance(bar: Any, urgent: str | None) -> None:
    """Advance a progress bar by one; an urgent safety alert is printed at once, not only in
    the final summary."""
    if urgent:
        click.echo(safe_text(f"\nURGENT {urgent}"), err=True)
    bar.update(1)


def resolve_as_of(value: dt.datetime | None) -> dt.date:
    """The as-of date from the option, or today's date."""
    return value.date() if value is not None else dt.date.today()


def fail(exc: PriorAuthError, code: int = EXIT_ERROR) -> NoReturn:
    """Print one line naming what and where, and exit with ``code`` (no traceback)."""
    click.echo(safe_text(f"error: {exc}"), err=True)
    raise SystemExit(code)


def usage_failure(exc: AmbiguousPolicyError | PayerNotOnChartError) -> NoReturn:
    """Exit 2 (usage): the candidates and how to choose, or the payer that is not on the chart."""
    click.echo(safe_text(f"error: {exc}"), err=True)
    for line in getattr(exc, "details", ()):
        click.echo(safe_text(f"  - {line}"), err=True)
    raise SystemExit(EXIT_USAGE)


def payer_not_on_chart_option(func: F) -> F:
    """``--payer-not-on-chart``: go on although the policy's payer is not on the chart."""
    return click.option(
        "--payer-not-on-chart",
        "allow_uncovered_payer",
        is_flag=True,
        help="Go on even though the policy's payer is not one of the chart's coverages in force.",
    )(func)


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
