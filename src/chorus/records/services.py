"""Record writes: save a new record or a new version, delete a record.

The server never sees a record's words or attachments: the survivor's browser seals them in an
AEAD box under a key derived from the survivor id (docs/protocols/records.md §2-3). The server
checks the envelope's shape, time-stamps it (stamps.py) and stores it.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.accounts.models import Account
from chorus.crypto.suites import AEAD_NONCE_BYTES, AEAD_TAG_BYTES, ENVELOPE_VERSION
from chorus.records import access
from chorus.records.errors import RecordInvalidError, RecordTooLargeError
from chorus.records.models import Record, RecordVersion
from chorus.records.stamps import stamp_make

#: The request format the page sends (the "format" field).
REQUEST_FORMAT = 1
#: The largest envelope stored: 25 MB of attachments, base64 inside the sealed JSON, plus text.
MAX_ENVELOPE_BYTES = 35 * 1024 * 1024
#: The smallest envelope: an AEAD box around an empty plaintext.
MIN_ENVELOPE_BYTES = 1 + AEAD_NONCE_BYTES + AEAD_TAG_BYTES
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


@dataclass(frozen=True, slots=True)
class RecordInput:
    """A save request as the browser sends it, decoded: which record (None: a new one) and
    the envelope."""

    record_id: int | None
    envelope: bytes


def record_input_parse(data: Any) -> RecordInput:
    """{"format": 1, "record": null | <id>, "envelope": "<base64>"}; strict."""
    if not isinstance(data, dict) or set(data) != {"format", "record", "envelope"}:
        raise RecordInvalidError(
            _('The request must be a JSON object with "format", "record" and "envelope".')
        )
    if type(data["format"]) is not int or data["format"] != REQUEST_FORMAT:
        raise RecordInvalidError(
            _("This page is out of date. Reload it and save again: nothing was stored.")
        )
    record_id = data["record"]
    if record_id is not None and (type(record_id) is not int or not 1 <= record_id < 2**63):
        raise RecordInvalidError(_('"record" must be null or the number of a record.'))
    text = data["envelope"]
    if not isinstance(text, str) or len(text) % 4 or not _BASE64.fullmatch(text):
        raise RecordInvalidError(_('"envelope" must be standard base64.'))
    if len(text) > (MAX_ENVELOPE_BYTES + 2) // 3 * 4:
        raise RecordTooLargeError(_("This record is too large to save. Remove an attachment."))
    try:
        envelope = base64.b64decode(text, validate=True)
    except binascii.Error:  # pragma: no cover - the pattern above already refuses these
        raise RecordInvalidError(_('"envelope" must be standard base64.')) from None
    _envelope_check(envelope)
    return RecordInput(record_id=record_id, envelope=envelope)


def _envelope_check(envelope: bytes) -> None:
    if len(envelope) > MAX_ENVELOPE_BYTES:
        raise RecordTooLargeError(_("This record is too large to save. Remove an attachment."))
    if len(envelope) < MIN_ENVELOPE_BYTES:
        raise RecordInvalidError(_("The envelope is too short to hold a record."))
    if envelope[0] != ENVELOPE_VERSION:
        raise RecordInvalidError(
            _("The envelope has an unknown version. Reload the page and save again.")
        )


@transaction.atomic
def record_save(*, account: Account, record_input: RecordInput) -> RecordVersion:
    """Store a new record, or a new version of the survivor's own record; stamp it."""
    if record_input.record_id is None:
        record = Record.objects.create(account=account)
        number = 1
    else:
        record = access.access_record(
            account=account, record_id=record_input.record_id, for_update=True
        )
        latest = record.versions.aggregate(n=Max("number"))["n"] or 0
        number = latest + 1
    stamp = stamp_make(envelope=record_input.envelope, now=timezone.now())
    return RecordVersion.objects.create(
        record=record,
        number=number,
        envelope=record_input.envelope,
        digest=stamp.digest,
        stamped_at=stamp.time,
        signature=stamp.signature,
    )


@transaction.atomic
def record_delete(*, account: Account, record_id: int) -> None:
    """Erase the survivor's own record and all its versions: the rows are deleted."""
    record = access.access_record(account=account, record_id=record_id, for_update=True)
    record.delete()
