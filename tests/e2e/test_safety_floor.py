"""The safety floor end to end: one chart per finding (tests/data/charts/safety/), 2026-11-25.

Each chart is examples/trd_meets_policies.json (a clean adult who meets every policy in force) with
ONE fact changed (tests/data/charts/safety/README.md). For each chart this file asserts

1. the FACT the extractor must derive (a SuicideRiskFact, a DiagnosisFact, a Contradiction ...);
2. what ``evaluate_record(..., payer="all")`` must decide: no determination ``meets``; the floor
   alert is present with its level; an ABSOLUTE alert makes every status ``safety_hold``; a
   RELATIVE alert makes every ``meets`` a ``clinician_review`` (``criteria_status == "meets"``).

Controls check the floor does not over-trigger: they still meet every policy in force. Trial-
semantics charts check the trial facts and that the policies whose criteria the trap would
wrongly satisfy do not meet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

import priorauth
from priorauth.cli import cli
from priorauth.determination import Determination
from priorauth.facts.models import PatientRecord

AS_OF = dt.date(2026, 11, 25)
ROOT = Path(__file__).resolve().parents[2]
SAFETY = ROOT / "tests" / "data" / "charts" / "safety"
EXAMPLE = ROOT / "examples" / "trd_meets_policies.json"

AETNA = "cpb-0469-tms-2026-02"
CIGNA = "en0383-tms-2026"
IBX = "ibx-tms-commercial-2024"
NY = "nys-medicaid-tms-2025"
MP170 = "mp-170-tms-2023"
L34998 = "l34998-tms-2022"
L34522 = "l34522-tms-2022"
TRICARE = "tricare-tms-2025"
CENTENE = "cp-bh-200-tms"  # in force with uncertain dates (rule format 2)
L37086 = "l37086-tms"  # draft; its no-seizure-disorder criterion has no include_history


def chart(name: str) -> Path:
    return EXAMPLE if name == "example" else SAFETY / f"{name}.json"


@cache
def rules() -> priorauth.RuleSet:
    return priorauth.load_rules()


@cache
def record(name: str) -> PatientRecord:
    return priorauth.chart_facts(chart(name), as_of=AS_OF)


@cache
def determinations(name: str, payer: str = "all") -> tuple[Determination, ...]:
    return tuple(priorauth.evaluate_record(record(name), rules(), payer=payer, as_of=AS_OF))


def criteria_alone(d: Determination) -> str:
    return d.criteria_status or d.status


def table(dets: tuple[Determination, ...]) -> str:
    return "; ".join(f"{d.policy.id}={d.status} {[a.id for a in d.alerts]}" for d in dets)


# --- the facts -----------------------------------------------------------------------------------


def _suicide(r: PatientRecord, source: str, positive: bool) -> list:
    return [s for s in r.suicide_risk if s.source == source and s.positive is positive]


def fact_item9_3(r: PatientRecord) -> None:
    hits = [s for s in _suicide(r, "phq9_item9", True) if s.date == dt.date(2026, 11, 10)]
    assert [s.value for s in hits] == [3], r.suicide_risk
    assert hits[0].kind == "ideation"


def fact_cssrs_positive(r: PatientRecord) -> None:
    hits = [s for s in _suicide(r, "cssrs", True) if s.date == dt.date(2026, 11, 10)]
    assert hits, r.suicide_risk


def fact_attempt(r: PatientRecord) -> None:
    hits = [s for s in _suicide(r, "diagnosis", True) if s.code == "T14.91XA"]
    assert hits, r.suicide_risk
    assert hits[0].kind == "attempt"
    assert hits[0].date == dt.date(2026, 11, 4)  # 3 weeks before the as-of date


def _diagnosis(code: str, category: str, **extra: object) -> Callable[[PatientRecord], None]:
    def check(r: PatientRecord) -> None:
        hits = [d for d in r.diagnoses if d.code == code]
        assert hits, [(d.code, d.category) for d in r.diagnoses]
        assert hits[0].category == category
        assert hits[0].active is True
        for key, value in extra.items():
            assert getattr(hits[0], key) == value, key

    return check


def fact_epilepsy_contradiction(r: PatientRecord) -> None:
    _diagnosis("G40.909", "seizure")(r)
    assert any(f.category == "seizure" and f.active for f in r.safety.findings)
    assert "seizure" in r.safety.screened_negative  # the example's negative seizure screen
    assert [c.category for c in r.safety.contradictions] == ["seizure"]


def fact_implant(r: PatientRecord) -> None:
    assert any(f.category == "implanted_device" and f.active for f in r.safety.findings)


def fact_deceased(r: PatientRecord) -> None:
    assert r.patient.deceased is True
    assert r.patient.deceased_date == dt.date(2026, 11, 20)


def fact_coverage_ended(r: PatientRecord) -> None:
    [coverage] = r.coverages
    assert coverage.period_end == dt.date(2025, 11, 25)
    assert coverage.in_force is False


def fact_remission_range(r: PatientRecord) -> None:
    latest = {c.instrument: c for c in r.current_severity}
    assert (latest["phq9"].value, latest["phq9"].range) == (6, "mild")
    assert latest["phq9"].date == dt.date(2026, 11, 10)
    assert (latest["hamd"].value, latest["hamd"].range) == (9, "mild")


def fact_repeat_course(r: PatientRecord) -> None:
    [course] = r.prior_tms
    assert course.sessions == 30
    assert (course.start, course.end) == (dt.date(2025, 11, 24), dt.date(2026, 1, 2))
    assert (course.baseline_score, course.best_score) == (22, 21)
    assert course.response == "no_response"


def fact_pregnant(r: PatientRecord) -> None:
    _diagnosis("Z33.1", "pregnancy")(r)
    assert r.pregnant is True


def fact_no_screen(r: PatientRecord) -> None:
    assert not [s for s in r.suicide_risk if s.source in ("phq9_item9", "cssrs")]


# --- findings: absolute and relative --------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    chart: str
    alert: str | tuple[str, ...]
    """The alert id (or ids, any of which satisfies the contract)."""
    level: str
    fact: Callable[[PatientRecord], None]
    urgent: bool = False
    also: tuple[str, ...] = ()
    """Further alert ids that must be present."""


FINDINGS = [
    Finding("phq9_item9_nearly_every_day", "acute-suicide-risk", "absolute", fact_item9_3, True),
    Finding("cssrs_positive", "acute-suicide-risk", "absolute", fact_cssrs_positive, True),
    Finding("suicide_attempt_recent", "acute-suicide-risk", "absolute", fact_attempt, True),
    Finding("bipolar_beside_mdd", "bipolar", "absolute", _diagnosis("F31.81", "bipolar")),
    Finding(
        "mdd_psychotic_features",
        "psychotic-features",
        "absolute",
        _diagnosis("F33.3", "mdd", psychotic_features=True),
    ),
    Finding("catatonia", "catatonia", "absolute", _diagnosis("F06.1", "catatonia")),
    Finding("implanted_neurostimulator", "implant-near-coil", "absolute", fact_implant),
    Finding("deceased", "deceased", "absolute", fact_deceased),
    Finding(
        "coverage_ended",
        ("no-active-coverage", "coverage-ended"),
        "absolute",
        fact_coverage_ended,
    ),
    Finding(
        "epilepsy_contradiction",
        "seizure-history",
        "relative",
        fact_epilepsy_contradiction,
        also=("safety-contradiction",),
    ),
    Finding("remission_range_scores", "remission-range-score", "relative", fact_remission_range),
    Finding("repeat_course_no_response", "repeat-course", "relative", fact_repeat_course),
    Finding("pregnancy", "pregnancy", "relative", fact_pregnant),
]


@pytest.mark.parametrize("case", FINDINGS, ids=lambda c: c.chart)
def test_finding_fact_is_extracted(case: Finding) -> None:
    case.fact(record(case.chart))


@pytest.mark.parametrize("case", FINDINGS, ids=lambda c: c.chart)
def test_finding_blocks_every_meets(case: Finding) -> None:
    dets = determinations(case.chart)
    assert dets, "payer=all selected no policy"
    ids = (case.alert,) if isinstance(case.alert, str) else case.alert
    for d in dets:
        assert d.status != "meets", table(dets)
        hits = [a for a in d.alerts if a.id in ids]
        assert hits, f"{d.policy.id}: no {ids} alert in {[a.id for a in d.alerts]}"
        assert {a.level for a in hits} == {case.level}
        for extra in case.also:
            assert extra in {a.id for a in d.alerts}, f"{d.policy.id}: no {extra} alert"
        if case.urgent:
            assert any(a.urgent for a in hits)
        if case.level == "absolute":
            assert d.status == "safety_hold", table(dets)
            assert d.alerts[0].level == "absolute"  # absolute alerts come first
        else:
            assert d.status != "safety_hold", table(dets)
            if criteria_alone(d) == "meets":
                assert d.status == "clinician_review", table(dets)
    if case.level == "relative":
        # the chart is the example with one precaution added: some policy's criteria still meet,
        # so the floor (not the criteria) is what stops the letter
        assert any(criteria_alone(d) == "meets" for d in dets), table(dets)


def test_no_suicide_screen_is_a_gap() -> None:
    """No PHQ-9 item 9 or C-SSRS within 30 days: at best needs_documentation, never meets."""
    fact_no_screen(record("no_suicide_screen"))
    dets = determinations("no_suicide_screen")
    for d in dets:
        assert d.status in ("needs_documentation", "does_not_meet"), table(dets)
    assert any(d.status == "needs_documentation" for d in dets), table(dets)
    for d in dets:
        if criteria_alone(d) == "meets":
            assert d.gaps, f"{d.policy.id}: no gap to document a suicide-risk screen"


# --- controls: the floor must not over-trigger ---------------------------------------------


def control_example(r: PatientRecord) -> None:
    answers = [s for s in r.suicide_risk if s.source == "phq9_item9"]
    assert answers, r.suicide_risk
    assert all(not s.positive for s in answers), r.suicide_risk
    assert all(s.value == 0 for s in answers), r.suicide_risk


def control_negative_screens(r: PatientRecord) -> None:
    control_example(r)
    screens = [s for s in r.suicide_risk if s.source == "cssrs"]
    assert [(s.date, s.positive) for s in screens] == [(dt.date(2026, 11, 10), False)]


def control_childhood_seizure(r: PatientRecord) -> None:
    [seizure] = [d for d in r.diagnoses if d.code == "R56.9"]
    assert (seizure.category, seizure.active) == ("seizure", False)
    assert seizure.onset == dt.date(1989, 9, 15)  # age 8 (born 1981-06-22)
    assert not r.safety.contradictions


def control_deliberate_combination(r: PatientRecord) -> None:
    mirtazapine = next(t for t in r.trials if t.ingredient == "mirtazapine")
    assert mirtazapine.augments == ("duloxetine",)
    assert mirtazapine.weeks_at_adequate_dose is not None
    assert mirtazapine.weeks_at_adequate_dose >= 8


CONTROLS: dict[str, Callable[[PatientRecord], None]] = {
    "example": control_example,
    "control_negative_screens": control_negative_screens,
    "control_childhood_seizure": control_childhood_seizure,
    "deliberate_combination": control_deliberate_combination,
}


@pytest.mark.parametrize("name", list(CONTROLS))
def test_control_fact(name: str) -> None:
    CONTROLS[name](record(name))


POLICY_ASKS_THE_SIGNER = {
    # The Medicare LCDs list seizure history among relative contraindications: their own
    # criterion asks the signer to confirm it was weighed. The floor raises nothing.
    "control_childhood_seizure": {L34998, L34522},
}


@pytest.mark.parametrize("name", list(CONTROLS))
def test_control_still_meets_every_policy_in_force(name: str) -> None:
    dets = determinations(name)
    assert {d.policy.id for d in dets} >= {AETNA, CIGNA, L34998, NY}
    asks = POLICY_ASKS_THE_SIGNER.get(name, set())
    for d in dets:
        assert not d.alerts, table(dets)
        if d.policy.id in asks:
            assert d.status == "needs_documentation", table(dets)
            assert all(g.action.startswith("Signer to confirm") for g in d.gaps), d.gaps
        else:
            assert d.status == "meets", table(dets)


def test_remote_resolved_seizure_meets_a_policy_excluding_seizures() -> None:
    """L37086 excludes a seizure disorder without ``include_history``: a seizure resolved 37
    years ago is no exclusion, and no seizure-history alert (older than 5 years, resolved)."""
    [d] = determinations("control_childhood_seizure", L37086)
    seizure = next(c for c in d.criteria if c.id == "no-seizure-disorder")
    assert seizure.outcome == "met"
    assert d.status == "meets"
    assert "seizure-history" not in {a.id for a in d.alerts}


# --- trial semantics ---------------------------------------------------------------------------


def trial_10_days(r: PatientRecord) -> None:
    [t] = r.trials
    assert (t.ingredient, t.days, t.outcome) == ("sertraline", 10, "inadequate_response")


def trial_one_week_adequate(r: PatientRecord) -> None:
    antidepressants = [t for t in r.trials if t.role == "antidepressant"]
    assert len(antidepressants) == 5
    for t in antidepressants:
        assert t.weeks_at_adequate_dose is not None
        assert t.weeks_at_adequate_dose <= 1.0, t.ingredient
        assert t.weeks is not None
        assert t.weeks >= 6  # long trials, mostly below the minimum dose


def trial_cross_taper(r: PatientRecord) -> None:
    assert {t.ingredient for t in r.trials} >= {"duloxetine", "mirtazapine"}
    assert not [t for t in r.trials if t.augments], [(t.ingredient, t.augments) for t in r.trials]


def trial_3_day_intolerance(r: PatientRecord) -> None:
    [t] = r.trials
    assert (t.ingredient, t.days, t.outcome) == ("sertraline", 3, "intolerance")


@dataclass(frozen=True)
class Trap:
    chart: str
    fact: Callable[[PatientRecord], None]
    may_meet: dict[str, str] = field(default_factory=dict)
    """Policies whose criteria are legitimately met despite the trap, and why."""


PSYCHOTHERAPY_PATH = "TRICARE: one failed trial OR psychotherapy; the 17 CBT sessions meet it"
NO_WEEKS = "no minimum duration encoded (rule review: 'adequate' dose and duration NOT FOUND)"
ANY_INTOLERANCE = "'or documented intolerance': intolerance counts at any duration"

TRAPS = [
    Trap(
        "only_one_10_day_trial",
        trial_10_days,
        {TRICARE: PSYCHOTHERAPY_PATH, L34998: NO_WEEKS, L34522: NO_WEEKS},
    ),
    Trap(
        "one_week_at_adequate_dose",
        trial_one_week_adequate,
        {
            TRICARE: PSYCHOTHERAPY_PATH,
            L34998: NO_WEEKS + "; venlafaxine intolerance",
            L34522: NO_WEEKS + "; venlafaxine intolerance",
            MP170: "(b) 'unable to tolerate a therapeutic dose': venlafaxine reached 75 mg/day "
            "and was stopped for nausea and hypertension",
        },
    ),
    Trap(
        "cross_taper_as_augmentation",
        trial_cross_taper,
        # only Aetna requires an augmentation trial; the others are met by the failed trials
        {
            p: "no augmentation required"
            for p in (CIGNA, IBX, NY, MP170, L34998, L34522, TRICARE, CENTENE)
        },
    ),
    Trap(
        "three_day_intolerance",
        trial_3_day_intolerance,
        {
            TRICARE: PSYCHOTHERAPY_PATH,
            L34998: ANY_INTOLERANCE,
            L34522: ANY_INTOLERANCE,
            MP170: "(b) unable to tolerate a therapeutic dose (50 mg sertraline), one trial",
        },
    ),
]


@pytest.mark.parametrize("case", TRAPS, ids=lambda c: c.chart)
def test_trial_semantics_fact(case: Trap) -> None:
    case.fact(record(case.chart))


@pytest.mark.parametrize("case", TRAPS, ids=lambda c: c.chart)
def test_trial_semantics_no_meets(case: Trap) -> None:
    dets = determinations(case.chart)
    blocked = [d for d in dets if d.policy.id not in case.may_meet]
    assert blocked, table(dets)
    for d in blocked:
        assert d.status != "meets", table(dets)


def test_cross_taper_is_not_aetnas_augmentation_trial() -> None:
    [d] = [d for d in determinations("cross_taper_as_augmentation") if d.policy.id == AETNA]
    medication = next(c for c in d.criteria if c.id == "medication-failure")
    augmentation = next(c for c in medication.children if c.id == "augmentation-trial")
    assert augmentation.outcome == "not_met", augmentation.explanation


# --- CLI: the urgent alert is printed before anything else ---------------------------------------


def test_cli_prints_the_urgent_alert_first() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            str(chart("phq9_item9_nearly_every_day")),
            "--payer",
            "all",
            "--as-of",
            "2026-11-25",
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines, result.output
    first = lines[0].lower()
    assert "acute-suicide-risk" in first or "acute suicide risk" in first, lines[:3]
