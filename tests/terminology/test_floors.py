"""Adequate-dose floors: every augmenting agent and every MAOI has one (issue 9), none is a
starting dose where the label gives a higher target (priorauth/terminology/data/SOURCES.md)."""

from __future__ import annotations

import pytest

from priorauth.terminology import all_ingredients, ingredient

NO_MG_FLOOR = {
    "lithium": "level-based: adequate only with a documented serum level",
    "esketamine": "course-based: dosed per session, not mg/day",
}
"""Augmenting agents without a mg/day floor, each with the documented reason."""


@pytest.mark.parametrize(
    "ing",
    [i for i in all_ingredients() if i.role == "augmentation"],
    ids=lambda i: i.name,
)
def test_every_augmenting_agent_has_a_floor_or_a_documented_rule(ing) -> None:
    if ing.name in NO_MG_FLOOR:
        assert ing.min_adequate_mg_per_day is None
        assert "floor" in ing.dose_source.lower() or "session" in ing.dose_source.lower()
    else:
        assert ing.min_adequate_mg_per_day is not None, ing.name
        assert ing.min_adequate_mg_per_day > 0


@pytest.mark.parametrize(
    "ing", [i for i in all_ingredients() if i.drug_class == "maoi"], ids=lambda i: i.name
)
def test_every_maoi_has_a_floor(ing) -> None:
    assert ing.min_adequate_mg_per_day is not None


@pytest.mark.parametrize(
    ("name", "floor", "starting_dose"),
    [
        ("aripiprazole", 5, 2),
        ("brexpiprazole", 2, 1),
        ("fluvoxamine", 100, 50),
        ("vortioxetine", 20, 10),
        ("phenelzine", 60, 15),
        ("isocarboxazid", 40, 20),
        ("cariprazine", 1.5, 0.5),
    ],
)
def test_floors_raised_above_the_starting_dose(name, floor, starting_dose) -> None:
    assert ingredient(name).min_adequate_mg_per_day == floor
    assert floor > starting_dose


def test_liothyronine_floor_is_25_mcg() -> None:
    assert ingredient("liothyronine").min_adequate_mg_per_day == 0.025
