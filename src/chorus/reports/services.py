"""Case writes (docs/protocols/reports.md §4.4, §4.5, §7, §11): a survivor sends a report; the
reporter, their supporters and the organisation's members write in its conversation; members
change its status, assign it, keep notes and grant it to members who joined later.

The survivor's browser makes a random case key, boxes the report under it and seals the case key
to every member key of the organisation the reporter did not exclude. The server checks the
shapes it can see and stores all or nothing. It never holds the case key.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
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
    SEAL_SUITE_MLKEM768_X25519_CHACHA20,
    SEAL_SUITE_X25519_CHACHA20,
    XWING_ENC_BYTES,
)
from chorus.orgs import selectors as org_selectors
from chorus.orgs.models import HandlerKey, Membership
from chorus.reports import access, notifications, selectors
from chorus.reports.errors import (
    ReportConflictError,
    ReportDuplicateError,
    ReportInvalidError,
    ReportNotFoundError,
    ReportReadOnlyError,
    ReportTooLargeError,
)
from chorus.reports.models import Case, CaseExclusion, CaseKey, Message, Note, Supporter

#: The largest report body stored (the boxed JSON of one record's text).
MAX_BODY_BYTES = 1024 * 1024
#: The largest sealed case key: a suite 2 envelope of 0x01 ‖ CK ‖ case_ref is about 1.2 KB.
MAX_SEALED_BYTES = 8192
#: The largest message or note box (its JSON {"v": 1, "text": …} boxed under the case key): in
#: base64 with the JSON around it, within the 16 KiB every request body may have.
MAX_MESSAGE_BYTES = 11 * 1024
#: The reporter's copy of the case key: box(…, CK) = version, nonce, 32 bytes, tag.
REPORTER_BOX_BYTES = 1 + AEAD_NONCE_BYTES + 32 + AEAD_TAG_BYTES
#: The random public reference of a case.
CASE_REF_BYTES = 16
#: The sealed plaintext: 0x01 ‖ CK (32) ‖ case_ref (16).
_SEALED_PLAINTEXT = 1 + 32 + CASE_REF_BYTES
_ENC_BYTES = {
    SEAL_SUITE_X25519_CHACHA20: HPKE_ENC_BYTES,
    SEAL_SUITE_MLKEM768_X25519_CHACHA20: XWING_ENC_BYTES,
}
_BOX_MIN = 1 + AEAD_NONCE_BYTES + AEAD_TAG_BYTES
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_HEX_REF = re.compile(r"[0-9a-f]{%d}" % (2 * CASE_REF_BYTES))  # noqa: UP031


@dataclass(frozen=True, slots=True)
class ReportInput:
    """A report as the browser sends it, decoded but not yet checked against the keys."""

    slug: str
    case_ref: bytes
    mode: str
    body: bytes
    reporter_box: bytes
    envelopes: dict[int, bytes]
    excluded: frozenset[int]


def _b64(text: Any, *, field: str, limit: int) -> bytes:
    if not isinstance(text, str) or len(text) % 4 or not _BASE64.fullmatch(text):
        raise ReportInvalidError(_('"%(field)s" must be standard base64.') % {"field": field})
    if len(text) > (limit + 2) // 3 * 4:
        raise ReportTooLargeError(_("This is too large to send."))
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:  # pragma: no cover - the pattern above already refuses these
        raise ReportInvalidError(
            _('"%(field)s" must be standard base64.') % {"field": field}
        ) from None
    if len(raw) > limit:
        raise ReportTooLargeError(_("This is too large to send."))
    return raw


def _key_id(value: Any) -> int:
    if type(value) is not int or not 1 <= value < 2**63:
        raise ReportInvalidError(_('"key" must be the number of a member key.'))
    return value


def _envelope_parse(item: Any) -> tuple[int, bytes]:
    if not isinstance(item, dict) or set(item) != {"key", "sealed"}:
        raise ReportInvalidError(
            _('Each envelope must be {"key": <number>, "sealed": "<base64>"}.')
        )
    return _key_id(item["key"]), _b64(item["sealed"], field="sealed", limit=MAX_SEALED_BYTES)


def _box_check(raw: bytes, *, what: str, exact: int | None = None) -> bytes:
    if len(raw) < _BOX_MIN or (exact is not None and len(raw) != exact):
        raise ReportInvalidError(_("%(what)s has the wrong length.") % {"what": what})
    if raw[0] != ENVELOPE_VERSION:
        raise ReportInvalidError(
            _("%(what)s has an unknown version. Reload the page.") % {"what": what}
        )
    return raw


_REPORT_FIELDS = {"org", "case_ref", "mode", "body", "reporter_box", "envelopes", "excluded"}
_MODES = (Case.Mode.NAMED, Case.Mode.ANONYMOUS)


def report_input_parse(data: Any) -> ReportInput:
    """reports.md §11.2: {"org", "case_ref", "mode", "body", "reporter_box",
    "envelopes": [{"key", "sealed"}], "excluded": [key id…]}; strict."""
    if not isinstance(data, dict) or set(data) != _REPORT_FIELDS:
        raise ReportInvalidError(
            _(
                'The request must be a JSON object with "org", "case_ref", "mode", "body", '
                '"reporter_box", "envelopes" and "excluded".'
            )
        )
    slug = data["org"]
    if not isinstance(slug, str) or not 1 <= len(slug) <= 64:
        raise ReportInvalidError(_('"org" must be the address name of an organisation.'))
    case_ref = data["case_ref"]
    if not isinstance(case_ref, str) or not _HEX_REF.fullmatch(case_ref):
        raise ReportInvalidError(_('"case_ref" must be 16 bytes in lowercase hex.'))
    mode = data["mode"]
    if not isinstance(mode, str) or mode not in _MODES:
        raise ReportInvalidError(_('"mode" must be "named" or "anonymous".'))
    body = _b64(data["body"], field="body", limit=MAX_BODY_BYTES)
    _box_check(body, what=_("The report"))
    reporter_box = _b64(data["reporter_box"], field="reporter_box", limit=256)
    _box_check(reporter_box, what=_("Your copy of the case key"), exact=REPORTER_BOX_BYTES)
    items = data["envelopes"]
    if not isinstance(items, list) or not items:
        raise ReportInvalidError(_('"envelopes" must be a non-empty list.'))
    envelopes: dict[int, bytes] = {}
    for item in items:
        key, sealed = _envelope_parse(item)
        if key in envelopes:
            raise ReportInvalidError(_("Two envelopes are sealed to the same member key."))
        envelopes[key] = sealed
    excluded_raw = data["excluded"]
    if not isinstance(excluded_raw, list):
        raise ReportInvalidError(_('"excluded" must be a list of member key numbers.'))
    excluded = [_key_id(value) for value in excluded_raw]
    if len(set(excluded)) != len(excluded) or set(excluded) & set(envelopes):
        raise ReportInvalidError(
            _("Each member key must appear once, either with an envelope or as excluded.")
        )
    return ReportInput(
        slug=slug,
        case_ref=bytes.fromhex(case_ref),
        mode=mode,
        body=body,
        reporter_box=reporter_box,
        envelopes=envelopes,
        excluded=frozenset(excluded),
    )


def _sealed_check(*, sealed: bytes, suite: int) -> None:
    if len(sealed) != 2 + _ENC_BYTES[suite] + _SEALED_PLAINTEXT + AEAD_TAG_BYTES:
        raise ReportInvalidError(_("A sealed key has the wrong length."))
    if sealed[0] != ENVELOPE_VERSION:
        raise ReportInvalidError(_("A sealed key has an unknown version."))
    if sealed[1] != suite:
        raise ReportInvalidError(_("A sealed key is not sealed with its member key's suite."))


def _envelopes_check(
    *, envelopes: dict[int, bytes], excluded: frozenset[int], suites: dict[int, int]
) -> None:
    named = set(envelopes) | excluded
    if named - set(suites):
        raise ReportInvalidError(
            _("A key is sealed to a key that is not a current member key. Reload the page.")
        )
    if set(suites) - named:
        raise ReportInvalidError(
            _("A member key of this organisation is missing. Reload the page and send again.")
        )
    for key_id, sealed in envelopes.items():
        _sealed_check(sealed=sealed, suite=suites[key_id])


@transaction.atomic
def report_send(*, account: Account, report_input: ReportInput) -> Case:
    """Store the case, one sealed case key per member key the reporter did not exclude and the
    excluded memberships, or nothing; tell the members who can open it that something changed."""
    organisation = org_selectors.organisation_by_slug(slug=report_input.slug)
    if organisation is None:
        raise ReportNotFoundError(_("There is no organisation at this address."))
    keys = org_selectors.organisation_public_keys(organisation=organisation)
    if not keys:
        raise ReportInvalidError(
            _("This organisation cannot receive reports yet: nobody there has made a key.")
        )
    _envelopes_check(
        envelopes=report_input.envelopes,
        excluded=report_input.excluded,
        suites={k.key_id: k.suite for k in keys},
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                organisation=organisation,
                case_ref=report_input.case_ref,
                mode=report_input.mode,
                created_day=now.date(),
                body=report_input.body,
                reporter_box=report_input.reporter_box,
                reporter_account=account,
                changed=minute_now(),
            )
    except IntegrityError:
        raise ReportDuplicateError(
            _("This report was already sent. Reload the page to send another.")
        ) from None
    CaseKey.objects.bulk_create(
        CaseKey(case=case, key_id=key_id, sealed=sealed)
        for key_id, sealed in report_input.envelopes.items()
    )
    excluded_members = HandlerKey.objects.filter(pk__in=report_input.excluded).values_list(
        "membership_id", flat=True
    )
    CaseExclusion.objects.bulk_create(
        CaseExclusion(case=case, membership_id=membership_id)
        for membership_id in sorted(set(excluded_members))
    )
    notifications.case_changed_notify(case=case)
    return case


_STAFF_STATUSES = (
    Case.Status.RECEIVED,
    Case.Status.IN_REVIEW,
    Case.Status.ACTION_TAKEN,
    Case.Status.CLOSED,
)


def _object(data: Any, fields: set[str], message: str) -> dict[str, Any]:
    if not isinstance(data, dict) or set(data) != fields:
        raise ReportInvalidError(message)
    return data


def case_status_parse(data: Any) -> str:
    """{"status": "received"|"in_review"|"action_taken"|"closed"}; strict ("held" is the
    escrow's, never a member's choice)."""
    data = _object(data, {"status"}, _('The request must be a JSON object with "status".'))
    status = data["status"]
    if not isinstance(status, str) or status not in _STAFF_STATUSES:
        raise ReportInvalidError(
            _('"status" must be one of: received, in_review, action_taken, closed.')
        )
    return status


@transaction.atomic
def case_status_set(*, membership: Membership, case_ref: bytes, status: str) -> Case:
    """Change the case's status (the member must be able to open it), audited. Closing starts
    the retention period (reports.md §9); any other status re-opens a closed case and stops it."""
    case = access.access_case(membership=membership, case_ref=case_ref, for_update=True)
    now = timezone.now()
    if status == Case.Status.CLOSED and case.status != Case.Status.CLOSED:
        case.closed = now
        case.expires = now + timedelta(days=settings.CONFIG.case_retention_days)
    elif status != Case.Status.CLOSED:
        case.closed = None
        case.expires = None
    case.status = status
    case.changed = minute_now()
    case.save(update_fields=["status", "closed", "expires", "changed"])
    audit_record(
        actor_id=membership.user_id,
        action=f"reports.case_status_{status}",
        object_type="reports.case",
        object_id=case.pk,
    )
    return case


@transaction.atomic
def cases_list(*, membership: Membership) -> list[Case]:
    """The member's inbox (selectors.member_cases), audited."""
    cases = selectors.member_cases(membership=membership)
    audit_record(
        actor_id=membership.user_id, action="reports.cases_listed", object_type="reports.case"
    )
    return cases


