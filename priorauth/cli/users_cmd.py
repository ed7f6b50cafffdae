"""``priorauth users add`` / ``users list``: staff accounts for the web pages (``/web``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from priorauth.cli import cli
from priorauth.cli._common import config_option, db_option, fail
from priorauth.errors import PriorAuthError


def _database(config: Path | None, url: str | None) -> str:
    from priorauth.service.config import load_settings

    return url or load_settings(config).audit_url


@cli.group()
def users() -> None:
    """Staff accounts for the web pages, kept in the service's audit database."""


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["billing", "clinician"]),
    required=True,
    help="billing: queue, review, packets; clinician: also confirms attestations.",
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (one line)."
)
@config_option
@db_option
def add(name: str, role: str, password_stdin: bool, config: Path | None, url: str | None) -> None:
    """Create the staff user NAME (the password is asked for, or read from stdin).

    \b
        priorauth users add dana --role clinician
        printf '%s\\n' "$PASSWORD" | priorauth users add sam --role billing --password-stdin
    """
    from priorauth.service.web.users import add_user_at

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = add_user_at(_database(config, url), name, role, password)
    except PriorAuthError as exc:
        fail(exc)
    click.echo(f"added {user.username} ({user.role})")


@users.command("list")
@config_option
@db_option
def list_users(config: Path | None, url: str | None) -> None:
    """List the staff users and their roles."""
    from priorauth.service.web.users import list_users_at

    try:
        found = list_users_at(_database(config, url))
    except PriorAuthError as exc:
        fail(exc)
    for user in found:
        click.echo(f"{user.username}\t{user.role}")
