"""Record reads and writes on a survivor's behalf. Every refusal is the same 404, so nobody can
learn whether another survivor's record exists."""

from __future__ import annotations

from django.utils.translation import gettext as _

from chorus.accounts.models import Account
from chorus.records.errors import RecordNotFoundError
from chorus.records.models import Record


def access_record(*, account: Account, record_id: int, for_update: bool = False) -> Record:
    """The survivor's own record (locked when `for_update`); otherwise a uniform 404."""
    records = Record.objects.select_for_update() if for_update else Record.objects.all()
    record = records.filter(pk=record_id).filter(account=account).first()
    if record is None:
        raise RecordNotFoundError(_("There is no record of yours here."))
    return record
