"""The sessions requested stay within the policy's service block, and the letter shows it."""

from __future__ import annotations

import pytest

from priorauth.determination import ServiceRequested
from priorauth.render import LetterOptions, render_html

from .conftest import make_determination
from .test_html import find, parse, text_of


def re_block(service: ServiceRequested, options: LetterOptions | None = None) -> str:
    d = make_determination()
    d = d.model_copy(update={"policy": d.policy.model_copy(update={"service": service})})
    return text_of(find(parse(render_html(d, options=options)), data_section="re"))


CPT = ("90867", "90868", "90869")


def test_up_to_six_weeks_without_a_taper_is_not_exceeded():
    service = ServiceRequested(
        cpt_codes=CPT,
        max_weeks=6,
        description="Daily outpatient TMS for up to six weeks with an FDA-approved/cleared "
        "device. Session count and taper are not stated in the summary.",
    )
    text = re_block(service)
    assert "30 sessions, 5 per week; taper none; 30 sessions in total" in text
    assert "36 sessions" not in text
    assert "Up to 6 weeks of treatment 5 days a week" in text


def test_session_counts_cap_the_request_and_an_explicit_larger_request():
    service = ServiceRequested(
        cpt_codes=CPT,
        initial_sessions=20,
        taper_sessions=5,
        max_weeks=4,
        description="Initial course of up to 20 visits over 4 weeks plus 5 tapering visits.",
    )
    text = re_block(service, LetterOptions(sessions=36, taper_sessions=6))
    assert "20 sessions, 5 per week; taper 5 sessions over 3 weeks; 25 sessions in total" in text
    assert "Up to 20 sessions, up to 4 weeks of treatment 5 days a week, plus up to 5" in text


@pytest.mark.parametrize("weeks", [6, 7])
def test_the_week_limit_is_the_structured_max_weeks(weeks):
    service = ServiceRequested(
        cpt_codes=CPT, initial_sessions=30, taper_sessions=6, max_weeks=weeks
    )
    assert f"up to {weeks} weeks" in re_block(service)


def test_weeks_in_the_description_alone_are_not_read():
    """The description is free text for people: only ``max_weeks`` limits the request."""
    service = ServiceRequested(cpt_codes=CPT, description="Daily TMS for up to four weeks.")
    text = re_block(service)
    assert "up to 4 weeks" not in text
    assert "30 sessions, 5 per week" in text


def test_a_four_week_limit_caps_the_sessions_at_twenty():
    text = re_block(ServiceRequested(cpt_codes=CPT, max_weeks=4))
    assert "20 sessions, 5 per week; taper none; 20 sessions in total" in text


def test_no_limits_stated_says_so():
    text = re_block(ServiceRequested(cpt_codes=CPT, description="TMS; course limits NOT FOUND."))
    assert "The policy states no session or week limit" in text
    assert "NOT FOUND" not in text
