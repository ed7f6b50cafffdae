"""Screenshots of every staff page in the system Chromium at 1280x800 (PNG).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--full-page]

Starts ``priorauth serve`` on a free loopback port with a fresh SQLite database, creates a
clinician, fills the practice settings, uploads ``examples/trd_meets_policies.json`` and
``tests/data/charts/contraindicated.json``, confirms the attestations, and saves one PNG per
page: login, queue, request (ready to submit), request (safety hold), request (an alert for
clinician review), evidence, settings, docs.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
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


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(tmp: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    port, audit = _port(), f"sqlite:///{tmp / 'audit.sqlite'}"
    env = {**os.environ, "PRIORAUTH_AUDIT_URL": audit, "PRIORAUTH_AUTH": "false"}
    command = [sys.executable, "-m", "priorauth", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url, audit
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def _shoot(page: Page, out: Path, name: str, full: bool) -> None:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def _upload(page: Page, chart: Path) -> None:
    page.goto("/web/")
    page.get_by_label("Chart file").set_input_files(str(chart))
    page.get_by_label("Request date").fill("2026-11-25")
    page.get_by_role("button", name="Upload and review").click()
    page.wait_for_url("**/web/requests/*")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--full-page", action="store_true", help="Whole pages, not the viewport.")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from priorauth.service.web.users import add_user_at

    with tempfile.TemporaryDirectory() as tmp:
        process, url, audit = _serve(Path(tmp))
        try:
            add_user_at(audit, "dana", "clinician", PASSWORD)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
                page = context.new_page()
                _tour(page, args.out, args.full_page)
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=20)


def _tour(page: Page, out: Path, full: bool) -> None:
    page.goto("/web/login")
    _shoot(page, out, "1-login", full)
    page.get_by_label("User name").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/web/settings")
    for label, value in {
        "Practice name": "Lakeside Neuromodulation Clinic",
        "Phone": "(555) 201-4400",
        "Practice NPI": "1234567893",
        "Tax identification number (TIN)": "12-3456789",
        "Signing clinician": "Dana Reyes",
        "Credentials": "MD",
    }.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save settings").click()
    _shoot(page, out, "6-settings", full)
    _upload(page, ROOT / "tests" / "data" / "charts" / "contraindicated.json")
    _shoot(page, out, "4-request-safety-hold", full)
    _upload(page, ROOT / "tests" / "data" / "charts" / "safety" / "pregnancy.json")
    _shoot(page, out, "4b-request-clinician-review", full)
    _upload(page, ROOT / "examples" / "trd_meets_policies.json")
    boxes = page.locator("#attestations input[type=checkbox]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.get_by_role("button", name="Confirm attestations").click()
    page.wait_for_load_state()
    page.evaluate("window.scrollTo(0, 0)")
    _shoot(page, out, "3-request", full)
    page.locator("#attestations").scroll_into_view_if_needed()
    _shoot(page, out, "3b-request-attestations", False)
    page.locator("[data-section=criteria] .evidence a").first.click()
    _shoot(page, out, "5-evidence", full)
    page.goto("/web/")
    _shoot(page, out, "2-queue", full)
    page.goto("/docs")
    page.get_by_role("button", name="Authorize").first.wait_for()
    _shoot(page, out, "7-docs", full)


if __name__ == "__main__":
    main()
