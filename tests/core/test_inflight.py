"""chorus.core.inflight counts the requests a process is handling."""

import threading

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client

from chorus.core.inflight import InFlightMiddleware, requests_in_flight


def test_a_request_is_counted_while_it_is_handled_and_not_after() -> None:
    seen: list[int] = []

    def view(_request: HttpRequest) -> HttpResponse:
        seen.append(requests_in_flight())
        return HttpResponse()

    before = requests_in_flight()
    InFlightMiddleware(view)(HttpRequest())
    assert seen == [before + 1]
    assert requests_in_flight() == before


def test_a_failing_request_is_not_counted_after_it_failed() -> None:
    def view(_request: HttpRequest) -> HttpResponse:
        raise RuntimeError

    before = requests_in_flight()
    with pytest.raises(RuntimeError):
        InFlightMiddleware(view)(HttpRequest())
    assert requests_in_flight() == before


def test_concurrent_requests_are_each_counted() -> None:
    inside = threading.Barrier(4)
    counts: list[int] = []

    def view(_request: HttpRequest) -> HttpResponse:
        inside.wait(timeout=30)  # all three requests are in flight at once
        counts.append(requests_in_flight())
        inside.wait(timeout=30)
        return HttpResponse()

    before = requests_in_flight()
    middleware = InFlightMiddleware(view)
    threads = [threading.Thread(target=middleware, args=(HttpRequest(),)) for _ in range(3)]
    for t in threads:
        t.start()
    inside.wait(timeout=30)
    inside.wait(timeout=30)
    for t in threads:
        t.join(timeout=30)
    assert counts == [before + 3] * 3
    assert requests_in_flight() == before


@pytest.mark.django_db
def test_it_runs_first_on_every_request() -> None:
    assert settings.MIDDLEWARE[0] == "chorus.core.inflight.InFlightMiddleware"
    before = requests_in_flight()
    assert Client().get("/").status_code == 200
    assert requests_in_flight() == before
