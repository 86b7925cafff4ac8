"""Supporters: a trusted person the reporter invites to one case (docs/protocols/reports.md §8).

The reporter's browser makes a secret `s` (32 random bytes, in the link's fragment, which never
reaches the server), an accept token `t` = HKDF(s, SUPPORT_ACCEPT_INFO) and the invitation id
`i` = SHA-256(t)[:16] (in the link's path), and boxes the case key under HKDF(s). The server
keeps SHA-256(i) and that box for 48 hours. The invited person opens the link signed in with
their own codename account; their browser opens the box with `s`, re-boxes the case key under
their own sid-derived key and sends it with `t`; the server checks `t` against `i` and spends
the link. Whoever saw only the path cannot spend it. Removal sets `removed` and clears the
stored box: from that moment every case endpoint answers the removed supporter with the uniform
404 (chorus.reports.access).

Every write is audited inside its transaction with the supporter row's id only: never the
account id of the reporter or of the supporter.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.accounts.models import Account
from chorus.core.audit import audit_record
from chorus.core.clock import minute_now
from chorus.crypto.suites import AEAD_NONCE_BYTES, AEAD_TAG_BYTES, ENVELOPE_VERSION
from chorus.reports import access
from chorus.reports.errors import ReportError, ReportInvalidError, ReportNotFoundError
from chorus.reports.models import Case, Supporter

#: The invitation id in the link's path: 16 random bytes, 32 lowercase hex characters.
INVITE_ID_BYTES = 16
#: The accept token the invited person's browser derives from the link's secret.
ACCEPT_TOKEN_BYTES = 32
#: How long an invitation link can be accepted.
INVITE_LIFETIME = timedelta(hours=48)
#: Supporters a case may have at once: accepted and not removed, or invited and not expired.
MAX_LIVE_SUPPORTERS = 3
#: A boxed case key: version ‖ nonce ‖ ChaCha20-Poly1305(CK, 32 bytes) ‖ tag.
CASE_KEY_BOX_BYTES = 1 + AEAD_NONCE_BYTES + 32 + AEAD_TAG_BYTES

_HEX_INVITE = re.compile(r"[0-9a-f]{%d}" % (2 * INVITE_ID_BYTES))  # noqa: UP031
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_AUDIT_TYPE = "reports.supporter"


class SupportReporterOnlyError(ReportError):
    """A supporter tried what only the person who sent the report may do."""

    status = 403
    code = "reporter_only"


class SupportLimitError(ReportError):
    status = 409
    code = "too_many_supporters"


class SupportHeldError(ReportError):
    status = 409
    code = "held"


class SupportDuplicateError(ReportError):
    status = 409
    code = "duplicate"


class SupportInviteInvalidError(ReportError):
    """Uniform for an invitation that never existed, was spent, expired or was withdrawn."""

    status = 404
    code = "invite_invalid"


class SupportOwnCaseError(ReportError):
    status = 403
    code = "own_case"


class SupportAlreadyError(ReportError):
    status = 409
    code = "already_supporter"


def invite_invalid() -> SupportInviteInvalidError:
    return SupportInviteInvalidError(
        _(
            "This invitation link does not work. It may have been used already, it may be more "
            "than 48 hours old, or the person who sent it may have withdrawn it. Ask them for a "
            "new link."
        )
    )


def invite_hash(invite_id: bytes) -> bytes:
    """What the server keeps of an invitation id."""
    return hashlib.sha256(invite_id).digest()


def invite_id_parse(text: Any) -> bytes:
    """The invitation id from a link's path: 32 lowercase hex characters, else invite_invalid
    (a mistyped link looks like a spent one)."""
    if not isinstance(text, str) or not _HEX_INVITE.fullmatch(text):
        raise invite_invalid()
    return bytes.fromhex(text)


def case_key_box_parse(value: Any) -> bytes:
    """A case key boxed for one person, standard base64: exactly CASE_KEY_BOX_BYTES bytes."""
    message = _('"box" must be the case key boxed in your browser (standard base64).')
    if not isinstance(value, str) or len(value) % 4 or not _BASE64.fullmatch(value):
        raise ReportInvalidError(message)
    if len(value) > (CASE_KEY_BOX_BYTES + 2) // 3 * 4:
        raise ReportInvalidError(_('"box" has the wrong length. Reload the page and try again.'))
    try:
        box = base64.b64decode(value, validate=True)
    except binascii.Error:  # pragma: no cover - the pattern above already refuses these
        raise ReportInvalidError(message) from None
    if len(box) != CASE_KEY_BOX_BYTES:
        raise ReportInvalidError(_('"box" has the wrong length. Reload the page and try again.'))
    if box[0] != ENVELOPE_VERSION:
        raise ReportInvalidError(_('"box" has an unknown version. Reload the page and try again.'))
    return box


@dataclass(frozen=True, slots=True)
class InviteInput:
    invite_id: bytes
    box: bytes
    can_write: bool


def invite_input_parse(data: Any) -> InviteInput:
    """{"invite": "<i hex>", "box": "<base64>", "can_write": bool}; strict."""
    if not isinstance(data, dict) or set(data) != {"invite", "box", "can_write"}:
        raise ReportInvalidError(
            _('The request must be a JSON object with "invite", "box" and "can_write".')
        )
    invite = data["invite"]
    if not isinstance(invite, str) or not _HEX_INVITE.fullmatch(invite):
        raise ReportInvalidError(_('"invite" must be 16 bytes in lowercase hex.'))
    if not isinstance(data["can_write"], bool):
        raise ReportInvalidError(_('"can_write" must be true or false.'))
    return InviteInput(
        invite_id=bytes.fromhex(invite),
        box=case_key_box_parse(data["box"]),
        can_write=data["can_write"],
    )


@dataclass(frozen=True, slots=True)
class AcceptInput:
    box: bytes
    token: bytes


def accept_input_parse(data: Any) -> AcceptInput:
    """{"box": "<base64>", "token": "<base64>"}: the case key re-boxed under the supporter's own
    key, and the link's accept token (32 bytes); strict."""
    if not isinstance(data, dict) or set(data) != {"box", "token"}:
        raise ReportInvalidError(_('The request must be a JSON object with "box" and "token".'))
    return AcceptInput(box=case_key_box_parse(data["box"]), token=token_parse(data["token"]))


