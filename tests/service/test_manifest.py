from __future__ import annotations

import json

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


def test_journal_survives_a_crash_and_is_folded_in(tmp_path):
    manifest = Manifest.open(tmp_path)
    manifest.record("a.json", {"key": "1"})
    manifest.record("b.json", {"key": "2"})
    manifest._journal.close()  # kill -9: no compaction, and a torn last line
    with (tmp_path / "manifest.journal").open("a") as journal:
        journal.write('{"chart": "c.json", "entry": {"ke')
    reopened = Manifest.open(tmp_path)
    assert reopened.get("a.json") == {"key": "1"}
    assert reopened.get("b.json") == {"key": "2"}
    assert reopened.get("c.json") is None
    snapshot = json.loads((tmp_path / "manifest.json").read_text())
    assert set(snapshot["charts"]) == {"a.json", "b.json"}
    assert (tmp_path / "manifest.journal").read_text() == ""
    reopened.record("c.json", {"key": "3"})
    reopened.close()
    assert json.loads((tmp_path / "manifest.json").read_text())["charts"]["c.json"] == {"key": "3"}
    assert not (tmp_path / "manifest.journal").exists()


def test_later_entries_win(tmp_path):
    manifest = Manifest.open(tmp_path)
    manifest.record("a.json", {"key": "old"})
    manifest.record("a.json", {"key": "new"})
    manifest._journal.close()
    reopened = Manifest.open(tmp_path)
    assert reopened.get("a.json") == {"key": "new"}
    reopened.close()


@pytest.mark.parametrize("text", ["not json", '{"format": 99, "charts": {}}', "[]"])
def test_unreadable_snapshot_means_redo_everything(tmp_path, text):
    (tmp_path / "manifest.json").write_text(text)
    manifest = Manifest.open(tmp_path)
    assert manifest.entries == {}
    manifest.close()
