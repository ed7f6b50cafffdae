"""Dosing schedules: titration and taper steps, as-needed orders, weekly equivalents (issue 17).

A *sig* (``Dosage.text``, ``patientInstruction``) or a set of structured ``dosageInstruction``
sequences can describe more than one dose over time: "Take 1 capsule daily x7d then 2 capsules
daily", "10 mg for 7 days, then 20 mg daily", "days 1-7: ..., days 8+: ...". :func:`read_sig`
reads such a text into :class:`Step` s (a daily dose and how many days it lasts); the exposure
reader gives each day of a record the dose of the step in force that day
(docs/trial-conventions.md, "Schedules"). A text that announces steps it cannot read is
``unread``: the dose is then unknown and a note names the record and the words, never a silent
first-step dose.

>>> [(s.mg_per_day, s.days) for s in read_sig("Take 1 capsule daily x7d then 2 capsules daily",
...     37.5).steps]
[(37.5, 7.0), (75.0, None)]
>>> [(s.mg_per_day, s.days) for s in read_sig("10 mg for 7 days, then 20 mg daily", None).steps]
[(10.0, 7.0), (20.0, None)]
>>> read_sig("1 tab at bedtime as needed for sleep", 50.0).as_needed_for
'sleep'
>>> labelled_daily_equivalent("fluoxetine", 90 / 7)
(20.0, '90 mg once weekly = 20 mg/day (Prozac Weekly label)')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from priorauth.facts.dosing import dosage_daily_dose, dose_in_text, frequency_in_text
from priorauth.fhir.datatypes import cc_text, field
from priorauth.limits import bounded

__all__ = [
    "MAX_SIG_CHARS",
    "PLAUSIBLE_MARGIN",
    "Sig",
    "Step",
    "as_needed_of",
    "implausible",
    "labelled_daily_equivalent",
    "read_sig",
    "structured_steps",
    "taken_with_mg",
]

MAX_SIG_CHARS = 400
"""Longer dosage texts are not read as schedules (they are noted as unread when they step)."""

PLAUSIBLE_MARGIN = 2.0
"""A daily dose above the ingredient's usual maximum x this margin is implausible (a keying error
such as daysSupply 3 for 30): noted and not used."""

_WEEKLY_EQUIVALENTS: dict[str, tuple[float, float, str]] = {
    # ingredient: (mg once weekly, labelled daily equivalent, source)
    "fluoxetine": (90.0, 20.0, "Prozac Weekly label"),
}

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "ten": 10, "fourteen": 14}  # fmt: skip
_N = r"(\d{1,3}|one|two|three|four|five|six|seven|eight|ten|fourteen)"
_UNIT_DAYS = r"(d|days?|wks?|weeks?)"
# Every pattern below is a bounded sequence of literal words and short digit runs: no nested
# repetition, so matching is linear in the (length-capped) text.
_FOR_DURATION = re.compile(
    r"\b(?:x|for|times|during)\s*" + _N + r"\s*" + _UNIT_DAYS + r"\b", re.IGNORECASE
)
_DAY_RANGE = re.compile(
    r"\b(?:on\s+)?(day|week)s?\s*(\d{1,3})\s*(?:-|\u2013|to|through|thru)\s*(\d{1,3})\b:?",
    re.IGNORECASE,
)
_DAY_ONWARD = re.compile(
    r"\b(?:on\s+|from\s+|starting\s+)?(day|week)s?\s*(\d{1,3})\s*(?:\+|on(?:ward)?s?\b|and\s+after"
    r"\b|and\s+beyond\b|and\s+thereafter\b)\s*:?",
    re.IGNORECASE,
)
_SINGLE_DAY = re.compile(r"\b(?:on\s+)?(day|week)\s*(\d{1,3})\b\s*:?", re.IGNORECASE)
_AFTER = re.compile(r"\bafter\s+" + _N + r"\s*" + _UNIT_DAYS + r"\b", re.IGNORECASE)
_SPLIT = re.compile(
    r"\s*(?:,\s*|\.\s+)?\b(?:and\s+)?then\b\s*,?\s*|\s*;\s*|\s*,\s*(?=(?:on\s+)?(?:days?|weeks?)\s+\d)"
    r"|\.\s+(?=(?:days?|weeks?|increase|decrease|reduce|taper|may)\b)",
    re.IGNORECASE,
)
_STEP_WORDS = re.compile(
    r"\bthen\b|\bincrease\b|\bdecrease\b|\breduce\b|\btaper\b|\btitrat|\bdays?\s+\d|\bweeks?\s+\d",
    re.IGNORECASE,
)
_ANY_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|half)\b", re.IGNORECASE)
_STOP = re.compile(r"^\s*(?:stop|discontinue|off)\b", re.IGNORECASE)
_CHANGE = re.compile(r"^\s*(?:increase|decrease|reduce|go\s+up|go\s+down)\s+(?:dose\s+)?(?:to\s+)?",
                     re.IGNORECASE)  # fmt: skip
_RANGE = re.compile(
    r"\b(\d{1,4}(?:\.\d{1,2})?)\s*(?:-|\u2013|to|or)\s*(\d{1,4}(?:\.\d{1,2})?)\s*(?=(?:tab|cap|pill|mg)\b"
    r"|(?:tab|cap|pill)\w{0,5}\b)",
    re.IGNORECASE,
)
_TOTAL = re.compile(
    r"(?:\btotal(?:\s+of)?|\btotaling|\btotalling|=)\s*(\d{1,4}(?:\.\d{1,2})?)\s*mg\b"
    r"(?:\s*(?:/\s*day|per\s+day|daily|a\s+day|each\s+day))?",
    re.IGNORECASE,
)
_TOGETHER = re.compile(
    r"\b(?:together\s+with|along\s+with|with)\s+(?:the\s+|a\s+|one\s+|your\s+)?"
    r"(\d{1,4}(?:\.\d{1,2})?)\s*mg\s+(?:cap|tab|pill)\w{0,6}",
    re.IGNORECASE,
)
_INCREMENT = re.compile(
    r"^(?:start(?:ing)?\s+(?:at\s+|with\s+)?)?(\d{1,4}(?:\.\d{1,2})?)\s*mg\b([^.;]{0,60}?),?\s*"
    r"(?:then\s+)?increase\s+(?:by\s+)?(\d{1,4}(?:\.\d{1,2})?)\s*mg\s+every\s+(\d{1,3})\s*"
    r"(days?|weeks?)\s+(?:up\s+)?to\s+(?:a\s+(?:max(?:imum)?|target)\s+(?:of\s+)?)?"
    r"(\d{1,4}(?:\.\d{1,2})?)\s*mg\b([^.;]{0,40})\.?$",
    re.IGNORECASE,
)
_PRN = re.compile(r"\bp\.?r\.?n\b|\bas\s+needed\b|\bif\s+needed\b|\bwhen\s+needed\b", re.IGNORECASE)
_PRN_REASON = re.compile(
    r"\b(?:for|prn)\s+((?!\d)[a-z][a-z\s/-]{1,40}?)(?=\s*(?:[.;,)]|\bas\s+needed\b|\bprn\b|$))",
    re.IGNORECASE,
)
_ONE_TIME = re.compile(
    r"\bonce\s+only\b|\bone\s+time\s+(?:only|dose)\b|\bx\s*1(?:\s+dose)?\s*\.?$|\bstat\b",
    re.IGNORECASE,
)
_WEEKLY_TIMES = {"twice": 2.0, "two": 2.0, "2": 2.0, "2x": 2.0, "three": 3.0, "3": 3.0, "3x": 3.0}
_TIMES_A_WEEK = re.compile(
    r"\b(twice|two\s+times|2\s+times|three\s+times|3\s+times|2x|3x)\s+(?:a\s+|per\s+|each\s+)?week",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Step:
    """One step of a schedule: a daily dose (mg, ``None`` unknown) for ``days`` (``None``: open,
    until the record ends)."""

    mg_per_day: float | None
    days: float | None
    how: str = ""


@dataclass(frozen=True)
class Sig:
    """A dosage text read as a schedule."""

    steps: tuple[Step, ...] = ()
    as_needed: bool = False
    as_needed_for: str | None = None
    one_time: bool = False
    unread: str | None = None
    """The words that could not be read (``None`` when the text was read fully)."""
    stops: bool = False
    """The schedule ends after its last step's days ("... then stop")."""

    @property
    def stepped(self) -> bool:
        """More than one step (a titration, taper or starter pack)."""
        return len(self.steps) > 1

    @property
    def understood(self) -> bool:
        """Every step has a dose, and every step but the last a duration."""
        return (
            self.unread is None
            and bool(self.steps)
            and all(s.mg_per_day is not None for s in self.steps)
            and all(s.days is not None for s in self.steps[:-1])
        )

    @property
    def total_days(self) -> float | None:
        """Days the schedule lasts when it ``stops`` and every step has a duration."""
        if not self.stops or any(s.days is None for s in self.steps):
            return None
        return sum(s.days or 0.0 for s in self.steps)


