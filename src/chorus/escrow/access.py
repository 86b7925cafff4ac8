"""Escrow reads on a survivor's behalf. Every refusal is the same 404, so a survivor cannot learn
whether another survivor's entry exists or whether it has matched."""

from __future__ import annotations

from django.utils.translation import gettext as _

from chorus.accounts.models import Account
from chorus.escrow.errors import EntryNotFoundError
from chorus.escrow.models import Entry


def access_entry_for_withdrawal(*, account: Account, entry_id: int) -> Entry:
    """The survivor's own unmatched entry, locked for deletion; otherwise a uniform 404."""
    entry = (
        Entry.objects.select_for_update()
        .filter(pk=entry_id)
        .filter(account=account)
        .filter(match__isnull=True)
        .first()
    )
    if entry is None:
        raise EntryNotFoundError(_("There is no entry of yours that can be withdrawn here."))
    return entry
