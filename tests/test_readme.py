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
