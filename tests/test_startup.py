"""Start-up stays light: ``import priorauth`` and every ``--help`` load no heavy stack.

Not timed (timings belong in bench/, see ``bench/run``): each case runs in a fresh interpreter
and inspects ``sys.modules`` afterwards. Commands are discovered from the ``cli`` group, so a
subcommand added later is covered too.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# What a ``--help`` must not import: the PDF stack, the HTTP stack, the database, the FHIR models,
# the models and engine of the library (pydantic alone costs about twice ``import click``).
HEAVY = (
    "weasyprint",
    "pydyf",
    "jinja2",
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "psycopg",
    "fhir",
    "fhir_core",
    "pydantic",
    "yaml",
    "dask",
    "distributed",
    "priorauth.evaluate",
    "priorauth.rules",
    "priorauth.facts",
    "priorauth.fhir",
    "priorauth.render",
    "priorauth.service",
    "priorauth.determination",
    "priorauth.pipeline",
)

_RUN = """
import json, sys
from priorauth.cli import cli
try:
    cli(sys.argv[1:], prog_name="priorauth")
except SystemExit:
    pass
sys.stderr.write("\\n" + json.dumps(sorted(sys.modules)))
"""

_COMMANDS = """
import json, click
from priorauth.cli import cli

def walk(group, path):
    for name, command in sorted(group.commands.items()):
        yield [*path, name]
        if isinstance(command, click.Group):
            yield from walk(command, [*path, name])

print(json.dumps(list(walk(cli, []))))
"""


def _heavy(modules: list[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY))


def _commands() -> list[list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", _COMMANDS], capture_output=True, text=True, check=True
    )
    commands: list[list[str]] = json.loads(out.stdout)
    return commands


def test_import_priorauth_loads_only_the_package():
    code = "import sys, priorauth; print(sorted(m for m in sys.modules if 'priorauth' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['priorauth']"


def test_a_lazy_name_loads_its_module_on_first_use():
    code = "import sys, priorauth; priorauth.PriorAuthError; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_commands_are_discovered():
    names = {" ".join(c) for c in _commands()}
    assert {"facts", "evaluate", "letter", "batch", "serve"} <= names


@pytest.mark.parametrize("command", [[], *_commands()], ids=lambda c: " ".join(c) or "priorauth")
def test_help_imports_no_heavy_module(command: list[str]):
    out = subprocess.run(
        [sys.executable, "-c", _RUN, *command, "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "Usage:" in out.stdout
    modules = json.loads(out.stderr.rsplit("\n", 1)[-1])
    assert _heavy(modules) == [], f"`priorauth {' '.join(command)} --help` imports heavy modules"


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        (
            "priorauth.service.batch",
            ("fastapi", "starlette", "uvicorn", "sqlalchemy", "weasyprint"),
        ),
        ("priorauth.service.pipeline", ("fastapi", "weasyprint")),
        ("priorauth.render", ("weasyprint", "jinja2")),
    ],
)
def test_library_modules_load_only_their_stack(module: str, absent: tuple[str, ...]):
    """The batch parent needs neither the HTTP stack nor (until it renders) WeasyPrint."""
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert [m for m in loaded if m.split(".")[0] in absent] == []
