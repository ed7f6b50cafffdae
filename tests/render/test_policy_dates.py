"""The policy line shows the policy's own dates, never the rule file's last_reviewed."""

from __future__ import annotations

import datetime as dt
import re

from priorauth.render import render_html

from .conftest import make_determination
from .test_html import find, parse, text_of


def policy_line(**policy_changes: object) -> str:
    d = make_determination()
    d = d.model_copy(update={"policy": d.policy.model_copy(update=policy_changes)})
    criteria = find(parse(render_html(d)), data_section="criteria")
    return text_of(next(p for p in criteria.iter("p") if p.get("class") == "policy-line"))


def test_the_rule_files_review_date_is_not_shown_as_the_payers():
    line = policy_line()
    assert "effective 01/01/2025" in line
    assert "09/12/2025" not in line  # last_reviewed: when we checked the rule file
    assert "reviewed" not in line
    assert "unverified" not in line


def test_unverified_dates_are_labelled_and_revisions_in_us_format():
    line = policy_line(
        effective_review="Day-precise date from a secondary aggregator.",
        effective_until=dt.date(2026, 6, 30),
        version="modified 2026-02-27",
    )
    assert "effective 01/01/2025 through 06/30/2026" in line
    assert "(dates unverified: Day-precise date from a secondary aggregator)" in line
    assert "version modified 02/27/2026" in line


def test_one_date_format_throughout():
    from .conftest import example_determination

    html = render_html(example_determination())
    body = html[html.index("<body>") :]
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", body)  # no ISO dates
    months = re.findall(
        r"\b(?:January|February|March|April|May|June|July|August|September|"
        r"October|November|December) \d{1,2}, \d{4}",
        body,
    )
    assert months == ["November 25, 2026"]  # the dateline only
