"""``priorauth batch``: every chart in a folder → PDFs + summary, resumable."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from priorauth.cli import cli
from priorauth.cli._common import (
    advance,
    as_of_option,
    budget_option,
    fail,
    jobs_option,
    open_executor,
    resolve_as_of,
    resolve_budget,
    safe_text,
    scheduler_option,
)
from priorauth.errors import EXIT_ERROR, EXIT_USAGE, PriorAuthError


@cli.command()
@click.argument("input_dir", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder: one PDF per chart that meets, summary.csv/json, manifest.",
)
@click.option("--payer", default="auto", show_default=True, help="Payer id, or auto (Coverage).")
@click.option(
    "--patient",
    help="Only this patient of each chart, e.g. Patient/123 [default: every patient of every "
    "chart]; a chart without it is an error row.",
)
@jobs_option
@scheduler_option
@as_of_option
@click.option(
    "--rules-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Payer rules folder [default: the packaged payer_rules/].",
)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Settings file naming the audit store [env: PRIORAUTH_CONFIG].",
)
@click.option("--audit/--no-audit", default=True, show_default=True, help="Write audit rows.")
@click.option(
    "--payer-not-on-chart",
    "allow_uncovered_payer",
    is_flag=True,
    help="With a named payer: evaluate its policy also for charts without its coverage.",
)
@budget_option
def batch(
    input_dir: Path,
    out_dir: Path,
    payer: str,
    patient: str | None,
    jobs: int,
    scheduler: str | None,
    as_of: dt.datetime | None,
    rules_dir: Path | None,
    config: Path | None,
    audit: bool,
    allow_uncovered_payer: bool,
    budget: float | None,
) -> None:
    """Evaluate every chart in INPUT_DIR (*.json Bundles; sub-folders of NDJSON = one chart).

    INPUT_DIR may itself be a bulk export (NDJSON files, or a folder of them with its $export
    manifest). A chart of several patients gives one row and one PDF per patient
    (<chart>#<patient id>, <stem>.<patient id>.pdf); what an export could not attribute is
    listed on stderr (file and line) and in exports.json.

    Writes a PDF for each chart that meets the policy, and summary.csv / summary.json (a safety
    column after the chart name). Charts with safety alerts are listed first on stderr, safety
    holds before reviews; an urgent alert is printed as soon as it is found. A rerun
    skips charts whose output is current, so a killed run resumes where it stopped. Exits 1 when
    any chart failed (its row has status error and the message). Exits 2 when, for some chart,
    the policy cannot be chosen without guessing: several policies fit (status ambiguous, the
    message names them; rerun those charts with --payer POLICY_ID) or the policy's payer is not
    one of the chart's coverages in force (status payer_not_on_chart; --payer-not-on-chart
    evaluates them under the named payer's policy anyway). A chart needing more than --budget
    CPU seconds to read and evaluate is stopped (status too_costly, exit 1); a rerun skips it
    unless the budget grew.

    With --scheduler (or PRIORAUTH_DASK_SCHEDULER) the charts are evaluated and the letters
    rendered on the workers of that Dask scheduler, with the same results as a local run; this
    process still writes the PDFs, the summary, the manifest and the audit rows.

    \b
        priorauth batch charts/ -o letters/ --payer auto --jobs 2
        priorauth batch charts/ -o letters/ --scheduler tcp://dask-head:8786
    """
    from priorauth.service.audit import open_audit_store
    from priorauth.service.batch import REFUSED, TOO_COSTLY, discover_charts, run_batch

    if payer == "all":
        raise click.BadParameter(
            "a batch writes each chart's letter under one policy: a policy id, a payer id or auto",
            param_hint="--payer",
        )
    try:
        store = open_audit_store(config) if audit else None
        charts = discover_charts(input_dir, patient=patient)
        with (
            open_executor(scheduler) as executor,
            click.progressbar(length=len(charts), label="charts", file=sys.stderr) as bar,
        ):
            report = run_batch(
                charts,
                out_dir,
                payer=payer,
                as_of=resolve_as_of(as_of),
                jobs=jobs,
                executor=executor,
                rules_dir=rules_dir,
                audit=store,
                on_result=lambda r: advance(bar, r.alert_line() if r.urgent else None),
                allow_uncovered_payer=allow_uncovered_payer,
                budget=resolve_budget(budget),
            )
    except PriorAuthError as exc:
        fail(exc)
    if report.alert_lines():
        click.echo("Safety alerts (safety holds first):", err=True)
        for line in report.alert_lines():
            click.echo(safe_text(f"  {line}"), err=True)
    for name, export in report.exports.items():
        for problem in export.problems:
            click.echo(safe_text(f"note: {problem}"), err=True)
        click.echo(safe_text(f"export {name}: {export.describe()}"), err=True)
    click.echo(report.describe(out_dir), err=True)
    refused = [r for r in report.results if r.status in REFUSED]
    for row in refused:
        click.echo(f"error: {row.chart}: {row.error}", err=True)
    if refused:
        raise SystemExit(EXIT_USAGE)
    if report.count("error") or report.count(TOO_COSTLY):
        raise SystemExit(EXIT_ERROR)
