"""Meta-tests over the whole command line: every command has help and is documented."""

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from priorauth.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, prefix=f"{full} "))
    return found


COMMANDS = _commands(cli)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help(name, command):
    assert command.help, f"`priorauth {name}` is missing its help"
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_is_in_the_readme(name, command):
    assert f"priorauth {name}" in README, f"`priorauth {name}` is not documented in README.md"


def test_the_readme_opens_with_the_two_commands():
    head = README[: README.index("\n## ", README.index("## Quick start") + 1)]
    assert "bash scripts/demo" in head
    assert "bash scripts/test" in head


def test_ci_runs_the_readme_test_command():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test" in ci
