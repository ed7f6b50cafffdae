"""Property-based tests: hostile input only ever raises ChartError; counts and references hold."""

from __future__ import annotations

import copy
from collections import Counter
from functools import cache
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from priorauth.errors import ChartError
from priorauth.fhir import VALIDATED_TYPES, ResourceIndex, load_chart

from .conftest import FIXTURES, MILAN

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
TYPE_NAMES = [*sorted(VALIDATED_TYPES), "Bundle", "Claim", "OperationOutcome", "Nope", "", "bundle"]
REFERENCE_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["#", "#x", "Patient/p1", "urn:uuid:p1", "Patient?identifier=a|b", "Patient?"]),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)


VALID_POOL = [
    {"resourceType": "Patient", "id": "p1", "identifier": [{"system": "a", "value": "b"}]},
    {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p1"}},
    {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "urn:uuid:p1"},
        "medicationReference": {"reference": "#x"},
        "contained": [{"resourceType": "Medication", "id": "x"}],
    },
    {
        "resourceType": "Coverage",
        "id": "v1",
        "status": "active",
        "beneficiary": {"reference": "Patient?identifier=a|b"},
        "payor": [{"display": "x"}],
    },
    {
        "resourceType": "ExplanationOfBenefit",
        "contained": [{"resourceType": "Coverage", "id": "x"}],
    },
]


@st.composite
def fhirish(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """Objects that look enough like FHIR to reach the deeper code paths."""
    kind = (
        st.just("Bundle") | st.sampled_from(TYPE_NAMES)
        if depth < 2
        else st.sampled_from(TYPE_NAMES)
    )
    resource: dict[str, Any] = {"resourceType": draw(kind)}
    optional = {
        "id": st.one_of(st.text(max_size=8), json_scalars),
        "subject": st.one_of(st.fixed_dictionaries({"reference": REFERENCE_TEXT}), json_values),
        "patient": st.fixed_dictionaries({"reference": REFERENCE_TEXT}),
        "identifier": st.lists(
            st.fixed_dictionaries({"system": st.text(max_size=5), "value": st.text(max_size=5)}),
            max_size=2,
        ),
        "contained": st.lists(
            json_values | st.builds(lambda: {"resourceType": "Medication"}), max_size=2
        ),
        "status": json_values,
        "extra": json_values,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            resource[key] = draw(strategy)
    if resource["resourceType"] == "Bundle" and depth < 3:
        entries = st.lists(
            st.one_of(
                st.fixed_dictionaries(
                    {"resource": fhirish(depth + 1) | st.sampled_from(VALID_POOL)},
                    optional={"fullUrl": REFERENCE_TEXT},
                ),
                json_values,
            ),
            max_size=5,
        )
        resource["entry"] = draw(st.one_of(entries, json_values))
    return resource


def exercise(index: ResourceIndex, references: list[str]) -> None:
    """Call every public method; none may raise."""
    assert index.count() > 0
    for resource_type in VALIDATED_TYPES:
        for resource in index.resources(resource_type):
            index.ref_of(resource)
            index.location_of(resource)
            for reference in references:
                index.resolve(reference, context=resource)
        for raw in index.raw(resource_type):
            for reference in references:
                index.resolve(reference, context=raw)
    for patient_ref in index.patients():
        index.for_patient(patient_ref).resources("Patient")


def load_or_chart_error(source: Any, **kwargs: Any) -> ResourceIndex | None:
    """The index, or ``None`` when the input was refused with a one-line ChartError."""
    try:
        return load_chart(source, **kwargs)
    except ChartError as error:
        message = str(error)
    assert "\n" not in message
    return None


@PROPERTY_SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_chart_error(data: bytes):
    index = load_or_chart_error(data)
    if index is not None:
        exercise(index, ["Patient/p1"])


@PROPERTY_SETTINGS
@given(json_values)
def test_arbitrary_json_raises_only_chart_error(value: Any):
    for source in (value, orjson.dumps(value)):
        index = load_or_chart_error(source)
        if index is not None:
            exercise(index, ["Patient/p1"])


@PROPERTY_SETTINGS
@given(
    st.one_of(fhirish(), st.lists(fhirish(), max_size=3)),
    st.lists(REFERENCE_TEXT, max_size=3),
    st.booleans(),
)
def test_fhir_like_json_raises_only_chart_error(value: Any, references: list[str], strict: bool):
    index = load_or_chart_error(value, strict=strict)
    if index is not None:
        exercise(index, references)
    encoded = load_or_chart_error(orjson.dumps(value), strict=strict)
    assert (index is None) == (encoded is None)


@PROPERTY_SETTINGS
@given(st.binary(min_size=1, max_size=8), st.integers(min_value=0))
def test_corrupted_fixture_bytes_raise_only_chart_error(noise: bytes, position: int):
    data = (FIXTURES / "us_core" / "medicationrequest-contained-oral-axid.json").read_bytes()
    cut = position % len(data)
    index = load_or_chart_error(data[:cut] + noise + data[cut + len(noise) :])
    if index is not None:
        exercise(index, ["#med2"])


@cache
def milan_entries() -> tuple[dict[str, Any], ...]:
    """The 220 entries of a real Synthea bundle: the pool random bundles are drawn from."""
    return tuple(orjson.loads(MILAN.read_bytes())["entry"])


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.integers(min_value=0, max_value=219), unique=True, max_size=25), st.booleans())
def test_random_subsets_load_with_the_right_counts(picks: list[int], nest: bool):
    entries = [copy.deepcopy(milan_entries()[i]) for i in picks]
    if nest and len(entries) > 2:  # the same entries, half of them inside a nested Bundle
        nested = entries[1::2]
        inner = {"resourceType": "Bundle", "type": "collection", "entry": nested}
        entries = [*entries[0::2], {"resource": inner}]
        expected = [e["resource"]["resourceType"] for e in entries[:-1] + nested]
    else:
        expected = [e["resource"]["resourceType"] for e in entries]
    chart = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    index = load_or_chart_error(chart)
    if not expected:
        assert index is None
        return
    assert index is not None
    counts = Counter(expected)
    assert index.count() == len(expected)
    assert index.skipped == {t: n for t, n in counts.items() if t not in VALIDATED_TYPES}
    for resource_type in VALIDATED_TYPES:
        assert len(index.resources(resource_type)) == counts[resource_type]
    assert [n for n in index.notes if n.code != "dangling-reference"] == []


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.integers(min_value=0, max_value=219), unique=True, min_size=1, max_size=25))
def test_references_round_trip(picks: list[int]):
    entries = [milan_entries()[i] for i in picks]
    index = load_chart({"resourceType": "Bundle", "type": "collection", "entry": entries})
    for entry in entries:
        resource_type, resource_id = entry["resource"]["resourceType"], entry["resource"]["id"]
        target = index.resolve(entry["fullUrl"])
        assert index.ref_of(target) == f"{resource_type}/{resource_id}"
        for form in (
            f"{resource_type}/{resource_id}",
            f"{resource_type}/{resource_id}/_history/2",
            f"https://fhir.example/r4/{resource_type}/{resource_id}",
        ):
            assert index.resolve(form) is target
        assert index.resolve(index.ref_of(target)) is target
    assert index.notes == []
