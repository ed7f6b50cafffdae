"""HTML structure of the letter: sections, criteria, trials, escaping, "not documented"."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import tinyhtml5

from priorauth.render import LetterOptions, render_html
from priorauth.render.environment import make_environment, resolve_templates

from .conftest import make_determination, make_record


def parse(html: str) -> ET.Element:
    return tinyhtml5.parse(html, namespace_html_elements=False)


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def find(root: ET.Element, **attrs: str) -> ET.Element:
    for el in root.iter():
        if all(el.get(k.replace("_", "-")) == v for k, v in attrs.items()):
            return el
    raise AssertionError(f"no element with {attrs}")


def test_environment_is_strict_and_escapes():
    env = make_environment(resolve_templates())
    assert env.autoescape is True
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ missing }}").render()
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_every_section_and_criterion_is_present(determination):
    root = parse(render_html(determination))
    for section in (
        "re",
        "request",
        "history",
        "trials",
        "therapy",
        "safety",
        "criteria",
        "rationale",
        "attestations",
        "signature",
        "sources",
    ):
        find(root, data_section=section)
    met = find(root, data_criterion="criteria.all.2.0")
    assert met.get("data-outcome") == "met"
    assert "4 failed trials from 4 classes" in text_of(met)
    assert "Paraphrase: failure of 4 trials" in text_of(met)


def test_re_block_has_codes_units_and_diagnosis(determination):
    re_block = text_of(find(parse(render_html(determination)), data_section="re"))
    assert "Jordan A. Rivera" in re_block
    assert "W123456789" in re_block
    assert "GRP-88120" in re_block
    assert "90867" in re_block
    assert "1 (first session of the course)" in re_block
    assert "90868" in re_block
    assert "35 (remaining sessions)" in re_block
    assert "F33.2" in re_block
    assert "Upon authorization" in re_block
    assert "36 sessions in total" in re_block


def test_trials_table_lists_every_trial_with_class_dose_and_outcome(determination):
    trials = find(parse(render_html(determination)), data_section="trials")
    rows = {tr.get("data-trial"): text_of(tr) for tr in trials.iter("tr") if tr.get("data-trial")}
    assert list(rows) == ["Sertraline", "Venlafaxine", "Bupropion", "Aripiprazole", "Mirtazapine"]
    assert "SSRI" in rows["Sertraline"]
    assert "200 mg/day" in rows["Sertraline"]
    assert "Stopped: intolerance (hypertension, nausea)" in rows["Venlafaxine"]
    assert "Augments Bupropion" in rows["Aripiprazole"]
    assert "Augmented by Aripiprazole" in rows["Bupropion"]
    assert "ongoing" in rows["Mirtazapine"]


def test_citations_name_resources_and_dates(determination):
    sources = text_of(find(parse(render_html(determination)), data_section="sources"))
    assert "venlafaxine, 04/02/2025 \u2013 06/29/2025 (MedicationRequest/mr-venla-1)" in sources
    assert "PHQ-9 23, 11/10/2026 (Observation/phq9-5)" in sources


def test_chart_is_inline_svg_without_urls(determination):
    html = render_html(determination)
    svg = find(parse(html), role="img")
    assert svg.tag.endswith("svg")
    svg_text = html.split("<svg", 1)[1].split("</svg>")[0]
    assert "<polyline" in svg_text
    assert "http://" not in svg_text.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_patient_text_is_escaped():
    evil = '<img src="http://127.0.0.1:9/x"><script>alert(1)</script>'
    record = make_record(patient=make_record().patient.model_copy(update={"name": evil}))
    html = render_html(make_determination(record=record))
    assert "<img src=" not in html
    assert "<script>" not in html
    assert "&lt;img src=&#34;http://127.0.0.1:9/x&#34;&gt;" in html


def test_missing_facts_render_not_documented(minimal):
    root = parse(render_html(minimal))
    re_block = text_of(find(root, data_section="re"))
    assert re_block.count("not documented") >= 4
    assert "No antidepressant trial is documented" in text_of(find(root, data_section="trials"))
    assert "not documented" in text_of(find(root, data_section="history"))
    assert "Draft, not ready to submit" in text_of(find(root, data_section="draft"))
    assert "Document a PHQ-9 within 30 days" in text_of(find(root, data_section="draft"))
    find(root, data_criterion="criteria.all.0", data_outcome="unknown")


def test_continuation_letter_shows_prior_course_and_relapse(continuation):
    html = render_html(continuation, options=LetterOptions(kind="continuation"))
    prior = text_of(find(parse(html), data_section="prior-tms"))
    assert "01/12/2026 \u2013 03/20/2026" in prior
    assert "71%" in prior
    assert "PHQ-9 23 on 11/10/2026" in prior
    assert "+17 points from the best score (all of the improvement lost)" in prior
    assert "repeat course" in text_of(find(parse(html), data_section="request"))


def test_options_change_signer_start_and_device(determination):
    import datetime as dt

    options = LetterOptions(
        signer_name="Sam Lee",
        signer_credentials="DO",
        signer_npi="1111111111",
        planned_start=dt.date(2027, 1, 4),
        device="NeuroStar Advanced Therapy",
    )
    html = render_html(determination, options=options)
    signature = text_of(find(parse(html), data_section="signature"))
    assert "Sam Lee, DO" in signature
    assert "NPI 1111111111" in signature
    assert "01/04/2027" in html
    assert "NeuroStar Advanced Therapy" in html


def test_standalone_html_inlines_css_only_when_asked(determination):
    assert "<style>" in render_html(determination)
    assert "<style>" not in render_html(determination, standalone=False)


def test_the_practice_settings_replace_the_charts_letterhead_and_sign(determination):
    from priorauth.render.options import PracticeDetails

    practice = PracticeDetails(
        name="Lakeside Clinic", address_lines=("1 Main St",), tin="12-3456789"
    )
    options = LetterOptions(signature_block=("Medical Director", "TMS Service"), practice=practice)
    root = parse(render_html(determination, options=options))
    letterhead = text_of(next(el for el in root.iter() if el.get("class") == "letterhead"))
    assert "Lakeside Clinic" in letterhead
    assert "1 Main St" in letterhead
    assert "TIN 12-3456789" in letterhead
    signature = text_of(find(root, data_section="signature"))
    assert "NPI 1234567893Medical DirectorTMS ServiceLakeside Clinic" in signature  # <br/> apart
