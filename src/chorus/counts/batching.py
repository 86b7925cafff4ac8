"""PostgreSQL: voices that arrive together are counted in one statement and one commit.

Each worker process has one writer thread with its own database connection. A request thread
hands its voice over (``VoiceBatcher.submit``) and waits; the writer takes every voice waiting
(up to ``MAX_BATCH``) and writes them in ONE autocommit statement: the spent proofs in one
multi-row insert, then one upsert per distinct tally row, only for the voices whose proof was
not spent yet. A request is answered only after its batch has committed, so no acknowledged
voice can be lost. Voices queue up while the previous batch is in flight, and the writer waits
up to ``LINGER_SECONDS`` for more before it writes, so batches grow with the load; it stops
waiting as soon as every request the process is handling has handed its voice over
(decision 0006).

A batch that fails is written again voice by voice, so one failing voice fails only itself.
Voices inside a database transaction (``transaction.atomic``, the tests' transactions) are
written by the calling thread on its own connection, as they must be part of that transaction.
"""

from __future__ import annotations

import atexit
import os
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import connection

from chorus.core.inflight import requests_in_flight
from chorus.core.models import SpentProof
from chorus.counts.facets import FACETS, NOT_SAID
from chorus.counts.models import Tally

MAX_BATCH = 64
# How long the writer waits for more voices after the first of a batch. Under load, the other
# request threads' voices arrive within it: 3-4 voices per batch instead of 1-2, and a fifth to a
# third less CPU per voice (docs/benchmarks.md). A lone voice is written at once: no other
# request is in flight (chorus.core.inflight).
LINGER_SECONDS = 0.001

_SPENT = SpentProof._meta.db_table
_TALLY = Tally._meta.db_table
_COUNTERS = (Tally.TOTAL, *(facet.name for facet in FACETS))
_CODE_COLUMNS = ", ".join(f"{facet.name}_" for facet in FACETS)
_PER_VOICE_ROWS = ", ".join(
    [f"('{Tally.TOTAL}', '{NOT_SAID}')", *(f"('{f.name}', v.{f.name}_)" for f in FACETS)]
)

# One voice: spend the proof and count the voice in one statement, atomic by itself in autocommit
# mode. Nothing is counted when the proof was already spent (rowcount 0). Both statements lock
# tally rows in the same order, (period, facet, code), so that they never deadlock each other
# (PostgreSQL would take deadlock_timeout, a second, to notice).
_VALUES = ", ".join(["(%s::timestamptz, %s, %s, %s::smallint)"] * len(_COUNTERS))
_ADD_ONE = (
    f"WITH spent AS (INSERT INTO {_SPENT} (digest, expires_at) VALUES (%s, %s) "  # noqa: S608
    "ON CONFLICT DO NOTHING RETURNING 1) "
    f"INSERT INTO {_TALLY} (period, facet, code, shard, n) "
    f"SELECT v.period, v.facet, v.code, v.shard, 1 FROM (VALUES {_VALUES}) "
    "AS v (period, facet, code, shard) WHERE EXISTS (SELECT 1 FROM spent) "
    "ORDER BY v.period, v.facet, v.code "
    f"ON CONFLICT (period, facet, code, shard) DO UPDATE SET n = {_TALLY}.n + 1"
)
# Many voices with distinct proofs, sorted by digest: the proofs in one insert (those already
# spent are skipped), the accepted voices' counters summed per tally row and upserted in a fixed
# order (so two batches never deadlock), the accepted digests returned. The SQL text does not
# depend on the batch's size.
_ADD_MANY = (
    f"WITH spent AS (INSERT INTO {_SPENT} (digest, expires_at) "  # noqa: S608
    "SELECT * FROM unnest(%s::varchar[], %s::timestamptz[]) "
    "ON CONFLICT DO NOTHING RETURNING digest), "
    "counted AS (SELECT v.period, c.facet, c.code, count(*) AS n "
    f"FROM unnest(%s::varchar[], %s::timestamptz[], {', '.join(['%s::varchar[]'] * len(FACETS))}) "
    f"AS v (digest, period, {_CODE_COLUMNS}) JOIN spent USING (digest) "
    f"CROSS JOIN LATERAL (VALUES {_PER_VOICE_ROWS}) AS c (facet, code) "
    "GROUP BY v.period, c.facet, c.code), "
    f"added AS (INSERT INTO {_TALLY} (period, facet, code, shard, n) "
    "SELECT period, facet, code, %s::smallint, n FROM counted ORDER BY period, facet, code "
    f"ON CONFLICT (period, facet, code, shard) DO UPDATE SET n = {_TALLY}.n + excluded.n) "
    "SELECT digest FROM spent"
)
_shards = random.Random()  # noqa: S311  (spreads row locks; not a secret, reveals nothing)
_ONLY_WHEN_ASKED = 2**31 - 1  # psycopg's prepare_threshold: prepare only on prepare=True


