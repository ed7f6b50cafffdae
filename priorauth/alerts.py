"""Safety alerts as every surface words them: the letter, ``priorauth letter``, the batch summary.

One place decides which alerts block a letter, the order they are shown in and their wording,
so the letter, the CLI and the batch summary cannot disagree::

    >>> from priorauth.determination import SafetyAlert
    >>> seizure = SafetyAlert(
    ...     id="seizure-history", level="relative", category="seizure",
    ...     title="Seizure history", message="G40.909 active since 2019.")
    >>> summary_labels((seizure,))
    ('REVIEW: seizure-history',)
    >>> summary_labels((seizure.model_copy(update={"reviewed_by": "Dana Reyes, MD"}),))
    ('REVIEWED: seizure-history',)

An absolute alert always blocks; a relative one blocks until ``reviewed_by`` names the clinician
who reviewed it. An urgent alert (acute suicide risk) is a clinical emergency, never a
documentation gap: it is worded with ``URGENT_ACTION``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from priorauth.determination import Determination, SafetyAlert

__all__ = [
    "HOLD_HEADING",
    "HOLD_LABEL",
    "REVIEW_HEADING",
    "REVIEW_LABEL",
    "SAFETY_STATUSES",
    "URGENT_ACTION",
    "alert_lines",
    "blocking",
    "blocks",
    "each_alert",
    "heading",
    "is_hold",
    "ordered",
    "summary_labels",
]

HOLD_HEADING = "SAFETY HOLD \u2014 do not submit"
REVIEW_HEADING = "CLINICIAN REVIEW REQUIRED"
URGENT_ACTION = (
    "Urgent clinical alert: contact the treating clinician the same day; "
    "a prior-authorization request is not the path for an emergency."
)
HOLD_LABEL, REVIEW_LABEL, REVIEWED_LABEL = "SAFETY HOLD: ", "REVIEW: ", "REVIEWED: "
"""Prefixes of ``summary_labels``: an absolute alert, a relative one to review, a reviewed one."""
SAFETY_STATUSES = frozenset({"safety_hold", "clinician_review"})


def blocks(alert: SafetyAlert) -> bool:
    """Whether the alert keeps the letter from being final (absolute, or not yet reviewed)."""
    return alert.level == "absolute" or alert.reviewed_by is None


def ordered(alerts: Iterable[SafetyAlert]) -> tuple[SafetyAlert, ...]:
    """Blocking before reviewed, absolute before relative, urgent first; otherwise as given."""
    return tuple(sorted(alerts, key=lambda a: (not blocks(a), a.level != "absolute", not a.urgent)))


def blocking(d: Determination) -> tuple[SafetyAlert, ...]:
    """The alerts that block the letter, in display order."""
    return tuple(a for a in ordered(d.alerts) if blocks(a))


def is_hold(d: Determination) -> bool:
    """A safety hold: the status says so, or an absolute alert is present."""
    return d.status == "safety_hold" or any(a.level == "absolute" for a in d.alerts)


def heading(d: Determination) -> str | None:
    """``HOLD_HEADING``, ``REVIEW_HEADING``, or None when nothing safety-related blocks."""
    if is_hold(d):
        return HOLD_HEADING
    if blocking(d) or d.status in SAFETY_STATUSES:
        return REVIEW_HEADING
    return None


def _label(alert: SafetyAlert) -> str:
    if alert.level == "absolute":
        return HOLD_LABEL + alert.id
    return (REVIEW_LABEL if blocks(alert) else REVIEWED_LABEL) + alert.id


def summary_labels(alerts: Iterable[SafetyAlert]) -> tuple[str, ...]:
    """One short label per alert for summaries (``SAFETY HOLD: id``, ``REVIEW: id`` ...)."""
    return tuple(_label(a) for a in ordered(alerts))


def _resources(alert: SafetyAlert) -> str:
    refs = dict.fromkeys(r for e in alert.evidence for r in e.resources)
    return ", ".join(refs)


def alert_lines(d: Determination) -> Iterator[str]:
    """The alerts as console lines (stderr of ``priorauth letter``): heading, one line each."""
    title = heading(d)
    if title is None and not d.alerts:
        return
    if title is not None:
        yield f"{title} ({d.policy.id}: {d.status})"
    yield from each_alert(d.alerts)


def each_alert(alerts: Iterable[SafetyAlert]) -> Iterator[str]:
    """Console lines for alerts, once per id, in display order: the finding with its resource
    ids, then what to do (``priorauth evaluate`` prints these before anything else)."""
    unique: dict[str, SafetyAlert] = {}
    for alert in alerts:
        unique.setdefault(alert.id, alert)
    for alert in ordered(unique.values()):
        refs = _resources(alert)
        where = f" [{refs}]" if refs else ""
        if not blocks(alert):
            yield f"  reviewed: {alert.id}: {alert.title}: reviewed by {alert.reviewed_by}{where}"
            continue
        tag = "URGENT" if alert.urgent else _label(alert).split(":")[0]
        yield f"  {tag}: {alert.id}: {alert.title}: {alert.message}{where}"
        action = URGENT_ACTION if alert.urgent else alert.action
        if action:
            yield f"    {action}"
