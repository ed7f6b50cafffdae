"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NoReturn, TypeVar

import click

from priorauth.errors import EXIT_ERROR, PriorAuthError

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


def resolve_as_of(value: dt.datetime | None) -> dt.date:
    """The as-of date from the option, or today's date."""
    return value.date() if value is not None else dt.date.today()


def fail(exc: PriorAuthError, code: int = EXIT_ERROR) -> NoReturn:
    """Print one line naming what and where, and exit with ``code`` (no traceback)."""
    click.echo(f"error: {exc}", err=True)
    raise SystemExit(code)
