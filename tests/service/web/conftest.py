"""Fixtures for the staff pages: a real ``priorauth serve`` process with staff users, and the
system Chromium (Debian's ``chromium`` package, which .ci/run installs) driven by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium. Without it the
browser tests fail in CI (CI=true) and are skipped, with the reason, on a developer's machine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from priorauth.service.web.users import add_user_at

from ..conftest import ROOT, Server, start_server, stop_server

CHROMIUM = Path(os.environ.get("PRIORAUTH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"
CLINICIAN = "dana"
BILLING = "sam"
EXAMPLE = ROOT / "examples" / "trd_meets_policies.json"
CONTRAINDICATED = ROOT / "tests" / "data" / "charts" / "contraindicated.json"
AS_OF = "2026-11-25"


@pytest.fixture(scope="package")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the package's tests, with a clinician and a billing user."""
    running = start_server(tmp_path_factory.mktemp("web"))
    add_user_at(running.audit_url, CLINICIAN, "clinician", PASSWORD)
    add_user_at(running.audit_url, BILLING, "billing", PASSWORD)
    yield running
    stop_server(running)


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """The system Chromium, headless."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium chromium-driver (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, web_server: Server) -> Iterator[object]:
    """A fresh browser context (no cookies) at 1280x800, pointed at the server."""
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=web_server.url, viewport={"width": 1280, "height": 800}, accept_downloads=True
    )
    context.set_default_timeout(30_000)
    opened = context.new_page()
    yield opened
    context.close()


def log_in(page, username: str) -> None:
    """Log in with the keyboard only: the name field has focus, Tab to the password, Enter."""
    page.goto("/web/login")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'username'")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/web/$"))


def upload(page, chart: Path) -> str:
    """Upload ``chart`` from the queue page; returns the request page's URL."""
    page.goto("/web/")
    page.get_by_label("Chart file").set_input_files(str(chart))
    page.get_by_label("Request date").fill(AS_OF)
    page.get_by_role("button", name="Upload and review").click()
    page.wait_for_url(re.compile(r".*/web/requests/[0-9a-f]{32}$"))
    return str(page.url)
