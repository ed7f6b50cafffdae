"""``priorauth rules``: list, show, export the schema of, and check the payer rule files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import click

from priorauth.cli import cli
from priorauth.cli._common import as_of_option, fail, resolve_as_of
from priorauth.errors import EXIT_CHECK_FAILED, PriorAuthError
from priorauth.paths import rules_dir
from priorauth.rules.check import check_paths
from priorauth.rules.loader import load_rules
from priorauth.rules.models import AllGroup, AnyGroup, AtLeastGroup, Node, Policy
from priorauth.rules.problems import Problem
from priorauth.rules.schema import schema_text

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
    try:
        ruleset = load_rules(rules_dir)
    except PriorAuthError as exc:
        fail(exc)
    rows = [_row(p) for p in ruleset]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for line in _table(rows, ["id", "payer", "version", "status", "effective", "last_reviewed"]):
        click.echo(line)


def _row(policy: Policy) -> dict[str, str]:
    until = policy.effective.until.isoformat() if policy.effective.until else "open"
    return {
        "id": policy.id,
        "payer": policy.payer.id,
        "version": policy.version,
        "status": policy.status,
        "effective": f"{policy.effective.from_.isoformat()}..{until}",
        "last_reviewed": policy.last_reviewed.isoformat(),
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
        priorauth rules show cpb-0469-tms-2025
    """
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
    row = _row(policy)
    name = f"{policy.payer.name} {policy.number or ''}"
    yield f"{policy.id}  {name}  version {policy.version} ({policy.status})"
    yield f"  {policy.title}"
    yield f"  effective {row['effective']}; last reviewed {row['last_reviewed']}"
    for source in policy.sources:
        yield f"  source: {source.url}"
    yield f"  service: CPT {', '.join(policy.service.cpt)}"
    yield "criteria:"
    yield from _tree(policy.criteria, 1)
    for attestation in policy.attestations:
        yield f"attestation {attestation.id}: {attestation.text}"


def _tree(node: Node, depth: int) -> Iterator[str]:
    pad = "  " * depth
    if isinstance(node, AllGroup | AnyGroup | AtLeastGroup):
        label = "all of" if isinstance(node, AllGroup) else "any of"
        if isinstance(node, AtLeastGroup):
            label = f"at least {node.at_least.n} of"
        yield f"{pad}{label}:" + (f" [{node.id}] {node.title or ''}" if node.id else "")
        for member in node.members():
            yield from _tree(member, depth + 1)
        return
    flag = "  (review)" if node.review else ""
    yield f"{pad}- [{node.id}] {node.kind}: {node.title}{flag}"


@rules.command()
def schema() -> None:
    """Print the JSON Schema of rule files (payer_rules/schema.json).

    \b
        priorauth rules schema > payer_rules/schema.json
    """
    click.echo(schema_text(), nl=False)


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
