"""access.py: a survivor reaches their own records only; every refusal is the same 404."""

from __future__ import annotations

import pytest
from django.db import transaction

from chorus.records.access import access_record
from chorus.records.errors import RecordNotFoundError
from chorus.records.models import Record
from tests.escrow.factories import account_make

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("for_update", [False, True])
def test_the_owner_reaches_their_record(for_update: bool) -> None:
    account = account_make()
    record = Record.objects.create(account=account)
    with transaction.atomic():
        found = access_record(account=account, record_id=record.pk, for_update=for_update)
    assert found == record


@pytest.mark.parametrize("for_update", [False, True])
def test_another_survivors_record_and_a_missing_one_look_the_same(for_update: bool) -> None:
    owner, other = account_make(), account_make()
    record = Record.objects.create(account=owner)
    messages = []
    for record_id in (record.pk, record.pk + 1000):
        with transaction.atomic(), pytest.raises(RecordNotFoundError) as caught:
            access_record(account=other, record_id=record_id, for_update=for_update)
        assert caught.value.status == 404
        messages.append(caught.value.message)
    assert messages[0] == messages[1]
