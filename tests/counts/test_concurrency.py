"""N simultaneous submissions are counted exactly N times; one proof raced N times counts once."""

import json
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections
from django.test import Client

from chorus.config import wsgi
from chorus.core import pow
from chorus.counts import services
from chorus.counts.models import Snapshot
from chorus.counts.selectors import voice_pending_count
from chorus.counts.services import VoiceFacts
from tests.conftest import solve
from tests.wsgi import PATH, call

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 12


def run_together(work: list[Callable[[], int]]) -> Counter[int]:
    """Run the callables on THREADS threads that all start at the same instant."""
    results: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)
    chunks = [work[i::THREADS] for i in range(THREADS)]

    def worker(chunk: list[Callable[[], int]]) -> None:
        try:
            barrier.wait()
            for job in chunk:
                status = job()
                with lock:
                    results[status] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def submit(payload: str, through: str) -> Callable[[], int]:
    """A job that adds a voice through Django's test client or through the served WSGI
    application (the voice lane in front of Django; on PostgreSQL, the batching writer)."""
    body = json.dumps({"altcha": payload, "setting": "online"})

    def job() -> int:
        if through == "client":
            return Client().post(PATH, body, content_type="application/json").status_code
        return int(call(wsgi.application, body.encode()).status.split()[0])

    return job


@pytest.mark.parametrize("through", ["client", "lane"])
def test_simultaneous_submissions_are_each_counted_exactly_once(
    config_override, through: str
) -> None:
    config_override(rate_limit_voices=0)
    n = 240
    payloads = [solve(pow.challenge_issue()) for _ in range(n)]
    results = run_together([submit(p, through) for p in payloads])
    assert results == Counter({201: n})
    assert voice_pending_count() == n


@pytest.mark.parametrize("through", ["client", "lane"])
def test_one_proof_raced_from_many_threads_counts_once(config_override, through: str) -> None:
    config_override(rate_limit_voices=0)
    payload = solve(pow.challenge_issue())
    results = run_together([submit(payload, through) for _ in range(THREADS * 2)])
    assert results == Counter({201: 1, 400: THREADS * 2 - 1})
    assert voice_pending_count() == 1


def test_publishers_racing_for_the_same_span_release_it_once() -> None:
    t0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    services.voices_seed(started=t0, voices=[(t0, VoiceFacts(setting="online"))] * 100)

    def publish() -> int:
        return 1 if services.snapshot_publish(now=t0 + timedelta(hours=2)) else 0

    results = run_together([publish] * THREADS)
    assert results == Counter({1: 1, 0: THREADS - 1})
    assert Snapshot.objects.count() == 1
    assert voice_pending_count() == 0
