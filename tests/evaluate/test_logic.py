"""Three-valued logic, independent of any payer."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from priorauth.evaluate._verdict import all_of, any_of, at_least, count_outcome

M, N, U = "met", "not_met", "unknown"
outcomes = st.lists(st.sampled_from([M, N, U]), min_size=1, max_size=6)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([M, M], M),
        ([M, U], U),
        ([M, N], N),
        ([U, N], N),
        ([U, U], U),
        ([N, N], N),
        ([M], M),
    ],
)
def test_all_of_table(values, expected):
    assert all_of(values) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([M, M], M),
        ([M, U], M),
        ([M, N], M),
        ([U, N], U),
        ([U, U], U),
        ([N, N], N),
        ([N], N),
    ],
)
def test_any_of_table(values, expected):
    assert any_of(values) == expected


@pytest.mark.parametrize(
    ("n", "values", "expected"),
    [
        (2, [M, M, N], M),
        (2, [M, U, N], U),
        (2, [M, N, N], N),
        (2, [U, U, N], U),
        (3, [M, M, U], U),
        (3, [M, M, N], N),
        (1, [N, N, U], U),
    ],
)
def test_at_least_table(n, values, expected):
    assert at_least(n, values) == expected


@given(outcomes)
def test_at_least_one_is_any_and_all_is_n(values):
    assert at_least(1, values) == any_of(values)
    assert at_least(len(values), values) == all_of(values)


@given(outcomes)
def test_order_does_not_matter(values):
    for perm in itertools.islice(itertools.permutations(values), 6):
        assert all_of(perm) == all_of(values)
        assert any_of(perm) == any_of(values)


@given(outcomes)
def test_resolving_an_unknown_never_flips_a_decided_result(values):
    """Monotonic: if a group is decided, turning an unknown into met or not_met keeps it."""
    decided_all, decided_any = all_of(values), any_of(values)
    for i, v in enumerate(values):
        if v != U:
            continue
        for replacement in (M, N):
            changed = [*values[:i], replacement, *values[i + 1 :]]
            if decided_all != U:
                assert all_of(changed) == decided_all
            if decided_any != U:
                assert any_of(changed) == decided_any


@pytest.mark.parametrize(
    ("definite", "possible", "needed", "expected"),
    [(2, 2, 2, M), (1, 2, 2, U), (1, 1, 2, N), (0, 0, 0, M)],
)
def test_count_outcome(definite, possible, needed, expected):
    assert count_outcome(definite, possible, needed) == expected
