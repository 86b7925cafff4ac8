"""How many requests this worker process is handling right now.

``InFlightMiddleware`` counts them. PostgreSQL's voice writer reads the count to stop waiting for
more voices once every request in flight has handed its voice over: waiting longer could not
make the batch bigger, only every request in it later (decision 0006).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.http import HttpRequest, HttpResponse


class _Count:
    """One count per process, shared by its request threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.n = 0


_in_flight = _Count()


def requests_in_flight() -> int:
    """Requests this process has started and not yet answered (a moment's reading)."""
    return _in_flight.n


@contextmanager
def in_flight() -> Iterator[None]:
    """Count one request in flight while the block runs."""
    with _in_flight.lock:
        _in_flight.n += 1
    try:
        yield
    finally:
        with _in_flight.lock:
            _in_flight.n -= 1


class InFlightMiddleware:
    """Count the requests this process is handling; first in the stack, so it sees them all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with in_flight():
            return self.get_response(request)
