"""Django's SQLite backend, with write transactions queued on a file lock instead of sleeping.

SQLite allows one writer at a time. With ``BEGIN IMMEDIATE``, a second process that finds the
lock taken gets ``SQLITE_BUSY`` and SQLite's busy handler sleeps 1, 2, 5, 10 … ms before trying
again, however soon the lock is released: under load the workers spend their time asleep
(docs/benchmarks.md). Here every transaction first takes an exclusive ``flock`` on a file
beside the database, which the kernel hands to the next waiter the moment it is released, and
only then runs ``BEGIN IMMEDIATE``. Statements outside a transaction (autocommit) do not take
the file lock and still rely on ``busy_timeout``; both kinds can wait on each other only for
the length of one statement or one transaction, so nothing waits forever.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    # django-stubs does not declare the private hooks overridden below, hence the ignores.
    _lock_fd: int | None = None

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return f"{name}-writelock"

    def _lock(self) -> bool:
        """Take the file lock unless this connection holds it; True if taken here."""
        path = self._lock_path()
        if path is None or self._lock_fd is not None:
            return False
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # releases the GIL while it waits
        except BaseException:
            os.close(fd)
            raise
        self._lock_fd = fd
        return True

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Queue one autocommit write statement like a transaction (``voice_add``)."""
        taken = self._lock()
        try:
            yield
        finally:
            if taken:
                self._unlock()

    def _start_transaction_under_autocommit(self) -> None:
        self._lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._unlock()
            raise

    def _unlock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the lock

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._unlock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._unlock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._unlock()
