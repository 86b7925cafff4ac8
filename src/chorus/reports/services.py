"""Report writes: a survivor sends a report to an organisation (docs/protocols/reports.md §4.4).

The survivor's browser makes a random case key, boxes the report under it and seals the case key
to every active member key of the organisation. The server checks the shapes it can see and
stores the case and its sealed keys, all or nothing. It never holds the case key.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.accounts.models import Account
from chorus.core.audit import audit_record
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
from chorus.orgs.models import Membership
from chorus.reports import access
from chorus.reports.errors import (
    ReportDuplicateError,
    ReportInvalidError,
    ReportNotFoundError,
    ReportTooLargeError,
)
from chorus.reports.models import Case, CaseKey

#: The largest report body stored (the boxed JSON of one record's text).
MAX_BODY_BYTES = 1024 * 1024
#: The largest sealed case key: a suite 2 envelope of 0x01 ‖ CK ‖ case_ref is about 1.2 KB.
MAX_SEALED_BYTES = 8192
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
    body: bytes
    envelopes: dict[int, bytes]


def _b64(text: Any, *, field: str, limit: int) -> bytes:
    if not isinstance(text, str) or len(text) % 4 or not _BASE64.fullmatch(text):
        raise ReportInvalidError(_('"%(field)s" must be standard base64.') % {"field": field})
    if len(text) > (limit + 2) // 3 * 4:
        raise ReportTooLargeError(_("This report is too large to send."))
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:  # pragma: no cover - the pattern above already refuses these
        raise ReportInvalidError(
            _('"%(field)s" must be standard base64.') % {"field": field}
        ) from None


def _envelope_parse(item: Any) -> tuple[int, bytes]:
    if not isinstance(item, dict) or set(item) != {"key", "sealed"}:
        raise ReportInvalidError(_('Each key must be {"key": <number>, "sealed": "<base64>"}.'))
    key = item["key"]
    if type(key) is not int or not 1 <= key < 2**63:
        raise ReportInvalidError(_('"key" must be the number of a member key.'))
    return key, _b64(item["sealed"], field="sealed", limit=MAX_SEALED_BYTES)


def report_input_parse(data: Any) -> ReportInput:
    """{"org": "<slug>", "case_ref": "<hex16>", "ciphertext": "<base64>",
    "keys": [{"key": <id>, "sealed": "<base64>"}]}; strict."""
    if not isinstance(data, dict) or set(data) != {"org", "case_ref", "ciphertext", "keys"}:
        raise ReportInvalidError(
            _('The request must be a JSON object with "org", "case_ref", "ciphertext" and "keys".')
        )
    slug = data["org"]
    if not isinstance(slug, str) or not 1 <= len(slug) <= 64:
        raise ReportInvalidError(_('"org" must be the address name of an organisation.'))
    case_ref = data["case_ref"]
    if not isinstance(case_ref, str) or not _HEX_REF.fullmatch(case_ref):
        raise ReportInvalidError(_('"case_ref" must be 16 bytes in lowercase hex.'))
    body = _b64(data["ciphertext"], field="ciphertext", limit=MAX_BODY_BYTES)
    if len(body) < _BOX_MIN:
        raise ReportInvalidError(_("The report is too short to hold anything."))
    if body[0] != ENVELOPE_VERSION:
        raise ReportInvalidError(_("The report has an unknown version. Reload the page."))
    items = data["keys"]
    if not isinstance(items, list) or not items:
        raise ReportInvalidError(_('"keys" must be a non-empty list.'))
    envelopes: dict[int, bytes] = {}
    for item in items:
        key, sealed = _envelope_parse(item)
        if key in envelopes:
            raise ReportInvalidError(_("Two keys are sealed to the same member key."))
        envelopes[key] = sealed
    return ReportInput(slug=slug, case_ref=bytes.fromhex(case_ref), body=body, envelopes=envelopes)


def _envelopes_check(*, envelopes: dict[int, bytes], suites: dict[int, int]) -> None:
    if set(envelopes) - set(suites):
        raise ReportInvalidError(
            _("A key is sealed to a key that is not a current member key. Reload the page.")
        )
    if set(suites) - set(envelopes):
        raise ReportInvalidError(
            _("A member key of this organisation is missing. Reload the page and send again.")
        )
    for key_id, sealed in envelopes.items():
        suite = suites[key_id]
        if len(sealed) != 2 + _ENC_BYTES[suite] + _SEALED_PLAINTEXT + AEAD_TAG_BYTES:
            raise ReportInvalidError(_("A sealed key has the wrong length."))
        if sealed[0] != ENVELOPE_VERSION:
            raise ReportInvalidError(_("A sealed key has an unknown version."))
        if sealed[1] != suite:
            raise ReportInvalidError(_("A sealed key is not sealed with its member key's suite."))


@transaction.atomic
def report_send(*, account: Account, report_input: ReportInput) -> Case:
    """Store the case and one sealed case key per active member key, or nothing."""
    organisation = org_selectors.organisation_by_slug(slug=report_input.slug)
    if organisation is None:
        raise ReportNotFoundError(_("There is no organisation at this address."))
    keys = org_selectors.organisation_public_keys(organisation=organisation)
    if not keys:
        raise ReportInvalidError(
            _("This organisation cannot receive reports yet: nobody there has made a key.")
        )
    _envelopes_check(envelopes=report_input.envelopes, suites={k.key_id: k.suite for k in keys})
    try:
        with transaction.atomic():
            case = Case.objects.create(
                organisation=organisation,
                case_ref=report_input.case_ref,
                created_day=timezone.now().date(),
                body=report_input.body,
                reporter_account=account,
            )
    except IntegrityError:
        raise ReportDuplicateError(
            _("This report was already sent. Reload the page to send another.")
        ) from None
    CaseKey.objects.bulk_create(
        CaseKey(case=case, key_id=key_id, sealed=sealed)
        for key_id, sealed in report_input.envelopes.items()
    )
    return case


def case_status_parse(data: Any) -> str:
    """{"status": "received"|"in_review"|"action_taken"|"closed"}; strict."""
    if not isinstance(data, dict) or set(data) != {"status"}:
        raise ReportInvalidError(_('The request must be a JSON object with "status".'))
    status = data["status"]
    if not isinstance(status, str) or status not in Case.Status.values:
        raise ReportInvalidError(
            _('"status" must be one of: received, in_review, action_taken, closed.')
        )
    return status


@transaction.atomic
def case_status_set(*, membership: Membership, case_ref: bytes, status: str) -> Case:
    """Change the case's status (the member must be able to open it), audited."""
    case = access.access_case(membership=membership, case_ref=case_ref, for_update=True)
    case.status = status
    case.save(update_fields=["status"])
    audit_record(
        actor_id=membership.user_id,
        action=f"reports.case_status_{status}",
        object_type="reports.case",
        object_id=case.pk,
    )
    return case


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