def _count(word: str) -> float:
    word = word.lower()
    return float(_NUMBER_WORDS[word]) if word in _NUMBER_WORDS else float(word)


def _unit_days(unit: str) -> float:
    return 7.0 if unit.lower().startswith("w") else 1.0


def _duration(segment: str) -> tuple[float | None, bool, str]:
    """``(days, open, segment without the duration words)``; open: "days 8+"."""
    match = _DAY_RANGE.search(segment)
    if match:
        span = int(match.group(3)) - int(match.group(2)) + 1
        rest = segment[: match.start()] + " " + segment[match.end() :]
        return span * _unit_days(match.group(1)), False, rest
    match = _DAY_ONWARD.search(segment)
    if match:
        return None, True, segment[: match.start()] + " " + segment[match.end() :]
    match = _FOR_DURATION.search(segment)
    if match:
        days = _count(match.group(1)) * _unit_days(match.group(2))
        return days, False, segment[: match.start()] + " " + segment[match.end() :]
    match = _SINGLE_DAY.search(segment)
    if match:
        return (
            _unit_days(match.group(1)),
            False,
            segment[: match.start()] + " " + segment[match.end() :],
        )
    return None, False, segment


def _segment_dose(segment: str, strength_mg: float | None) -> tuple[float | None, float | None,
                                                                    str]:  # fmt: skip
    """``(dose per administration or total per day, administrations per day, how)``.

    A written daily total ("total 225 mg daily") is the daily dose itself (per day = 1).
    """
    total = _TOTAL.search(segment)
    if total:
        return float(total.group(1)), 1.0, f"text total {total.group(1)} mg/day"
    how_range = ""
    ranged = _RANGE.search(segment)
    if ranged:
        how_range = f" (range {ranged.group(1)}-{ranged.group(2)} at its low bound)"
        segment = segment[: ranged.start()] + ranged.group(1) + " " + segment[ranged.end() :]
    dose, how = dose_in_text(segment, strength_mg)
    weekly = _TIMES_A_WEEK.search(segment)
    if weekly:  # "twice weekly": dosing.frequency_in_text would read "weekly" alone
        times = _WEEKLY_TIMES[weekly.group(1).lower().split()[0]]
        return dose, round(times / 7, 6), how + how_range
    if _ONE_TIME.search(segment) and frequency_in_text(segment) is None:
        return dose, 1.0, how + " (one dose)"
    return dose, frequency_in_text(segment), how + how_range