@contextmanager
def _cursor() -> Iterator[psycopg.Cursor[Any]]:
    """A psycopg cursor with server-side binding on Django's connection for this thread.

    Django's own cursors bind parameters in Python (psycopg's ClientCursor), which cost the
    writer more CPU than anything else it does; here psycopg sends them apart from the fixed SQL
    text, and prepares each of the two statements after its fifth use. Errors are Django's, as
    from ``connection.cursor()``; the statement is not logged (the parameters are a voice).
    """
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def _statements_prepared() -> None:
    """Let psycopg prepare the two statements on this thread's connection (the writer's own).

    Django opens connections with prepared statements off (``prepare_threshold=None``, for
    PgBouncer's transaction mode), and then psycopg ignores ``prepare=True``. On the writer's
    connection PostgreSQL then parsed, analysed and planned the same two statements for every
    batch: two fifths of its CPU per voice (decision 0007). Only statements executed with
    ``prepare=True`` are prepared (the threshold is out of reach); behind PgBouncer, its
    ``max_prepared_statements`` (1.21 and later) must be set (docs/operations.md).
    """
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = _ONLY_WHEN_ASKED


@dataclass(frozen=True, slots=True)
class Voice:
    """What PostgreSQL stores for one voice: its spent proof and one code per fact."""

    digest: str
    expires_at: Any  # both as connection.ops.adapt_datetimefield_value gives them
    period: Any
    codes: tuple[str, ...]  # in the order of FACETS


def voice_write(voice: Voice) -> bool:
    """Count one voice on the calling thread's connection. False: its proof was already spent."""
    params: list[Any] = [voice.digest, voice.expires_at]
    shard = _shards.randrange(Tally.SHARDS)
    for name, code in zip(_COUNTERS, (NOT_SAID, *voice.codes), strict=True):
        params += [voice.period, name, code, shard]
    with _cursor() as cursor:
        cursor.execute(_ADD_ONE, params, prepare=True)
        counted: bool = cursor.rowcount == len(_COUNTERS)
    return counted


def voices_write(voices: Sequence[Voice]) -> list[bool]:
    """Count many voices in one statement; for each, whether it was counted. A proof used twice
    in the batch counts once, for the first voice that carries it."""
    if len(voices) == 1:
        return [voice_write(voices[0])]
    first: dict[str, int] = {}
    for i, voice in enumerate(voices):
        first.setdefault(voice.digest, i)
    unique = sorted((voices[i] for i in first.values()), key=lambda v: v.digest)
    params: list[Any] = [
        [v.digest for v in unique],
        [v.expires_at for v in unique],
        [v.digest for v in unique],
        [v.period for v in unique],
    ]
    params += [[v.codes[k] for v in unique] for k in range(len(FACETS))]
    params.append(_shards.randrange(Tally.SHARDS))
    with _cursor() as cursor:
        cursor.execute(_ADD_MANY, params, prepare=True)
        spent = {row[0] for row in cursor.fetchall()}
    return [voice.digest in spent and first[voice.digest] == i for i, voice in enumerate(voices)]


