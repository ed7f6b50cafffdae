"""Geometry of the severity trend chart, drawn as inline SVG by ``templates/_chart.html``.

All arithmetic happens here (scales, ticks, severity bands); the template only writes the
elements. No JavaScript, no images to decode, no URL to fetch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from priorauth.facts.models import ScoreFact
from priorauth.render._format import INSTRUMENTS, date_short, number
from priorauth.render.view_models import ChartBand, ChartPoint, ChartView

WIDTH, HEIGHT = 520, 170
LEFT, RIGHT, TOP, BOTTOM = 30.0, 455.0, 14.0, 140.0
MIN_LABEL_GAP = 52.0
"""Date labels closer than this (px) to the previous shown one are left out."""

PHQ_BANDS = (
    (0, 5, "minimal"),
    (5, 10, "mild"),
    (10, 15, "moderate"),
    (15, 20, "mod. severe"),
    (20, 27, "severe"),
)
"""PHQ-9 / PHQ-A severity bands (Kroenke 2001)."""


def _x_scale(dates: Sequence[dt.date]) -> list[float]:
    first, last = min(dates), max(dates)
    span = (last - first).days
    if span == 0:
        return [(LEFT + RIGHT) / 2 for _ in dates]
    pad = 14.0
    return [LEFT + pad + (d - first).days / span * (RIGHT - LEFT - 2 * pad) for d in dates]


def _y(value: float, top_value: float) -> float:
    return round(BOTTOM - min(max(value, 0.0), top_value) / top_value * (BOTTOM - TOP), 1)


def _ticks(top_value: float) -> tuple[tuple[float, str], ...]:
    step = 5 if top_value <= 30 else 10
    return tuple((_y(v, top_value), str(v)) for v in range(0, int(top_value) + 1, step))


def _bands(instrument: str, top_value: float) -> tuple[ChartBand, ...]:
    if instrument not in ("phq9", "phqa"):
        return ()
    bands = []
    for i, (low, high, label) in enumerate(PHQ_BANDS):
        y_top, y_low = _y(high, top_value), _y(low, top_value)
        bands.append(
            ChartBand(
                y=y_top,
                height=round(y_low - y_top, 1),
                label=label,
                label_y=round((y_top + y_low) / 2 + 3, 1),
                shade="a" if i % 2 else "b",
            )
        )
    return tuple(bands)


def _shown(xs: Sequence[float]) -> list[bool]:
    shown, last = [], -MIN_LABEL_GAP
    for x in xs:
        shown.append(x - last >= MIN_LABEL_GAP)
        last = x if shown[-1] else last
    return shown


def trend_chart(scores: Sequence[ScoreFact]) -> ChartView | None:
    """The chart of one instrument's scores by date, or ``None`` with fewer than two scores."""
    if len(scores) < 2:
        return None
    ordered = sorted(scores, key=lambda s: s.date)
    name, maximum = INSTRUMENTS.get(ordered[0].instrument, (ordered[0].instrument, 0))
    top_value = float(max(maximum, *(s.value for s in ordered)))
    xs = _x_scale([s.date for s in ordered])
    points = tuple(
        ChartPoint(
            x=round(x, 1),
            y=_y(s.value, top_value),
            label=number(s.value),
            date=date_short(s.date),
            show_date=show,
        )
        for x, s, show in zip(xs, ordered, _shown(xs), strict=True)
    )
    values = ", ".join(f"{p.date}: {p.label}" for p in points)
    return ChartView(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=RIGHT,
        top=TOP,
        bottom=BOTTOM,
        title=f"{name} scores over time",
        description=f"{name} total score by date (higher is more severe). {values}.",
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        points=points,
        y_ticks=_ticks(top_value),
        bands=_bands(ordered[0].instrument, top_value),
    )
