"""Where in a rule file a check points: a :class:`Problem` at a YAML path, and the YAML path of
every criteria node (so a check over the typed :class:`Policy` can name the line it came from)."""

from __future__ import annotations

from collections.abc import Iterator

from priorauth.rules.loader import LoadedFile
from priorauth.rules.models import AllGroup, AnyGroup, AtLeastGroup, Node
from priorauth.rules.problems import Problem

__all__ = ["Loc", "node_locations", "problem_at"]

Loc = tuple[str | int, ...]


def problem_at(
    item: LoadedFile, loc: Loc, message: str, hint: str = "", severity: str = "error"
) -> Problem:
    """A problem at the YAML path ``loc`` of ``item`` (its line found from the file)."""
    return Problem(
        path=item.path,
        line=item.lines.line_for(loc),
        field=".".join(map(str, loc)),
        message=message,
        hint=hint,
        severity="warning" if severity == "warning" else "error",
    )


def node_locations(node: Node, loc: Loc = ("criteria",)) -> Iterator[tuple[Node, Loc]]:
    """Every criteria node with its YAML path (``criteria.all.2``), depth first.

    The typed tree has the shape of the YAML, so a member's path is its group's key and index.
    """
    yield node, loc
    if isinstance(node, AllGroup | AnyGroup | AtLeastGroup):
        key: Loc = ("at_least", "of") if isinstance(node, AtLeastGroup) else (_group_key(node),)
        for index, member in enumerate(node.members()):
            yield from node_locations(member, (*loc, *key, index))


def _group_key(node: AllGroup | AnyGroup) -> str:
    return "all" if isinstance(node, AllGroup) else "any"
