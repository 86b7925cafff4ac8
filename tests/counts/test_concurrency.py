"""N simultaneous submissions are counted exactly N times; one proof raced N times counts once."""

import json
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connections
from django.test import Client

from chorus.core import pow
from chorus.counts.models import Voice
from tests.conftest import solve

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


def submit(payload: str) -> Callable[[], int]:
    def job() -> int:
        body = json.dumps({"altcha": payload, "setting": "online"})
        return Client().post("/api/v1/voices", body, content_type="application/json").status_code

    return job


def test_simultaneous_submissions_are_each_counted_exactly_once(config_override) -> None:
    config_override(rate_limit_voices=0)
    n = 240
    payloads = [solve(pow.challenge_issue()) for _ in range(n)]
    results = run_together([submit(p) for p in payloads])
    assert results == Counter({201: n})
    assert Voice.objects.count() == n


def test_one_proof_raced_from_many_threads_counts_once(config_override) -> None:
    config_override(rate_limit_voices=0)
    payload = solve(pow.challenge_issue())
    results = run_together([submit(payload) for _ in range(THREADS * 2)])
    assert results == Counter({201: 1, 400: THREADS * 2 - 1})
    assert Voice.objects.count() == 1
