"""PostgreSQL's group commit of voices (chorus.counts.batching, decision 0006).

A writer thread that is held inside its first batch lets the test queue the next voices, which
the writer then takes as one batch.
"""

import secrets
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest
from django.db import DataError, connection, connections, transaction

from chorus.core import pow
from chorus.core.errors import ProofReplayedError
from chorus.core.models import SpentProof
from chorus.counts import batching, services
from chorus.counts.batching import Ticket, Voice, VoiceBatcher
from chorus.counts.facets import FACETS
from chorus.counts.models import Tally
from chorus.counts.selectors import answers_pending, voice_pending_count
from chorus.counts.services import VoiceFacts
from tests.conftest import solve

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="group commit is PostgreSQL's"),
]
PERIOD = datetime(2026, 3, 1, 9, tzinfo=UTC)
LATER = datetime(2026, 3, 1, 10, tzinfo=UTC)
EXPIRES = datetime(2026, 3, 1, 11, tzinfo=UTC)


def voice(*, digest: str | None = None, period: datetime = PERIOD, **codes: str) -> Voice:
    return Voice(
        digest=digest or secrets.token_hex(32),
        expires_at=EXPIRES,
        period=period,
        codes=tuple(codes.get(facet.name, "") for facet in FACETS),
    )


class HeldWriter:
    """Writes batches for real, but holds the first one until ``release``; records sizes."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.sizes: list[int] = []

    def __call__(self, voices: Sequence[Voice]) -> list[bool]:
        self.sizes.append(len(voices))
        self.entered.set()
        assert self.gate.wait(timeout=30)
        return batching.voices_write(voices)


@pytest.fixture
def held() -> Iterator[tuple[VoiceBatcher, HeldWriter]]:
    writer = HeldWriter()
    batcher = VoiceBatcher(write_many=writer)
    yield batcher, writer
    writer.gate.set()
    batcher.close()


def queue_behind_first(
    batcher: VoiceBatcher, writer: HeldWriter, voices: list[Voice]
) -> list[Ticket]:
    """Submit one voice and wait until the writer holds it; then queue ``voices`` behind it."""
    first = batcher.submit(voice())
    assert first is not None
    assert writer.entered.wait(timeout=30)
    tickets = [batcher.submit(v) for v in voices]
    assert all(t is not None for t in tickets)
    writer.gate.set()
    assert first.result() is True
    return [t for t in tickets if t is not None]


def spent(v: Voice) -> bool:
    return SpentProof.objects.filter(digest=v.digest).exists()


def test_a_proof_used_twice_in_one_batch_counts_once(held) -> None:
    batcher, writer = held
    once, other = voice(setting="online"), voice(setting="workplace", period=LATER)
    tickets = queue_behind_first(batcher, writer, [once, voice(digest=once.digest), other])
    assert [t.result() for t in tickets] == [True, False, True]
    assert writer.sizes == [1, 3]
    assert voice_pending_count() == 3
    assert answers_pending(facet="setting") == {"": 1, "online": 1, "workplace": 1}
    assert set(Tally.objects.filter(facet=Tally.TOTAL).values_list("period", flat=True)) == {
        PERIOD,
        LATER,
    }


def test_a_proof_spent_before_the_batch_is_refused_and_the_others_counted(held) -> None:
    batcher, writer = held
    earlier = voice(country="FR")
    assert batching.voice_write(earlier) is True
    tickets = queue_behind_first(
        batcher, writer, [voice(country="FR"), voice(digest=earlier.digest), voice(country="DE")]
    )
    assert [t.result() for t in tickets] == [True, False, True]
    assert writer.sizes == [1, 3]
    assert voice_pending_count() == 4
    assert answers_pending(facet="country") == {"": 1, "FR": 2, "DE": 1}


def test_a_failing_voice_fails_alone_and_spends_nothing(held) -> None:
    batcher, writer = held
    good, bad, also_good = voice(form="verbal"), voice(form="x" * 40), voice(form="verbal")
    tickets = queue_behind_first(batcher, writer, [good, bad, also_good])
    assert tickets[0].result() is True
    with pytest.raises(DataError):
        tickets[1].result()
    assert tickets[2].result() is True
    assert writer.sizes == [1, 3]  # the batch failed as a whole, then was written voice by voice
    assert voice_pending_count() == 3
    assert [spent(good), spent(bad), spent(also_good)] == [True, False, True]


class Recorder:
    """Writes batches for real and records their sizes."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def __call__(self, voices: Sequence[Voice]) -> list[bool]:
        self.sizes.append(len(voices))
        return batching.voices_write(voices)


def test_a_lone_voice_is_written_at_once_when_no_other_request_is_in_flight() -> None:
    writer = Recorder()
    batcher = VoiceBatcher(write_many=writer, linger=60.0, in_flight=lambda: 1)
    try:
        ticket = batcher.submit(voice())
        assert ticket is not None
        done = threading.Thread(target=ticket.result)
        done.start()
        done.join(timeout=10)  # far less than the 60 s it would otherwise wait
        assert not done.is_alive()
        assert writer.sizes == [1]
    finally:
        batcher.close()


