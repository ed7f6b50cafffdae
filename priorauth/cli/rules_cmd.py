"""``priorauth rules``: list, show, export the schema of, and check the payer rule files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from priorauth.cli import cli
from priorauth.cli._common import as_of_option, fail, resolve_as_of
from priorauth.errors import EXIT_CHECK_FAILED, PriorAuthError
from priorauth.paths import rules_dir

if TYPE_CHECKING:
    from priorauth.rules.models import Node, Policy
    from priorauth.rules.problems import Problem

__all__ = ["rules", "rules_dir_option"]

F = TypeVar("F", bound=Callable[..., object])


def rules_dir_option(func: F) -> F:
    """``--rules-dir DIR``: the payer rules folder (default: the packaged payer_rules/)."""
    return click.option(
        "--rules-dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="Folder of payer rule files [default: payer_rules/].",
    )(func)


@cli.group()
def rules() -> None:
    """List, show and check the payer rule files (payer_rules/README.md)."""


@rules.command(name="list")
@rules_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_(rules_dir: Path | None, as_json: bool) -> None:
    """List every policy: id, payer, version, status, effective window.

    \b
        priorauth rules list
    """
    from priorauth.rules.loader import load_rules

    try:
        ruleset = load_rules(rules_dir)
    except PriorAuthError as exc:
        fail(exc)
    rows = [_row(p) for p in ruleset]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    columns = ["id", "payer", "version", "status", "effective", "last_reviewed", "kind"]
    table = [{k: str(v) for k, v in r.items()} for r in rows]
    for line in _table(table, columns):
        click.echo(line)
    if any(r["effective_review"] for r in rows):
        click.echo("* effective window not verified: see `priorauth rules show ID`")


def _kind(policy: Policy) -> str:
    return "REFERENCE MODEL (not a payer)" if policy.reference_model else "payer policy"


def _row(policy: Policy) -> dict[str, str | bool | None]:
    flag = "*" if policy.effective.review else ""
    return {
        "id": policy.id,
        "payer": policy.payer.id,
        "version": policy.version,
        "status": policy.status,
        "effective": policy.effective.text() + flag,
        "effective_review": policy.effective.review,
        "last_reviewed": policy.last_reviewed.isoformat(),
        "kind": _kind(policy),
        "reference_model": policy.reference_model,
        "title": policy.title,
        "path": policy.path or "",
    }


def _table(rows: list[dict[str, str]], columns: list[str]) -> Iterator[str]:
    widths = {c: max([len(c), *(len(r[c]) for r in rows)]) for c in columns}
    yield "  ".join(c.ljust(widths[c]) for c in columns).rstrip()
    for row in rows:
        yield "  ".join(row[c].ljust(widths[c]) for c in columns).rstrip()


@rules.command()
@click.argument("policy_id")
@rules_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the policy as JSON.")
def show(policy_id: str, rules_dir: Path | None, as_json: bool) -> None:
    """Show one policy: identity, provenance, service and the criteria tree.

    \b
        priorauth rules show cpb-0469-tms-2026-02
    """
    from priorauth.rules.loader import load_rules

    try:
        policy = load_rules(rules_dir).get(policy_id)
    except PriorAuthError as exc:
        fail(exc)
    if as_json:
        click.echo(policy.model_dump_json(indent=2, by_alias=True, exclude_none=True))
        return
    for line in _describe(policy):
        click.echo(line)


def _describe(policy: Policy) -> Iterator[str]:
    name = f"{policy.payer.name} {policy.number or ''}".rstrip()
    yield f"{policy.id}  {name}  version {policy.version} ({policy.status})"
    if policy.reference_model:
        yield "  REFERENCE MODEL, not a payer policy: never matched to a coverage; never cite it "
        yield "  to a payer as a coverage rule"
    yield f"  {policy.title}"
    yield f"  effective {policy.effective.text()}; last reviewed {policy.last_reviewed.isoformat()}"
    yield from _review(policy.effective.review, 1, "effective window")
    for source in policy.sources:
        reliability = f" [{source.reliability}]" if source.reliability else ""
        yield f"  source: {source.url}{reliability}"
    match = policy.payer.match
    ids = ", ".join(f"{i.value} ({i.kind})" for i in match.ids)
    yield (
        f"  match: names [{', '.join(match.names)}]; legal names [{', '.join(match.legal_names)}]"
        f"; ids [{ids}]; lines [{', '.join(match.lines) or 'any'}]"
    )
    for plan in match.plans:
        only = ", only this line" if plan.exclusive else ""
        yield f"  plans ({plan.line}{only}): {', '.join(plan.names)}"
    place = policy.payer.jurisdiction
    if place is not None:
        who = " ".join(x for x in (place.contractor, place.name) if x) or "contractor not named"
        yield f"  jurisdiction: {who}; states [{', '.join(place.states) or 'not documented'}]"
        yield from _review(place.review, 1, "jurisdiction")
    yield f"  service: CPT {', '.join(policy.service.cpt)}"
    for item in policy.service.not_covered:
        yield f"    not covered: {item}"
    yield "criteria:"
    yield from _tree(policy.criteria, 1)
    for attestation in policy.attestations:
        yield f"attestation {attestation.id}: {attestation.text}"
        yield from _review(attestation.review, 0)


def _review(reason: str | None, depth: int, what: str = "") -> Iterator[str]:
    """The review reason, on its own line under the item it flags."""
    if reason:
        label = f"review ({what})" if what else "review"
        yield f"{'  ' * depth}  {label}: {' '.join(reason.split())}"


def _tree(node: Node, depth: int) -> Iterator[str]:
    from priorauth.rules.models import AllGroup, AnyGroup, AtLeastGroup

    pad = "  " * depth
    if isinstance(node, AllGroup | AnyGroup | AtLeastGroup):
        label = "all of" if isinstance(node, AllGroup) else "any of"
        if isinstance(node, AtLeastGroup):
            label = f"at least {node.at_least.n} of"
        yield f"{pad}{label}:" + (f" [{node.id}] {node.title or ''}" if node.id else "")
        yield from _review(node.review, depth)
        for member in node.members():
            yield from _tree(member, depth + 1)
        return
    yield f"{pad}- [{node.id}] {node.kind}: {node.title}"
    yield from _review(node.review, depth)


@rules.command()
def schema() -> None:
    """Print the JSON Schema of rule files (payer_rules/schema.json).

    \b
        priorauth rules schema > payer_rules/schema.json
    """
    from priorauth.rules.schema import schema_text

    click.echo(schema_text(), nl=False)


@rules.command()
@rules_dir_option
def table(rules_dir: Path | None) -> None:
    """Print the policy table of payer_rules/README.md (Markdown): every policy's effective window
    ('unverified' where its dates are), primary source and verbatim vs paraphrased quotes.

    \b
        priorauth rules table
    """
    from priorauth.rules.loader import load_rules
    from priorauth.rules.table import policy_table

    try:
        ruleset = load_rules(rules_dir)
    except PriorAuthError as exc:
        fail(exc)
    click.echo(policy_table(ruleset), nl=False)


@rules.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON list.")
@as_of_option
def check(paths: tuple[Path, ...], as_json: bool, as_of: dt.datetime | None) -> None:
    """Check rule files (default: all of payer_rules/): schema, ids, dates, codes, test cases.

    Prints one line per problem, `path:line: field: message (hint)`, and exits with status 4
    when any is an error (warnings alone exit 0).

    \b
        priorauth rules check payer_rules/
    """
    from priorauth.rules.check import check_paths

    problems = check_paths(list(paths) or [rules_dir()], as_of=resolve_as_of(as_of))
    errors = [p for p in problems if p.severity == "error"]
    _report(problems, as_json)
    if errors:
        raise SystemExit(EXIT_CHECK_FAILED)


def _report(problems: list[Problem], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([p.model_dump() for p in problems], indent=2))
        return
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    click.echo(f"{errors} error(s), {warnings} warning(s)" if problems else "ok", err=True)
