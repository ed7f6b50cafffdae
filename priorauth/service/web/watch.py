"""The watched folder: chart files an EHR export job (or a person) drops into a folder are queued
as if uploaded on the work-queue page, by the user ``watched-folder``.

Each pass takes every settled chart file (``.json``, ``.ndjson``, ``.zip``; not a dotfile, not
modified in the last ``settle_seconds``, so a file still being copied is left for the next pass),
claims it by renaming it into ``.claimed/`` (atomic: of several server workers watching the same
folder, one takes it), queues it (one request per patient, one audit row each, as an upload) and
moves it to ``imported/`` — or, when it cannot be read, to ``failed/`` with a ``.error.txt``
beside it giving the reason in one line. Nothing is lost silently: every file ends in one of
the two folders. File names may hold patient names, so the server log gets counts only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from priorauth.errors import PriorAuthError
from priorauth.service.web.actions import Web, queue_chart

__all__ = ["WATCH_USER", "Imported", "import_folder", "watch_folder"]

log = logging.getLogger(__name__)

WATCH_USER = "watched-folder"
"""The queue's "who" (and the audit rows' ``key_id`` ``user:watched-folder``)."""
CHART_SUFFIXES = frozenset({".json", ".ndjson", ".zip"})
CLAIMED, IMPORTED, FAILED = ".claimed", "imported", "failed"


@dataclass(frozen=True)
class Imported:
    """One file of a pass: where it went and what it became."""

    name: str
    request_ids: tuple[str, ...] = ()
    error: str | None = None


def import_folder(
    web: Web, folder: Path, *, as_of: dt.date, settle_seconds: float = 2.0, now: float | None = None
) -> list[Imported]:
    """Queue every settled chart file of ``folder`` (one pass); see the module docstring."""
    moment = time.time() if now is None else now
    done = []
    for path in sorted(folder.iterdir()):
        if not _is_chart_file(path, moment - settle_seconds):
            continue
        claimed = _claim(path, folder / CLAIMED)
        if claimed is not None:
            done.append(_import_one(web, claimed, folder, as_of))
    return done


def _is_chart_file(path: Path, settled_before: float) -> bool:
    if path.name.startswith(".") or path.suffix.lower() not in CHART_SUFFIXES:
        return False
    try:
        stat = path.stat()
    except FileNotFoundError:  # taken by another worker meanwhile
        return False
    return path.is_file() and stat.st_mtime <= settled_before


def _claim(path: Path, claimed_dir: Path) -> Path | None:
    claimed_dir.mkdir(exist_ok=True)
    target = claimed_dir / path.name
    try:
        os.rename(path, target)
    except FileNotFoundError:  # another worker claimed it first
        return None
    return target


def _import_one(web: Web, path: Path, folder: Path, as_of: dt.date) -> Imported:
    started = time.perf_counter()
    limit = web.handler.settings.max_body_bytes
    error: str | None = None
    ids: list[str] = []
    if path.stat().st_size > limit:
        error = f"{path.name}: larger than the upload limit ({limit} bytes); not read"
    else:
        try:
            ids = queue_chart(
                web,
                path.read_bytes(),
                as_of=as_of,
                payer="auto",
                username=WATCH_USER,
                request_id=uuid.uuid4().hex[:16],
                started=started,
                action="web-watched-folder",
            )
        except PriorAuthError as exc:
            error = f"{path.name}: {exc}"
    if error is None:
        _move(path, folder / IMPORTED)
        return Imported(path.name, tuple(ids))
    web.record(uuid.uuid4().hex[:16], WATCH_USER, "web-watched-folder", started, outcome="error")
    moved = _move(path, folder / FAILED)
    moved.with_name(moved.name + ".error.txt").write_text(" ".join(error.split()) + "\n")
    return Imported(path.name, error=error)


def _move(path: Path, into: Path) -> Path:
    """Move ``path`` into ``into``, never over an earlier file of the same name."""
    into.mkdir(exist_ok=True)
    target = into / path.name
    n = 1
    while target.exists():
        target = into / f"{path.stem}.{n}{path.suffix}"
        n += 1
    os.replace(path, target)
    return target


async def watch_folder(web: Web, folder: Path, every_seconds: float) -> None:
    """Run :func:`import_folder` on ``folder`` every ``every_seconds`` until cancelled (the
    server's lifespan starts and cancels it); the as-of date is each pass's UTC date."""
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        try:
            done = await web.run(lambda: import_folder(web, folder, as_of=web.today()))
        except OSError as exc:  # the folder went away or is unreadable: say so, keep watching
            log.warning("watched folder: %s", exc.strerror or type(exc).__name__)
        else:
            if done:
                failed = sum(1 for item in done if item.error)
                queued = sum(len(item.request_ids) for item in done)
                log.info(
                    "watched folder: %d file(s), %d request(s) queued, %d failed",
                    len(done),
                    queued,
                    failed,
                )
        await asyncio.sleep(every_seconds)
