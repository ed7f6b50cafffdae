"""``priorauth screen``: a bulk export → the depressed patients nearest to qualifying for TMS."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from priorauth.cli import cli
from priorauth.cli._common import (
    advance,
    as_of_option,
    fail,
    jobs_option,
    open_executor,
    resolve_as_of,
    rules_dir_option,
    safe_text,
    scheduler_option,
)
from priorauth.errors import PriorAuthError

if TYPE_CHECKING:
    from priorauth.population import ScreenRow


def _urgent(row: ScreenRow) -> str | None:
    return f"{row.patient}: {' | '.join(row.safety)}" if row.urgent else None


@cli.command()
@click.argument("export", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="candidates.csv or candidates.json (Parquet is not supported).",
)
@as_of_option
@jobs_option
@scheduler_option
@rules_dir_option
def screen(
    export: Path,
    output: Path,
    as_of: dt.datetime | None,
    jobs: int,
    scheduler: str | None,
    rules_dir: Path | None,
) -> None:
    """Screen every patient of a bulk EXPORT for TMS: who qualifies under their payer's policy
    and what each one is missing.

    EXPORT is NDJSON (plain or .gz), or a folder of it (its $export manifest is followed). One
    row per patient with a depression diagnosis: safety alerts first, age, payer and policies
    with the status under each, failed adequate trials and their classes, the latest score and
    the top gaps; "meets" and "one gap away" come first. Deceased patients and patients whose
    coverages have all ended are left out and counted. The counts and what the export could not
    attribute (file and line each) go to stderr and to the summary (OUTPUT.summary.json for
    CSV). A rerun reuses the rows of patients whose chart is unchanged (OUTPUT.state/), so a
    killed run resumes.

    With --scheduler (or PRIORAUTH_DASK_SCHEDULER) each patient is screened on the workers of
    that Dask scheduler, with the same rows as a local run; the export is read and the output
    written here.

    \b
        priorauth screen export/ -o candidates.csv --as-of 2026-11-25
        priorauth screen export/ -o candidates.csv --scheduler tcp://dask-head:8786
    """
    from priorauth.fhir.bulk import BulkExport
    from priorauth.service.screen import run_screen

    bulk = BulkExport(export)
    try:
        total = len(bulk.plan())
        with (
            open_executor(scheduler) as executor,
            click.progressbar(length=total, label="patients", file=sys.stderr) as bar,
        ):
            report = run_screen(
                bulk,
                output,
                as_of=resolve_as_of(as_of),
                rules_dir=rules_dir,
                jobs=jobs,
                executor=executor,
                on_row=lambda row: advance(bar, _urgent(row)),
            )
    except PriorAuthError as exc:
        fail(exc)
    flagged = [row for row in report.rows if row.safety]
    if flagged:
        click.echo("Safety alerts (shown first in every row):", err=True)
        for row in flagged:
            click.echo(safe_text(f"  {row.patient}: {' | '.join(row.safety)}"), err=True)
    for problem in report.export.problems:
        click.echo(safe_text(f"note: {problem}"), err=True)
    click.echo(safe_text(f"export: {report.export.describe()}"), err=True)
    click.echo(safe_text(report.describe(output)), err=True)
