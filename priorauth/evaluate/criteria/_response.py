"""Response to one medication trial judged from rating-scale scores (``response_from_scores``).

Computed in evaluation, not in facts: the windows (how far before the start a baseline may be,
how long after the end a follow-up counts) are the policy's, so the rule file sets them.

* **baseline**: the last score dated within ``baseline_days`` before the trial's start (the start
  day included);
* **follow-up**: scores on the SAME instrument dated after the start and at most
  ``followup_days`` after the trial's last day (the as-of date for an ongoing trial);
* **best**: the lowest follow-up score (lower is better on every tracked scale);
* **change**: ``(baseline - best) / baseline`` in percent; negative when the scores worsened.

When several instruments have a baseline, the most recent baseline with a follow-up decides.

>>> import datetime as dt
>>> from priorauth.facts.models import MedicationTrial, ScoreFact
>>> trial = MedicationTrial(ingredient="fluoxetine", drug_class="ssri", role="antidepressant",
...     start=dt.date(2025, 1, 6), end=dt.date(2025, 7, 28), days=203, outcome="unknown")
>>> scores = [ScoreFact(instrument="phq9", date=dt.date(2025, 1, 2), value=20),
...           ScoreFact(instrument="phq9", date=dt.date(2025, 7, 21), value=22)]
>>> r = trial_response(trial, scores, baseline_days=30, followup_days=14, as_of=dt.date(2026, 1, 1))
>>> r.reduction_pct, r.text()
(-10.0, 'PHQ-9 20 on 2025-01-02, best 22 on 2025-07-21: 10% worse')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from priorauth.determination import Evidence
from priorauth.evaluate.criteria.scores import INSTRUMENT_NAMES
from priorauth.facts.models import MedicationTrial, ScoreFact

__all__ = ["ScoreResponse", "trial_response"]


@dataclass(frozen=True)
class ScoreResponse:
    """Baseline and best follow-up score of one trial on one instrument."""

    baseline: ScoreFact
    best: ScoreFact

    @property
    def reduction_pct(self) -> float:
        """The percent reduction from baseline to best (negative: the scores worsened)."""
        return round((self.baseline.value - self.best.value) / self.baseline.value * 100, 1)

    def text(self) -> str:
        """``PHQ-9 20 on 2025-01-02, best 22 on 2025-07-21: 10% worse``."""
        name = INSTRUMENT_NAMES.get(self.baseline.instrument, self.baseline.instrument)
        pct = self.reduction_pct
        change = f"{pct:g}% reduction" if pct >= 0 else f"{-pct:g}% worse"
        return (
            f"{name} {self.baseline.value:g} on {self.baseline.date.isoformat()}, "
            f"best {self.best.value:g} on {self.best.date.isoformat()}: {change}"
        )

    def evidence(self) -> tuple[Evidence, ...]:
        """The two scores as evidence."""
        return tuple(
            Evidence(fact="scores", summary=f"{label}: {self.text()}", resources=s.evidence)
            for label, s in (("baseline", self.baseline), ("best", self.best))
        )


def _last_day(trial: MedicationTrial, as_of: dt.date) -> dt.date | None:
    if trial.ongoing:
        return as_of
    if trial.end is not None:
        return trial.end - dt.timedelta(days=1)
    return trial.start + dt.timedelta(days=trial.days) if trial.days is not None else None


def trial_response(
    trial: MedicationTrial,
    scores: Sequence[ScoreFact],
    *,
    baseline_days: int,
    followup_days: int,
    as_of: dt.date,
) -> ScoreResponse | None:
    """The trial's response on one instrument, or ``None`` when no baseline/follow-up pair."""
    last = _last_day(trial, as_of)
    if last is None:
        return None
    until = min(last + dt.timedelta(days=followup_days), as_of)
    earliest = trial.start - dt.timedelta(days=baseline_days)
    baselines = sorted(
        (s for s in scores if earliest <= s.date <= trial.start and s.value > 0),
        key=lambda s: s.date,
        reverse=True,
    )
    for baseline in baselines:
        follow = [
            s
            for s in scores
            if s.instrument == baseline.instrument and trial.start < s.date <= until
        ]
        if follow:
            return ScoreResponse(baseline, min(follow, key=lambda s: (s.value, s.date)))
    return None
