"""The sources appendix: grouped by kind, short ids where unambiguous, no duplicates."""

from __future__ import annotations

import re

from priorauth.render import render_html
from priorauth.render.citations import Citations

from .conftest import example_determination
from .test_html import find, parse, text_of


def test_grouped_by_kind_with_short_ids_and_no_duplicates():
    section = find(parse(render_html(example_determination())), data_section="sources")
    groups = [el.get("data-source-group") for el in section.iter() if el.get("data-source-group")]
    assert groups[:4] == [
        "Patient, coverage and practice",
        "Diagnoses",
        "Medications",
        "Scores and screens",
    ]
    text = text_of(section)
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text)  # no full UUIDs
    items = [text_of(li) for li in section.iter("li")]
    ids = [re.search(r"\(([^)]*)\)$", item)[1] for item in items]  # type: ignore[index]
    assert len(ids) == len(set(ids))


def test_same_resources_share_one_number_and_ambiguous_prefixes_stay_whole():
    notes = Citations()
    a = "Observation/5225ea08-e844-5bbf-b056-10fcaa4ee957"
    b = "Observation/5225ea08-ffff-5bbf-b056-10fcaa4ee957"
    assert notes.cite([a], "PHQ-9 21") == notes.cite([a], "PHQ-9 21, onset") == (1,)
    notes.cite([b], "PHQ-9 20")
    assert [n.resources for n in notes.notes()] == [a, b]


def _section(d, name):
    return find(parse(render_html(d)), data_section=name)


def test_pregnancy_row_only_where_it_can_apply():
    d = example_determination()
    man = d.record.model_copy(
        update={
            "pregnant": None,
            "patient": d.record.patient.model_copy(update={"sex": "male", "age": 70}),
        }
    )
    assert "Pregnancy" not in text_of(_section(d.model_copy(update={"record": man}), "safety"))
    woman = man.model_copy(
        update={"patient": man.patient.model_copy(update={"sex": "female", "age": 34})}
    )
    assert "Pregnancy" in text_of(_section(d.model_copy(update={"record": woman}), "safety"))


def test_an_approvable_letter_shows_only_the_met_path():
    criteria = _section(example_determination(), "criteria")
    outcomes = [el.get("data-outcome") for el in criteria.iter() if el.get("data-criterion")]
    assert "not_met" not in outcomes
    assert "Repeat course after a 50% response" not in text_of(criteria)


def test_criteria_speak_human_words_not_internal_tokens():
    text = text_of(_section(example_determination(), "criteria"))
    for token in ("[ssri]", "(sga,", "implanted_device", "retained_metal", "(ssri,"):
        assert token not in text
