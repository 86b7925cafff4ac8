"""Every write to codename accounts. The server receives `auth` keys and keeps only their hash."""

from __future__ import annotations

import hashlib
import hmac

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.accounts.errors import AccountError, AccountExistsError, AccountNoMatchError
from chorus.accounts.models import Account
from chorus.core import pow
from chorus.crypto.suites import (
    ACCOUNT_KEY_BYTES,
    AEAD_NONCE_BYTES,
    AEAD_TAG_BYTES,
    ENVELOPE_VERSION,
    SID_BYTES,
)

#: An AEAD box of a 32-byte sid: version, nonce, ciphertext, tag.
SID_WRAPPED_BYTES = 1 + AEAD_NONCE_BYTES + SID_BYTES + AEAD_TAG_BYTES


def _lookup(auth: bytes) -> bytes:
    if len(auth) != ACCOUNT_KEY_BYTES:
        raise AccountError(_("A key sent by your browser has the wrong length. Nothing was saved."))
    return hashlib.sha256(auth).digest()


def _check_wrapped(wrapped: bytes) -> bytes:
    if len(wrapped) != SID_WRAPPED_BYTES or wrapped[0] != ENVELOPE_VERSION:
        raise AccountError(
            _("The locked survivor id sent by your browser is not valid. Nothing was saved.")
        )
    return wrapped


def _no_match() -> AccountNoMatchError:
    return AccountNoMatchError(_("That codename did not match an account."))


def _by_lookup(*, field: str, value: bytes) -> Account:
    account = Account.objects.filter(**{field: value}).first()
    # The database found the row by an index; compare again in constant time so no code path
    # depends on how much of a wrong value matched.
    if account is None or not hmac.compare_digest(bytes(getattr(account, field)), value):
        raise _no_match()
    return account


@transaction.atomic
def account_create(
    *,
    auth: bytes,
    recovery_auth: bytes,
    sid_wrapped: bytes,
    sid_wrapped_recovery: bytes,
    proof: pow.Proof,
) -> Account:
    """A new account from keys the browser derived; spends the proof-of-work in the same step."""
    lookup, recovery_lookup = _lookup(auth), _lookup(recovery_auth)
    if lookup == recovery_lookup:
        raise AccountError(_("The codename and the recovery code must differ. Nothing was saved."))
    account = Account(
        lookup=lookup,
        recovery_lookup=recovery_lookup,
        sid_wrapped=_check_wrapped(sid_wrapped),
        sid_wrapped_recovery=_check_wrapped(sid_wrapped_recovery),
        created_day=timezone.now().date(),
    )
    pow.proof_spend(proof=proof)
    if Account.objects.filter(lookup__in=[lookup, recovery_lookup]).exists() or (
        Account.objects.filter(recovery_lookup__in=[lookup, recovery_lookup]).exists()
    ):
        raise _exists()
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:  # a concurrent twin
        raise _exists() from None
    return account


def _exists() -> AccountExistsError:
    return AccountExistsError(
        _("That codename is already taken. Please start again for a new one. Nothing was saved.")
    )


def account_authenticate(*, auth: bytes) -> Account:
    """The account whose codename gave `auth`, or AccountNoMatchError."""
    return _by_lookup(field="lookup", value=_lookup(auth))


def account_recovery_authenticate(*, recovery_auth: bytes) -> Account:
    """The account whose recovery code gave `recovery_auth`, or AccountNoMatchError."""
    return _by_lookup(field="recovery_lookup", value=_lookup(recovery_auth))


@transaction.atomic
def account_rekey(*, recovery_auth: bytes, auth: bytes, sid_wrapped: bytes) -> Account:
    """Recovery: a new codename for the same sid; the old codename stops working at once."""
    lookup = _lookup(auth)
    wrapped = _check_wrapped(sid_wrapped)
    account = account_recovery_authenticate(recovery_auth=recovery_auth)
    account = Account.objects.select_for_update().get(pk=account.pk)
    if (
        Account.objects.filter(lookup=lookup).exclude(pk=account.pk).exists()
        or Account.objects.filter(recovery_lookup=lookup).exists()
    ):
        raise _exists()
    account.lookup = lookup
    account.sid_wrapped = wrapped
    account.save(update_fields=["lookup", "sid_wrapped"])
    return account
