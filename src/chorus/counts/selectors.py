from __future__ import annotations

from django.db.models import Sum

from chorus.counts.models import Snapshot, Tally


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
    total = Tally.objects.filter(facet=Tally.TOTAL).aggregate(n=Sum("n"))["n"]
    return int(total or 0)


def answers_pending(*, facet: str) -> dict[str, int]:
    """Unreleased voices by their answer to one fact ("" = prefer not to say); exact, never
    published: for tests and the operator's terminal."""
    rows = Tally.objects.filter(facet=facet).values("code").annotate(n=Sum("n"))
    return {row["code"]: int(row["n"]) for row in rows if row["n"]}
