"""Text that goes into errors and notes: one printable line, no patient names from file names."""

from __future__ import annotations

import re

_NAMED_UUID_FILE = re.compile(
    r"[^/\\]+_([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"\.[A-Za-z]+)"
)


def file_label(name: str) -> str:
    """A file name fit for notes and errors: Synthea-style ``Given_Family_<uuid>.json`` names
    lose the person's name and keep the uuid; other names are kept, on one line.

    >>> file_label("Milan_Beatty_e78d0ed2-1b54-4c30-90ae-f7405af1e402.json")
    'e78d0ed2-1b54-4c30-90ae-f7405af1e402.json'
    >>> file_label("Patient.000.ndjson"), file_label("chart.json")
    ('Patient.000.ndjson', 'chart.json')
    """
    match = _NAMED_UUID_FILE.fullmatch(name)
    return one_line(match.group(1) if match else name)


def one_line(text: str) -> str:
    """Escape control characters and lone surrogates; keep other characters as they are.

    >>> one_line("chart\\n.json"), one_line("café.json")
    ('chart\\\\n.json', 'café.json')
    """
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )
