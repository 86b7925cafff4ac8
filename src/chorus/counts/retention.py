"""What the counts domain stores about people, how long, and how it is erased.

- ``Tally`` rows (a period, one question, one answer, a count): no row belongs to a voice. Kept
  until their period is released, then erased by ``tallies_erase_released`` in the same
  transaction as the snapshot that released them (``snapshot_publish``).
- ``SpentProof`` rows (nonce hash, expiry to the hour): kept until the challenge expires, then
  erased by ``pow.proof_forget_expired`` after ``snapshot_publish``.
- ``Snapshot`` rows (noisy counts only): kept for good; they are the published record and the
  privacy budget ledger.
- Rate-limit counters (keyed network hash): in the cache only, gone when their window ends.
"""

from __future__ import annotations

from datetime import datetime

from chorus.counts.models import Tally


def tallies_erase_released(*, before: datetime) -> int:
    """Delete the tallies of periods before ``before`` (released, or too late for release)."""
    erased, _by_model = Tally.objects.filter(period__lt=before).delete()
    return erased
