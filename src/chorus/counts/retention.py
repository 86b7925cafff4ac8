"""What the counts domain stores about people, how long, and how it is erased.

| data | kept until | erased by |
|---|---|---|
| ``Voice`` rows (period + optional codes) | their period is released | ``voices_erase_released``, inside ``snapshot_publish`` |
| ``SpentProof`` rows (nonce hash, expiry to the hour) | the challenge expires | ``pow.proof_forget_expired``, inside ``snapshot_publish`` |
| ``Snapshot`` rows (noisy counts only) | forever: they are the published record and the budget ledger | never |
| rate-limit counters (keyed network hash) | the end of their window | the cache's own expiry; never written to the database |
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
