"""What the counts domain stores about people, how long, and how it is erased.

- ``Voice`` rows (period + optional codes): kept until their period is released, then erased
  by ``voices_erase_released`` inside ``snapshot_publish``.
- ``SpentProof`` rows (nonce hash, expiry to the hour): kept until the challenge expires, then
  erased by ``pow.proof_forget_expired`` inside ``snapshot_publish``.
- ``Snapshot`` rows (noisy counts only): kept for good; they are the published record and the
  privacy budget ledger.
- Rate-limit counters (keyed network hash): in the cache only, gone when their window ends.
"""

from __future__ import annotations

from datetime import datetime

from chorus.counts.models import Voice


def voices_erase_released(*, periods_from: datetime, periods_to: datetime) -> int:
    """Delete the voices of a released span. Call in the transaction that released them."""
    deleted, _by_model = Voice.objects.filter(
        period__gte=periods_from, period__lt=periods_to
    ).delete()
    return deleted
