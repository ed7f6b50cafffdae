"""Safety alerts are the first thing a letter shows: HTML order, wording, escaping, PDF page 1."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from priorauth import alerts
from priorauth.determination import Determination
from priorauth.render import ATTACHMENT_NAME, render_html, render_pdf

from .conftest import SEIZURE_ALERT, URGENT_ALERT, example_determination, make_alerted
from .test_html import find, parse, text_of

REVIEWED = SEIZURE_ALERT.model_copy(update={"reviewed_by": "Dana Reyes, MD"})


def body_children(html: str) -> list:
    body = parse(html).find("body")
    assert body is not None
    return list(body)


def test_urgent_hold_block_comes_before_the_letterhead():
    html = render_html(make_alerted())
    first = body_children(html)[0]
    assert first.get("data-section") == "alerts"
    assert first.get("data-kind") == "hold"
    order = [
        html.index('data-section="alerts"'),
        html.index("SAFETY HOLD \u2014 do not submit"),
        html.index('data-alert="acute-suicide-risk"'),
        html.index('data-alert="seizure-history"'),
        html.index('class="letterhead"'),
        html.index('data-section="draft"'),
        html.index('data-section="re"'),
    ]
    assert order == sorted(order)


def test_urgent_alert_reads_as_an_emergency_not_a_gap():
    root = parse(render_html(make_alerted()))
    row = find(root, data_alert="acute-suicide-risk")
    assert "urgent" in row.get("class", "").split()
    text = text_of(row)
    assert text.startswith("URGENT Acute suicide risk")
    assert "contact the treating clinician the same day" in text
    assert "a prior-authorization request is not the path for an emergency" in text
    assert "Observation/phq9-item9-1" in text
    assert "To document" not in text
    other = find(root, data_alert="seizure-history")
    assert "urgent" not in other.get("class", "").split()
    assert "URGENT" not in text_of(other)
    assert "Condition/sz-1" in text_of(other)
    assert "Not yet reviewed" in text_of(other)


def test_banner_names_the_status_and_lists_the_alerts():
    draft = find(parse(render_html(make_alerted())), data_section="draft")
    assert draft.get("data-status") == "safety_hold"
    text = text_of(draft)
    assert text.startswith("Draft, not ready to submit: Safety hold (status safety_hold).")
    assert "must not be submitted" in text
    assert "Safety alert: URGENT: Acute suicide risk (absolute safety alert)" in text
    assert "Safety alert: Seizure history (relative safety alert)" in text


def test_alert_text_is_escaped():
    html = render_html(make_alerted())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html


def test_relative_alert_alone_asks_for_clinician_review():
    d = make_alerted("clinician_review", (SEIZURE_ALERT,))
    root = parse(render_html(d))
    block = find(root, data_section="alerts")
    assert block.get("data-kind") == "review"
    assert text_of(block).startswith("CLINICIAN REVIEW REQUIRED")
    assert "status clinician_review" in text_of(find(root, data_section="draft"))
    criteria = text_of(find(root, data_section="criteria"))
    assert "Summary: Meets policy criteria; clinician review required (see page 1)." in criteria


def test_reviewed_relative_alert_does_not_block_and_shows_the_reviewer():
    d = make_alerted("meets", (REVIEWED,))
    html = render_html(d)
    assert 'data-section="alerts"' not in html
    assert 'data-section="draft"' not in html
    safety = find(parse(html), data_section="safety")
    row = find(safety, data_alert="seizure-history")
    assert "Reviewed by Dana Reyes, MD" in text_of(row)


def test_reviewed_alert_is_listed_after_the_blocking_ones():
    d = make_alerted(alerts=(REVIEWED, SEIZURE_ALERT.model_copy(update={"id": "x"}), URGENT_ALERT))
    html = render_html(d)
    ids = [html.index(f'data-alert="{i}"') for i in ("acute-suicide-risk", "x", "seizure-history")]
    assert ids == sorted(ids)


def test_clean_example_has_no_alert_block():
    html = render_html(example_determination())
    assert 'data-section="alerts"' not in html
    assert 'data-section="draft"' not in html


@pytest.fixture(scope="module")
def alert_pdf() -> bytes:
    return render_pdf(make_alerted())


def test_pdf_page_one_starts_with_the_alert(alert_pdf, no_render_logs):
    reader = PdfReader(io.BytesIO(alert_pdf))
    page1 = " ".join((reader.pages[0].extract_text() or "").split())
    # the forced-draft watermark (a fixed box, drawn on every page) may be extracted first
    page1 = page1.removeprefix("DRAFT: SAFETY HOLD ")
    assert page1.startswith("SAFETY HOLD \u2014 do not submit"), page1[:200]
    hold = page1.index("SAFETY HOLD")
    urgent = page1.index("URGENT Acute suicide risk")
    assert hold < urgent < page1.index("Utilization Management")  # the payer block
    assert urgent < page1.index("Draft, not ready to submit: Safety hold (status safety_hold)")
    assert "<script>alert(1)</script>" in page1  # printed as text
    for page in reader.pages[1:]:  # the running header marks every later page
        assert "DRAFT: SAFETY HOLD" in (page.extract_text() or "")


def test_final_letter_has_no_draft_mark(no_render_logs):
    reader = PdfReader(io.BytesIO(render_pdf(example_determination())))
    assert "DRAFT" not in " ".join(page.extract_text() or "" for page in reader.pages)


def test_pdf_attachment_carries_the_alerts(alert_pdf):
    reader = PdfReader(io.BytesIO(alert_pdf))
    (payload,) = reader.attachments[ATTACHMENT_NAME]
    d = Determination.model_validate(json.loads(payload))
    assert d == make_alerted()
    assert [a.id for a in d.alerts] == ["acute-suicide-risk", "seizure-history"]
    assert d.alerts[0].urgent


def test_alert_wording_helpers():
    assert alerts.summary_labels((SEIZURE_ALERT, URGENT_ALERT, REVIEWED)) == (
        "SAFETY HOLD: acute-suicide-risk",
        "REVIEW: seizure-history",
        "REVIEWED: seizure-history",
    )
    assert alerts.blocks(URGENT_ALERT.model_copy(update={"reviewed_by": "Dr A"}))
    assert not alerts.blocks(REVIEWED)
    assert alerts.heading(make_alerted()) == alerts.HOLD_HEADING
    assert alerts.heading(make_alerted("meets", (REVIEWED,))) is None
    d = make_alerted()
    lines = list(alerts.alert_lines(d))
    assert lines[0] == f"SAFETY HOLD \u2014 do not submit ({d.policy.id}: safety_hold)"
    assert lines[1].startswith("  URGENT: acute-suicide-risk: Acute suicide risk: PHQ-9")
    assert lines[2] == f"    {alerts.URGENT_ACTION}"
    assert lines[3].startswith("  REVIEW: seizure-history: Seizure history: G40.909")
