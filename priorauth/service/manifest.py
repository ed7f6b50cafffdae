"""Crash-safe files for the batch runner: atomic writes and the resumable manifest.

:func:`atomic_write` writes a temporary file beside the target and ``os.replace``-s it, so a
reader (or a rerun after ``kill -9``) sees the old file or the new one, never half of one.

The :class:`Manifest` records, per chart, the key its output was made with and what came out.
It is two files in the output folder:

* ``manifest.json`` — a snapshot, rewritten atomically when a run starts and when it ends;
* ``manifest.journal`` — one JSON line appended (and flushed) after each chart.

A run killed midway leaves the snapshot plus a journal; the next run replays the journal (a
torn last line is ignored) and folds it into a new snapshot. Appending a line is O(1), so a run of
100,000 charts does not rewrite a growing file 100,000 times.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["TEMP_PREFIX", "Manifest", "atomic_write", "remove_stale_temp_files"]

TEMP_PREFIX = ".priorauth-tmp-"
SNAPSHOT = "manifest.json"
JOURNAL = "manifest.journal"
FORMAT = 1


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def remove_stale_temp_files(folder: Path) -> int:
    """Delete temporary files a killed run left behind; returns how many."""
    removed = 0
    for stale in folder.glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            stale.unlink()
            removed += 1
    return removed


class Manifest:
    """What each chart's output was made from: ``{chart name: entry}`` persisted in OUT_DIR."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: dict[str, dict[str, Any]] = {}
        self._journal: Any = None

    @classmethod
    def open(cls, folder: Path) -> Manifest:
        """Load snapshot + journal, fold them into a fresh snapshot, start an empty journal."""
        manifest = cls(folder)
        manifest.entries = _read_snapshot(folder / SNAPSHOT)
        manifest.entries.update(_read_journal(folder / JOURNAL))
        manifest.compact()
        manifest._journal = open(folder / JOURNAL, "a", encoding="utf-8")
        return manifest

    def get(self, chart: str) -> dict[str, Any] | None:
        """The entry recorded for ``chart``, if any."""
        return self.entries.get(chart)

    def record(self, chart: str, entry: dict[str, Any]) -> None:
        """Remember ``entry`` for ``chart`` and append it to the journal at once."""
        self.entries[chart] = entry
        line = json.dumps({"chart": chart, "entry": entry}, sort_keys=True) + "\n"
        self._journal.write(line)
        self._journal.flush()

    def compact(self) -> None:
        """Write the snapshot atomically, then empty the journal."""
        body = {"format": FORMAT, "charts": self.entries}
        atomic_write(self.folder / SNAPSHOT, json.dumps(body, indent=1, sort_keys=True).encode())
        if self._journal is not None:
            self._journal.truncate(0)
            self._journal.seek(0)
        else:
            with contextlib.suppress(FileNotFoundError):
                (self.folder / JOURNAL).unlink()

    def close(self) -> None:
        """Compact and close the journal file."""
        self.compact()
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        with contextlib.suppress(FileNotFoundError):
            (self.folder / JOURNAL).unlink()


def _read_snapshot(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # unreadable: every chart is simply redone
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    charts = data.get("charts")
    return (
        {k: v for k, v in charts.items() if isinstance(v, dict)} if isinstance(charts, dict) else {}
    )


def _read_journal(path: Path) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return entries
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue  # a line torn by a crash: that chart is redone
        if isinstance(item, dict) and isinstance(item.get("entry"), dict):
            entries[str(item.get("chart"))] = item["entry"]
    return entries
