"""The window of calendar dates priorauth computes with (issue 15).

A chart date outside it is no date (``parse_date`` returns None, as for any unreadable date);
an as-of date outside it is refused with :class:`~priorauth.errors.AsOfError`. Every date the
pipeline adds days to is then at least 999 years from either end of Python's calendar, so no
day arithmetic can overflow.
"""

from __future__ import annotations

import datetime as dt

from priorauth.errors import AsOfError

__all__ = ["MAX_DATE", "MIN_DATE", "check_as_of", "in_date_range"]

MIN_DATE = dt.date(1000, 1, 1)
MAX_DATE = dt.date(8999, 12, 31)


def in_date_range(day: dt.date) -> bool:
    """Whether ``day`` lies in the window.

    >>> in_date_range(dt.date(2024, 3, 5)), in_date_range(dt.date(9999, 12, 31))
    (True, False)
    """
    return MIN_DATE <= day <= MAX_DATE


def check_as_of(as_of: dt.date) -> dt.date:
    """``as_of`` itself, or AsOfError when it lies outside the window.

    >>> check_as_of(dt.date(1, 1, 1))
    Traceback (most recent call last):
    ...
    priorauth.errors.AsOfError: as-of date 0001-01-01 is outside 1000-01-01..8999-12-31
    """
    if not in_date_range(as_of):
        raise AsOfError(f"as-of date {as_of.isoformat()} is outside {MIN_DATE}..{MAX_DATE}")
    return as_of