@transaction.atomic
def case_open(*, membership: Membership, case_ref: bytes) -> tuple[Case, CaseKey]:
    """The case and the member's sealed case key, for their browser to open; audited."""
    case = access.access_case(membership=membership, case_ref=case_ref)
    case_key = access.access_case_key(membership=membership, case=case)
    audit_record(
        actor_id=membership.user_id,
        action="reports.case_opened",
        object_type="reports.case",
        object_id=case.pk,
    )
    return case, case_key


# --- assignment -----------------------------------------------------------------------------


def case_assign_parse(data: Any) -> int | None:
    """{"member": <membership id> | null}; strict."""
    data = _object(data, {"member"}, _('The request must be a JSON object with "member".'))
    member = data["member"]
    if member is None:
        return None
    if type(member) is not int or not 1 <= member < 2**63:
        raise ReportInvalidError(_('"member" must be the number of a member, or null.'))
    return member


@transaction.atomic
def case_assign(*, membership: Membership, case_ref: bytes, member_id: int | None) -> Case:
    """Assign the case to a current member who can open it (never an excluded one), or to
    nobody; audited."""
    case = access.access_case(membership=membership, case_ref=case_ref, for_update=True)
    if member_id is not None and member_id not in {
        m.pk for m in selectors.case_assignable(case=case)
    }:
        raise ReportInvalidError(
            _("A case can only be assigned to a current member who can open it.")
        )
    case.assignee_id = member_id
    case.save(update_fields=["assignee"])
    audit_record(
        actor_id=membership.user_id,
        action="reports.case_assigned",
        object_type="reports.case",
        object_id=case.pk,
    )
    return case


