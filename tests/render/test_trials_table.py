"""The trials table: last day of a stopped trial, and real augmentation only."""

from __future__ import annotations

import datetime as dt

from priorauth.facts.models import MedicationTrial
from priorauth.render import render_html

from .conftest import make_determination, make_record
from .test_html import find, parse, text_of

D = dt.date


def rows(record) -> dict[str, str]:
    trials = find(parse(render_html(make_determination(record=record))), data_section="trials")
    return {tr.get("data-trial"): text_of(tr) for tr in trials.iter("tr") if tr.get("data-trial")}


def test_a_stopped_trial_prints_its_last_day_not_the_exclusive_end():
    r = rows(make_record())
    # sertraline: start 01/10/2025, exclusive end 03/28/2025 -> last day 03/27/2025
    assert "01/10/2025 \u2013 03/27/2025" in r["Sertraline"]
    assert "03/28/2025" not in r["Sertraline"]
    assert "07/07/2025 \u2013 10/19/2025" in r["Bupropion"]
    assert "11/03/2025 \u2013 ongoing" in r["Mirtazapine"]


def trial(ingredient: str, drug_class: str, start: D, end: D, **kw: object) -> MedicationTrial:
    return MedicationTrial(
        ingredient=ingredient,
        drug_class=drug_class,
        role="antidepressant",
        start=start,
        end=end,
        outcome="inadequate_response",
        evidence=(f"MedicationRequest/{ingredient}",),
        **kw,  # type: ignore[arg-type]
    )


def test_augmented_by_only_for_real_augmentation():
    sert = trial("sertraline", "ssri", D(2025, 1, 10), D(2025, 5, 1))
    # a bedtime hypnotic held alongside: no augmentation recorded by the facts stage
    traz = trial("trazodone", "serotonin_modulator", D(2025, 2, 1), D(2025, 4, 1))
    # a switch with a one-day overlap: the facts stage records nothing either
    esc = trial("escitalopram", "ssri", D(2025, 4, 30), D(2025, 8, 1))
    # a deliberate combination (added to sertraline, held together 4+ weeks)
    bup = trial("bupropion", "bupropion", D(2025, 3, 1), D(2025, 5, 1), augments=("sertraline",))
    ari = trial("aripiprazole", "sga", D(2025, 3, 1), D(2025, 5, 1), augments=("sertraline",))
    ari = ari.model_copy(update={"role": "augmentation"})
    lone = trial("lithium", "lithium", D(2025, 9, 1), D(2025, 9, 20)).model_copy(
        update={"role": "augmentation"}
    )
    r = rows(make_record(trials=(sert, traz, esc, bup, ari, lone)))
    assert "Augmented by Aripiprazole" in r["Sertraline"]
    assert "Combined with Bupropion" in r["Sertraline"]
    assert "Trazodone" not in r["Sertraline"]
    assert "Escitalopram" not in r["Sertraline"]
    assert r["Trazodone"].endswith("None")
    assert r["Escitalopram"].endswith("None")
    assert "Combined with Sertraline" in r["Bupropion"]
    assert "Augmented by" not in r["Bupropion"]
    assert "Augments Sertraline" in r["Aripiprazole"]
    assert "not held with an antidepressant" in r["Lithium"]