def test_the_writer_waits_for_the_voices_of_the_other_requests_in_flight() -> None:
    writer = Recorder()
    batcher = VoiceBatcher(write_many=writer, linger=60.0, in_flight=lambda: 2)
    try:
        first = batcher.submit(voice(setting="online"))
        threading.Event().wait(0.2)  # the writer has the first voice and waits for the second
        assert writer.sizes == []
        second = batcher.submit(voice(setting="online"))
        assert first is not None
        assert second is not None
        assert [first.result(), second.result()] == [True, True]
        assert writer.sizes == [2]
    finally:
        batcher.close()
    assert answers_pending(facet="setting") == {"online": 2}


def test_closing_writes_every_voice_already_queued(held) -> None:
    batcher, writer = held
    first = batcher.submit(voice())
    assert first is not None
    assert writer.entered.wait(timeout=30)
    tickets = [first]
    closer = threading.Thread(target=batcher.close)
    closer.start()
    # Keep submitting until the batcher refuses: every voice it took must still be counted.
    while (ticket := batcher.submit(voice())) is not None:
        tickets.append(ticket)
    writer.gate.set()
    closer.join(timeout=30)
    assert not closer.is_alive()
    assert all(t.result() for t in tickets)
    assert voice_pending_count() == len(tickets)


def test_a_voice_after_closing_is_written_by_the_caller() -> None:
    batching.batcher().close()
    assert batching.batcher().submit(voice()) is None
    services.voice_add(facts=VoiceFacts(setting="online"), proof=_proof())
    assert voice_pending_count() == 1


def test_a_voice_inside_a_transaction_is_part_of_it() -> None:
    proof = _proof()

    def add_then_fail() -> None:
        with transaction.atomic():
            services.voice_add(facts=VoiceFacts(), proof=proof)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        add_then_fail()
    assert voice_pending_count() == 0
    assert not SpentProof.objects.exists()
    services.voice_add(facts=VoiceFacts(), proof=proof)  # the proof was never spent
    with pytest.raises(ProofReplayedError):
        services.voice_add(facts=VoiceFacts(), proof=proof)
    assert voice_pending_count() == 1


def _proof() -> pow.Proof:
    return pow.proof_check(payload=solve(pow.challenge_issue()))


def test_each_worker_process_gets_its_own_writer(monkeypatch) -> None:
    mine = batching.batcher()
    assert batching.batcher() is mine
    monkeypatch.setattr(batching, "_batcher_pid", -1)  # as if started before a fork
    theirs = batching.batcher()
    assert theirs is not mine
    theirs.close()
    mine.close()


@pytest.mark.parametrize("size", [1, 3])
def test_voices_lock_tally_rows_in_one_order(monkeypatch, size) -> None:
    """A single voice and a batch lock tally rows in (period, facet, code) order, so they can
    never deadlock: held on "setting", a writer has not touched "total" (which sorts after)."""
    monkeypatch.setattr(batching._shards, "randrange", lambda _n: 0)
    assert batching.voice_write(voice(setting="online")) is True  # every row exists, shard 0
    row = f"SELECT 1 FROM {Tally._meta.db_table} WHERE facet = %s AND code = %s FOR UPDATE"  # noqa: S608
    results: list[list[bool]] = []
    backend: list[int] = []
    connected = threading.Event()

    def write() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend.append(cursor.fetchone()[0])
            connected.set()
            results.append(batching.voices_write([voice(setting="online") for _ in range(size)]))
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(row, ["setting", "online"])
        writer.start()
        assert connected.wait(timeout=30)
        waiting = 0
        for _attempt in range(10_000):  # until the writer waits for the "setting" row
            cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", backend)
            waiting = cursor.fetchone()[0]
            if waiting or not writer.is_alive():
                break
        assert waiting == 1
        cursor.execute(row + " NOWAIT", [Tally.TOTAL, ""])  # raises if the writer holds it
    writer.join(timeout=30)
    assert results == [[True] * size]
    assert voice_pending_count() == 1 + size


def test_the_writer_prepares_its_statements_and_django_connections_do_not() -> None:
    """Django turns prepared statements off; psycopg then ignores prepare=True (decision 0007)."""
    seen: list[list[str]] = []

    def noting(voices: Sequence[Voice]) -> list[bool]:
        counted = batching.voices_write(voices)
        with connection.cursor() as cursor:  # the writer thread's own connection
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            seen.append([row[0] for row in cursor.fetchall()])
        return counted

    batcher = VoiceBatcher(write_many=noting)
    try:
        ticket = batcher.submit(voice())
        assert ticket is not None
        assert ticket.result() is True
    finally:
        batcher.close()
    assert len(seen) == 1
    assert len(seen[0]) == 1
    assert seen[0][0].startswith("WITH spent AS (INSERT INTO core_spentproof")
    # The same statement on a connection of Django's own is not prepared.
    batching.voice_write(voice())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0
