"""``priorauth letter``: chart -> determination -> letter of medical necessity (PDF/HTML/JSON)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from priorauth.cli import cli
from priorauth.cli._common import (
    as_of_option,
    budget_option,
    chart_budget,
    fail,
    resolve_as_of,
    review_options,
    reviews,
    rules_dir_option,
    safe_text,
    usage_failure,
    write_atomic,
)
from priorauth.errors import (
    EXIT_NOT_MET,
    EXIT_USAGE,
    AmbiguousPolicyError,
    PayerNotOnChartError,
    PriorAuthError,
    ReviewError,
    SeveralPatientsError,
)

if TYPE_CHECKING:
    from priorauth.determination import CriterionResult, Determination


def determine(
    chart: Path,
    *,
    payer: str,
    as_of: dt.date,
    rules_dir: Path | None,
    allow_uncovered_payer: bool = False,
    reviewed: dict[str, str] | None = None,
    patient: str | None = None,
) -> tuple[Determination, tuple[str, ...]]:
    """Load, extract, select the one policy (refusing to choose among several), check that its
    payer is one of the chart's coverages in force (unless allowed), and evaluate it, with the
    relative safety alerts a clinician reviewed. Returns the determination and the selection's
    notes (printed after the safety alerts)."""
    from priorauth.pipeline import chart_facts, letter_determination
    from priorauth.rules import load_rules

    record = chart_facts(chart, as_of=as_of, patient=patient)
    _policy, result, notes = letter_determination(
        record,
        load_rules(rules_dir),
        payer=payer,
        as_of=as_of,
        reviewed=reviewed,
        allow_uncovered_payer=allow_uncovered_payer,
    )
    return result, notes


def _unmet(results: tuple[CriterionResult, ...]) -> list[str]:
    lines = []
    for c in results:
        if c.children:
            lines += _unmet(c.children) if c.outcome != "met" else []  # met: alternatives moot
        elif c.outcome != "met":
            lines.append(f"{c.id} {c.title}: {c.outcome.replace('_', ' ')}")
    return lines


def _report_review_flags(results: tuple[CriterionResult, ...]) -> None:
    """Rule-file review notes are for staff, not the payer: stderr, never the letter."""
    for c in results:
        if c.review_flag:
            click.echo(safe_text(f"note: {c.id}: {c.review_flag}"), err=True)
        _report_review_flags(c.children)


def _report_not_met(d: Determination) -> None:
    click.echo(f"{d.policy.id}: {d.status.replace('_', ' ')}", err=True)
    for line in _unmet(d.criteria):
        click.echo(safe_text(f"  unmet: {line}"), err=True)
    for gap in d.gaps:
        click.echo(safe_text(f"  gap: {gap.action}"), err=True)


def _check_ready(d: Determination, notes: tuple[str, ...], *, force: bool) -> None:
    """Report on stderr, safety alerts first; exit 3 unless the letter is final or forced.

    A ``safety_hold`` or ``clinician_review`` letter (or one with an alert still blocking) is
    never final: without --force nothing is written.
    """
    from priorauth import alerts

    for line in alerts.alert_lines(d):
        click.echo(safe_text(line), err=True)
    for note in notes:
        click.echo(safe_text(f"note: {note}"), err=True)
    for warning in d.warnings:
        click.echo(safe_text(f"warning: {warning}"), err=True)
    _report_review_flags(d.criteria)
    if d.status == "meets" and not alerts.blocking(d):
        return
    _report_not_met(d)
    if not force:
        raise SystemExit(EXIT_NOT_MET)
    click.echo(f"warning: {_not_ready(d)}; writing a draft letter (--force)", err=True)


def _not_ready(d: Determination) -> str:
    from priorauth import alerts

    if alerts.is_hold(d):
        return "SAFETY HOLD, must not be submitted"
    if alerts.heading(d) is not None:
        return "clinician review required before submitting"
    return "policy not met"


def _check_appeal(kind: str, reason: str | None, date: dt.datetime | None, ref: str | None) -> None:
    """Exit 2 (usage): an appeal without its denial, or denial options on another letter."""
    if kind == "appeal":
        if not (reason or "").strip():
            raise click.BadParameter(
                "an appeal needs the payer's stated reason", param_hint="--denial-reason"
            )
        if date is None:
            raise click.BadParameter(
                "an appeal needs the date of the denial", param_hint="--denial-date"
            )
    elif reason or date or ref:
        raise click.BadParameter(
            "--denial-reason, --denial-date and --denial-ref apply only to --kind appeal",
            param_hint="--kind",
        )


def _signer(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    name, _, credentials = value.rpartition(",") if "," in value else (value, "", "")
    return name.strip(), credentials.strip() or None


@cli.command("letter")
@click.argument("chart", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--payer",
    required=True,
    help="Policy id, payer id, or 'auto' (from the chart's Coverage); never 'all'.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write ('-' for stdout).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html", "json"]),
    default="pdf",
    show_default=True,
    help="Letter format.",
)
@as_of_option
@click.option("--signer", help='Signing physician, e.g. "Dana Reyes, MD" [default: chart].')
@click.option("--npi", help="Signer's NPI [default: chart].")
@click.option(
    "--letter",
    "--kind",
    "kind",
    type=click.Choice(["initial", "continuation", "appeal"]),
    default="initial",
    show_default=True,
    help="Initial course, retreatment, or an appeal of a denial (with --denial-reason and "
    "--denial-date).",
)
@click.option(
    "--denial-reason",
    help="Appeal: the payer's stated reason for the denial (printed verbatim, in quotation marks).",
)
@click.option(
    "--denial-date", type=click.DateTime(["%Y-%m-%d"]), help="Appeal: the date of the denial."
)
@click.option("--denial-ref", help="Appeal: the payer's reference for the denial.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="Planned start date.")
@click.option(
    "--pdf-variant",
    type=click.Choice(["pdf/a-3b", "pdf/a-3u", "pdf/ua-1", "none"]),
    default="pdf/a-3b",
    show_default=True,
    help="PDF profile.",
)
@click.option("--force", is_flag=True, help="Write the letter even when the policy is not met.")
@click.option(
    "--payer-not-on-chart",
    "allow_uncovered_payer",
    is_flag=True,
    help="Write it even though the policy's payer is not one of the chart's coverages in force.",
)
@review_options
@click.option(
    "--patient",
    help="The patient the letter is for when the chart holds several, e.g. Patient/123.",
)
@rules_dir_option
@budget_option
def letter(
    chart: Path,
    payer: str,
    patient: str | None,
    output: Path,
    fmt: Literal["pdf", "html", "json"],
    as_of: dt.datetime | None,
    signer: str | None,
    npi: str | None,
    kind: str,
    denial_reason: str | None,
    denial_date: dt.datetime | None,
    denial_ref: str | None,
    start: dt.datetime | None,
    pdf_variant: str,
    force: bool,
    allow_uncovered_payer: bool,
    reviewed_ids: tuple[str, ...],
    reviewer: str | None,
    rules_dir: Path | None,
    budget: float | None,
) -> None:
    """Write the letter of medical necessity for CHART under PAYER's TMS policy.

    The letter is addressed to the payer of the policy it is evaluated under. Exits 2 (usage)
    when several policies fit (it names them: choose one with --payer POLICY_ID), for --payer
    all, and when the policy's payer is not one of the chart's coverages in force (override:
    --payer-not-on-chart). Exits 3 without writing when the letter is not ready: a safety hold, a
    safety finding awaiting clinician review, or the policy not met (on stderr: safety alerts
    first, then unmet criteria and gaps); --force writes it anyway, marked as a draft with the
    alerts on top. A relative alert a clinician has reviewed no longer blocks: --reviewed
    ALERT_ID --reviewer "Dr. A. Name, MD" (the letter names the reviewer). A chart of several
    patients (a bulk export, a Bundle of several) needs --patient: without it the command exits
    2 listing the patients (ids only).

    \b
        priorauth letter examples/trd_meets_policies.json --payer auto -o letter.pdf
    """
    from priorauth.render import LetterOptions, letter_bytes  # WeasyPrint loads only when used

    if payer == "all":
        raise click.BadParameter(
            "a letter is written under one policy: a policy id, a payer id or auto",
            param_hint="--payer",
        )
    reviewed = reviews(reviewed_ids, reviewer)
    _check_appeal(kind, denial_reason, denial_date, denial_ref)
    name, credentials = _signer(signer)
    try:
        options = LetterOptions.model_validate(
            {
                "kind": kind,
                "signer_name": name,
                "signer_credentials": credentials,
                "signer_npi": npi,
                "planned_start": start.date() if start else None,
                "pdf_variant": pdf_variant,
                "denial_reason": denial_reason,
                "denial_date": denial_date.date() if denial_date else None,
                "denial_ref": denial_ref,
            }
        )
        with chart_budget(budget):  # reading the chart is the work the budget bounds
            d, notes = determine(
                chart,
                payer=payer,
                as_of=resolve_as_of(as_of),
                rules_dir=rules_dir,
                allow_uncovered_payer=allow_uncovered_payer,
                reviewed=reviewed,
                patient=patient,
            )
        _check_ready(d, notes, force=force)
        data = letter_bytes(d, format=fmt, options=options)
    except (AmbiguousPolicyError, PayerNotOnChartError) as exc:
        usage_failure(exc)
    except SeveralPatientsError as exc:
        fail(exc, EXIT_USAGE)
    except ReviewError as exc:
        raise click.BadParameter(str(exc), param_hint="--reviewed") from None
    except PriorAuthError as exc:
        fail(exc)
    if str(output) == "-":
        click.echo(data, nl=False)
    else:
        try:
            write_atomic(output, data)
        except OSError as exc:
            fail(PriorAuthError(f"{output}: cannot write: {exc.strerror or exc}"))
        click.echo(f"wrote {output} ({len(data)} bytes, {d.policy.id}: {d.status})", err=True)