def member_cases_release(membership: Membership) -> int:
    """A removed member's cases go back to nobody (called inside chorus.orgs' removal, so in
    its transaction); each audited as an assignment to nobody. Returns how many."""
    released = list(
        Case.objects.select_for_update().filter(assignee=membership).values_list("pk", flat=True)
    )
    Case.objects.filter(pk__in=released).update(assignee=None)
    for case_id in released:
        audit_record(
            actor_id=None,
            action="reports.case_assigned",
            object_type="reports.case",
            object_id=case_id,
        )
    return len(released)


# --- messages and notes ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NumberedBox:
    n: int
    box: bytes


def numbered_box_parse(data: Any) -> NumberedBox:
    """{"n": <number>, "box": "<base64>"} of a message or note (reports.md §11.1); strict."""
    data = _object(data, {"n", "box"}, _('The request must be a JSON object with "n" and "box".'))
    n = data["n"]
    if type(n) is not int or not 1 <= n < 2**31:
        raise ReportInvalidError(_('"n" must be the number of the message, from 1.'))
    box = _b64(data["box"], field="box", limit=MAX_MESSAGE_BYTES)
    return NumberedBox(n=n, box=_box_check(box, what=_("The message")))


def _next_number_check(*, last: int | None, n: int) -> None:
    if n != (last or 0) + 1:
        raise ReportConflictError(
            _("Something new arrived in this case meanwhile. Reload it and send again.")
        )


