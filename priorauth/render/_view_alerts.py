"""View builders for the safety floor's alerts: the page-1 block and the safety-section rows."""

from __future__ import annotations

from priorauth import alerts
from priorauth.determination import Determination, SafetyAlert
from priorauth.render import _format as f
from priorauth.render.view_models import AlertRow, AlertsView

LEVEL_LABELS = {"absolute": "Absolute", "relative": "Relative"}
INTROS = {
    "hold": "The chart holds an absolute safety finding. Do not submit this request: the "
    "treating clinician must act on each finding below first.",
    "review": "A safety finding below must be reviewed by a named clinician, and the review "
    "recorded, before this request is submitted.",
}


def alert_row(alert: SafetyAlert) -> AlertRow:
    """One alert as printed, with the resources behind it."""
    refs = dict.fromkeys(r for e in alert.evidence for r in e.resources)
    return AlertRow(
        id=alert.id,
        level=alert.level,
        level_label=LEVEL_LABELS[alert.level],
        title=alert.title,
        message=f.us_dates(alert.message),
        urgent=alert.urgent,
        urgent_action=alerts.URGENT_ACTION if alert.urgent else "",
        evidence=", ".join(refs) or f.NOT_DOCUMENTED,
        reviewed_by=alert.reviewed_by or "",
        review_note=_review_note(alert),
        blocking=alerts.blocks(alert),
    )


def _review_note(alert: SafetyAlert) -> str:
    if alert.level == "absolute":
        note = "a review does not clear an absolute finding"
        return (
            f"Reviewed by {alert.reviewed_by}; {note}" if alert.reviewed_by else note.capitalize()
        )
    if alert.reviewed_by:
        return f"Reviewed by {alert.reviewed_by}"
    return "Not yet reviewed: a named clinician must review it before submission"


def alert_block(d: Determination) -> AlertsView | None:
    """The block above the letterhead, while any alert blocks (or the status is a safety one)."""
    heading = alerts.heading(d)
    if heading is None:
        return None
    kind = "hold" if heading == alerts.HOLD_HEADING else "review"
    rows = tuple(alert_row(a) for a in alerts.ordered(d.alerts))
    return AlertsView(
        heading=heading,
        kind=kind,
        intro=INTROS[kind],
        urgent=any(r.urgent for r in rows),
        rows=rows,
    )


def safety_alert_rows(d: Determination) -> tuple[AlertRow, ...]:
    """Every alert, blocking first, for the letter's safety section."""
    return tuple(alert_row(a) for a in alerts.ordered(d.alerts))
