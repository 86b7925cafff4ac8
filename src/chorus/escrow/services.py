"""Escrow writes: survivors' entries, their withdrawal, and the matching job.

The server never sees an identifier or a contact detail: an entry is the index π the survivor's
browser derived (docs/protocols/escrow.md §4) and one sealed envelope per active advocate key
(§8), which only an advocate's private key opens. What the server can check, it checks strictly.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.accounts.models import Account
from chorus.crypto.suites import (
    AEAD_NONCE_BYTES,
    AEAD_TAG_BYTES,
    ENVELOPE_VERSION,
    HPKE_ENC_BYTES,
    INDEX_BYTES,
    SCALAR_BYTES,
    SEAL_SUITE_MLKEM768_X25519_CHACHA20,
    SEAL_SUITE_X25519_CHACHA20,
    XWING_ENC_BYTES,
)
from chorus.escrow import access, selectors
from chorus.escrow.errors import (
    EntryDuplicateError,
    EntryInvalidError,
    EntryLimitError,
    EscrowNotReadyError,
)
from chorus.escrow.models import AdvocateKey, Entry, Envelope, Match

#: Identifiers one request may carry (the page sends one entry per identifier).
MAX_ENTRIES = 8
#: Entries one account may hold. The server cannot tell an index the OPRF gave from random
#: bytes, so without a cap one account could fill the database with entries that match nothing;
#: a survivor naming several people by several identifiers each stays far below it.
MAX_ENTRIES_PER_ACCOUNT = 64
#: The largest sealed envelope stored (the model's limit): room for a long contact note.
MAX_SEALED_BYTES = 8192
#: The matching job reads this many new entries per transaction.
MATCH_BATCH = 1000

# The smallest share plaintext (§8): version, U, s, t, lp(entry) with an empty AEAD box
# (version, nonce, tag). A sealed envelope adds version, suite, enc and the HPKE tag.
_BOX_MIN = 1 + AEAD_NONCE_BYTES + AEAD_TAG_BYTES
_SHARE_MIN = 1 + SCALAR_BYTES + SCALAR_BYTES + 1 + 2 + _BOX_MIN
_ENC_BYTES = {
    SEAL_SUITE_X25519_CHACHA20: HPKE_ENC_BYTES,
    SEAL_SUITE_MLKEM768_X25519_CHACHA20: XWING_ENC_BYTES,
}
_HEX_INDEX = re.compile(r"[0-9a-f]{%d}" % (2 * INDEX_BYTES))  # noqa: UP031
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def sealed_minimum(suite: int) -> int:
    """The shortest sealed envelope of `suite` that can hold a share plaintext."""
    return 2 + _ENC_BYTES[suite] + AEAD_TAG_BYTES + _SHARE_MIN


@dataclass(frozen=True, slots=True)
class EntryInput:
    """One entry as the survivor's browser sends it, decoded but not yet checked."""

    index: bytes
    envelopes: dict[int, bytes]


def _invalid(message: str) -> EntryInvalidError:
    return EntryInvalidError(message)


def _envelope_parse(item: Any) -> tuple[int, bytes]:
    if not isinstance(item, dict) or set(item) != {"key", "sealed"}:
        raise _invalid(_('Each envelope must be {"key": <number>, "sealed": "<base64>"}.'))
    key, sealed = item["key"], item["sealed"]
    if isinstance(key, bool) or not isinstance(key, int):
        raise _invalid(_("An envelope's key must be the number of an advocate key."))
    if not isinstance(sealed, str) or not _BASE64.fullmatch(sealed) or len(sealed) % 4:
        raise _invalid(_("An envelope's sealed bytes must be standard base64."))
    if len(sealed) > (MAX_SEALED_BYTES + 2) // 3 * 4:
        raise _invalid(_("An envelope is too large."))
    try:
        return key, base64.b64decode(sealed, validate=True)
    except binascii.Error:  # pragma: no cover - the pattern above already refuses these
        raise _invalid(_("An envelope's sealed bytes must be standard base64.")) from None


