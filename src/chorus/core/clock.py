"""Times of what survivors do are stored no finer than the minute (docs/threat-model.md: the
server learns the days and minutes of messages, not the moment): a copy of the database then
cannot be matched second by second against, say, an employer's proxy log."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def minute_now() -> datetime:
    """Now, to the minute (seconds and microseconds dropped)."""
    return timezone.now().replace(second=0, microsecond=0)
