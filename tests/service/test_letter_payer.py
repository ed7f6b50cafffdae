"""HTTP and batch never choose among several policies, and never address another payer.

In-process app (the same Handler the server runs); charts from tests/render/test_letter_payer.py.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from priorauth.cli import cli
from priorauth.service.app import create_app
from priorauth.service.config import load_settings

from ..render.test_letter_payer import EXAMPLE, MEDICARE
from .conftest import auth_header, key_env

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

HEADERS = {"Content-Type": "application/fhir+json", **auth_header()}
AS_OF = "2026-11-25"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("letters")
    env = {**key_env(), "PRIORAUTH_AUDIT_URL": f"sqlite:///{tmp / 'audit.sqlite'}"}
    with TestClient(create_app(load_settings(env=env)), raise_server_exceptions=False) as c:
        yield c


def post(client, path, chart, **params):
    query = {"as_of": AS_OF, **params}
    return client.post(path, content=json.dumps(chart), headers=HEADERS, params=query)


def test_letters_auto_with_two_lcds_is_409_listing_them(client):
    reply = post(client, "/letters", MEDICARE, payer="auto", format="json")
    assert reply.status_code == 409, reply.text
    outcome = reply.json()
    assert outcome["resourceType"] == "OperationOutcome"
    first, *rest = outcome["issue"]
    assert first["code"] == "multiple-matches"
    assert "l34522-tms-2022, l34998-tms-2022" in first["diagnostics"]
    assert "payer=POLICY_ID" in first["diagnostics"]
    listed = " ".join(i["diagnostics"] for i in rest)
    assert "l34522-tms-2022" in listed
    assert "l34998-tms-2022" in listed


def test_pas_auto_with_two_lcds_is_409_like_the_letter(client):
    reply = post(client, "/pas", MEDICARE, payer="auto")
    assert reply.status_code == 409, reply.text
    first, *rest = reply.json()["issue"]
    assert first["code"] == "multiple-matches"
    assert "l34522-tms-2022, l34998-tms-2022" in first["diagnostics"]
    assert len(rest) == 2
    chosen = post(client, "/pas", MEDICARE, payer="l34998-tms-2022")
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["resourceType"] == "Bundle"


def test_pas_for_a_payer_not_on_the_chart_is_400_unless_allowed(client):
    reply = post(client, "/pas", EXAMPLE, payer="en0383-tms-2026")
    assert reply.status_code == 400, reply.text
    assert "allow_uncovered_payer=true" in reply.json()["issue"][0]["diagnostics"]
    allowed = post(client, "/pas", EXAMPLE, payer="en0383-tms-2026", allow_uncovered_payer="true")
    assert allowed.status_code == 200, allowed.text


def test_evaluate_auto_with_two_lcds_returns_both(client):
    reply = post(client, "/evaluate", MEDICARE, payer="auto")
    assert reply.status_code == 200, reply.text
    assert [d["policy"]["id"] for d in reply.json()["determinations"]] == [
        "l34522-tms-2022",
        "l34998-tms-2022",
    ]


def test_letter_for_a_payer_not_on_the_chart_is_400_unless_allowed(client):
    reply = post(client, "/letters", EXAMPLE, payer="en0383-tms-2026", format="html")
    assert reply.status_code == 400, reply.text
    assert "allow_uncovered_payer=true" in reply.json()["issue"][0]["diagnostics"]
    reply = post(
        client,
        "/letters",
        EXAMPLE,
        payer="en0383-tms-2026",
        format="html",
        force="true",
        allow_uncovered_payer="true",
    )
    assert reply.status_code == 200, reply.text
    assert "Evernorth / Cigna" in reply.text
    assert "Aetna" not in reply.text


def test_batch_refuses_to_choose_and_exits_2(tmp_path: Path):
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "medicare.json").write_text(json.dumps(MEDICARE))
    out = tmp_path / "out"
    args = ["batch", str(charts), "-o", str(out), "--as-of", AS_OF, "--no-audit", "-j", "1"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert "l34522-tms-2022, l34998-tms-2022" in result.output
    (row,) = json.loads((out / "summary.json").read_text())
    assert row["status"] == "ambiguous"
    assert not (out / "medicare.pdf").exists()
