"""Record reads that need no authorisation beyond the caller's (see access.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chorus.accounts.models import Account
from chorus.records.models import Record, RecordVersion


@dataclass(frozen=True, slots=True)
class RecordSummary:
    """What the list shows: no words (those are sealed), only numbers and times."""

    id: int
    versions: int
    first_saved: datetime
    last_saved: datetime


def record_list(*, account: Account) -> list[RecordSummary]:
    """The survivor's own records, most recently saved first."""
    summaries = []
    for record in Record.objects.filter(account=account).prefetch_related("versions"):
        times = sorted(v.stamped_at for v in record.versions.all())
        if times:
            summaries.append(
                RecordSummary(
                    id=record.pk, versions=len(times), first_saved=times[0], last_saved=times[-1]
                )
            )
    return sorted(summaries, key=lambda s: (s.last_saved, s.id), reverse=True)


def record_version_latest(*, record: Record) -> RecordVersion:
    """The newest version of a record (every record has at least one)."""
    return record.versions.order_by("-number").first()  # type: ignore[return-value]


def record_envelope_for_sending(*, record: Record) -> RecordVersion:
    """The seam for the next slice (reports): the version a survivor sends to an organisation.

    The caller must already hold the record through access.access_record. It returns the newest
    version: its envelope, digest, time and signature travel together, so the organisation can
    check the stamp. The envelope is still sealed under the survivor's record key: sending
    re-seals its plaintext in the survivor's browser to the organisation's key."""
    return record_version_latest(record=record)