def entries_parse(data: Any) -> list[EntryInput]:
    """The request body's shape: {"entries": [{"index": hex, "envelopes": [...]}, ...]}."""
    if not isinstance(data, dict) or set(data) != {"entries"}:
        raise _invalid(_('The request must be a JSON object with one field, "entries".'))
    entries = data["entries"]
    if not isinstance(entries, list) or not entries:
        raise _invalid(_('"entries" must be a list with at least one entry.'))
    if len(entries) > MAX_ENTRIES:
        raise _invalid(
            _("At most %(n)d identifiers can be sent at once. Send the others afterwards.")
            % {"n": MAX_ENTRIES}
        )
    parsed = []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"index", "envelopes"}:
            raise _invalid(_('Each entry must be {"index": "<hex>", "envelopes": [...]}.'))
        index = entry["index"]
        if not isinstance(index, str) or not _HEX_INDEX.fullmatch(index):
            raise _invalid(
                _("An index must be %(n)d lowercase hex digits.") % {"n": 2 * INDEX_BYTES}
            )
        envelopes = entry["envelopes"]
        if not isinstance(envelopes, list):
            raise _invalid(_('"envelopes" must be a list.'))
        decoded: dict[int, bytes] = {}
        for item in envelopes:
            key, sealed = _envelope_parse(item)
            if key in decoded:
                raise _invalid(_("Two envelopes are sealed to the same advocate key."))
            decoded[key] = sealed
        parsed.append(EntryInput(index=bytes.fromhex(index), envelopes=decoded))
    return parsed


def _envelopes_check(*, envelopes: dict[int, bytes], keys: Sequence[AdvocateKey]) -> None:
    by_id = {key.pk: key for key in keys}
    unknown = set(envelopes) - set(by_id)
    if unknown:
        raise _invalid(
            _("An envelope is sealed to a key that is not an active advocate key. Reload the page.")
        )
    if set(by_id) - set(envelopes):
        raise _invalid(
            _("An envelope is missing for an advocate key. Reload the page and try again.")
        )
    for key_id, sealed in envelopes.items():
        suite = by_id[key_id].suite
        if len(sealed) < sealed_minimum(suite):
            raise _invalid(_("An envelope is too short to hold a share."))
        if len(sealed) > MAX_SEALED_BYTES:
            raise _invalid(_("An envelope is too large."))
        if sealed[0] != ENVELOPE_VERSION:
            raise _invalid(_("An envelope has an unknown version."))
        if sealed[1] != suite:
            raise _invalid(_("An envelope is not sealed with its advocate key's suite."))


def entry_submit(*, account: Account, index: bytes, envelopes: dict[int, bytes]) -> Entry:
    """Store one entry: the index and one envelope per active advocate key, or nothing."""
    [entry] = entries_submit(
        account=account, entries=[EntryInput(index=index, envelopes=envelopes)]
    )
    return entry


@transaction.atomic
def entries_submit(*, account: Account, entries: Sequence[EntryInput]) -> list[Entry]:
    """Store all of `entries` for `account`, or none of them.

    The same account naming the same person twice is refused (409): the survivor's share
    would be the same point (§6), and one survivor must never count twice towards a match.
    """
    keys = selectors.advocate_keys_active()
    if not keys:
        raise EscrowNotReadyError(
            _("The escrow is not ready yet: no advocate can receive entries. Nothing was stored.")
        )
    if not entries or len(entries) > MAX_ENTRIES:
        raise _invalid(_("At most %(n)d identifiers can be sent at once.") % {"n": MAX_ENTRIES})
    for entry in entries:
        if len(entry.index) != INDEX_BYTES:
            raise _invalid(_("An index must be %(n)d bytes.") % {"n": INDEX_BYTES})
        _envelopes_check(envelopes=entry.envelopes, keys=keys)
    duplicate = EntryDuplicateError(
        _("You have already named this person. Nothing new was stored.")
    )
    if len({entry.index for entry in entries}) != len(entries):
        raise duplicate
    # One account's submissions queue here, so two at once cannot both pass the cap.
    Account.objects.select_for_update().filter(pk=account.pk).exists()
    if Entry.objects.filter(account=account, index__in=[e.index for e in entries]).exists():
        raise duplicate
    held = Entry.objects.filter(account=account).count()
    if held + len(entries) > MAX_ENTRIES_PER_ACCOUNT:
        raise EntryLimitError(
            _(
                "Your account already holds %(held)d of the %(max)d entries one account may hold. "
                "Withdraw an entry you no longer need, then name this person again. "
                "Nothing was stored."
            )
            % {"held": held, "max": MAX_ENTRIES_PER_ACCOUNT}
        )
    day = timezone.now().date()
    stored = []
    for entry in entries:
        try:
            with transaction.atomic():
                row = Entry.objects.create(
                    account=account,
                    index=entry.index,
                    threshold=settings.CONFIG.escrow_threshold,
                    created_day=day,
                )
        except IntegrityError:  # the same survivor, twice at once
            raise duplicate from None
        Envelope.objects.bulk_create(
            Envelope(entry=row, key_id=key_id, sealed=sealed)
            for key_id, sealed in entry.envelopes.items()
        )
        stored.append(row)
    return stored


