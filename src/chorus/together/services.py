"""Together writes: a survivor's held report, its withdrawal, the matching job that releases
groups, and a member's claim of the case key after opening a group (reports.md §7.6).

The server sees an index π, sealed shares, a boxed report and the reporter's boxed case key. It
checks every length and version it can without opening anything, and stores all or nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.accounts.models import Account
from chorus.core.audit import audit_record
from chorus.core.clock import minute_now
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
from chorus.orgs import selectors as org_selectors
from chorus.orgs.models import HandlerKey, Membership
from chorus.reports import notifications
from chorus.reports.models import Case, CaseExclusion, CaseKey
from chorus.together import access, selectors
from chorus.together.errors import (
    TogetherDuplicateError,
    TogetherInvalidError,
    TogetherLimitError,
    TogetherNotFoundError,
    TogetherNotReadyError,
    TogetherTooLargeError,
)
from chorus.together.models import Group, HeldEntry, HeldShare

#: The largest report body stored (as for every report, reports.md §11).
MAX_BODY_BYTES = 1024 * 1024
#: Together reports one account may have held at once: the server cannot tell an index the
#: OPRF gave from random bytes, so without a cap one account could fill the table.
MAX_HELD_PER_ACCOUNT = 16
#: Cases one claim may carry: eight suite-2 envelopes in base64 stay under the site-wide body
#: limit of 16 KiB; the browser claims a larger group in several requests.
MAX_CLAIMS = 8
#: The matching job reads this many new entries per transaction.
MATCH_BATCH = 1000
CASE_REF_BYTES = 16
CASE_KEY_BYTES = 32

_ENC_BYTES = {
    SEAL_SUITE_X25519_CHACHA20: HPKE_ENC_BYTES,
    SEAL_SUITE_MLKEM768_X25519_CHACHA20: XWING_ENC_BYTES,
}
#: 0x01 ‖ CK ‖ case_ref: what a member's sealed case key and the together entry box hold.
_CASE_KEY_PLAINTEXT = 1 + CASE_KEY_BYTES + CASE_REF_BYTES
_ENTRY_BOX = 1 + AEAD_NONCE_BYTES + _CASE_KEY_PLAINTEXT + AEAD_TAG_BYTES
#: escrow.md §8: 0x01 ‖ LE32(U) ‖ LE32(s) ‖ t ‖ lp(entry box).
_SHARE_PLAINTEXT = 1 + SCALAR_BYTES + SCALAR_BYTES + 1 + 2 + _ENTRY_BOX
#: box(reporter_key, "case-key", ctx_O, case_ref, CK).
REPORTER_BOX_BYTES = 1 + AEAD_NONCE_BYTES + CASE_KEY_BYTES + AEAD_TAG_BYTES
_BOX_MIN = 1 + AEAD_NONCE_BYTES + AEAD_TAG_BYTES
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_HEX_REF = re.compile(r"[0-9a-f]{%d}" % (2 * CASE_REF_BYTES))  # noqa: UP031
_HEX_INDEX = re.compile(r"[0-9a-f]{%d}" % (2 * INDEX_BYTES))  # noqa: UP031


def share_sealed_bytes(suite: int) -> int:
    """The exact length of a share sealed to a key of `suite`."""
    return 2 + _ENC_BYTES[suite] + _SHARE_PLAINTEXT + AEAD_TAG_BYTES


def case_key_sealed_bytes(suite: int) -> int:
    """The exact length of a case key sealed to a key of `suite` (reports.md §11.1)."""
    return 2 + _ENC_BYTES[suite] + _CASE_KEY_PLAINTEXT + AEAD_TAG_BYTES


def _invalid(message: str) -> TogetherInvalidError:
    return TogetherInvalidError(message)


def _b64(text: Any, *, field: str, limit: int) -> bytes:
    if not isinstance(text, str) or len(text) % 4 or not _BASE64.fullmatch(text):
        raise _invalid(_('"%(field)s" must be standard base64.') % {"field": field})
    if len(text) > (limit + 2) // 3 * 4:
        raise TogetherTooLargeError(_("This report is too large to send."))
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:  # pragma: no cover - the pattern above already refuses these
        raise _invalid(_('"%(field)s" must be standard base64.') % {"field": field}) from None
    if len(raw) > limit:
        raise TogetherTooLargeError(_("This report is too large to send."))
    return raw


def _key_id(value: Any) -> int:
    if type(value) is not int or not 1 <= value < 2**63:
        raise _invalid(_("A key must be the number of a member key."))
    return value


def _ref(value: Any) -> bytes:
    if not isinstance(value, str) or not _HEX_REF.fullmatch(value):
        raise _invalid(_('"case" must be 16 bytes in lowercase hex.'))
    return bytes.fromhex(value)


# ---------------------------------------------------------------- the survivor's report


@dataclass(frozen=True, slots=True)
class HeldInput:
    """A together report as the browser sends it, decoded but not yet checked against keys."""

    slug: str
    case_ref: bytes
    index: bytes
    body: bytes
    reporter_box: bytes
    envelopes: dict[int, bytes]
    excluded: frozenset[int]


_HELD_FIELDS = {"org", "case_ref", "index", "body", "reporter_box", "envelopes", "excluded"}


def _envelopes_parse(items: Any) -> dict[int, bytes]:
    if not isinstance(items, list) or not items:
        raise _invalid(_('"envelopes" must be a non-empty list.'))
    envelopes: dict[int, bytes] = {}
    for item in items:
        if not isinstance(item, dict) or set(item) != {"key", "sealed"}:
            raise _invalid(_('Each envelope must be {"key": <number>, "sealed": "<base64>"}.'))
        key = _key_id(item["key"])
        if key in envelopes:
            raise _invalid(_("Two envelopes are sealed to the same member key."))
        envelopes[key] = _b64(item["sealed"], field="sealed", limit=8192)
    return envelopes


def _excluded_parse(items: Any, *, envelopes: dict[int, bytes]) -> frozenset[int]:
    if not isinstance(items, list):
        raise _invalid(_('"excluded" must be a list of member key numbers.'))
    excluded = [_key_id(item) for item in items]
    if len(set(excluded)) != len(excluded):
        raise _invalid(_("A member key is excluded twice."))
    if set(excluded) & set(envelopes):
        raise _invalid(_("A member key is both excluded and sent an envelope."))
    return frozenset(excluded)


def held_input_parse(data: Any) -> HeldInput:
    """{"org", "case_ref", "index", "body", "reporter_box", "envelopes": [{"key", "sealed"}],
    "excluded": [key id…]}; strict: no other field, every one present."""
    if not isinstance(data, dict) or set(data) != _HELD_FIELDS:
        raise _invalid(
            _(
                'The request must be a JSON object with "org", "case_ref", "index", "body", '
                '"reporter_box", "envelopes" and "excluded".'
            )
        )
    slug = data["org"]
    if not isinstance(slug, str) or not 1 <= len(slug) <= 64:
        raise _invalid(_('"org" must be the address name of an organisation.'))
    case_ref = data["case_ref"]
    if not isinstance(case_ref, str) or not _HEX_REF.fullmatch(case_ref):
        raise _invalid(_('"case_ref" must be 16 bytes in lowercase hex.'))
    index = data["index"]
    if not isinstance(index, str) or not _HEX_INDEX.fullmatch(index):
        raise _invalid(_('"index" must be %(n)d lowercase hex digits.') % {"n": 2 * INDEX_BYTES})
    body = _b64(data["body"], field="body", limit=MAX_BODY_BYTES)
    if len(body) < _BOX_MIN:
        raise _invalid(_("The report is too short to hold anything."))
    if body[0] != ENVELOPE_VERSION:
        raise _invalid(_("The report has an unknown version. Reload the page."))
    reporter_box = _b64(data["reporter_box"], field="reporter_box", limit=256)
    if len(reporter_box) != REPORTER_BOX_BYTES or reporter_box[0] != ENVELOPE_VERSION:
        raise _invalid(_("Your own copy of the case key has the wrong length or version."))
    envelopes = _envelopes_parse(data["envelopes"])
    excluded = _excluded_parse(data["excluded"], envelopes=envelopes)
    return HeldInput(
        slug=slug,
        case_ref=bytes.fromhex(case_ref),
        index=bytes.fromhex(index),
        body=body,
        reporter_box=reporter_box,
        envelopes=envelopes,
        excluded=excluded,
    )


def _envelopes_check(
    *, envelopes: dict[int, bytes], excluded: frozenset[int], suites: dict[int, int]
) -> None:
    given = set(envelopes) | excluded
    if given - set(suites):
        raise _invalid(
            _("A key is not a current member key of this organisation. Reload the page.")
        )
    if set(suites) - given:
        raise _invalid(_("A member key of this organisation is missing. Reload the page."))
    for key_id, sealed in envelopes.items():
        suite = suites[key_id]
        if len(sealed) != share_sealed_bytes(suite):
            raise _invalid(_("A sealed share has the wrong length."))
        if sealed[0] != ENVELOPE_VERSION:
            raise _invalid(_("A sealed share has an unknown version."))
        if sealed[1] != suite:
            raise _invalid(_("A sealed share is not sealed with its member key's suite."))


@transaction.atomic
def held_send(*, account: Account, held_input: HeldInput) -> Case:
    """Store a held together case: the case (status held, no case keys), its escrow entry and
    one sealed share per member key not excluded; or nothing."""
    organisation = org_selectors.organisation_by_slug(slug=held_input.slug)
    if organisation is None:
        raise TogetherNotFoundError(_("There is no organisation at this address."))
    keys = org_selectors.organisation_public_keys(organisation=organisation)
    if not keys:
        raise TogetherNotReadyError(
            _("This organisation cannot receive reports yet: nobody there has made a key.")
        )
    _envelopes_check(
        envelopes=held_input.envelopes,
        excluded=held_input.excluded,
        suites={k.key_id: k.suite for k in keys},
    )
    duplicate = TogetherDuplicateError(
        _(
            "You have already sent a together report naming this person to this organisation. "
            "Nothing new was stored."
        )
    )
    # One account's submissions queue here, so two at once cannot both pass the checks.
    Account.objects.select_for_update().filter(pk=account.pk).exists()
    if HeldEntry.objects.filter(
        organisation=organisation, account=account, index=held_input.index
    ).exists():
        raise duplicate
    held = HeldEntry.objects.filter(account=account, group__isnull=True).count()
    if held >= MAX_HELD_PER_ACCOUNT:
        raise TogetherLimitError(
            _(
                "You already have %(max)d reports waiting for others. Withdraw one you no longer "
                "need, then send this one. Nothing was stored."
            )
            % {"max": MAX_HELD_PER_ACCOUNT}
        )
    try:
        with transaction.atomic():
            case = Case.objects.create(
                organisation=organisation,
                case_ref=held_input.case_ref,
                mode=Case.Mode.TOGETHER,
                status=Case.Status.HELD,
                created_day=timezone.now().date(),
                body=held_input.body,
                reporter_box=held_input.reporter_box,
                reporter_account=account,
            )
    except IntegrityError:
        raise TogetherDuplicateError(
            _("This report was already sent. Reload the page to send another.")
        ) from None
    try:
        with transaction.atomic():
            entry = HeldEntry.objects.create(
                case=case,
                organisation=organisation,
                account=account,
                index=held_input.index,
                threshold=settings.CONFIG.escrow_threshold,
            )
    except IntegrityError:  # the same survivor, twice at once
        raise duplicate from None
    HeldShare.objects.bulk_create(
        HeldShare(entry=entry, key_id=key_id, sealed=sealed)
        for key_id, sealed in held_input.envelopes.items()
    )
    if held_input.excluded:
        memberships = HandlerKey.objects.filter(pk__in=held_input.excluded).values_list(
            "membership_id", flat=True
        )
        CaseExclusion.objects.bulk_create(
            CaseExclusion(case=case, membership_id=m) for m in set(memberships)
        )
    return case


@transaction.atomic
def held_withdraw(*, account: Account, case_ref: bytes) -> None:
    """Delete the survivor's held case with its entry and shares, before release only."""
    entry = access.access_held_for_withdrawal(account=account, case_ref=case_ref)
    entry.case.delete()


