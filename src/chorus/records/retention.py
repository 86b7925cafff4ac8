"""What records store about people, and how it goes away.

- ``Record``: the account it belongs to. Nothing else.
- ``RecordVersion``: the envelope (ciphertext the server cannot open), its SHA-256, the second
  the server received it, and the deployment's signature over those two.

Deleting a record (services.record_delete) deletes the row and every version: nothing is kept
or flagged. Erasing an account deletes its records with it (``on_delete=CASCADE``).
"""

from __future__ import annotations

from django.db import transaction

from chorus.accounts.models import Account
from chorus.records.models import Record


@transaction.atomic
def records_erase(*, account: Account) -> int:
    """Delete every record of `account` with its versions; return how many records."""
    _, per_model = Record.objects.filter(account=account).delete()
    return per_model.get("records.Record", 0)
