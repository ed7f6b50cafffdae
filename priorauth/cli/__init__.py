"""The ``priorauth`` command line: thin Click commands over the library.

Each command parses its arguments, calls one library function and turns a ``PriorAuthError`` into
one line on stderr and a documented exit code (see ``priorauth.errors``). Commands live in one
module per subject and register themselves on the ``cli`` group below.
"""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="priorauth")
def cli() -> None:
    """Build TMS prior-authorization packets from FHIR R4 charts."""


from priorauth.cli import (  # noqa: E402  (commands register on `cli` when imported)
    audit_cmd,
    batch_cmd,
    davinci_cmd,
    evaluate_cmd,
    facts_cmd,
    letter_cmd,
    rules_cmd,
    screen_cmd,
    serve_cmd,
    users_cmd,
)

__all__ = [
    "audit_cmd",
    "batch_cmd",
    "cli",
    "davinci_cmd",
    "evaluate_cmd",
    "facts_cmd",
    "letter_cmd",
    "rules_cmd",
    "screen_cmd",
    "serve_cmd",
    "users_cmd",
]
