from __future__ import annotations

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from priorauth.service.body import check_content_type, json_depth_error, parse_bundle, read_body
from priorauth.service.outcome import ApiError, fhir_path


@pytest.mark.parametrize(
    "value",
    ["application/fhir+json", "application/json", "Application/JSON; charset=utf-8"],
)
def test_json_content_types_pass(value):
    check_content_type(value)


@pytest.mark.parametrize(
    "value", [None, "", "text/plain", "application/xml", "multipart/form-data"]
)
def test_other_content_types_are_415(value):
    with pytest.raises(ApiError) as info:
        check_content_type(value)
    assert info.value.status == 415
    assert info.value.outcome()["issue"][0]["code"] == "not-supported"


class Chunks:
    """An async body that counts how much of it was read."""

    def __init__(self, total: int, size: int = 65536) -> None:
        self.total, self.size, self.read = total, size, 0

    def __aiter__(self):
        return self

    async def __anext__(self) -> bytes:
        if self.read >= self.total:
            raise StopAsyncIteration
        self.read += self.size
        return b"x" * self.size


def test_body_over_the_limit_stops_reading_early():
    body = Chunks(total=5 * 1024**3)  # 5 GB, never materialised
    with pytest.raises(ApiError) as info:
        anyio.run(read_body, body, None, 1_000_000)
    assert info.value.status == 413
    assert body.read <= 1_000_000 + 65536


def test_declared_length_over_the_limit_reads_nothing():
    body = Chunks(total=10)
    with pytest.raises(ApiError) as info:
        anyio.run(read_body, body, "5000000000", 1000)
    assert info.value.status == 413
    assert body.read == 0


def test_bad_content_length_is_400():
    with pytest.raises(ApiError) as info:
        anyio.run(read_body, Chunks(total=10), "ten", 1000)
    assert info.value.status == 400


def test_body_under_the_limit_is_returned():
    assert anyio.run(read_body, Chunks(total=10, size=5), "10", 100) == b"xxxxx" * 2


@pytest.mark.parametrize(
    ("body", "code", "text"),
    [
        (b"", "structure", "empty"),
        (b"{not json", "structure", "not valid JSON"),
        (b"[1, 2]", "structure", "got a JSON array"),
        (b'"Bundle"', "structure", "got a JSON string"),
        (b'{"resourceType": "Patient"}', "structure", "got resourceType 'Patient'"),
        (b'{"entry": []}', "structure", "no resourceType"),
        (b"[" * 5000 + b"]" * 5000, "too-long", "nested deeper"),
    ],
)
def test_parse_bundle_errors(body, code, text):
    with pytest.raises(ApiError) as info:
        parse_bundle(body, max_depth=64)
    assert info.value.status == 400
    assert info.value.code == code
    assert text in info.value.diagnostics


def test_depth_limit_names_the_place():
    deep: dict = {"leaf": 1}
    for _ in range(70):
        deep = {"extension": [deep]}
    body = (
        b'{"resourceType": "Bundle", "entry": [{"resource": %s}]}'
        % str(deep).replace("'", '"').encode()
    )
    with pytest.raises(ApiError) as info:
        parse_bundle(body, max_depth=64)
    issue = info.value.outcome()["issue"][0]
    assert issue["code"] == "too-long"
    assert issue["expression"][0].startswith("Bundle.entry[0].resource.extension[0]")


def nested(depth: int) -> object:
    value: object = 1
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


@given(st.integers(min_value=0, max_value=40), st.integers(min_value=2, max_value=40))
def test_depth_check_agrees_with_the_definition(depth, limit):
    # nested(d) has d containers; the error appears exactly when d > limit
    assert (json_depth_error(nested(depth), limit) is not None) == (depth > limit)


def test_fhir_path():
    assert fhir_path("entry[3].resource.status") == "Bundle.entry[3].resource.status"
    assert fhir_path("Bundle.entry[0]") == "Bundle.entry[0]"
    assert fhir_path("[2]") == "Bundle[2]"
