"""``priorauth evaluate``: apply payer policies to a chart and print the determination(s)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from priorauth.cli import cli
from priorauth.cli._common import (
    alert_block,
    as_of_option,
    budget_option,
    chart_budget,
    fail,
    resolve_as_of,
    review_options,
    reviews,
    safe_text,
)
from priorauth.cli.rules_cmd import rules_dir_option
from priorauth.errors import EXIT_ERROR, ChartError, PriorAuthError, UnknownAttestationError

if TYPE_CHECKING:
    from priorauth.determination import CriterionResult, Determination
    from priorauth.evaluate import PolicyMatch
    from priorauth.facts.models import PatientRecord
    from priorauth.rules import RuleSet
    from priorauth.rules.models import Policy

__all__ = ["evaluate", "load_record"]

_MARK = {"met": "met", "not_met": "NOT MET", "unknown": "unknown"}


def load_record(path: Path, *, as_of: dt.date, budget: float | None = 0) -> PatientRecord:
    """A PatientRecord from a FHIR chart (via the facts stage) or a hand-written facts file.

    ``*.facts.json`` / ``*.facts.yaml`` files (and YAML files) are PatientRecords written out, with
    the shortcuts of rule test cases; anything else is a FHIR chart, read under ``budget``
    seconds of CPU time (``None``: the environment's budget; 0: none).
    """
    if path.name.endswith((".facts.json", ".facts.yaml", ".yaml", ".yml")):
        return _facts_file(path, as_of)
    from priorauth.pipeline import chart_facts

    with chart_budget(budget):
        return chart_facts(path, as_of=as_of)


def _facts_file(path: Path, as_of: dt.date) -> PatientRecord:
    from pydantic import ValidationError

    from priorauth.facts.models import PatientRecord
    from priorauth.rules.cases import expand_record
    from priorauth.rules.yamlio import YamlProblem, read_yaml

    try:
        data, _ = read_yaml(path.read_bytes())
        return PatientRecord.model_validate(expand_record(dict(data), as_of=as_of))
    except (OSError, YamlProblem, ValidationError, TypeError, ValueError) as exc:
        raise ChartError(f"not a usable facts file: {exc}", source=str(path)) from exc


@cli.command()
@click.argument("chart", type=click.Path(exists=True, dir_okay=True, path_type=Path))
@click.option(
    "--payer",
    required=True,
    help="A payer id (aetna), a policy id, 'auto' (from the chart's coverage) or 'all'.",
)
@as_of_option
@click.option(
    "--attest",
    "attested",
    multiple=True,
    metavar="ID",
    help="An attestation criterion the signer confirms (repeatable); unconfirmed ones are unknown.",
)
@review_options
@click.option(
    "--patient",
    help="The patient to evaluate when the chart holds several, e.g. Patient/123 "
    "[default: every patient, one result each].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the determination(s) as JSON.")
@rules_dir_option
@budget_option
def evaluate(
    chart: Path,
    payer: str,
    patient: str | None,
    as_of: dt.datetime | None,
    attested: tuple[str, ...],
    reviewed_ids: tuple[str, ...],
    reviewer: str | None,
    as_json: bool,
    rules_dir: Path | None,
    budget: float | None,
) -> None:
    """Evaluate CHART against a payer's TMS policy and print the determination.

    Attestation criteria (e.g. "candidate for ECT" as an alternative path) are unknown, with the
    gap "Signer to confirm: ...", until confirmed with --attest ID.

    Safety alerts (docs/safety.md) are printed before anything else. An absolute one holds the
    request (status safety_hold); a relative one turns "meets" into clinician_review until a
    clinician reviews it: --reviewed ALERT_ID --reviewer "Dr. A. Name, MD".

    A chart of several patients (a bulk export: NDJSON files or a folder of them, split per
    patient as it streams) is evaluated for every patient, one block (or, with --json, one
    array element {"patient", "determinations"}) each, unless --patient chooses one. Exits 1
    when some patient could not be evaluated (its block says why).

    \b
        priorauth evaluate chart.json --payer auto
        priorauth evaluate export/ --payer auto --patient Patient/123
        priorauth evaluate chart.json --payer all --as-of 2026-11-25
        priorauth evaluate chart.json --payer mp-170-tms-2023 --attest d-ect-attestation
        priorauth evaluate chart.json --payer auto --reviewed seizure-history --reviewer "Dr. X"
    """
    reviewed = reviews(reviewed_ids, reviewer)
    day = resolve_as_of(as_of)
    try:
        ruleset = _rules(rules_dir)
        records = load_records(chart, as_of=day, patient=patient, budget=budget)
        first = next(records)
        second = next(records, None)
    except PriorAuthError as exc:
        fail(exc)
    if second is None:  # one patient: printed as it always was
        if isinstance(first[1], PriorAuthError):
            fail(first[1])
        _one(first[1], ruleset, payer, day, attested, reviewed, as_json)
        return
    if attested or reviewed:
        raise click.BadParameter(
            "--attest and --reviewed confirm one patient's chart: choose it with --patient",
            param_hint="--patient",
        )
    failed = _every_patient(itertools.chain((first, second), records), ruleset, payer, day, as_json)
    if failed:
        raise SystemExit(EXIT_ERROR)


def _rules(rules_dir: Path | None) -> RuleSet:
    from priorauth.rules.loader import load_rules

    return load_rules(rules_dir)


def load_records(
    path: Path, *, as_of: dt.date, patient: str | None = None, budget: float | None = 0
) -> Iterator[tuple[str | None, PatientRecord | PriorAuthError]]:
    """``(patient, PatientRecord or the error that stopped it)`` per patient.

    A facts file is one record (:func:`load_record`); a chart gives every patient (or only
    ``patient``), each read under ``budget``; a bulk export's problems are printed on stderr
    once it is read. Raises when the chart cannot be read at all."""
    if path.name.endswith((".facts.json", ".facts.yaml", ".yaml", ".yml")):
        yield None, _facts_file(path, as_of)
        return
    from priorauth.pipeline import PatientRecords

    records = PatientRecords(path, as_of=as_of, patient=patient)
    each = records.each()
    while True:
        with chart_budget(budget):
            found = next(each, None)
        if found is None:
            break
        yield found
    if records.report is not None:
        for problem in records.report.problems:
            click.echo(safe_text(f"note: {problem}"), err=True)
        click.echo(safe_text(f"export: {records.report.describe()}"), err=True)


def _one(
    record: PatientRecord,
    ruleset: RuleSet,
    payer: str,
    day: dt.date,
    attested: tuple[str, ...],
    reviewed: dict[str, str],
    as_json: bool,
) -> None:
    from priorauth.evaluate import auto_matches, select_policies
    from priorauth.evaluate import evaluate as evaluate_policy
    from priorauth.evaluate.floor import safety_floor

    try:
        policies = select_policies(ruleset, payer=payer, record=record, as_of=day)
    except PriorAuthError as exc:
        # no policy to evaluate, but the chart's safety findings are still shown first
        for line in alert_block(safety_floor(record, None, as_of=day).alerts):
            click.echo(safe_text(line), err=True)
        fail(exc)
    _check_attested(attested, policies)
    results = [
        evaluate_policy(record, p, as_of=day, attested=attested, reviewed=reviewed)
        for p in policies
    ]
    _check_reviewed(reviewed, results)
    by_id = {p.id: p for p in policies}
    for line in alert_block(a for r in results for a in r.alerts):
        click.echo(safe_text(line), err=as_json)
    if payer == "auto" and len(policies) > 1:
        note = _several(auto_matches(ruleset, record, day))
        for line in note:
            click.echo(safe_text(line), err=as_json)
    many = payer == "all" or len(results) > 1
    for line in _render(results, by_id, as_json, many=many):
        click.echo(safe_text(line))


def _every_patient(
    records: Iterator[tuple[str | None, PatientRecord | PriorAuthError]],
    ruleset: RuleSet,
    payer: str,
    day: dt.date,
    as_json: bool,
) -> int:
    """One block (text) or one array element (JSON) per patient; returns how many failed.

    --attest and --reviewed name one patient's chart, so they need --patient.
    """
    from priorauth.pipeline import evaluate_record

    failed = 0
    if as_json:
        click.echo("[")
    for number, (patient, record) in enumerate(records):
        ref = patient or "<no Patient>"
        try:
            if isinstance(record, PriorAuthError):
                raise record
            results = evaluate_record(record, ruleset, payer=payer, as_of=day)
        except PriorAuthError as exc:
            failed += 1
            results, error = [], str(exc)
        else:
            error = ""
        if as_json:
            item = {
                "patient": ref,
                "determinations": [r.model_dump(mode="json") for r in results],
                **({"error": error} if error else {}),
            }
            text = json.dumps(item, indent=2)
            click.echo(safe_text(("," if number else "") + textwrap.indent(text, "  ")))
            continue
        click.echo(safe_text(f"{'' if number == 0 else chr(10)}== {ref} =="))
        for line in alert_block(a for r in results for a in r.alerts):
            click.echo(safe_text(line))
        if error:
            click.echo(safe_text(f"error: {error}"))
        elif results:
            by_id = {p.id: p for p in ruleset.policies}
            for line in _overview(results, by_id):
                click.echo(safe_text(line))
    if as_json:
        click.echo("]")
    return failed


def _check_attested(attested: tuple[str, ...], policies: list[Policy]) -> None:
    from priorauth.evaluate import check_attested

    try:
        check_attested(attested, policies)
    except UnknownAttestationError as exc:
        raise click.BadParameter(str(exc), param_hint="--attest") from None


def _check_reviewed(reviewed: dict[str, str], results: list[Determination]) -> None:
    from priorauth.evaluate.floor import check_reviewed

    try:
        check_reviewed(reviewed, (a for r in results for a in r.alerts))
    except UnknownAttestationError as exc:
        raise click.BadParameter(str(exc), param_hint="--reviewed") from None


def _several(matches: list[PolicyMatch]) -> Iterator[str]:
    yield (
        f"{len(matches)} policies match the chart's coverage; each is evaluated below. "
        "Choose the one that applies with --payer POLICY_ID:"
    )
    for m in matches:
        yield f"  - {m.policy.id} ({m.policy.payer.name}): {m.how}"
    yield ""


def _render(
    results: list[Determination], policies: dict[str, Policy], as_json: bool, many: bool
) -> Iterator[str]:
    if as_json:
        dumped = [r.model_dump(mode="json") for r in results]
        yield json.dumps(dumped if many else dumped[0], indent=2)
    elif many:
        yield from _overview(results, policies)
    else:
        yield from _details(results[0], policies.get(results[0].policy.id))


def _overview(results: list[Determination], policies: dict[str, Policy]) -> Iterator[str]:
    def payer(r: Determination) -> str:
        policy = policies.get(r.policy.id)
        return "REFERENCE MODEL" if policy and policy.reference_model else r.policy.payer

    rows = [(r.policy.id, payer(r), _status(r), str(len(r.gaps)), _alert_ids(r)) for r in results]
    header = ("policy", "payer", "status", "gaps", "alerts")
    widths = [max(len(row[k]) for row in [header, *rows]) for k in range(5)]
    for row in [header, *rows]:
        yield "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()


def _status(r: Determination) -> str:
    return f"{r.status} (warning)" if r.warnings else r.status


def _alert_ids(r: Determination) -> str:
    return ", ".join(a.id for a in r.alerts) or "-"


def _details(r: Determination, policy: Policy | None) -> Iterator[str]:
    p = r.policy
    name = f"{p.payer} {p.number or p.title} ({p.id}, version {p.version})"
    yield f"{name} as of {r.as_of}: {r.status.upper()}"
    if r.criteria_status and r.criteria_status != r.status:
        yield f"  The policy's criteria alone: {r.criteria_status}; the safety floor: {r.status}."
    if policy is not None and policy.reference_model:
        yield "  REFERENCE MODEL, not a payer policy: for comparison only, never a coverage rule."
    if policy is not None and policy.status == "draft":
        yield f"  DRAFT policy (effective {policy.effective.text()}): not verified for use."
    if policy is not None and policy.effective.review:
        yield f"  Effective window not verified: {' '.join(policy.effective.review.split())}"
    yield f"  {r.summary}"
    yield from (f"  WARNING: {w}" for w in r.warnings)
    yield ""
    for result in r.criteria:
        yield from _criterion(result, 1)
    if r.gaps:
        yield "\nGaps to close before submitting:"
        yield from (f"  - [{g.criterion_id}] {g.action}" for g in r.gaps)
    if r.attestations:
        yield "\nThe signer attests:"
        yield from (f"  - [{a.id}] {a.text}" for a in r.attestations)


def _criterion(result: CriterionResult, depth: int) -> Iterator[str]:
    pad = "  " * depth
    flag = "  (unverified: see rule file)" if result.review_flag else ""
    yield f"{pad}{_MARK[result.outcome]:<8} {result.id}: {result.title}{flag}"
    if not result.children:
        yield f"{pad}         {result.explanation}"
    for child in result.children:
        yield from _criterion(child, depth + 1)
