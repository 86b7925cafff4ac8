"""Advocates' side of the escrow: their keys, the matches they may open, outreach they record.

The server checks what it can of a key made in the browser (lengths, suite, that the public key
can be sealed to, that the wrapped private key parses) and never sees a private key, a
passphrase or anything an envelope holds. Every write and every opening is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.audit import audit_record
from chorus.core.errors import ChorusError
from chorus.core.keys import public_key_check, wrapped_key_check
from chorus.escrow.models import AdvocateKey, Entry, Envelope, Match

#: The escrow scope `ctx` of this deployment (escrow.md §4): one deployment, one scope.
ESCROW_CTX = b"deployment"
#: The scope the advocate's private key is wrapped under (escrow.md §8, passphrase envelope).
ADVOCATE_KEY_CTX = b"chorus/advocate-key/v1"
OUTREACH_RECORDABLE = (
    Entry.Outreach.CONTACTED,
    Entry.Outreach.DECLINED,
    Entry.Outreach.REFERRED,
)


class AdvocateKeyError(ChorusError):
    code = "advocate_key"


class MatchNotFoundError(ChorusError):
    """Uniform for "no such match", "no envelope of yours in it" and "no such entry"."""

    status = 404
    code = "not_found"


def _not_found() -> MatchNotFoundError:
    return MatchNotFoundError(_("There is no such match for you to open."))


def advocate_key_active(*, advocate_id: int) -> AdvocateKey | None:
    return AdvocateKey.objects.filter(advocate_id=advocate_id, retired__isnull=True).first()


def advocate_key_create(
    *, advocate_id: int, suite: int, public_key: bytes, wrapped_private_key: bytes
) -> AdvocateKey:
    """Store a key pair made in the advocate's browser: one active key per advocate."""
    public_key_check(public_key, suite, error=AdvocateKeyError)
    wrapped_key_check(wrapped_private_key, error=AdvocateKeyError)
    already = AdvocateKeyError(_("You already have a key. Nothing was changed."), extra={})
    with transaction.atomic():
        if advocate_key_active(advocate_id=advocate_id) is not None:
            raise already
        try:
            with transaction.atomic():
                key = AdvocateKey.objects.create(
                    advocate_id=advocate_id,
                    suite=suite,
                    public_key=public_key,
                    wrapped_private_key=wrapped_private_key,
                )
        except IntegrityError:  # another upload won (escrow_one_active_key_per_advocate)
            raise already from None
        audit_record(
            actor_id=advocate_id,
            action="escrow.advocate_key_created",
            object_type="advocate_key",
            object_id=key.pk,
        )
    return key


def advocate_keys_retire(*, advocate_id: int) -> int:
    """Retire an advocate's keys: no new envelope is sealed to them (envelopes already sealed
    stay, and open with the key as before). Returns how many keys were retired."""
    with transaction.atomic():
        keys = list(
            AdvocateKey.objects.select_for_update().filter(
                advocate_id=advocate_id, retired__isnull=True
            )
        )
        for key in keys:
            key.retired = timezone.now()
            key.save(update_fields=["retired"])
            audit_record(
                actor_id=None,
                action="escrow.advocate_key_retired",
                object_type="advocate_key",
                object_id=key.pk,
            )
    return len(keys)


@dataclass(frozen=True)
class MatchSummary:
    match_id: int
    found_day: date
    entries: int
    outreach: dict[str, int]


def matches_list(*, advocate_id: int) -> list[MatchSummary]:
    """Matches holding an envelope sealed to one of this advocate's keys (audited)."""
    with transaction.atomic():
        matches = (
            Match.objects.filter(entries__envelopes__key__advocate_id=advocate_id)
            .distinct()
            .order_by("-found_day", "-pk")
        )
        states = (
            Entry.objects.filter(match__in=matches)
            .values_list("match_id", "outreach")
            .annotate(n=Count("pk"))
        )
        counts: dict[int, dict[str, int]] = {}
        for match_id, outreach, n in states:
            counts.setdefault(match_id, {})[outreach] = n
        result = [
            MatchSummary(
                match_id=m.pk,
                found_day=m.found_day,
                entries=sum(counts.get(m.pk, {}).values()),
                outreach=counts.get(m.pk, {}),
            )
            for m in matches
        ]
        audit_record(actor_id=advocate_id, action="escrow.matches_listed")
    return result


def match_entries(*, advocate_id: int, match_id: int) -> tuple[Match, Sequence[Entry]]:
    """A match's entries (no envelope) for its page; MatchNotFoundError if not this advocate's."""
    match = Match.objects.filter(
        pk=match_id, entries__envelopes__key__advocate_id=advocate_id
    ).first()
    if match is None:
        raise _not_found()
    return match, list(match.entries.order_by("pk"))


@dataclass(frozen=True)
class MatchOpened:
    match: Match
    key: AdvocateKey
    envelopes: list[tuple[int, bytes]]  # (entry id, sealed)
    #: The threshold the match was made under (the matching job's: the least of its entries').
    #: The browser recovers with exactly this t; a share's own t is only its sender's claim.
    threshold: int


def match_open(*, advocate_id: int, match_id: int) -> MatchOpened:
    """The envelopes of a match sealed to this advocate's key, with that key's wrapped private
    key: what their browser needs to open the match. Audited as the match being opened."""
    with transaction.atomic():
        envelopes = list(
            Envelope.objects.filter(entry__match_id=match_id, key__advocate_id=advocate_id)
            .select_related("key", "entry__match")
            .order_by("key_id", "entry_id")
        )
        if not envelopes:
            raise _not_found()
        # Every envelope of one opening is sealed to one key (the newest that has any).
        key = envelopes[-1].key
        audit_record(
            actor_id=advocate_id,
            action="escrow.match_opened",
            object_type="match",
            object_id=match_id,
        )
    return MatchOpened(
        match=envelopes[0].entry.match,  # type: ignore[arg-type]
        key=key,
        envelopes=[(e.entry_id, bytes(e.sealed)) for e in envelopes if e.key_id == key.pk],
        threshold=min(e.entry.threshold for e in envelopes),
    )


def entry_outreach_record(*, advocate_id: int, entry_id: int, outreach: str) -> Entry:
    """Record how outreach to one matched survivor went (audited)."""
    if outreach not in OUTREACH_RECORDABLE:
        raise ChorusError(_("Choose contacted, survivor declined or referred."))
    with transaction.atomic():
        entry = (
            Entry.objects.select_for_update(of=("self",))
            .filter(
                pk=entry_id,
                match__isnull=False,
                envelopes__key__advocate_id=advocate_id,
            )
            .first()
        )
        if entry is None:
            raise _not_found()
        entry.outreach = outreach
        entry.save(update_fields=["outreach"])
        audit_record(
            actor_id=advocate_id,
            action=f"escrow.outreach_{outreach}",
            object_type="entry",
            object_id=entry.pk,
        )
    return entry
