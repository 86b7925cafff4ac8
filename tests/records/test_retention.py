"""Erasing a survivor's records, and the seam the reports slice sends from."""

from __future__ import annotations

import secrets

import pytest

from chorus.accounts.models import Account
from chorus.records import retention, selectors, services
from chorus.records.models import Record, RecordVersion
from chorus.records.services import RecordInput
from tests.escrow.factories import account_make
from tests.records.helpers import record_seal

pytestmark = pytest.mark.django_db


def save(account: Account, *, record_id: int | None = None, what: str = "x") -> RecordVersion:
    envelope = record_seal(secrets.token_bytes(32), {"v": 1, "answers": {"what": what}})
    return services.record_save(
        account=account,
        record_input=RecordInput(record_id=record_id, envelope=envelope),
    )


def test_records_erase_deletes_only_that_survivors_records_and_versions() -> None:
    mine, theirs = account_make(), account_make()
    first = save(mine)
    save(mine, record_id=first.record_id)
    save(mine)
    kept = save(theirs)
    assert retention.records_erase(account=mine) == 2
    assert list(Record.objects.values_list("pk", flat=True)) == [kept.record_id]
    assert RecordVersion.objects.count() == 1


def test_the_sending_seam_returns_the_newest_version_with_its_stamp() -> None:
    account = account_make()
    first = save(account)
    second = save(account, record_id=first.record_id)
    sent = selectors.record_envelope_for_sending(record=first.record)
    assert sent.pk == second.pk
    assert bytes(sent.envelope) == bytes(second.envelope)
    assert len(bytes(sent.signature)) == 64


def test_the_list_shows_newest_first_with_version_counts() -> None:
    account = account_make()
    older = save(account)
    save(account, record_id=older.record_id)
    newer = save(account)
    listed = selectors.record_list(account=account)
    assert [s.id for s in listed] == [newer.record_id, older.record_id]
    assert [s.versions for s in listed] == [1, 2]
    assert listed[1].first_saved <= listed[1].last_saved
    assert selectors.record_list(account=account_make()) == []
