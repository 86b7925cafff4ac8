"""What the counts domain stores about people, how long, and how it is erased.

- ``Voice`` rows (period + optional codes): kept until their period is released, then erased
  by ``voices_erase_released``, called by ``snapshot_publish``.
- ``SpentProof`` rows (nonce hash, expiry to the hour): kept until the challenge expires, then
  erased by ``pow.proof_forget_expired`` inside ``snapshot_publish``.
- ``Snapshot`` rows (noisy counts only): kept for good; they are the published record and the
  privacy budget ledger.
- Rate-limit counters (keyed network hash): in the cache only, gone when their window ends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction

from chorus.counts.models import Voice

ERASE_CHUNK = 20_000


def voices_erase_released(
    *, before: datetime, progress: Callable[[str], None] = lambda _m: None
) -> int:
    """Delete released voices (periods before ``before``), a chunk per short transaction.

    Short transactions keep SQLite's single write lock free for voices arriving meanwhile.
    Safe to repeat: a run that stopped half-way is finished by the next snapshot job.
    """
    table = connection.ops.quote_name(Voice._meta.db_table)
    pk = connection.ops.quote_name(str(Voice._meta.get_field("id").column))
    # One statement per chunk on both SQLite and PostgreSQL; the period index finds the rows.
    sql = (
        f"DELETE FROM {table} WHERE {pk} IN "  # noqa: S608  (identifiers from the model, not input)
        f"(SELECT {pk} FROM {table} WHERE period < %s LIMIT %s)"
    )
    erased = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            # The backend formats the datetime as the ORM stores it (SQLite compares text).
            cursor.execute(sql, [connection.ops.adapt_datetimefield_value(before), ERASE_CHUNK])
            deleted = cursor.rowcount
        if deleted <= 0:
            return erased
        erased += deleted
        progress(f"erased {erased:,} released voices")
