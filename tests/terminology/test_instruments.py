"""Rating instruments: LOINC lookup, aliases, bands at their boundaries."""

from __future__ import annotations

import pytest

from priorauth.terminology import (
    LOINC,
    instrument,
    instrument_for_code,
    instrument_in_text,
    severity_band,
)

PHQ9_ITEMS = [
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
]


def test_phq9() -> None:
    phq9 = instrument("phq9")
    assert (phq9.loinc_total, phq9.loinc_panel, phq9.min_score, phq9.max_score) == (
        "44261-6",
        "44249-1",
        0,
        27,
    )
    assert phq9.item_loincs == tuple(PHQ9_ITEMS)
    assert phq9.loinc_total_confirmed
    assert phq9.bands_confirmed


@pytest.mark.parametrize(
    ("code", "inst", "role"),
    [
        ("44261-6", "phq9", "total"),
        ("44249-1", "phq9", "panel"),
        *[(code, "phq9", "item") for code in PHQ9_ITEMS],
        ("55758-7", "phq2", "total"),
        ("55757-9", "phq2", "panel"),
        ("58120-7", "phq2", "panel"),
        ("89204-2", "phqa", "total"),
        ("89206-7", "phqa", "panel"),
        ("89209-1", "bdi2", "total"),
        ("70274-6", "gad7", "total"),
    ],
)
def test_instrument_for_code(code: str | None, inst: str, role: str) -> None:
    found = instrument_for_code("http://loinc.org", code)
    assert found is not None
    assert (found[0].id, found[1]) == (inst, role)


@pytest.mark.parametrize(
    ("system", "code"),
    [(LOINC, "72514-3"), (LOINC, None), ("http://snomed.info/sct", "44261-6"), (None, "44261-6")],
)
def test_instrument_for_unknown_code(system: str | None, code: str | None) -> None:
    assert instrument_for_code(system, code) is None


def test_unconfirmed_codes_are_flagged() -> None:
    assert instrument("bdi2").loinc_total_confirmed is False
    for inst in ("hamd", "madrs", "qids_sr"):
        assert instrument(inst).loinc_total is None
    assert instrument("hamd").bands_confirmed is False


@pytest.mark.parametrize(
    ("inst", "score", "band"),
    [
        ("phq9", 0, "minimal"),
        ("phq9", 4, "minimal"),
        ("phq9", 5, "mild"),
        ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"),
        ("phq9", 14, "moderate"),
        ("phq9", 14.5, "moderate"),
        ("phq9", 15, "moderately severe"),
        ("phq9", 19, "moderately severe"),
        ("phq9", 20, "severe"),
        ("phq9", 27, "severe"),
        ("phq2", 2, "negative screen"),
        ("phq2", 3, "positive screen"),
        ("hamd", 7, "normal"),
        ("hamd", 8, "mild"),
        ("hamd", 18, "moderate"),
        ("hamd", 19, "severe"),
        ("hamd", 23, "very severe"),
        ("madrs", 6, "normal"),
        ("madrs", 7, "mild"),
        ("madrs", 19, "mild"),
        ("madrs", 20, "moderate"),
        ("madrs", 34, "moderate"),
        ("madrs", 35, "severe"),
        ("bdi2", 13, "minimal"),
        ("bdi2", 14, "mild"),
        ("bdi2", 20, "moderate"),
        ("bdi2", 29, "severe"),
        ("qids_sr", 5, "none"),
        ("qids_sr", 6, "mild"),
        ("qids_sr", 11, "moderate"),
        ("qids_sr", 16, "severe"),
        ("qids_sr", 21, "very severe"),
    ],
)
def test_severity_bands_at_boundaries(inst: str, score: float, band: str) -> None:
    assert severity_band(inst, score) == band


@pytest.mark.parametrize(("inst", "score"), [("phq9", -1), ("phq9", 28), ("madrs", 61)])
def test_severity_band_out_of_range(inst: str, score: float) -> None:
    with pytest.raises(ValueError, match="outside"):
        severity_band(inst, score)


def test_severity_band_nan_and_unknown() -> None:
    with pytest.raises(ValueError, match="outside"):
        severity_band("phq9", float("nan"))
    with pytest.raises(KeyError, match="unknown instrument"):
        severity_band("phq10", 3)


def test_bands_cover_the_range_without_gaps() -> None:
    for inst_id in ("phq9", "phq2", "phqa", "hamd", "madrs", "bdi2", "qids_sr", "gad7"):
        inst = instrument(inst_id)
        assert inst.bands[0][0] == inst.min_score
        assert inst.bands[-1][1] == inst.max_score
        for (_, high, _), (low, _, _) in zip(inst.bands, inst.bands[1:], strict=False):
            assert low == high + 1, inst_id


@pytest.mark.parametrize(
    ("text", "inst"),
    [
        ("PHQ-9 score 17", "phq9"),
        ("PHQ9: 21", "phq9"),
        ("phq 9 total", "phq9"),
        ("Patient Health Questionnaire-9", "phq9"),
        ("PHQ-2 positive", "phq2"),
        ("PHQ-9A", "phqa"),
        ("HAM-D 17 = 24", "hamd"),
        ("HAMD-17", "hamd"),
        ("HDRS 22", "hamd"),
        ("Hamilton Depression Rating Scale", "hamd"),
        ("Hamilton 20", "hamd"),
        ("MADRS 30", "madrs"),
        ("Montgomery-Åsberg Depression Rating Scale", "madrs"),
        ("BDI-II 31", "bdi2"),
        ("Beck Depression Inventory", "bdi2"),
        ("QIDS-SR16 of 18", "qids_sr"),
        ("GAD-7 12", "gad7"),
    ],
)
def test_instrument_in_text(text: str | None, inst: str) -> None:
    found = instrument_in_text(text)
    assert found is not None
    assert found.id == inst


@pytest.mark.parametrize(
    "text",
    ["Hamilton Anxiety Rating Scale 20", "HAM-A 14", "PHQ-90", "xPHQ-9", "", None, "mood ok"],
)
def test_instrument_in_text_negatives(text: str | None) -> None:
    assert instrument_in_text(text) is None
