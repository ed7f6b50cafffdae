from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc

import pytest

from priorauth.service.manifest import (
    TEMP_PREFIX,
    Manifest,
    atomic_write,
    remove_stale_temp_files,
)


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.pdf"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_atomic_write_failure_cleans_up(tmp_path, monkeypatch):
    def boom(*_args):
        raise OSError("disk full")

    monkeypatch.setattr("priorauth.service.manifest.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(tmp_path / "a.pdf", b"x")
    assert list(tmp_path.iterdir()) == []


def test_stale_temp_files_are_removed(tmp_path):
    (tmp_path / f"{TEMP_PREFIX}abc.part").write_bytes(b"half")
    (tmp_path / "keep.pdf").write_bytes(b"%PDF")
    assert remove_stale_temp_files(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep.pdf"]


def test_every_recorded_chart_survives_a_kill(tmp_path):
    manifest = Manifest.open(tmp_path)
    manifest.record("a.json", {"key": "1"})
    manifest.record("b.json", {"key": "2"})
    # kill -9: the connection is never closed; a second one sees both commits
    reopened = Manifest.open(tmp_path)
    assert reopened.get("a.json") == {"key": "1"}
    assert reopened.get("b.json") == {"key": "2"}
    assert reopened.get("c.json") is None
    reopened.record("c.json", {"key": "3"})
    reopened.close()
    manifest.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.sqlite"]
    again = Manifest.open(tmp_path)
    assert list(again.charts()) == ["a.json", "b.json", "c.json"]
    again.close()


def test_a_killed_process_leaves_a_manifest_the_next_run_reads(tmp_path):
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from priorauth.service.manifest import Manifest\n"
        "m = Manifest.open(Path(sys.argv[1]))\n"
        "for i in range(50):\n"
        "    m.record(f'{i}.json', {'key': str(i)})\n"
        "os.kill(os.getpid(), 9)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=False)
    assert killed.returncode == -9
    manifest = Manifest.open(tmp_path)
    assert len(manifest) == 50
    assert manifest.get("49.json") == {"key": "49"}
    manifest.close()


def test_later_entries_win(tmp_path):
    manifest = Manifest.open(tmp_path)
    manifest.record("a.json", {"key": "old"})
    manifest.record("a.json", {"key": "new"})
    reopened = Manifest.open(tmp_path)
    assert reopened.get("a.json") == {"key": "new"}
    assert len(reopened) == 1
    reopened.close()
    manifest.close()


def test_lookups_do_not_hold_every_entry_in_memory(tmp_path):
    """20,000 entries of about 1 KB each, as a screen of 20,000 patients records: Python's
    allocations stay far below the 20 MB they would take in memory."""

    def entry(i: int) -> dict[str, object]:
        return {
            "key": f"{i:064x}",
            "row": {"gaps": [f"gap {n} of {i}: " + "x" * 90 for n in range(9)]},
        }

    manifest = Manifest.open(tmp_path)
    tracemalloc.start()
    try:
        for i in range(20_000):
            manifest.record(f"Patient/{i}", entry(i))
            assert manifest.get(f"Patient/{i // 2}") == entry(i // 2)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    manifest.close()
    assert peak < 2_000_000, peak


def test_an_earlier_versions_snapshot_and_journal_are_imported_once(tmp_path):
    snapshot = {"format": 1, "charts": {"a.json": {"key": "1"}, "b.json": {"key": "old"}}}
    (tmp_path / "manifest.json").write_text(json.dumps(snapshot))
    (tmp_path / "manifest.journal").write_text(
        '{"chart": "b.json", "entry": {"key": "2"}}\n{"chart": "c.json", "entry": {"ke'
    )
    manifest = Manifest.open(tmp_path)
    assert manifest.get("a.json") == {"key": "1"}
    assert manifest.get("b.json") == {"key": "2"}  # the journal's entry is the later one
    assert manifest.get("c.json") is None  # a line torn by a crash: that chart is redone
    manifest.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.sqlite"]


@pytest.mark.parametrize("text", ["not json", '{"format": 99, "charts": {}}', "[]"])
def test_an_unreadable_earlier_snapshot_means_redo_everything(tmp_path, text):
    (tmp_path / "manifest.json").write_text(text)
    manifest = Manifest.open(tmp_path)
    assert len(manifest) == 0
    manifest.close()


def test_an_unreadable_database_is_set_aside_and_everything_redone(tmp_path):
    (tmp_path / "manifest.sqlite").write_bytes(b"this is not a database" * 100)
    manifest = Manifest.open(tmp_path)
    assert len(manifest) == 0
    manifest.record("a.json", {"key": "1"})
    manifest.close()
    aside = tmp_path / "manifest.sqlite.unreadable"
    assert aside.read_bytes().startswith(b"this is not a database")
    assert Manifest.open(tmp_path).get("a.json") == {"key": "1"}


def test_a_closed_manifest_says_so(tmp_path):
    manifest = Manifest.open(tmp_path)
    manifest.close()
    with pytest.raises(ValueError, match="closed"):
        manifest.get("a.json")