class Ticket:
    """One voice handed to the writer; ``result`` waits until its batch has committed."""

    __slots__ = ("_counted", "_done", "_error", "voice")

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self._counted = False
        self._error: BaseException | None = None
        # A plain lock as a one-shot signal: the cheapest way to block a thread in CPython.
        self._done = threading.Lock()
        self._done.acquire()

    def finish(self, *, counted: bool = False, error: BaseException | None = None) -> None:
        if self._done.locked():  # once only (only the writer thread finishes tickets)
            self._counted, self._error = counted, error
            self._done.release()

    def result(self) -> bool:
        """True once counted, False if the proof was already spent; raises the database error
        that kept this voice from being counted."""
        with self._done:
            pass
        if self._error is not None:
            raise self._error
        return self._counted


class VoiceBatcher:
    """A writer thread that counts every waiting voice in one statement (see the module)."""

    def __init__(
        self,
        *,
        write_many: Callable[[Sequence[Voice]], list[bool]] = voices_write,
        write_one: Callable[[Voice], bool] = voice_write,
        max_batch: int = MAX_BATCH,
        linger: float = LINGER_SECONDS,
        in_flight: Callable[[], int] = requests_in_flight,
    ) -> None:
        self.linger = linger
        self._in_flight = in_flight
        self._write_many = write_many
        self._write_one = write_one
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Ticket | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="chorus-voices", daemon=True)
        self._thread.start()

    def submit(self, voice: Voice) -> Ticket | None:
        """Queue a voice; None once the batcher is closed (the caller writes it itself)."""
        ticket = Ticket(voice)
        with self._lock:
            if self._closed:
                return None
            self._queue.put(ticket)
        return ticket

    def close(self) -> None:
        """Stop taking voices, write every voice already queued, answer it, and stop."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._queue.put(None)
        if self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        batch: list[Ticket] = []
        try:
            stop = False
            while not stop:
                item = self._queue.get()
                if item is None:
                    break
                batch = [item]
                deadline = time.monotonic() + self.linger
                while len(batch) < self.max_batch:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        # Wait for more only while some request in flight has not handed its
                        # voice over yet (requests that are not voices count too: they only
                        # make the writer wait until the deadline, as before).
                        wait = deadline - time.monotonic()
                        if wait <= 0 or len(batch) >= self._in_flight():
                            break
                        try:
                            item = self._queue.get(timeout=wait)
                        except queue.Empty:
                            break
                    if item is None:
                        stop = True
                        break
                    batch.append(item)
                self._write(batch)
                batch = []
        except BaseException as exc:  # never leave a request waiting forever
            with self._lock:
                self._closed = True
            for ticket in batch:
                ticket.finish(error=exc)
            while not self._queue.empty():
                if (item := self._queue.get_nowait()) is not None:
                    item.finish(error=exc)
            raise
        finally:
            connection.close()

    def _write(self, batch: list[Ticket]) -> None:
        try:
            _statements_prepared()
            counted = self._write_many([ticket.voice for ticket in batch])
        except Exception:  # written again one by one below
            connection.close_if_unusable_or_obsolete()
            self._write_each(batch)
            return
        for ticket, ok in zip(batch, counted, strict=True):
            ticket.finish(counted=ok)

    def _write_each(self, batch: list[Ticket]) -> None:
        for ticket in batch:
            try:
                ok = self._write_one(ticket.voice)
            except Exception as exc:  # handed to the waiting request
                connection.close_if_unusable_or_obsolete()
                ticket.finish(error=exc)
            else:
                ticket.finish(counted=ok)


_batcher: VoiceBatcher | None = None
_batcher_pid = 0
_batcher_lock = threading.Lock()


def batcher() -> VoiceBatcher:
    """This process's batcher, started on first use (after the server forked its workers)."""
    global _batcher, _batcher_pid  # one writer per process
    current = _batcher
    if current is not None and _batcher_pid == os.getpid():
        return current
    with _batcher_lock:
        if _batcher is None or _batcher_pid != os.getpid():
            _batcher, _batcher_pid = VoiceBatcher(), os.getpid()
            atexit.register(_batcher.close)
        return _batcher


def batcher_close() -> None:
    """Drain and stop this process's batcher, closing its connection (shutdown, tests)."""
    global _batcher
    with _batcher_lock:
        current, _batcher = _batcher, None
    if current is not None and _batcher_pid == os.getpid():
        current.close()
