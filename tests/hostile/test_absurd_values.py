"""Values no chart can hold (issue 15): a code of 80,000 characters, a dosage text that is a
48 KB run of digits. The HTTP service refuses the chart (422 naming the JSON path); the CLI and
the library note them and read on; ``--strict`` refuses them too. See docs/hostile-input.md."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the project pins
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

from priorauth.cli import cli
from priorauth.errors import ChartError
from priorauth.pipeline import chart_facts
from priorauth.service.app import create_app
from priorauth.service.config import load_settings

AS_OF = dt.date(2026, 11, 25)
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
ORDER = 6  # entry[6]: a MedicationRequest
CONDITION = 5  # entry[5]: the depression Condition


def digits(chart: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The dose-digits chart: the first order's dosage text is a 48 KB run of digits."""
    chart["entry"][ORDER]["resource"]["dosageInstruction"][0]["text"] = "1" * 48_000
    return chart, f"entry[{ORDER}].resource.dosageInstruction[0].text"


def long_code(chart: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The long-code chart: the diagnosis code is 80,000 characters long."""
    condition = chart["entry"][CONDITION]["resource"]
    condition["code"] = {"coding": [{"system": ICD10, "code": "F" + "3" * 80_000}]}
    return chart, f"entry[{CONDITION}].resource.code.coding[0].code"


MAKERS = {"digits": (digits, "number-too-long"), "code": (long_code, "code-too-long")}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_the_library_notes_an_absurd_value_and_reads_on(chart: dict[str, Any], kind: str) -> None:
    make, code = MAKERS[kind]
    bad, where = make(chart)
    record = chart_facts(bad, as_of=AS_OF)
    [note] = [n for n in record.notes if n.code == code]
    assert (note.severity, note.location) == ("error", where)
    assert note.resource is not None
    assert note.resource in note.message
    assert record.patient.ref is not None  # the rest of the chart was read


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_refuse_absurd_refuses_the_chart_naming_the_path(chart: dict[str, Any], kind: str) -> None:
    make, _code = MAKERS[kind]
    bad, where = make(chart)
    with pytest.raises(ChartError) as caught:
        chart_facts(bad, as_of=AS_OF, refuse_absurd=True, source_name="<request>")
    assert caught.value.location == where
    assert "1111111111111111" not in str(caught.value)
    assert "3333333333333333" not in str(caught.value)


def test_a_code_of_256_characters_is_still_read(chart: dict[str, Any]) -> None:
    condition = chart["entry"][CONDITION]["resource"]
    condition["code"]["coding"][0]["code"] = "F" + "3" * 255
    record = chart_facts(chart, as_of=AS_OF, refuse_absurd=True)
    assert "code-too-long" not in {n.code for n in record.notes}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_the_cli_notes_and_strict_refuses(tmp_path: Path, chart: dict[str, Any], kind: str) -> None:
    make, code = MAKERS[kind]
    bad, where = make(chart)
    path = tmp_path / "chart.json"
    path.write_text(json.dumps(bad))
    runner = CliRunner()
    lenient = runner.invoke(cli, ["facts", str(path), "--as-of", str(AS_OF), "--json"])
    assert lenient.exit_code == 0, lenient.output[:500]
    assert code in {note["code"] for note in json.loads(lenient.output)["notes"]}
    strict = runner.invoke(cli, ["facts", str(path), "--as-of", str(AS_OF), "--strict"])
    assert strict.exit_code == 1
    assert strict.output.startswith(f"error: chart.json: {where}: ")
    assert len(strict.output.splitlines()) == 1


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_the_service_answers_422_naming_the_path(
    tmp_path: Path, chart: dict[str, Any], kind: str
) -> None:
    make, _code = MAKERS[kind]
    bad, where = make(chart)
    env = {
        "PRIORAUTH_AUTH": "false",
        "PRIORAUTH_AUDIT_URL": f"sqlite:///{tmp_path / 'audit.sqlite'}",
        "PRIORAUTH_CHART_BUDGET_SECONDS": "0",  # in-process: the pool is tested in tests/service
    }
    with TestClient(create_app(load_settings(env=env)), raise_server_exceptions=False) as client:
        response = client.post(
            f"/evaluate?payer=auto&as_of={AS_OF}",
            content=json.dumps(bad),
            headers={"Content-Type": "application/fhir+json"},
        )
    assert response.status_code == 422, response.text[:300]
    [issue] = response.json()["issue"]
    assert issue["code"] == "invalid"
    assert issue["expression"] == [f"Bundle.{where}"]
