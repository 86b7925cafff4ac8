"""SQLite write transactions queue on a file lock beside the database (decision 0005)."""

import fcntl
import os
import threading

import pytest
from django.db import connection, connections, transaction

from chorus.core.models import SpentProof

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the file lock is SQLite's"),
]


def _held(path: str) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _lock_path() -> str:
    return f"{connection.settings_dict['NAME']}-writelock"


def test_a_transaction_holds_the_lock_until_it_commits() -> None:
    with transaction.atomic():
        SpentProof.objects.create(digest="a" * 64, expires_at="2030-01-01T00:00Z")
        assert _held(_lock_path())
    assert not _held(_lock_path())


def _write_then_fail() -> None:
    with transaction.atomic():
        SpentProof.objects.create(digest="b" * 64, expires_at="2030-01-01T00:00Z")
        raise RuntimeError


def test_a_transaction_that_fails_releases_the_lock() -> None:
    with pytest.raises(RuntimeError):
        _write_then_fail()
    assert not _held(_lock_path())
    assert not SpentProof.objects.filter(digest="b" * 64).exists()


def test_a_second_writer_waits_for_the_first_and_then_proceeds() -> None:
    order: list[str] = []
    inside = threading.Event()

    def second() -> None:
        inside.wait()
        try:
            with transaction.atomic():
                order.append("second")
                SpentProof.objects.create(digest="d" * 64, expires_at="2030-01-01T00:00Z")
        finally:
            connections.close_all()

    thread = threading.Thread(target=second)
    thread.start()
    with transaction.atomic():
        SpentProof.objects.create(digest="c" * 64, expires_at="2030-01-01T00:00Z")
        inside.set()
        thread.join(timeout=0.5)  # it cannot get in while this transaction is open
        assert thread.is_alive()
        order.append("first")
    thread.join(timeout=10)
    assert order == ["first", "second"]
    assert SpentProof.objects.count() == 2
