"""What the escrow stores about people, and how it goes away.

- ``Entry``: the account it belongs to, the index π (32 bytes that only the OPRF key holders can
  test a guess against), the threshold, the day it was made, its match if any, the advocate's
  outreach state, and whether the matching job has seen it. No identifier, no contact detail.
- ``Envelope``: bytes sealed to one advocate key; the server holds no key that opens them.
- ``Match``: an index and the day the job found it.

A survivor removes an entry by withdrawing it before a match (services.entry_withdraw): the row
and its envelopes are deleted, not flagged. Erasing an account deletes its entries and envelopes
with it (``on_delete=CASCADE``). After a match the entry stays: advocates are acting on it; its
outreach state records what they did.
"""

from __future__ import annotations

from django.db import transaction

from chorus.accounts.models import Account
from chorus.escrow.models import Entry


@transaction.atomic
def entries_erase(*, account: Account) -> int:
    """Delete every unmatched entry of `account` (with its envelopes); return how many."""
    _, per_model = Entry.objects.filter(account=account, match__isnull=True).delete()
    return per_model.get("escrow.Entry", 0)