def _message_add(
    *,
    case: Case,
    item: NumberedBox,
    author: str,
    membership: Membership | None = None,
    supporter: Supporter | None = None,
) -> Message:
    last = Message.objects.filter(case=case).aggregate(last=Max("number"))["last"]
    _next_number_check(last=last, n=item.n)
    now = minute_now()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                case=case,
                number=item.n,
                author=author,
                author_membership=membership,
                author_supporter=supporter,
                created=now,
                box=item.box,
            )
    except IntegrityError:  # pragma: no cover - the case row is locked; a second guard
        raise ReportConflictError(
            _("Something new arrived in this case meanwhile. Reload it and send again.")
        ) from None
    case.changed = now
    case.save(update_fields=["changed"])
    # Survivors are never named in the audit log: no actor, whatever the mode.
    audit_record(
        actor_id=membership.user_id if membership is not None else None,
        action="reports.message_added",
        object_type="reports.case",
        object_id=case.pk,
    )
    return message


@transaction.atomic
def survivor_message_add(*, account: Account, case_ref: bytes, item: NumberedBox) -> Message:
    """A message from the reporter or a supporter allowed to write; the members who can open
    the case are told that something changed."""
    case, role, supporter = access.access_survivor_case(
        account=account, case_ref=case_ref, for_update=True
    )
    if supporter is not None and not supporter.can_write:
        raise ReportReadOnlyError(
            _("The reporter has allowed you to read this case, not to write in it.")
        )
    if case.status == Case.Status.HELD:
        raise ReportReadOnlyError(
            _(
                "This report is held until others report the same person; nobody can read "
                "messages yet."
            )
        )
    message = _message_add(case=case, item=item, author=role, supporter=supporter)
    notifications.case_changed_notify(case=case)
    return message


