"""Appeal letters: the denial as given, every criterion with its outcome, the peer-to-peer page."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError
from pypdf import PdfReader

from priorauth.cli import cli, letter_cmd
from priorauth.determination import CriterionResult, Determination, Gap
from priorauth.render import LetterOptions, build_view, render_html, render_pdf

from .conftest import example_determination, make_determination, make_minimal

REASON = 'Not medically necessary: <script>alert("x")</script> & fewer than 4 trials'
APPEAL = LetterOptions(
    kind="appeal", denial_reason=REASON, denial_date=dt.date(2026, 11, 2), denial_ref="DN-77"
)


def _ids(criteria: tuple[CriterionResult, ...]) -> list[tuple[str, str]]:
    out = []
    for c in criteria:
        out.append((c.id, c.outcome))
        out += _ids(c.children) if c.outcome != "met" or c.kind == "all_of" else []
    return out


def with_unmet() -> Determination:
    """The standard determination with its score criterion not met (a forced draft)."""
    d = make_determination()
    criteria = list(d.criteria)
    criteria[3] = criteria[3].model_copy(
        update={
            "outcome": "not_met",
            "explanation": "No score within 30 days.",
            "gaps": (Gap(criterion_id=criteria[3].id, action="Document a current PHQ-9"),),
        }
    )
    return d.model_copy(update={"criteria": tuple(criteria), "status": "does_not_meet"})


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(make_determination(), options=APPEAL)


def page_texts(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [" ".join((p.extract_text() or "").split()) for p in reader.pages]


def test_options_need_the_denial_and_only_for_an_appeal():
    with pytest.raises(ValidationError, match="denial reason and the denial date"):
        LetterOptions(kind="appeal", denial_reason="x")
    with pytest.raises(ValidationError, match="denial reason and the denial date"):
        LetterOptions(kind="appeal", denial_reason="  ", denial_date=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError, match="only to an appeal"):
        LetterOptions(kind="initial", denial_reason="x")


def test_denial_reason_date_and_reference_appear():
    html = render_html(make_determination(), options=APPEAL)
    assert "this letter appeals the denial dated 11/02/2026 (reference DN-77)" in html
    assert "Denial appealed" in html
    assert "DN-77" in html
    assert "the payer\u2019s stated reason, as given by this practice" in html
    assert "Attn: Appeals, Behavioral Health" in html
    assert "Dear Appeals Reviewer:" in html


def test_reason_is_escaped_and_quoted():
    html = render_html(make_determination(), options=APPEAL)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; fewer than 4 trials" in html
    assert re.search(r"for the reason stated: “<span class=\"denial-reason\">Not medically", html)


def test_every_criterion_appears_with_its_outcome():
    d = with_unmet()
    html = render_html(d, options=APPEAL)
    for cid, outcome in _ids(d.criteria):
        assert f'data-criterion="{cid}" data-outcome="{outcome}"' in html, cid


def test_an_unmet_criterion_is_never_described_as_met():
    d = with_unmet()
    view = build_view(d, APPEAL)
    assert view.appeal is not None
    assert view.appeal.tally == "4 of 5 criteria are met; 1 is not met"
    titles = [p.title for p in view.appeal.points]
    assert "Recent standardized severity score" not in titles
    assert 3 <= len(titles) <= 5
    row = next(r for r in view.criteria if r.id == "criteria.all.3")
    assert (row.outcome, row.outcome_label) == ("not_met", "Not met")
    html = render_html(d, options=APPEAL)
    item = html.split('data-criterion="criteria.all.3"')[1].split("</li>")[0]
    assert "Not met" in item
    assert ">Met<" not in item
    assert "all 5 criteria are met" not in html


def test_all_met_tally_and_points_from_met_criteria():
    view = build_view(make_determination(), APPEAL)
    assert view.appeal is not None
    assert view.appeal.tally == "all 5 criteria are met"
    assert [p.title for p in view.appeal.points][:2] == [
        "Four antidepressant trials from two classes",
        "Recent standardized severity score",
    ]
    assert len(view.appeal.points) == 5


def test_peer_to_peer_summary_is_its_own_page(pdf):
    pages = page_texts(pdf)
    (p2p,) = [i for i, t in enumerate(pages) if "peer-to-peer summary" in t.lower()]
    assert p2p > 0
    assert "Sincerely" in pages[p2p - 1]
    page = pages[p2p]
    assert "Sincerely" not in page
    assert "source records cited" not in page.lower()
    for needle in (
        "Jordan A. Rivera",
        "F33.2",
        "Sertraline",
        "Current scores",
        "Negative for seizure history",
        "36 sessions",
        "Strongest points",
    ):
        assert needle in page, needle
    assert "source records cited" in pages[p2p + 1].lower()


def test_appeal_pdf_is_reproducible(pdf):
    assert render_pdf(make_determination(), options=APPEAL) == pdf
    assert PdfReader(io.BytesIO(pdf)).metadata.title.startswith("Appeal of a Prior")


def test_cli_appeal_options(monkeypatch, tmp_path: Path):
    chart = tmp_path / "chart.json"
    chart.write_text('{"resourceType": "Bundle", "type": "collection", "entry": []}')
    monkeypatch.setattr(letter_cmd, "determine", lambda chart, **kw: (make_determination(), ()))
    out = tmp_path / "a.html"
    base = [str(chart), "--payer", "aetna", "-o", str(out), "--format", "html"]
    run = CliRunner().invoke
    result = run(cli, ["letter", *base, "--kind", "appeal", "--denial-date", "2026-11-02"])
    assert result.exit_code == 2
    assert "--denial-reason" in result.output
    result = run(cli, ["letter", *base, "--denial-reason", "x"])
    assert result.exit_code == 2
    assert "only to --kind appeal" in result.output
    args = ["--kind", "appeal", "--denial-reason", REASON, "--denial-date", "2026-11-02"]
    result = run(cli, ["letter", *base, *args, "--denial-ref", "DN-77"])
    assert result.exit_code == 0, result.output
    assert "DN-77" in out.read_text()
    assert "<script>" not in out.read_text()


def test_points_are_never_padded_with_absences():
    d = make_minimal()
    absence = CriterionResult(
        id="criteria.all.1",
        title="No psychotic disorder",
        kind="exclusion",
        outcome="met",
        explanation="No active psychotic diagnosis in the chart.",
    )
    d = d.model_copy(update={"criteria": (*d.criteria, absence)})
    view = build_view(d, APPEAL)
    assert view.appeal is not None
    assert view.appeal.points == ()
    assert view.appeal.tally == "1 of 2 criteria is met; 1 needs documentation"
    assert "No clinical criterion of the policy" in render_html(d, options=APPEAL)


def test_example_chart_appeal_points_come_from_its_met_criteria():
    d = example_determination()
    view = build_view(d, APPEAL)
    assert view.appeal is not None
    assert view.appeal.tally.startswith("all ")
    assert 3 <= len(view.appeal.points) <= 5
    assert view.appeal.safety.startswith("Negative for seizure history")
    pages = page_texts(render_pdf(d, options=APPEAL))
    (p2p,) = [i for i, t in enumerate(pages) if "peer-to-peer summary" in t.lower()]
    assert "source records cited" in pages[p2p + 1].lower()


def test_appeal_identical_across_processes(pdf):
    import subprocess
    import sys

    script = (
        "import sys; from tests.render.conftest import make_determination; "
        "from tests.render.test_appeal import APPEAL; "
        "from priorauth.render import render_pdf; "
        "sys.stdout.buffer.write(render_pdf(make_determination(), options=APPEAL))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)
    assert out.stdout == pdf
