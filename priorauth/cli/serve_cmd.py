"""``priorauth serve``: the HTTP service (and ``--hash-key`` to make API keys)."""

from __future__ import annotations

from pathlib import Path

import click

from priorauth.cli import cli
from priorauth.cli._common import fail
from priorauth.errors import PriorAuthError


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1), help="Worker processes."
)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML settings file (keys, audit_url, max_body_bytes...) [env: PRIORAUTH_CONFIG].",
)
@click.option(
    "--no-auth", is_flag=True, help="Accept requests without an API key (local use only)."
)
@click.option(
    "--hash-key",
    metavar="KEY_ID",
    help="Make a new API key for KEY_ID: print its token and its config line, then exit.",
)
@click.option(
    "--scheme",
    type=click.Choice(["sha256", "scrypt"]),
    default="sha256",
    show_default=True,
    help="Hash for --hash-key.",
)
def serve(
    host: str,
    port: int,
    workers: int,
    config: Path | None,
    no_auth: bool,
    hash_key: str | None,
    scheme: str,
) -> None:
    """Serve POST /evaluate, POST /letters, GET /payers, /healthz and the staff pages at /web/.

    Errors are FHIR OperationOutcomes; every evaluation and letter is written to the audit log.

    \b
        priorauth serve --hash-key clinic-a        # once: token for the client + config line
        PRIORAUTH_API_KEYS=clinic-a:<hash> priorauth serve --port 8000 --workers 2
    """
    from priorauth.service.server import make_key
    from priorauth.service.server import serve as run

    if hash_key is not None:
        try:
            token, line = make_key(hash_key, "scrypt" if scheme == "scrypt" else "sha256")
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--hash-key") from exc
        click.echo(f"token (give to the client, shown once): {token}")
        click.echo(f"config (PRIORAUTH_API_KEYS entry):        {line}")
        return
    try:
        run(host=host, port=port, workers=workers, config=config, auth=False if no_auth else None)
    except PriorAuthError as exc:
        fail(exc)
