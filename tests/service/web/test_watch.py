"""The watched folder (priorauth.service.web.watch): files dropped in a folder are queued as
uploads by ``watched-folder``; a file that cannot be read is set aside with its reason."""

from __future__ import annotations

import datetime as dt
import os
import time
import warnings
from collections.abc import Iterator

import pytest

from priorauth.service.app import create_app
from priorauth.service.config import load_settings
from priorauth.service.web.watch import WATCH_USER, import_folder

from ..conftest import ROOT

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the project pins
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

EXAMPLE = ROOT / "examples" / "trd_meets_policies.json"
CONTRAINDICATED = ROOT / "tests" / "data" / "charts" / "contraindicated.json"
AS_OF = dt.date(2026, 11, 25)


@pytest.fixture
def app(tmp_path):
    audit = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    return create_app(load_settings(env={}, auth=False, audit_url=audit, chart_budget_seconds=0))


def _settled(path, seconds_ago: float = 60) -> None:
    then = time.time() - seconds_ago
    os.utime(path, (then, then))


def test_a_pass_queues_each_chart_and_sets_aside_what_it_cannot_read(app, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a-example.json").write_bytes(EXAMPLE.read_bytes())
    (folder / "b-safety.json").write_bytes(CONTRAINDICATED.read_bytes())
    (folder / "c-broken.json").write_text('{"resourceType": "Bundle", "entry": [')
    (folder / "notes.txt").write_text("not a chart")
    (folder / ".d-copying.json").write_bytes(EXAMPLE.read_bytes())
    for path in folder.iterdir():
        _settled(path)
    (folder / "e-just-written.json").write_bytes(EXAMPLE.read_bytes())  # not settled yet

    web = app.state.web
    done = import_folder(web, folder, as_of=AS_OF)

    assert [(item.name, len(item.request_ids), item.error is None) for item in done] == [
        ("a-example.json", 1, True),
        ("b-safety.json", 1, True),
        ("c-broken.json", 0, False),
    ]
    rows = {row.id: row for row in web.store.rows()}
    statuses = sorted(rows[item.request_ids[0]].status for item in done if item.request_ids)
    assert statuses == ["meets", "safety_hold"]
    assert {row.last_actor for row in rows.values()} == {WATCH_USER}
    assert sorted(p.name for p in (folder / "imported").iterdir()) == [
        "a-example.json",
        "b-safety.json",
    ]
    assert sorted(p.name for p in (folder / "failed").iterdir()) == [
        "c-broken.json",
        "c-broken.json.error.txt",
    ]
    reason = (folder / "failed" / "c-broken.json.error.txt").read_text()
    assert reason.startswith("c-broken.json: ")
    assert reason.count("\n") == 1
    left = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert left == [".d-copying.json", "e-just-written.json", "notes.txt"]
    events = web.handler.audit.events(limit=20)
    assert sorted((e.action, e.outcome) for e in events) == [
        ("web-watched-folder", "error"),
        ("web-watched-folder", "meets"),
        ("web-watched-folder", "safety_hold"),
    ]
    assert {e.key_id for e in events} == {f"user:{WATCH_USER}"}


def test_a_file_of_the_same_name_later_does_not_overwrite_the_first(app, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    web = app.state.web
    for _ in range(2):
        (folder / "chart.json").write_bytes(EXAMPLE.read_bytes())
        _settled(folder / "chart.json")
        import_folder(web, folder, as_of=AS_OF)
    assert sorted(p.name for p in (folder / "imported").iterdir()) == ["chart.1.json", "chart.json"]
    assert len(web.store.rows()) == 2


@pytest.fixture
def watching(tmp_path) -> Iterator[tuple[TestClient, object]]:
    folder = tmp_path / "watched"
    audit = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    settings = load_settings(
        env={"PRIORAUTH_WATCH_DIR": str(folder), "PRIORAUTH_WATCH_SECONDS": "0.2"},
        auth=False,
        audit_url=audit,
        chart_budget_seconds=0,
    )
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver") as client:
        yield client, folder


def test_the_server_watches_its_folder_while_it_runs(watching):
    client, folder = watching
    deadline = time.monotonic() + 30
    while not folder.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    (folder / "chart.json").write_bytes(EXAMPLE.read_bytes())
    _settled(folder / "chart.json")
    store = client.app.state.web.store
    while not store.rows() and time.monotonic() < deadline:
        time.sleep(0.2)
    [row] = store.rows()
    assert (row.status, row.last_actor) == ("meets", WATCH_USER)
    assert (folder / "imported" / "chart.json").exists()