def _as_needed(text: str) -> tuple[bool, str | None]:
    if not _PRN.search(text):
        return False, None
    for match in _PRN_REASON.finditer(text):
        reason = match.group(1).strip().lower().removeprefix("for ").strip()
        if not re.match(r"(?:\d|one|two|three|four|up\s+to)", reason):
            return True, reason
    return True, None


def read_sig(text: str | None, strength_mg: float | None) -> Sig:
    """Read a dosage text into steps (see the module doc); one step for a plain sig."""
    text = " ".join(bounded(text).split())
    as_needed, reason = _as_needed(text)
    one_time = bool(_ONE_TIME.search(text))
    if not text:
        return Sig()
    if len(text) > MAX_SIG_CHARS:
        return Sig(as_needed=as_needed, as_needed_for=reason, one_time=one_time, unread=text[:80])
    if taken_with_mg(text) is not None:  # the other unit's mass is not this record's dose
        text = " ".join(_TOGETHER.sub(" ", text).split())
    increments = _increments(text)
    if increments is not None:
        return Sig(increments, as_needed, reason, one_time)
    segments = [s for s in _SPLIT.split(text) if s and s.strip(" .,")]
    scheduled = [s for s in segments if not _PRN.search(s)]
    if scheduled and len(scheduled) < len(segments):
        # "1 tablet daily; may take an additional tablet as needed": the scheduled dose is the
        # order; the as-needed extra is not a step and does not make the order as-needed
        segments, as_needed, reason = scheduled, False, None
    raw: list[tuple[float | None, float | None, float | None, str, str]] = []
    stops = False
    for index, segment in enumerate(segments):
        if _STOP.match(segment):
            stops = True
            if index != len(segments) - 1:
                return _unread(text, segment, as_needed, reason, one_time)
            continue
        if not _ANY_NUMBER.search(segment):
            continue  # an instruction ("May cause drowsiness"), not a step; step words still count
        after = _AFTER.search(segment)
        if after and raw:  # "increase to 2 tablets daily after 1 week": the previous step's days
            previous = raw[-1]
            raw[-1] = (previous[0], previous[1], _count(after.group(1)) * _unit_days(
                after.group(2)), previous[3], previous[4])  # fmt: skip
            segment = segment[: after.start()] + " " + segment[after.end() :]
        days, _open, rest = _duration(segment)
        rest = _CHANGE.sub("", rest)
        dose, per_day, how = _segment_dose(rest, strength_mg)
        raw.append((dose, per_day, days, how, segment.strip()))
    if not raw and (stops or _STEP_WORDS.search(text)):
        return _unread(text, text, as_needed, reason, one_time)
    if not raw:  # no number at all ("Take as needed."): one step of unknown dose
        return Sig((Step(None, None),), as_needed, reason, one_time)
    stated = {r[1] for r in raw if r[1] is not None}
    if len(raw) > 1 and len(stated) > 1 and any(r[1] is None for r in raw):
        return _unread(text, next(r[4] for r in raw if r[1] is None), as_needed, reason, one_time)
    shared = next(iter(stated)) if len(stated) == 1 else None
    steps = []
    for dose, per_day, days, how, segment in raw:
        per_day = per_day if per_day is not None else shared
        if dose is None or per_day is None:
            if len(raw) > 1 or _STEP_WORDS.search(text):
                return _unread(text, segment, as_needed, reason, one_time)
            steps.append(Step(None, days))
            continue
        steps.append(Step(round(dose * per_day, 3), days, f"{how} x {per_day:g}/day"))
    if len(steps) == 1 and _STEP_WORDS.search(text) and steps[0].days is None:
        return _unread(text, text, as_needed, reason, one_time)
    if len(steps) > 1 and any(s.days is None for s in steps[:-1]):
        missing = next(r[4] for r, s in zip(raw, steps, strict=True) if s.days is None)
        return _unread(text, missing, as_needed, reason, one_time)
    if not stops and steps[-1].days is not None and len(steps) > 1:
        last = steps[-1]
        steps[-1] = Step(last.mg_per_day, None, last.how)  # the last step lasts until the end
    return Sig(tuple(steps), as_needed, reason, one_time, None, stops)