def token_parse(value: Any) -> bytes:
    """An accept token: 32 bytes in standard base64; strict."""
    if (
        not isinstance(value, str)
        or len(value) != (ACCEPT_TOKEN_BYTES + 2) // 3 * 4
        or not _BASE64.fullmatch(value)
    ):
        raise ReportInvalidError(_('"token" must be 32 bytes in standard base64.'))
    raw = base64.b64decode(value)
    if len(raw) != ACCEPT_TOKEN_BYTES:
        raise ReportInvalidError(_('"token" must be 32 bytes in standard base64.'))
    return raw


def token_matches(*, invite_id: bytes, token: bytes) -> bool:
    """Whether the accept token belongs to the invitation id: SHA-256(t)[:16] == i."""
    return hmac.compare_digest(hashlib.sha256(token).digest()[:INVITE_ID_BYTES], invite_id)


@dataclass(frozen=True, slots=True)
class SupporterChange:
    """Either a new permission (can_write) or removal; never both."""

    can_write: bool | None
    remove: bool


def supporter_change_parse(data: Any) -> SupporterChange:
    """{"can_write": bool} or {"remove": true}; strict."""
    if isinstance(data, dict) and set(data) == {"can_write"}:
        if not isinstance(data["can_write"], bool):
            raise ReportInvalidError(_('"can_write" must be true or false.'))
        return SupporterChange(can_write=data["can_write"], remove=False)
    if isinstance(data, dict) and set(data) == {"remove"}:
        if data["remove"] is not True:
            raise ReportInvalidError(_('"remove" must be true.'))
        return SupporterChange(can_write=None, remove=True)
    raise ReportInvalidError(
        _('The request must be a JSON object with either "can_write" or "remove".')
    )


def _live(rows: QuerySet[Supporter], *, now: datetime) -> QuerySet[Supporter]:
    return rows.filter(removed__isnull=True).filter(
        Q(accepted__isnull=False) | Q(invite_expires__gt=now)
    )


def invitations_expire(*, now: datetime | None = None, case: Case | None = None) -> int:
    """Forget invitations that expired unused (of one case, or all): the box that anyone with
    the link's secret could open, and the invitation id's hash, are cleared and the row marked
    removed; each is audited. Returns how many. Run by `chorus cases-expire` and whenever the
    reporter invites again."""
    now = now or timezone.now()
    rows = Supporter.objects.filter(accepted__isnull=True, removed__isnull=True)
    rows = rows.filter(invite_expires__lte=now)
    if case is not None:
        rows = rows.filter(case=case)
    count = 0
    for supporter_id in rows.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and checked again: it may have been accepted or withdrawn meanwhile.
            cleared = (
                Supporter.objects.filter(pk=supporter_id, accepted__isnull=True)
                .filter(removed__isnull=True, invite_expires__lte=now)
                .update(removed=now, box=b"", invite_hash=None)
            )
            if cleared:
                audit_record(
                    actor_id=None,
                    action="reports.supporter_expired",
                    object_type=_AUDIT_TYPE,
                    object_id=supporter_id,
                )
                count += 1
    return count


def _reporter_case(*, account: Account, case_ref: bytes) -> Case:
    """The case, locked, if `account` sent it. A supporter of it is told only the reporter may
    act; anyone else gets the uniform 404 of access_survivor_case."""
    case, role, _supporter = access.access_survivor_case(
        account=account, case_ref=case_ref, for_update=True
    )
    if role != access.ROLE_REPORTER:
        raise SupportReporterOnlyError(
            _("Only the person who sent this report can invite or change supporters.")
        )
    return case


