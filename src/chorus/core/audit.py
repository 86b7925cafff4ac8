"""The audit log: an append-only, hash-chained record of what staff did (issue 4, reused by 5).

Write an entry with `audit_record` INSIDE the transaction of the action it records, so an action
and its entry are stored together or not at all. Each entry's digest is
``SHA-256(previous digest ‖ canonical JSON of its own content)``, starting from 64 zeros; a row
changed, removed or reordered in the database breaks every digest after it, and `audit_verify`
names the first entry where the chain breaks. Entries hold ids and action names only.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from chorus.core.clock import minute_now
from chorus.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def audit_content(
    *, at: datetime, actor_id: int | None, action: str, object_type: str, object_id: int | None
) -> bytes:
    """The canonical bytes an entry's digest covers: sorted-key JSON, UTC microseconds."""
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = {
        "action": action,
        "actor": actor_id,
        "at": stamp,
        "object_id": object_id,
        "object_type": object_type,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def audit_digest(previous: str, content: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(previous) + content).hexdigest()


def _entry_digest(entry: AuditEntry, previous: str) -> str:
    return audit_digest(
        previous,
        audit_content(
            at=entry.at,
            actor_id=entry.actor_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
        ),
    )


def audit_record(
    *,
    actor_id: int | None,
    action: str,
    object_type: str = "",
    object_id: int | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction (it refuses otherwise)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the action")
    head, _created = AuditHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"digest": GENESIS}
    )
    # An entry without an actor is a survivor's action (they are never named) or a job's: to the
    # minute, as every survivor time (chorus.core.clock).
    at = timezone.now() if actor_id is not None else minute_now()
    digest = audit_digest(
        head.digest,
        audit_content(
            at=at,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
        ),
    )
    entry = AuditEntry.objects.create(
        at=at,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        digest=digest,
    )
    head.digest = digest
    head.save(update_fields=["digest"])
    return entry


def audit_verify() -> AuditEntry | None:
    """The first entry whose digest does not follow from the entries before it, or None.

    An entry removed from the end shows as the head no longer matching: the last entry is
    then returned (or, with no entries left, a placeholder with no primary key)."""
    previous = GENESIS
    last: AuditEntry | None = None
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=2000):
        if _entry_digest(entry, previous) != entry.digest:
            return entry
        previous = entry.digest
        last = entry
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.digest != previous:
        return last if last is not None else AuditEntry(action="(log emptied)", digest=previous)
    return None