def _increments(text: str) -> tuple[Step, ...] | None:
    """ "Start 25 mg at bedtime, increase by 25 mg every 3 days to 100 mg": 25 mg for 3 days, 50,
    75, then 100 mg until the record ends. Read only for a written once-a-day frequency (with
    several doses a day, "increase by 25 mg" could be per dose or per day) and 20 steps at most."""
    match = _INCREMENT.match(text)
    if match is None:
        return None
    first, by, target = float(match.group(1)), float(match.group(3)), float(match.group(6))
    days = int(match.group(4)) * _unit_days(match.group(5))
    per_day = frequency_in_text(match.group(2) + " " + match.group(7))
    if per_day != 1.0 or by <= 0 or target < first or (target - first) / by > 20:
        return None
    steps, dose = [], first
    while dose < target:
        steps.append(Step(round(dose * per_day, 3), days, f"text {dose:g} mg x {per_day:g}/day"))
        dose = min(target, dose + by)
    steps.append(Step(round(target * per_day, 3), None, f"text {target:g} mg x {per_day:g}/day"))
    return tuple(steps)


def _unread(text: str, words: str, as_needed: bool, reason: str | None, one_time: bool) -> Sig:
    del text
    return Sig(as_needed=as_needed, as_needed_for=reason, one_time=one_time, unread=words.strip())