@transaction.atomic
def supporter_invite(*, account: Account, case_ref: bytes, invite_input: InviteInput) -> Supporter:
    """Store a new invitation (hash of the id, the boxed case key) for 48 hours, audited."""
    case = _reporter_case(account=account, case_ref=case_ref)
    if case.status == Case.Status.HELD:
        raise SupportHeldError(
            _(
                "This report is held until others report the same person. You can invite a "
                "supporter once it has reached the organisation."
            )
        )
    now = timezone.now()
    invitations_expire(now=now, case=case)
    if _live(case.supporters.all(), now=now).count() >= MAX_LIVE_SUPPORTERS:
        raise SupportLimitError(
            _(
                "A report can have at most %(n)d supporters at a time. Remove one, or wait until "
                "an unused invitation expires, then invite again."
            )
            % {"n": MAX_LIVE_SUPPORTERS}
        )
    try:
        with transaction.atomic():
            supporter = Supporter.objects.create(
                case=case,
                invite_hash=invite_hash(invite_input.invite_id),
                invite_expires=now + INVITE_LIFETIME,
                box=invite_input.box,
                can_write=invite_input.can_write,
            )
    except IntegrityError:
        raise SupportDuplicateError(
            _("This invitation was already made. Reload the page to make a new one.")
        ) from None
    audit_record(
        actor_id=None,
        action="reports.supporter_invited",
        object_type=_AUDIT_TYPE,
        object_id=supporter.pk,
    )
    return supporter


def invite_open(*, invite_id: bytes, token: bytes) -> Supporter:
    """invite_read for a browser that proves it holds the link's secret: nothing about the
    invitation (not even the organisation's name) is served on the path alone."""
    if not token_matches(invite_id=invite_id, token=token):
        raise invite_invalid()
    return invite_read(invite_id=invite_id)


def invite_read(*, invite_id: bytes) -> Supporter:
    """An unspent, unexpired, not withdrawn invitation, with its case and organisation."""
    supporter = (
        Supporter.objects.select_related("case__organisation")
        .filter(invite_hash=invite_hash(invite_id))
        .filter(accepted__isnull=True)
        .filter(removed__isnull=True)
        .filter(invite_expires__gt=timezone.now())
        .exclude(case__status=Case.Status.HELD)
        .first()
    )
    if supporter is None:
        raise invite_invalid()
    return supporter


@transaction.atomic
def supporter_accept(*, account: Account, invite_id: bytes, accept_input: AcceptInput) -> Case:
    """Spend the invitation: the account becomes the case's supporter, holding the case key
    re-boxed under their own key. A token that does not belong to the link, and a second accept
    of the same link, are invite_invalid."""
    if not token_matches(invite_id=invite_id, token=accept_input.token):
        raise invite_invalid()
    found = invite_read(invite_id=invite_id)
    # Lock the case before the invitation, in the order the reporter's changes lock them.
    case = Case.objects.select_for_update().get(pk=found.case_id)
    if case.reporter_account_id == account.pk:
        raise SupportOwnCaseError(
            _(
                "This is an invitation to your own report. Send the link to the person you want "
                "to support you; it still works."
            )
        )
    if case.supporters.filter(account=account, removed__isnull=True).exists():
        raise SupportAlreadyError(
            _("You already support this report. Open it from your list of reports.")
        )
    spent = (
        Supporter.objects.filter(pk=found.pk)
        .filter(invite_hash=invite_hash(invite_id))
        .filter(accepted__isnull=True)
        .filter(removed__isnull=True)
        .update(account=account, box=accept_input.box, accepted=minute_now(), invite_hash=None)
    )
    if spent != 1:  # spent or withdrawn meanwhile (PostgreSQL; SQLite serialises the whole block)
        raise invite_invalid()
    audit_record(
        actor_id=None,
        action="reports.supporter_accepted",
        object_type=_AUDIT_TYPE,
        object_id=found.pk,
    )
    return case


@transaction.atomic
def supporter_change(
    *, account: Account, case_ref: bytes, supporter_id: int, change: SupporterChange
) -> Supporter:
    """The reporter allows or stops a supporter's writing, or removes them (or withdraws an
    invitation not yet accepted); audited. Removal clears the stored box at once."""
    case = _reporter_case(account=account, case_ref=case_ref)
    supporter = (
        Supporter.objects.select_for_update()
        .filter(pk=supporter_id)
        .filter(case=case)
        .filter(removed__isnull=True)
        .first()
    )
    if supporter is None:
        raise ReportNotFoundError(_("This report has no such supporter. Reload the page."))
    if change.remove:
        supporter.removed = minute_now()
        supporter.box = b""
        supporter.invite_hash = None
        supporter.save(update_fields=["removed", "box", "invite_hash"])
        action = "reports.supporter_removed"
    elif change.can_write is not None and change.can_write != supporter.can_write:
        supporter.can_write = change.can_write
        supporter.save(update_fields=["can_write"])
        action = (
            "reports.supporter_write_allowed"
            if change.can_write
            else "reports.supporter_write_stopped"
        )
    else:
        return supporter
    audit_record(actor_id=None, action=action, object_type=_AUDIT_TYPE, object_id=supporter.pk)
    return supporter
