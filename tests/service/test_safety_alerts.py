"""Safety alerts over HTTP, through a real ``priorauth serve`` process (docs/safety.md).

The chart is the example with one change: PHQ-9 item 9 on the latest PHQ-9 answered "Nearly
every day" (LOINC LA6571-9). The JSON determination puts the status and the alerts first; a
letter is refused with the urgent alert as the first issue; a forced draft still renders; a
review of an absolute alert is a 400.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import Server, auth_header

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads((ROOT / "examples" / "trd_meets_policies.json").read_bytes())
AS_OF = "2026-11-25"
HEADERS = {"Content-Type": "application/fhir+json", **auth_header()}
NEARLY_EVERY_DAY = {
    "system": "http://loinc.org",
    "code": "LA6571-9",
    "display": "Nearly every day",
}


def with_item9_nearly_every_day() -> dict[str, Any]:
    chart = copy.deepcopy(EXAMPLE)
    item9 = [
        component
        for entry in chart["entry"]
        if entry["resource"].get("effectiveDateTime", "").startswith("2026-11-10")
        for component in entry["resource"].get("component", [])
        if component["code"]["coding"][0]["code"] == "44260-8"
    ]
    assert len(item9) == 1, "the example's latest PHQ-9 carries item 9"
    item9[0]["valueCodeableConcept"] = {"coding": [NEARLY_EVERY_DAY]}
    return chart


@pytest.fixture(scope="module")
def suicidal_chart() -> bytes:
    return json.dumps(with_item9_nearly_every_day()).encode()


def test_evaluate_puts_the_urgent_alert_first(server: Server, suicidal_chart: bytes) -> None:
    with server.client() as client:
        reply = client.post(
            "/evaluate",
            params={"payer": "auto", "as_of": AS_OF},
            content=suicidal_chart,
            headers=HEADERS,
        )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert list(body)[:2] == ["status", "alerts"]
    assert body["status"] == "safety_hold"
    first = body["alerts"][0]
    assert (first["id"], first["level"], first["urgent"]) == (
        "acute-suicide-risk",
        "absolute",
        True,
    )
    assert "PHQ-9 item 9 answered 3 (nearly every day)" in first["message"]
    assert "not the path for an emergency" in first["action"]


def test_evaluate_all_holds_every_policy(server: Server, suicidal_chart: bytes) -> None:
    with server.client() as client:
        reply = client.post(
            "/evaluate",
            params={"payer": "all", "as_of": AS_OF},
            content=suicidal_chart,
            headers=HEADERS,
        )
    determinations = reply.json()["determinations"]
    assert {d["status"] for d in determinations} == {"safety_hold"}


def test_a_letter_is_refused_with_the_alert_as_the_first_issue(
    server: Server, suicidal_chart: bytes
) -> None:
    with server.client() as client:
        reply = client.post(
            "/letters",
            params={"payer": "auto", "as_of": AS_OF},
            content=suicidal_chart,
            headers=HEADERS,
        )
    assert reply.status_code == 422
    issues = reply.json()["issue"]
    assert issues[0]["diagnostics"].startswith("URGENT: safety_hold")
    assert issues[1]["severity"] == "fatal"
    assert "acute-suicide-risk" in issues[1]["diagnostics"]


def test_a_forced_draft_carries_the_alert(server: Server, suicidal_chart: bytes) -> None:
    with server.client() as client:
        reply = client.post(
            "/letters",
            params={"payer": "auto", "as_of": AS_OF, "force": "true", "format": "html"},
            content=suicidal_chart,
            headers=HEADERS,
        )
    assert reply.status_code == 200, reply.text
    assert "acute suicide risk" in reply.text.lower()


def test_an_absolute_alert_cannot_be_reviewed_away(server: Server, suicidal_chart: bytes) -> None:
    with server.client() as client:
        reply = client.post(
            "/evaluate",
            params={
                "payer": "auto",
                "as_of": AS_OF,
                "reviewed": "acute-suicide-risk",
                "reviewer": "Dr. Morgan Samplewood, MD",
            },
            content=suicidal_chart,
            headers=HEADERS,
        )
    assert reply.status_code == 400
    assert "cannot be cleared by review" in reply.text


def test_reviewed_needs_a_reviewer(server: Server, suicidal_chart: bytes) -> None:
    with server.client() as client:
        reply = client.post(
            "/evaluate",
            params={"payer": "auto", "as_of": AS_OF, "reviewed": "pregnancy"},
            content=suicidal_chart,
            headers=HEADERS,
        )
    assert reply.status_code == 400
    assert reply.json()["issue"][0]["expression"] == ["http.reviewer"]