@transaction.atomic
def entry_withdraw(*, account: Account, entry_id: int) -> None:
    """Delete the survivor's entry and its envelopes, before a match only (else 404)."""
    entry = access.access_entry_for_withdrawal(account=account, entry_id=entry_id)
    entry.delete()


@dataclass(frozen=True, slots=True)
class MatchingResult:
    entries_checked: int
    matches_found: int
    entries_matched: int


def _matching_batch(*, today: Any) -> tuple[int, int, int]:
    """One batch of pending entries: group their indexes, make matches, attach entries."""
    with transaction.atomic():
        batch = list(
            Entry.objects.select_for_update()
            .filter(pending=True)
            .order_by("pk")
            .values_list("pk", "index")[:MATCH_BATCH]
        )
        if not batch:
            return 0, 0, 0
        indexes = list({bytes(index) for _, index in batch})
        # One read of every row sharing these indexes, through the (index) database index only
        # (a condition on match_id could lead a planner to its index and a scan of every
        # unmatched row). The rows are locked so that a withdrawal cannot slip between the count
        # and the update (PostgreSQL; SQLite serialises writers anyway).
        rows = Entry.objects.select_for_update().filter(index__in=indexes)
        unmatched: dict[bytes, list[int]] = {}
        thresholds: dict[bytes, int] = {}
        for pk, index, match_id, threshold in rows.values_list(
            "pk", "index", "match_id", "threshold"
        ):
            if match_id is None:
                key = bytes(index)
                unmatched.setdefault(key, []).append(pk)
                thresholds[key] = min(threshold, thresholds.get(key, threshold))
        matched = {
            bytes(i)
            for i in Match.objects.filter(index__in=indexes).values_list("index", flat=True)
        }
        # Entries are unique per (account, index), so rows counted are distinct survivors.
        new_groups = [
            index
            for index, pks in unmatched.items()
            if index not in matched and len(pks) >= thresholds[index]
        ]
        Match.objects.bulk_create(
            [Match(index=index, found_day=today) for index in new_groups], ignore_conflicts=True
        )
        attach = [pk for index in {*matched, *new_groups} for pk in unmatched.get(index, [])]
        same_index = Match.objects.filter(index=OuterRef("index")).values("pk")[:1]
        attached = Entry.objects.filter(pk__in=attach).update(match=Subquery(same_index))
        found = len(new_groups)
        Entry.objects.filter(pk__in=[pk for pk, _ in batch]).update(pending=False)
        return len(batch), found, attached


def _advocates_notify() -> None:
    """Tell every advocate with an active key that a match exists, and nothing more."""
    user_model = get_user_model()
    advocates = user_model.objects.filter(
        is_active=True, escrow_keys__retired__isnull=True, org_membership__isnull=True
    ).distinct()
    subject = _("Chorus: a match exists")
    body = _(
        "A match exists in the Chorus escrow. Sign in to the workspace to open it.\n\n"
        "This message says nothing else on purpose."
    )
    messages = [
        (subject, body, None, [advocate.email])
        for advocate in advocates
        if getattr(advocate, "email", "")
    ]
    send_mass_mail(messages, fail_silently=False)


def matching_run() -> MatchingResult:
    """The periodic matching job (cron): every pending entry, in batches.

    Batching hides timing: an advocate learns that a match exists when the job runs, not when
    the t-th survivor submits, so nobody can tell which survivor completed a group. Advocates
    are told once per run in which a match was found or a survivor joined one.
    """
    today = timezone.now().date()
    checked = found = matched = 0
    while True:
        batch_checked, batch_found, batch_matched = _matching_batch(today=today)
        if not batch_checked:
            break
        checked, found, matched = (
            checked + batch_checked,
            found + batch_found,
            matched + batch_matched,
        )
    if matched:
        _advocates_notify()
    return MatchingResult(entries_checked=checked, matches_found=found, entries_matched=matched)