# ---------------------------------------------------------------- the matching job


@dataclass(frozen=True, slots=True)
class MatchingResult:
    entries_checked: int
    groups_found: int
    cases_released: int


def _release_recipients(*, entry_ids: list[int]) -> list[str]:
    """Addresses of current members holding a share of these released entries."""
    return list(
        Membership.objects.filter(keys__together_shares__entry_id__in=entry_ids)
        .filter(removed__isnull=True)
        .filter(user__is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _matching_batch(*, today: date) -> tuple[int, int, int, list[str]]:
    """One batch of pending entries: group by (organisation, index), release groups of t."""
    with transaction.atomic():
        batch = list(
            HeldEntry.objects.select_for_update()
            .filter(pending=True)
            .order_by("pk")
            .values_list("pk", "organisation_id", "index")[:MATCH_BATCH]
        )
        if not batch:
            return 0, 0, 0, []
        indexes = list({bytes(index) for _, _, index in batch})
        # Every row sharing these indexes, locked so that a withdrawal cannot slip between the
        # count and the release (PostgreSQL; SQLite serialises writers anyway).
        rows = HeldEntry.objects.select_for_update().filter(index__in=indexes)
        unmatched: dict[tuple[int, bytes], list[int]] = {}
        thresholds: dict[tuple[int, bytes], int] = {}
        for pk, org_id, index, group_id, threshold in rows.values_list(
            "pk", "organisation_id", "index", "group_id", "threshold"
        ):
            if group_id is None:
                key = (org_id, bytes(index))
                unmatched.setdefault(key, []).append(pk)
                thresholds[key] = min(threshold, thresholds.get(key, threshold))
        existing = {
            (org_id, bytes(index))
            for org_id, index in Group.objects.filter(index__in=indexes).values_list(
                "organisation_id", "index"
            )
        }
        # Entries are unique per (organisation, account, index): rows counted are survivors.
        new_groups = [
            key
            for key, pks in unmatched.items()
            if key not in existing and len(pks) >= thresholds[key]
        ]
        Group.objects.bulk_create(
            [Group(organisation_id=org, index=index, found_day=today) for org, index in new_groups],
            ignore_conflicts=True,
        )
        attach = [pk for key in {*existing, *new_groups} for pk in unmatched.get(key, [])]
        same = Group.objects.filter(
            organisation_id=OuterRef("organisation_id"), index=OuterRef("index")
        ).values("pk")[:1]
        HeldEntry.objects.filter(pk__in=attach).update(group=Subquery(same))
        released = Case.objects.filter(held__pk__in=attach, status=Case.Status.HELD).update(
            status=Case.Status.RECEIVED, released_day=today, changed=minute_now()
        )
        HeldEntry.objects.filter(pk__in=[pk for pk, _, _ in batch]).update(pending=False)
        organisations = sorted(
            set(HeldEntry.objects.filter(pk__in=attach).values_list("organisation_id", flat=True))
        )
        for org_id in organisations:
            audit_record(
                actor_id=None,
                action="together.cases_released",
                object_type="orgs.organisation",
                object_id=org_id,
            )
        return len(batch), len(new_groups), released, _release_recipients(entry_ids=attach)


def together_match_run() -> MatchingResult:
    """The periodic matching job (cron, `chorus together-match`): every pending entry.

    As for the escrow, a group is released when the job runs, not when the t-th survivor sends,
    so the timing does not say which survivor completed it.
    """
    today = timezone.now().date()
    checked = found = released = 0
    emails: list[str] = []
    while True:
        batch_checked, batch_found, batch_released, batch_emails = _matching_batch(today=today)
        if not batch_checked:
            break
        checked += batch_checked
        found += batch_found
        released += batch_released
        emails += batch_emails
    # One short mail per member holding a share, naming nothing (reports.md §9).
    notifications.members_notify(emails=emails)
    return MatchingResult(entries_checked=checked, groups_found=found, cases_released=released)


# ---------------------------------------------------------------- the member's side


@dataclass(frozen=True, slots=True)
class GroupSummary:
    group_id: int
    found_day: date
    cases: int
    claimed: int


def groups_list(*, membership: Membership) -> list[GroupSummary]:
    """Released groups holding a share sealed to the member's active key (audited)."""
    key = org_selectors.member_key_active(membership=membership)
    if key is None:
        return []
    with transaction.atomic():
        groups = list(
            Group.objects.filter(organisation_id=membership.organisation_id)
            .filter(entries__shares__key=key)
            .distinct()
            .order_by("-found_day", "-pk")
        )
        result = []
        for group in groups:
            case_ids = list(
                HeldEntry.objects.filter(group=group, shares__key=key).values_list(
                    "case_id", flat=True
                )
            )
            claimed = CaseKey.objects.filter(case_id__in=case_ids, key=key).count()
            result.append(
                GroupSummary(
                    group_id=group.pk,
                    found_day=group.found_day,
                    cases=len(case_ids),
                    claimed=claimed,
                )
            )
        audit_record(actor_id=membership.user_id, action="together.groups_listed")
    return result


@dataclass(frozen=True, slots=True)
class GroupCase:
    case: Case
    sealed: bytes
    claimed: bool


@dataclass(frozen=True, slots=True)
class GroupOpened:
    group: Group
    key: HandlerKey
    #: The threshold the group was released under (the least of its entries'): the browser
    #: recovers with exactly this t, never a share's own claim (escrow.md §10).
    threshold: int
    ctx: bytes
    cases: list[GroupCase]


def group_open(*, membership: Membership, group_id: int) -> GroupOpened:
    """A group's cases with the shares sealed to the member's active key: what their browser
    needs to recover K and open each entry. Audited as the group being opened."""
    with transaction.atomic():
        group, key = access.access_group_key(membership=membership, group_id=group_id)
        shares = list(
            HeldShare.objects.filter(entry__group=group, key=key)
            .select_related("entry__case")
            .order_by("entry_id")
        )
        claimed = set(
            CaseKey.objects.filter(
                case_id__in=[s.entry.case_id for s in shares], key=key
            ).values_list("case_id", flat=True)
        )
        audit_record(
            actor_id=membership.user_id,
            action="together.group_opened",
            object_type="together.group",
            object_id=group.pk,
        )
    return GroupOpened(
        group=group,
        key=key,
        threshold=min(s.entry.threshold for s in shares),
        ctx=selectors.escrow_ctx(organisation=group.organisation),
        cases=[
            GroupCase(case=s.entry.case, sealed=bytes(s.sealed), claimed=s.entry.case_id in claimed)
            for s in shares
        ],
    )


def claims_parse(data: Any) -> dict[bytes, bytes]:
    """{"cases": [{"case": "<ref hex>", "sealed": "<base64>"}]}; strict."""
    if not isinstance(data, dict) or set(data) != {"cases"}:
        raise _invalid(_('The request must be a JSON object with one field, "cases".'))
    items = data["cases"]
    if not isinstance(items, list) or not items:
        raise _invalid(_('"cases" must be a non-empty list.'))
    if len(items) > MAX_CLAIMS:
        raise _invalid(_("At most %(n)d cases can be claimed at once.") % {"n": MAX_CLAIMS})
    claims: dict[bytes, bytes] = {}
    for item in items:
        if not isinstance(item, dict) or set(item) != {"case", "sealed"}:
            raise _invalid(_('Each claim must be {"case": "<hex>", "sealed": "<base64>"}.'))
        ref = _ref(item["case"])
        if ref in claims:
            raise _invalid(_("The same case is claimed twice."))
        claims[ref] = _b64(item["sealed"], field="sealed", limit=8192)
    return claims


@transaction.atomic
def cases_claim(*, membership: Membership, group_id: int, claims: dict[bytes, bytes]) -> list[Case]:
    """Store the member's own sealed case key for each claimed case of a released group, or
    nothing. Only a case of this group whose share was sealed to the member's active key, never
    one the reporter excluded them from, and only once per key. The server cannot check that the
    sealed bytes hold the real case key: a wrong one only fails for the member themselves."""
    group, key = access.access_group_key(membership=membership, group_id=group_id)
    entries = {
        bytes(e.case.case_ref): e
        for e in HeldEntry.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(group=group, shares__key=key, case__case_ref__in=list(claims))
    }
    if set(claims) - set(entries):
        raise TogetherNotFoundError(_("A case is not one of this group's cases for you to open."))
    cases = [entries[ref].case for ref in claims]
    # An excluded member's key never receives a share, so the query above already refuses them;
    # this keeps the rule of reports.md §7.5 true even if a share were planted for them.
    if CaseExclusion.objects.filter(case__in=cases, membership=membership).exists():
        raise TogetherNotFoundError(_("A case is not one of this group's cases for you to open."))
    for sealed in claims.values():
        if len(sealed) != case_key_sealed_bytes(key.suite):
            raise _invalid(_("A sealed case key has the wrong length."))
        if sealed[0] != ENVELOPE_VERSION:
            raise _invalid(_("A sealed case key has an unknown version."))
        if sealed[1] != key.suite:
            raise _invalid(_("A sealed case key is not sealed with your key's suite."))
    if CaseKey.objects.filter(case__in=cases, key=key).exists():
        raise TogetherDuplicateError(
            _("You have already opened one of these cases. Reload the page.")
        )
    CaseKey.objects.bulk_create(
        CaseKey(case=entries[ref].case, key=key, sealed=sealed, granted_by=membership)
        for ref, sealed in claims.items()
    )
    for case in cases:
        audit_record(
            actor_id=membership.user_id,
            action="together.case_claimed",
            object_type="reports.case",
            object_id=case.pk,
        )
    return cases
