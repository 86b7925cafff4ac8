"""The audit log: written inside the action's transaction, hash-chained, tampering found."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from chorus.cli import main as cli
from chorus.core.audit import GENESIS, audit_content, audit_digest, audit_record, audit_verify
from chorus.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _log(n: int) -> list[AuditEntry]:
    entries = []
    for i in range(n):
        with transaction.atomic():
            entries.append(
                audit_record(actor_id=i, action="test.action", object_type="thing", object_id=i)
            )
    return entries


def test_each_entry_chains_on_the_one_before() -> None:
    entries = _log(3)
    previous = GENESIS
    for entry in entries:
        content = audit_content(
            at=entry.at,
            actor_id=entry.actor_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
        )
        assert entry.digest == audit_digest(previous, content)
        previous = entry.digest
    assert audit_verify() is None


@pytest.mark.django_db(transaction=True)
def test_an_entry_must_be_written_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor_id=1, action="test.action")
    assert not AuditEntry.objects.exists()


def _failing_action() -> None:
    with transaction.atomic():
        audit_record(actor_id=1, action="test.action")
        raise ValueError("the action failed")


def test_an_entry_rolls_back_with_its_action() -> None:
    with pytest.raises(ValueError, match="the action failed"):
        _failing_action()
    assert not AuditEntry.objects.exists()
    assert audit_verify() is None


@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "'staff.nothing_to_see'"), ("actor_id", "99"), ("object_id", "NULL")],
)
def test_a_changed_entry_is_found(column: str, value: str) -> None:
    entries = _log(4)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE core_auditentry SET {column} = {value} WHERE id = %s",  # noqa: S608
            [entries[1].pk],
        )
    broken = audit_verify()
    assert broken is not None
    assert broken.pk == entries[1].pk


def test_a_removed_entry_is_found() -> None:
    entries = _log(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[2].pk])
    broken = audit_verify()
    assert broken is not None
    assert broken.pk == entries[3].pk


def test_a_removed_last_entry_is_found() -> None:
    entries = _log(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[2].pk])
    broken = audit_verify()
    assert broken is not None
    assert broken.pk == entries[1].pk


def test_a_rewritten_digest_is_found_by_the_next_entry() -> None:
    entries = _log(3)
    forged = audit_digest(
        entries[0].digest,
        audit_content(
            at=entries[1].at, actor_id=7, action="test.action", object_type="thing", object_id=1
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET actor_id = 7, digest = %s WHERE id = %s",
            [forged, entries[1].pk],
        )
    broken = audit_verify()
    assert broken is not None
    assert broken.pk == entries[2].pk


def test_audit_verify_command(capsys: pytest.CaptureFixture[str]) -> None:
    entries = _log(2)
    assert cli.main(["audit-verify"]) == 0
    assert "intact: 2 entries" in capsys.readouterr().out
    AuditEntry.objects.filter(pk=entries[0].pk).update(action="test.other")
    assert cli.main(["audit-verify"]) == 1
    assert f"BROKEN at entry {entries[0].pk}" in capsys.readouterr().err
