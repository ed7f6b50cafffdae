"""axe-core (the copy the ``axe-playwright-python`` package ships) on every staff page, in
Chromium at 1280x800: no serious or critical violation, contrast (WCAG 2.1 AA) included."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import CLINICIAN, CONTRAINDICATED, EXAMPLE, ROOT, log_in, upload

PREGNANCY = ROOT / "tests" / "data" / "charts" / "safety" / "pregnancy.json"

pytestmark = pytest.mark.slow

WCAG = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    }
}


def _serious(page) -> list[str]:
    results = Axe().run(page, options={**WCAG, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_page_has_no_serious_violation(page):
    page.goto("/web/login")
    found = {"login": _serious(page)}
    log_in(page, CLINICIAN)
    upload(page, CONTRAINDICATED)
    found["request with alerts"] = _serious(page)
    upload(page, PREGNANCY)
    found["request with an alert to review"] = _serious(page)
    upload(page, EXAMPLE)
    found["request"] = _serious(page)
    page.locator("[data-section=criteria] .evidence a").first.click()
    page.wait_for_url("**/resources/**")
    found["evidence"] = _serious(page)
    page.goto("/web/")
    found["queue"] = _serious(page)
    page.goto("/web/settings")
    found["settings"] = _serious(page)
    page.get_by_label("Practice NPI").fill("12")
    page.get_by_role("button", name="Save settings").click()
    found["settings with an error"] = _serious(page)
    assert found == {key: [] for key in found}


def test_keyboard_reaches_the_main_content_and_every_control(page):
    log_in(page, CLINICIAN)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    reached = set()
    for _ in range(25):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate("document.activeElement.id || document.activeElement.textContent")
        )
    assert {"chart", "payer", "as_of", "Upload and review", "q", "status"} <= reached
