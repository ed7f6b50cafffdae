"""Suicide-risk codes and screen LOINCs (suicide_risk_codes.csv, suicide_screens.yaml)."""

from __future__ import annotations

import pytest

from priorauth.terminology import ICD10CM, SNOMED
from priorauth.terminology.suicide import suicide_risk_code, suicide_screens


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("R45.851", "ideation"),
        ("T14.91", "attempt"),
        ("T14.91XA", "attempt"),
        ("T14.91XS", "attempt"),
        ("X71.0XXA", "self_harm"),  # drowning in a bathtub
        ("X83.8XXA", "self_harm"),
        ("T43.222A", "self_harm"),  # SSRI poisoning, intentional self-harm (6th character 2)
        ("T51.0X2A", "self_harm"),  # ethanol, intentional self-harm
        ("T71.162A", "self_harm"),  # hanging
        ("R45.88", "self_harm"),  # nonsuicidal self-harm
        ("Z91.51", "history"),
        ("Z91.52", "history"),
        ("z9151", "history"),  # any case, without the dot
    ],
)
def test_risk_codes(code, kind):
    found = suicide_risk_code(ICD10CM, code)
    assert found is not None
    assert found[0] == kind


@pytest.mark.parametrize(
    "code",
    ["T43.221A", "T43.223A", "T43.224A", "R45.89", "F33.2", "T14.90XA", "X70", "Z91.4"],
)
def test_other_intents_and_codes_are_not_suicide_risk(code):
    """Accidental (1), assault (3), undetermined (4) poisonings and neighbouring codes."""
    assert suicide_risk_code(ICD10CM, code) is None


def test_only_icd10cm():
    assert suicide_risk_code(SNOMED, "R45.851") is None
    assert suicide_risk_code(None, None) is None


def test_screen_loincs():
    screens = suicide_screens()
    assert screens.item9_loinc == "44260-8"
    assert dict(screens.item9_answers) == {
        "LA6568-5": 0,
        "LA6569-3": 1,
        "LA6570-1": 2,
        "LA6571-9": 3,
    }
    assert screens.cssrs_items["93250-9"] == "intent_with_plan"
    assert screens.positive_ideation <= set(screens.cssrs_items.values())
    assert screens.positive_behavior <= set(screens.cssrs_items.values())
    assert {"LA33-6", "LA32-8"} <= screens.yes | screens.no
