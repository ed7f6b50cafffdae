"""priorauth.fhir.ranges: the range checks behind the data-quality notes of issue 15."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from priorauth.fhir.ranges import findings

_SAFE_PATH = re.compile(r"[A-Za-z_<>\[\]0-9.]*")

_NAMES = "code text value date birthDate dosageInstruction doseQuantity expectedSupplyDuration"
KEYS = [*_NAMES.split(), "numberOfRepeatsAllowed", "identifier", "unit", "x y\n"]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["9999-12-31", "0000", "2024-02-30", "1" * 40]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(KEYS),
            children,
            max_size=4,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, database=None, derandomize=True)
@given(st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_findings_never_raise_and_paths_hold_no_input_text(resource: dict[str, Any]) -> None:
    for finding in findings(resource):
        assert _SAFE_PATH.fullmatch(finding.path), finding.path
        assert "\n" not in finding.message


def test_deep_nesting_is_walked_without_recursion() -> None:
    deep: Any = "9999-12-31"
    for _ in range(5_000):
        deep = {"date": deep}
    assert findings({"resourceType": "Observation", "x": deep}) == []  # below the depth walked


def test_keys_from_the_input_are_not_shown() -> None:
    resource = {"Jane Doe's chart": {"effectiveDateTime": "9999"}}
    [finding] = findings(resource)
    assert finding.path == "<key>.effectiveDateTime"


def test_absurd_and_plausible_bounds() -> None:
    coded = {"code": {"coding": [{"code": "F" * 257}, {"code": "F" * 256}]}}
    assert [(f.code, f.path, f.absurd) for f in findings(coded)] == [
        ("code-too-long", "code.coding[0].code", True)
    ]
    ident = {"identifier": [{"value": "9" * 300}]}
    assert [f.path for f in findings(ident)] == ["identifier[0].value"]
    sig = {"dosageInstruction": [{"text": "take 123456789012345 mg"}]}  # 15 digits: plausible
    assert findings(sig) == []
    sig["dosageInstruction"][0]["text"] = "take 1234567890123456 mg"
    assert [f.code for f in findings(sig)] == ["number-too-long"]
    note = {"note": [{"text": "1" * 40}]}  # long digit runs outside a dosage are not absurd
    assert findings(note) == []
    supply = {"daysSupply": {"value": 521, "unit": "wk"}}  # 3,647 days: plausible
    assert findings(supply) == []
    supply["daysSupply"]["value"] = 522
    assert [f.code for f in findings(supply)] == ["duration-implausible"]
    attachment = {"content": [{"attachment": {"data": "QUJD" * 5_000}}]}
    assert findings(attachment) == []