def as_needed_of(dosages: Sequence[Any]) -> tuple[bool, str | None]:
    """Whether a record is as-needed: every Dosage is (``asNeededBoolean``,
    ``asNeededCodeableConcept``, or a text read as as-needed by :func:`read_sig`, where a scheduled
    dose with an as-needed extra is not), with the first reason given."""
    if not dosages:
        return False, None
    reasons: list[str | None] = []
    for dosage in dosages:
        concept = field(dosage, "asNeededCodeableConcept")
        sig = read_sig(_texts(dosage), None)
        if concept is not None:
            reasons.append(cc_text(concept) or sig.as_needed_for)
        elif field(dosage, "asNeededBoolean") is True or sig.as_needed:
            reasons.append(sig.as_needed_for)
        else:
            return False, None
    return True, next((r for r in reasons if r), None)


def _texts(dosage: Any) -> str:
    parts = [field(dosage, "text"), field(dosage, "patientInstruction")]
    parts += [field(i, "text") for i in field(dosage, "additionalInstruction") or []]
    return " ".join(str(p) for p in parts if p)


def text_of(dosages: Sequence[Any]) -> str:
    """The dosage texts of one record's dosages, joined."""
    return " ".join(t for t in (_texts(d) for d in dosages) if t)


def structured_steps(
    dosages: Sequence[Any], strength_mg: float | None, mass_ok: bool
) -> tuple[Step, ...] | None:
    """Steps from structured sequences: dosages with different ``sequence`` numbers, each but
    the last bounded by ``timing.repeat.boundsDuration``. ``None`` when they are not a schedule
    (one sequence, or a step without a duration or a dose)."""
    groups: dict[int, list[Any]] = {}
    for dosage in dosages:
        sequence = field(dosage, "sequence")
        if sequence is None:
            return None
        groups.setdefault(int(sequence), []).append(dosage)
    if len(groups) < 2:
        return None
    steps = []
    ordered = sorted(groups.items())
    for position, (_sequence, group) in enumerate(ordered):
        doses = [dosage_daily_dose(d, strength_mg, mass_ok) for d in group]
        if any(d.mg is None for d in doses):
            return None
        bounds = field(field(field(group[0], "timing"), "repeat"), "boundsDuration")
        days = _bounds_days(bounds)
        if days is None and position < len(ordered) - 1:
            return None
        mg = round(sum(d.mg or 0.0 for d in doses), 3)
        steps.append(Step(mg, days if position < len(ordered) - 1 else None,
                          " + ".join(d.how for d in doses)))  # fmt: skip
    return tuple(steps)


def _bounds_days(bounds: Any) -> float | None:
    value = field(bounds, "value")
    unit = str(field(bounds, "code") or field(bounds, "unit") or "").lower()
    factor = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "weeks": 7}.get(unit)
    return float(value) * factor if value is not None and factor else None


def labelled_daily_equivalent(
    ingredient: str, mg_per_day: float | None
) -> tuple[float, str] | None:
    """The labelled daily equivalent of a weekly form (fluoxetine 90 mg once weekly = 20 mg/day),
    or ``None`` when the dose is not such a form."""
    known = _WEEKLY_EQUIVALENTS.get(ingredient)
    if known is None or mg_per_day is None:
        return None
    weekly, daily, source = known
    if abs(mg_per_day - weekly / 7) > 0.01:
        return None
    return daily, f"{weekly:g} mg once weekly = {daily:g} mg/day ({source})"


def taken_with_mg(text: str | None) -> float | None:
    """The mg of another capsule/tablet the sig says to take together with this one ("together
    with the 75 mg capsule"); ``None`` when the sig says no such thing or writes the daily total
    itself (then the total is the dose).

    >>> taken_with_mg("Take 1 capsule daily together with the 75 mg capsule")
    75.0
    >>> taken_with_mg("150 mg capsule together with the 75 mg capsule, total 225 mg daily") is None
    True
    """
    text = " ".join((text or "").split())[:MAX_SIG_CHARS]
    match = _TOGETHER.search(text)
    if match is None or _TOTAL.search(text):
        return None
    return float(match.group(1))


def implausible(mg_per_day: float | None, usual_max: float | None) -> bool:
    """A daily dose above the usual maximum x :data:`PLAUSIBLE_MARGIN`."""
    return (
        mg_per_day is not None
        and usual_max is not None
        and mg_per_day > usual_max * PLAUSIBLE_MARGIN
    )
