"""What chorus.together stores about people, and how it goes away (reports.md §7.6).

- ``HeldEntry``: the together case it belongs to, its organisation, the reporter's account id,
  the index π (32 bytes that only the OPRF key holders can test a guess against), the threshold,
  its group once released, and whether the matching job has seen it. No identifier.
- ``HeldShare``: the reporter's share and the boxed case key sealed to one member key; the server
  holds no key that opens it.
- ``Group``: an organisation, an index and the day the job released it.

A survivor removes a held report by withdrawing it (services.held_withdraw): the case, its entry
and its shares are deleted, not flagged. Erasing an account deletes them with it
(``on_delete=CASCADE`` from the case and the entry). Once released, the case is an ordinary case
of chorus.reports and expires with it (``chorus cases-expire`` deletes the entry and its shares
through the case); the group row (index and day) stays.
"""

from __future__ import annotations

from django.db import transaction

from chorus.accounts.models import Account
from chorus.reports.models import Case


@transaction.atomic
def held_erase(*, account: Account) -> int:
    """Delete every together report of `account` still held (with its entry and shares);
    return how many."""
    _, per_model = Case.objects.filter(
        reporter_account=account, mode=Case.Mode.TOGETHER, status=Case.Status.HELD
    ).delete()
    return per_model.get("reports.Case", 0)
