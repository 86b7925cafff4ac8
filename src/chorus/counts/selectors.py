from __future__ import annotations

from chorus.counts.models import Snapshot, Voice


def snapshot_latest() -> Snapshot | None:
    return Snapshot.objects.order_by("-id").first()


def snapshot_latest_id() -> int | None:
    """The latest snapshot's id: one indexed lookup, for pages cached per snapshot."""
    return Snapshot.objects.order_by("-id").values_list("id", flat=True).first()


def snapshot_get(*, snapshot_id: int) -> Snapshot | None:
    return Snapshot.objects.filter(pk=snapshot_id).first()


def snapshot_list() -> list[Snapshot]:
    return list(Snapshot.objects.order_by("-id").defer("noisy", "published"))


def voice_pending_count() -> int:
    """Voices not yet released (exact; for tests and the operator's terminal, never published)."""
    return Voice.objects.count()
