"""The README's library example runs as written (from the repository root)."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_library_example_runs_and_writes_a_pdf():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    namespace: dict[str, object] = {}
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        exec(compile(block, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert isinstance(namespace["pdf"], bytes)
    assert namespace["pdf"].startswith(b"%PDF-")
    assert namespace["determination"].status == "meets"


def test_the_demo_letter_is_the_readmes_letter(tmp_path):
    """`scripts/setup` installs HarfBuzz's subsetter as `.ci/run` does, so the letter a newcomer
    renders is the README's, byte count included."""
    import pytest
    from click.testing import CliRunner

    from priorauth.cli import cli
    from priorauth.render.pdf import HARFBUZZ_SUBSET

    if not HARFBUZZ_SUBSET:
        pytest.skip("libharfbuzz-subset0 is not installed (scripts/setup installs it as root)")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = re.findall(r"^wrote out/letter\.pdf \(.*\)$", readme, flags=re.M)
    command = re.search(r"^\$ priorauth (letter .* -o out/letter\.pdf)$", readme, flags=re.M)
    assert command is not None
    args = command.group(1).replace("out/letter.pdf", str(tmp_path / "letter.pdf")).split()
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(cli, args)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    wrote = result.stderr.strip().splitlines()[-1]
    assert wrote.replace(str(tmp_path / "letter.pdf"), "out/letter.pdf") == line
