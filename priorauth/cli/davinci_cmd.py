"""``priorauth pas`` and ``priorauth dtr``: Da Vinci PAS request Bundles and DTR questionnaires."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from priorauth.cli import cli
from priorauth.cli._common import (
    as_of_option,
    fail,
    payer_not_on_chart_option,
    resolve_as_of,
    rules_dir_option,
    usage_failure,
    write_atomic,
)
from priorauth.cli.rules_cmd import rules
from priorauth.errors import EXIT_USAGE, AmbiguousPolicyError, PayerNotOnChartError, PriorAuthError


def _emit(data: dict[str, Any], output: Path | None) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
        return
    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as exc:
        fail(PriorAuthError(f"{output}: cannot write: {exc.strerror or exc}"))
    click.echo(f"wrote {output}", err=True)


def _chart(path: Path, patient: str | None = None) -> dict[str, Any]:
    """The chart as a Bundle dict: a bulk export of several patients gives ``patient``'s chart
    (exit 2 listing the patients when none is chosen)."""
    from priorauth.errors import SeveralPatientsError
    from priorauth.fhir.bulk import BulkExport, is_bulk_export
    from priorauth.pipeline import one_patient_chart

    if is_bulk_export(path):
        try:
            chart = one_patient_chart(BulkExport(path), patient)
        except SeveralPatientsError as exc:
            fail(exc, EXIT_USAGE)
        except PriorAuthError as exc:
            fail(exc)
        if chart is not None:
            return chart.bundle()
        return _whole_export(BulkExport(path))
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        fail(PriorAuthError(f"{path}: not a JSON chart: {exc}"))
    if not isinstance(data, dict):
        fail(PriorAuthError(f"{path}: not a FHIR Bundle"))
    return data


def _whole_export(export: Any) -> dict[str, Any]:
    """An export of one patient as one Bundle of all its lines (its whole chart, as
    ``evaluate`` reads it); a line that is not JSON fails with its file and line."""
    from priorauth.fhir.bulk_files import parse_line, read_lines

    entries = []
    for file in export.files():
        for number, line in read_lines(file, export.report):
            resource = parse_line(line)
            if not isinstance(resource, dict):
                fail(PriorAuthError(f"{file.label}: line {number}: not a JSON resource"))
            entries.append({"resource": resource})
    for problem in export.report.problems:
        fail(PriorAuthError(str(problem)))
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


_CHART = click.argument("chart", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_PAS_CHART = click.argument("chart", type=click.Path(exists=True, path_type=Path))
_PATIENT = click.option(
    "--patient", help="The patient to use when the chart holds several, e.g. Patient/123."
)
_PAYER = click.option(
    "--payer",
    default="auto",
    show_default=True,
    help="Payer id or policy id, or 'auto' (from Coverage).",
)
_ATTEST = click.option(
    "--attest",
    "attested",
    multiple=True,
    metavar="ID",
    help="An attestation criterion the signer confirms (repeatable).",
)
_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write [default: stdout].",
)


@cli.command("pas")
@_PAS_CHART
@_PAYER
@_PATIENT
@_ATTEST
@payer_not_on_chart_option
@_OUTPUT
@as_of_option
@rules_dir_option
def pas(
    chart: Path,
    payer: str,
    patient: str | None,
    attested: tuple[str, ...],
    allow_uncovered_payer: bool,
    output: Path | None,
    as_of: dt.datetime | None,
    rules_dir: Path | None,
) -> None:
    """Write the Da Vinci PAS request Bundle (Claim/$submit) for CHART, letter PDF attached.

    CHART is a Bundle, or a bulk export (NDJSON file or folder); one of several patients is
    chosen with --patient (without it: exit 2 listing the patients).

    \b
        priorauth pas examples/trd_meets_policies.json --payer auto -o bundle.json
    """
    import functools

    from priorauth.errors import SeveralPatientsError
    from priorauth.exchange.build import pas_for_chart
    from priorauth.fhir.bulk import is_bulk_export
    from priorauth.pipeline import chart_facts
    from priorauth.rules import load_rules

    source = _chart(chart, patient)
    is_split = is_bulk_export(chart)  # the export was cut to the patient's chart already
    try:
        bundle = pas_for_chart(
            source,
            load_rules(rules_dir),
            payer=payer,
            as_of=resolve_as_of(as_of),
            attested=attested,
            allow_uncovered_payer=allow_uncovered_payer,
            facts=functools.partial(chart_facts, patient=None if is_split else patient),
        )
    except SeveralPatientsError as exc:
        fail(exc, EXIT_USAGE)
    except (AmbiguousPolicyError, PayerNotOnChartError) as exc:
        usage_failure(exc)
    except PriorAuthError as exc:
        fail(exc)
    _emit(bundle, output)


@cli.group("dtr")
def dtr() -> None:
    """Da Vinci DTR: payer questionnaires from the rule files, prefilled from a chart."""


@dtr.command("questionnaire")
@click.argument("policy_id")
@_OUTPUT
@rules_dir_option
def questionnaire(policy_id: str, output: Path | None, rules_dir: Path | None) -> None:
    """Write the DTR Questionnaire generated from policy POLICY_ID.

    \b
        priorauth dtr questionnaire cpb-0469-tms-2026-02
    """
    from priorauth.exchange.dtr import questionnaire as build
    from priorauth.rules import load_rules

    try:
        policies = {p.id: p for p in load_rules(rules_dir).policies}
    except PriorAuthError as exc:
        fail(exc)
    if policy_id not in policies:
        fail(PriorAuthError(f"unknown policy {policy_id!r}; see `priorauth rules list`"))
    _emit(build(policies[policy_id]), output)


rules.add_command(questionnaire, name="questionnaire")  # `priorauth rules questionnaire POLICY`


@dtr.command("prefill")
@_CHART
@_PAYER
@_ATTEST
@payer_not_on_chart_option
@_OUTPUT
@as_of_option
@rules_dir_option
def prefill(
    chart: Path,
    payer: str,
    attested: tuple[str, ...],
    allow_uncovered_payer: bool,
    output: Path | None,
    as_of: dt.datetime | None,
    rules_dir: Path | None,
) -> None:
    """Write the DTR QuestionnaireResponse prefilled from CHART (attestations left open).

    \b
        priorauth dtr prefill examples/trd_meets_policies.json --payer auto
    """
    from priorauth.exchange.build import prefill_for_chart
    from priorauth.rules import load_rules

    try:
        response = prefill_for_chart(
            _chart(chart),
            load_rules(rules_dir),
            payer=payer,
            as_of=resolve_as_of(as_of),
            attested=attested,
            allow_uncovered_payer=allow_uncovered_payer,
        )
    except (AmbiguousPolicyError, PayerNotOnChartError) as exc:
        usage_failure(exc)
    except PriorAuthError as exc:
        fail(exc)
    _emit(response, output)
