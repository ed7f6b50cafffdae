"""``python -m priorauth``."""

from priorauth.cli import cli

cli()
