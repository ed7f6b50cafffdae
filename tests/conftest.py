"""Fixtures shared by every test folder: multi-patient bulk exports built from tests/data.

``mixed_export`` is the 13-patient Synthea bulk export (tests/data/fixtures, CC0) plus hand-made
TRD charts (tests/data/charts, examples/) turned into bulk-export NDJSON: each chart's ids get a
prefix (so the safety charts, which share the example patient's ids, stay apart) and its
``urn:uuid`` / absolute references become ``Type/id``, as an EHR's $export writes them. Built in
a temporary folder per test session; nothing generated is committed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parent / "data"
REPO = DATA.parents[1]
SYNTHEA_BULK = DATA / "fixtures" / "synthea_bulk_10pt_ndjson"
TRD_BULK = DATA / "charts" / "bulk_ndjson"
TRD_CHARTS = {
    "meets": REPO / "examples" / "trd_meets_policies.json",
    "teen": DATA / "charts" / "teen_trd.json",
    "dead": DATA / "charts" / "safety" / "deceased.json",
    "ended": DATA / "charts" / "safety" / "coverage_ended.json",
    "cssrs": DATA / "charts" / "safety" / "cssrs_positive.json",
    "noscreen": DATA / "charts" / "safety" / "no_suicide_screen.json",
}
"""prefix → chart: a patient who meets, a teenager, a deceased patient, an ended coverage, a
positive suicide screen (a safety hold) and a missing suicide screen."""


def bundle_lines(bundle: dict[str, Any], prefix: str) -> Iterator[dict[str, Any]]:
    """The bundle's resources with ids ``<prefix>-<id>`` and references rewritten to match."""
    renamed: dict[str, str] = {}
    resources = [entry["resource"] for entry in bundle["entry"]]
    for entry, resource in zip(bundle["entry"], resources, strict=True):
        new = f"{resource['resourceType']}/{prefix}-{resource['id']}"
        renamed[f"{resource['resourceType']}/{resource['id']}"] = new
        if entry.get("fullUrl"):
            renamed[entry["fullUrl"]] = new
    for resource in resources:
        copy = _rewrite(resource, renamed)
        copy["id"] = f"{prefix}-{resource['id']}"
        yield copy


def _rewrite(value: Any, renamed: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {k: _rewrite(v, renamed) for k, v in value.items()}
        reference = value.get("reference")
        if isinstance(reference, str) and reference in renamed:
            out["reference"] = renamed[reference]
        return out
    if isinstance(value, list):
        return [_rewrite(item, renamed) for item in value]
    return value


def write_export(folder: Path, with_trd: bool = True) -> Path:
    """The Synthea export, and (``with_trd``) the TRD charts, as one NDJSON file per type."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in SYNTHEA_BULK.iterdir():
        shutil.copyfile(source, folder / source.name)
    if not with_trd:
        return folder
    by_type: dict[str, list[str]] = {}
    for source in sorted(TRD_BULK.glob("*.ndjson")):
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.strip():
                by_type.setdefault(json.loads(line)["resourceType"], []).append(line)
    for prefix, chart in TRD_CHARTS.items():
        for resource in bundle_lines(json.loads(chart.read_text(encoding="utf-8")), prefix):
            by_type.setdefault(resource["resourceType"], []).append(json.dumps(resource))
    for kind, lines in by_type.items():
        name = f"{kind}.000.ndjson"
        with (folder / name).open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
    return folder


@pytest.fixture(scope="session")
def mixed_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthea's 13 patients + 7 TRD patients in one bulk-export folder (read-only: copy it
    before changing it)."""
    return write_export(tmp_path_factory.mktemp("bulk") / "mixed")


@pytest.fixture(scope="session")
def two_patient_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One collection Bundle holding two patients: the example who meets (ids ``meets-…``)
    and the positive C-SSRS chart (``cssrs-…``, a safety hold)."""
    entries = [
        {"resource": resource}
        for prefix in ("meets", "cssrs")
        for resource in bundle_lines(json.loads(TRD_CHARTS[prefix].read_text("utf-8")), prefix)
    ]
    path = tmp_path_factory.mktemp("two") / "two.json"
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


SERVICE_TOKEN = "bulk.test-secret-token"


@pytest.fixture(scope="session")
def service_post(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """``post(path, body_bytes, **query)``: the HTTP service in process (its own SQLite audit
    store, one API key, bodies up to 20 MB), called with that key and FHIR JSON."""
    import warnings

    with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the project pins
        warnings.simplefilter("ignore", UserWarning)
        from fastapi.testclient import TestClient

    from priorauth.service.app import create_app
    from priorauth.service.auth import hash_token
    from priorauth.service.config import load_settings

    audit = tmp_path_factory.mktemp("audit") / "audit.sqlite"
    env = {
        "PRIORAUTH_API_KEYS": f"bulk:{hash_token(SERVICE_TOKEN)}",
        "PRIORAUTH_AUDIT_URL": f"sqlite:///{audit}",
    }
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}", "Content-Type": "application/fhir+json"}
    app = create_app(load_settings(env=env, max_body_bytes=20_000_000))
    with TestClient(app, raise_server_exceptions=False) as client:

        def post(path: str, body: bytes, **query: str) -> Any:
            return client.post(path, content=body, headers=headers, params=query)

        yield post