@transaction.atomic
def member_message_add(*, membership: Membership, case_ref: bytes, item: NumberedBox) -> Message:
    """A message from a member who can open the case, to the reporter (and supporters)."""
    case = access.access_case(membership=membership, case_ref=case_ref, for_update=True)
    return _message_add(case=case, item=item, author=Message.Author.MEMBER, membership=membership)


@transaction.atomic
def note_add(*, membership: Membership, case_ref: bytes, item: NumberedBox) -> Note:
    """An internal note (boxed under the case key, so excluded members cannot read it either),
    audited without its content."""
    case = access.access_case(membership=membership, case_ref=case_ref, for_update=True)
    last = Note.objects.filter(case=case).aggregate(last=Max("number"))["last"]
    _next_number_check(last=last, n=item.n)
    note = Note.objects.create(
        case=case, number=item.n, membership=membership, created=minute_now(), box=item.box
    )
    audit_record(
        actor_id=membership.user_id,
        action="reports.note_added",
        object_type="reports.case",
        object_id=case.pk,
    )
    return note


# --- grants ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GrantInput:
    key: int
    sealed: bytes


def grant_parse(data: Any) -> GrantInput:
    """{"key": <member key id>, "sealed": "<base64>"} (reports.md §4.5); strict."""
    data = _object(
        data, {"key", "sealed"}, _('The request must be a JSON object with "key" and "sealed".')
    )
    return GrantInput(
        key=_key_id(data["key"]),
        sealed=_b64(data["sealed"], field="sealed", limit=MAX_SEALED_BYTES),
    )


@transaction.atomic
def case_grant(*, membership: Membership, case_ref: bytes, grant: GrantInput) -> CaseKey:
    """A member who can open the case seals its case key to another current member's active
    key: never to an excluded member, never across organisations; audited."""
    case = access.access_case(membership=membership, case_ref=case_ref, for_update=True)
    key = selectors.case_grantable_key(case=case, key_id=grant.key)
    if key is None:
        raise ReportInvalidError(
            _(
                "That key is not the current key of a member of your organisation who may "
                "receive this case."
            )
        )
    _sealed_check(sealed=grant.sealed, suite=key.suite)
    if CaseKey.objects.filter(case=case, key=key).exists():
        raise ReportDuplicateError(_("That member can already open this case."))
    case_key = CaseKey.objects.create(
        case=case, key=key, sealed=grant.sealed, granted_by=membership
    )
    audit_record(
        actor_id=membership.user_id,
        action="reports.case_granted",
        object_type="reports.case",
        object_id=case.pk,
    )
    return case_key
