"""Escrow reads that need no authorisation beyond "this is the signed-in survivor"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chorus.accounts.models import Account
from chorus.escrow.models import AdvocateKey, Entry


def advocate_keys_active() -> list[AdvocateKey]:
    """Keys that receive new envelopes: every entry is sealed to each of them. Never a key of an
    organisation's member (chorus.orgs, through the user's reverse relation: escrow does not
    import orgs): the workspace refuses them advocate keys, and one made before that rule must
    not go on receiving survivors' shares."""
    return list(
        AdvocateKey.objects.filter(
            retired__isnull=True,
            advocate__is_active=True,  # a removed advocate's key, even one not retired yet
            advocate__org_membership__isnull=True,
        ).order_by("pk")
    )


@dataclass(frozen=True, slots=True)
class EntrySummary:
    """What a survivor sees of their own entry: no index, no envelope."""

    id: int
    created_day: date
    matched: bool


def entry_list(*, account: Account) -> list[EntrySummary]:
    """The survivor's own entries, newest first."""
    rows = (
        Entry.objects.filter(account=account)
        .order_by("-pk")
        .values_list("pk", "created_day", "match_id")
    )
    return [
        EntrySummary(id=pk, created_day=day, matched=match_id is not None)
        for pk, day, match_id in rows
    ]
