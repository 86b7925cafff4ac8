"""Release periods: hours during a deployment's first 72 hours of activity, calendar days after.

The hourly phase runs to the end of the UTC day in which the 72 hours end, so that days are
always whole calendar days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

HOURLY_PHASE = timedelta(hours=72)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def floor_hour(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


def floor_day(t: datetime) -> datetime:
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


def hourly_end(started: datetime) -> datetime:
    return floor_day(started + HOURLY_PHASE) + DAY


def period_start(t: datetime, *, started: datetime) -> datetime:
    """The start of the period that contains ``t``."""
    return floor_hour(t) if t < hourly_end(started) else floor_day(t)


def period_length(start: datetime, *, started: datetime) -> timedelta:
    return HOUR if start < hourly_end(started) else DAY


def periods_between(first: datetime, end: datetime, *, started: datetime) -> Iterator[datetime]:
    """Every period start in ``[first, end)``; ``first`` must itself be a period start."""
    current = first
    while current < end:
        yield current
        current += period_length(current, started=started)
