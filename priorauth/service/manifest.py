"""Crash-safe files for the batch runner: atomic writes and the resumable manifest.

:func:`atomic_write` writes a temporary file beside the target and ``os.replace``-s it, so a
reader (or a rerun after ``kill -9``) sees the old file or the new one, never half of one.

The :class:`Manifest` records, per chart, the key its output was made with and what came out,
in ``manifest.sqlite`` in the output folder (SQLite, from Python's standard library): one row per
chart, each written in a transaction of its own as soon as the chart is done, so a run killed at
any point keeps every chart finished before the kill and the next run skips them. A lookup reads
the one row asked for: the run's memory does not grow with the charts it has done (a dict of
every entry, as this module kept before, held about 2.1 KB per patient: 42.7 MB for a
20,000-patient screen). Read it with any SQLite client: ``select chart, entry from charts``.

Earlier versions kept ``manifest.json`` (a snapshot) and ``manifest.journal`` (a line per chart);
opening a folder that has them imports their entries once and removes them.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["TEMP_PREFIX", "Manifest", "atomic_write", "remove_stale_temp_files"]

TEMP_PREFIX = ".priorauth-tmp-"
DATABASE = "manifest.sqlite"
UNREADABLE = "manifest.sqlite.unreadable"
"""Where an unreadable database is moved, so that the run can start a new one."""
SNAPSHOT = "manifest.json"
JOURNAL = "manifest.journal"
FORMAT = 1
"""The format of ``manifest.json`` (earlier versions), imported on opening."""


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
    """What each chart's output was made from: ``{chart name: entry}`` in ``manifest.sqlite``."""

    def __init__(self, folder: Path, connection: sqlite3.Connection) -> None:
        self.folder = folder
        self._db: sqlite3.Connection | None = connection

    @classmethod
    def open(cls, folder: Path) -> Manifest:
        """Open (or create) the folder's manifest, importing an earlier version's files.

        A database SQLite cannot read is moved to ``manifest.sqlite.unreadable`` and a new one
        started: every chart is then simply redone.
        """
        try:
            connection = _connect(folder / DATABASE)
        except sqlite3.DatabaseError:
            _set_aside(folder / DATABASE)
            connection = _connect(folder / DATABASE)
        manifest = cls(folder, connection)
        manifest._import_earlier_files()
        return manifest

    def get(self, chart: str) -> dict[str, Any] | None:
        """The entry recorded for ``chart``, if any."""
        row = (
            self._connection()
            .execute("select entry from charts where chart = ?", (chart,))
            .fetchone()
        )
        return _entry(row[0]) if row is not None else None

    def record(self, chart: str, entry: dict[str, Any]) -> None:
        """Remember ``entry`` for ``chart``, committed at once (a later entry replaces it)."""
        self._connection().execute(
            "insert or replace into charts (chart, entry) values (?, ?)",
            (chart, json.dumps(entry, sort_keys=True)),
        )

    def charts(self) -> Iterator[str]:
        """The names of the charts recorded, in name order."""
        for (chart,) in self._connection().execute("select chart from charts order by chart"):
            yield chart

    def __len__(self) -> int:
        (count,) = self._connection().execute("select count(*) from charts").fetchone()
        return int(count)

    def close(self) -> None:
        """Close the database (SQLite folds its write-ahead log into the file)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise ValueError(f"the manifest in {self.folder} is closed")
        return self._db

    def _import_earlier_files(self) -> None:
        """Fold ``manifest.json`` and ``manifest.journal`` (earlier versions) in, then remove
        them; the journal's entries are the later ones."""
        snapshot, journal = self.folder / SNAPSHOT, self.folder / JOURNAL
        if not snapshot.exists() and not journal.exists():
            return
        entries = _read_snapshot(snapshot)
        entries.update(_read_journal(journal))
        with self._connection() as connection:  # one transaction for them all
            connection.execute("begin")
            connection.executemany(
                "insert or replace into charts (chart, entry) values (?, ?)",
                ((chart, json.dumps(entry, sort_keys=True)) for chart, entry in entries.items()),
            )
        for path in (journal, snapshot):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _connect(path: Path) -> sqlite3.Connection:
    """The manifest's database, in autocommit mode (each statement its own transaction) with a
    write-ahead log: a commit survives the process being killed."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("pragma journal_mode = wal")
        connection.execute("pragma synchronous = normal")
        connection.execute(
            "create table if not exists charts (chart text primary key, entry text not null)"
        )
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return connection


def _set_aside(path: Path) -> None:
    os.replace(path, path.with_name(UNREADABLE))
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


def _entry(text: object) -> dict[str, Any] | None:
    """A stored entry; None when it is not a JSON object (that chart is redone)."""
    try:
        entry = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


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
