"""``priorauth facts``: a chart → the clinical facts priorauth derives from it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from priorauth.cli import cli
from priorauth.cli._common import (
    as_of_option,
    budget_option,
    chart_budget,
    escaped,
    fail,
    resolve_as_of,
)
from priorauth.errors import PriorAuthError


@cli.command("facts")
@click.argument("chart", type=click.Path(exists=True, path_type=Path))
@as_of_option
@click.option("--patient", help="Patient to use when the chart holds several, e.g. Patient/123.")
@click.option("--json", "as_json", is_flag=True, help="Print the PatientRecord as JSON.")
@click.option("--strict", is_flag=True, help="Fail on the first invalid resource.")
@budget_option
def facts(
    chart: Path,
    as_of: dt.datetime | None,
    patient: str | None,
    as_json: bool,
    strict: bool,
    budget: float | None,
) -> None:
    """Extract the clinical facts of CHART (FHIR R4 JSON, NDJSON or a bulk-export folder).

    Prints a summary (patient, coverage, diagnoses, the trial table, scores, psychotherapy,
    safety) or, with --json, the whole PatientRecord.

    \b
        priorauth facts examples/trd_meets_policies.json --as-of 2026-11-25
    """
    from priorauth.facts.summary import format_summary
    from priorauth.pipeline import chart_facts

    try:
        with chart_budget(budget):
            record = chart_facts(chart, as_of=resolve_as_of(as_of), patient=patient, strict=strict)
    except PriorAuthError as exc:
        fail(exc)
    if as_json:
        click.echo(record.model_dump_json(indent=2))
    else:  # chart text inside a line is escaped, so it cannot start a forged line
        click.echo(format_summary(type(record).model_validate(escaped(record.model_dump()))))
