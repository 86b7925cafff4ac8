"""The voice lane answers exactly as Django would, and only ever the plain, successful case.

Each test sends the same request (each with its own fresh proof of work) once through the lane
in front of Django's WSGI application and once through Django's application alone, and compares
status, headers, body and what was counted.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from wsgiref.validate import validator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from chorus.api.lane import PATH, VoiceLane
from chorus.config import wsgi
from chorus.core import inflight, network, pow
from chorus.counts import services
from chorus.counts.facets import FACETS
from chorus.counts.selectors import voice_pending_count
from tests.conftest import solve, tamper
from tests.wsgi import CLIENT, Answer, call

pytestmark = pytest.mark.django_db


@dataclass
class Spy:
    """Django's application, noting every request it is handed."""

    app: Callable[..., Iterable[bytes]] = field(default_factory=WSGIHandler)
    calls: int = 0
    inputs: list[Any] = field(default_factory=list)  # the wsgi.input each request came with

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        self.calls += 1
        self.inputs.append(environ["wsgi.input"])
        return self.app(environ, start_response)


def voice(**facts: Any) -> bytes:
    return json.dumps({"altcha": solve(pow.challenge_issue()), **facts}).encode()


def fresh() -> str:
    return solve(pow.challenge_issue())


def proof_body(altcha: str) -> bytes:
    return json.dumps({"altcha": altcha}).encode()


def cost() -> int:
    """A cost other than the configured one: a forged challenge."""
    return int(settings.CONFIG.pow_cost) + 1


def both(make_body: Callable[[], bytes], **kwargs: Any) -> tuple[Answer, Answer, int, int]:
    """The lane's answer, Django's answer, what each counted, and how often the lane handed
    the request to Django (0: it answered itself)."""
    spy = Spy()
    before = voice_pending_count()
    # wsgiref's validator asserts PEP 3333 (plain str header names and values, among others).
    through_lane = call(validator(VoiceLane(spy)), make_body(), **kwargs)
    assert all(type(n) is str and type(v) is str for n, v in through_lane.headers)
    middle = voice_pending_count()
    through_django = call(WSGIHandler(), make_body(), **kwargs)
    after = voice_pending_count()
    assert through_lane.status == through_django.status
    assert through_lane.header_set() == through_django.header_set()
    assert through_lane.body == through_django.body
    assert middle - before == after - middle
    return through_lane, through_django, middle - before, spy.calls


@pytest.fixture(autouse=True)
def _connections_kept() -> Iterator[None]:
    """As Django's test client does: a request must not close the test's open transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def production_security(settings: Any) -> None:
    """The security settings of CHORUS_ENV=production (tests run with CHORUS_ENV=test)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["voices.example"]


def test_a_plain_voice_is_answered_by_the_lane_as_django_answers_it() -> None:
    lane, _django, counted, handed = both(voice)
    assert lane.status == "201 Created"
    assert json.loads(lane.body)["status"] == "added"
    assert counted == 1
    assert handed == 0


def test_every_fact_is_counted_as_django_counts_it() -> None:
    facts = {"country": "KE", "setting": "workplace", "form": "verbal", "sector": "P"}
    facts["decade"] = "2010s"
    lane, _django, counted, handed = both(lambda: voice(**facts))
    assert (lane.status, counted, handed) == ("201 Created", 1, 0)


@pytest.mark.parametrize(
    ("name", "make_body"),
    [
        ("unknown fact value", lambda: voice(setting="moon")),
        ("unknown field", lambda: voice(name="Someone")),
        ("sector outside work", lambda: voice(setting="online", sector="P")),
        ("not JSON", lambda: b"{not json"),
        ("not UTF-8", lambda: b'{"altcha": "\xff\xfe"}'),
        ("not an object", lambda: b"[1, 2, 3]"),
        ("nested too deep", lambda: b"[" * 12_000),  # under the 16 KiB limit
        ("no proof", lambda: b"{}"),
        ("empty proof", lambda: json.dumps({"altcha": ""}).encode()),
        ("forged key", lambda: proof_body(tamper(fresh(), solution__derivedKey="22" * 32))),
        ("forged cost", lambda: proof_body(tamper(fresh(), challenge__parameters__cost=cost()))),
        ("garbled proof", lambda: proof_body("bm90IGpzb24=")),
        ("expired proof", lambda: proof_body(solve(pow.challenge_issue(now=time.time() - 7200)))),
        ("proof not a string", lambda: json.dumps({"altcha": 7}).encode()),
    ],
)
def test_a_refused_voice_is_refused_by_django_itself(name: str, make_body: Any) -> None:
    lane, _django, counted, handed = both(make_body)
    assert lane.status.startswith(("400", "413", "422")), name
    assert counted == 0
    assert handed == 1


def test_a_replayed_proof_is_refused_by_django_and_charged_once(config_override: Any) -> None:
    config_override(rate_limit_voices=2)
    body = voice()
    spy = Spy()
    lane = VoiceLane(spy)
    assert call(lane, body).status == "201 Created"
    replay = call(lane, body)  # the network's second charge: within its limit of 2
    assert replay.status == "400 Bad Request"
    assert json.loads(replay.body)["code"] == "proof_replayed"
    assert spy.calls == 1
    # Charged once for each request, as through Django alone: a third voice is over the limit.
    assert call(lane, voice()).status == "429 Too Many Requests"
    assert voice_pending_count() == 1


def test_the_rate_limit_holds_through_the_lane_as_through_django(config_override: Any) -> None:
    config_override(rate_limit_voices=3)
    lane_answers = [call(VoiceLane(Spy()), voice()).status[:3] for _ in range(5)]
    lane_charged = [v for k, v in cache._cache.items() if "rl:voice" in k]  # type: ignore[attr-defined]
    cache.clear()
    django_answers = [call(WSGIHandler(), voice()).status[:3] for _ in range(5)]
    django_charged = [v for k, v in cache._cache.items() if "rl:voice" in k]  # type: ignore[attr-defined]
    assert lane_answers == django_answers == ["201", "201", "201", "429", "429"]
    assert lane_charged == django_charged  # the same count: every give-back was taken again
    assert voice_pending_count() == 6


def test_any_other_request_goes_to_django_unread() -> None:
    for method, path in [("GET", PATH), ("PUT", PATH), ("POST", PATH + "/"), ("POST", "/")]:
        spy = Spy()
        answer = call(VoiceLane(spy), voice(), method=method, path=path)
        assert spy.calls == 1, (method, path)
        assert answer.status == call(WSGIHandler(), voice(), method=method, path=path).status


@pytest.mark.parametrize("length", ["", "abc", "-1", "0", str(17 * 1024)])
def test_a_missing_or_unusable_length_goes_to_django(length: str) -> None:
    spy = Spy()
    answer = call(VoiceLane(spy), voice(), length=length)
    assert spy.calls == 1
    assert not answer.status.startswith("201")
    assert voice_pending_count() == 0


def test_an_oversized_body_gets_djangos_413() -> None:
    lane, _django, counted, handed = both(lambda: json.dumps({"altcha": "x" * 20_000}).encode())
    assert lane.status.startswith("413")
    assert (counted, handed) == (0, 1)


@pytest.mark.usefixtures("production_security")
def test_https_through_a_proxy_gets_hsts_and_every_security_header() -> None:
    https = {"HTTP_HOST": "voices.example", "HTTP_X_FORWARDED_PROTO": "https"}
    lane, _django, counted, handed = both(voice, **https)
    assert (lane.status, counted, handed) == ("201 Created", 1, 0)
    headers = dict(lane.header_set())
    assert headers["strict-transport-security"].startswith("max-age=63072000")
    for name in (
        "content-security-policy", "referrer-policy", "permissions-policy", "x-frame-options",
        "cross-origin-opener-policy", "cross-origin-resource-policy", "x-content-type-options",
    ):  # fmt: skip
        assert name in headers
    assert headers["cache-control"] == "no-store"


@pytest.mark.usefixtures("production_security")
@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_HOST": "voices.example"},  # plain HTTP: Django redirects to HTTPS
        {"HTTP_HOST": "elsewhere.example", "HTTP_X_FORWARDED_PROTO": "https"},  # not allowed
        {"HTTP_HOST": "", "HTTP_X_FORWARDED_PROTO": "https"},
    ],
)
def test_a_redirect_or_a_foreign_host_is_djangos_answer(extra: dict[str, str]) -> None:
    lane, _django, counted, handed = both(voice, **extra)
    assert not lane.status.startswith("201")
    assert (counted, handed) == (0, 1)


@pytest.mark.parametrize(
    "extra",
    [{"HTTP_COOKIE": "chorus-session=abc"}, {"HTTP_SEC_FETCH_SITE": "cross-site"}],
)
def test_a_cookie_or_a_cross_site_fetch_is_left_to_django(extra: dict[str, str]) -> None:
    _lane, _django, counted, handed = both(voice, **extra)
    assert (counted, handed) == (1, 1)


def test_the_lane_counts_itself_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    add = services.voice_add

    def noting(**kwargs: Any) -> None:
        seen.append(inflight.requests_in_flight())
        add(**kwargs)

    monkeypatch.setattr(services, "voice_add", noting)
    assert call(VoiceLane(Spy()), voice()).status == "201 Created"
    assert seen == [1]
    assert inflight.requests_in_flight() == 0


def test_a_database_error_gives_the_charge_back_and_django_tries_once_more(
    monkeypatch: pytest.MonkeyPatch, config_override: Any
) -> None:
    config_override(rate_limit_voices=1)

    add = services.voice_add
    failures = [RuntimeError("the database went away")]

    def broken_once(**kwargs: Any) -> None:
        if failures:
            raise failures.pop()
        add(**kwargs)

    monkeypatch.setattr(services, "voice_add", broken_once)
    spy = Spy()
    # The single-use proof makes a second attempt safe: Django's succeeds (where Django alone
    # would have answered 500), and the network's one voice is charged once, not twice.
    assert call(VoiceLane(spy), voice()).status == "201 Created"
    assert spy.calls == 1
    assert voice_pending_count() == 1


def test_nothing_about_the_client_is_stored_or_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    assert call(VoiceLane(Spy()), voice(), HTTP_X_FORWARDED_FOR=CLIENT).status == "201 Created"
    assert call(VoiceLane(Spy()), voice(setting="moon")).status.startswith("400")
    stored = " ".join(str(v) for v in cache._cache.values())  # type: ignore[attr-defined]
    for secret in (CLIENT, "LaneTest", "203.0.113"):
        assert secret not in caplog.text
        assert secret not in stored
    assert network.network_of(CLIENT) not in stored


def test_the_served_application_is_the_lane_in_front_of_django() -> None:
    assert isinstance(wsgi.application, VoiceLane)
    assert isinstance(wsgi.application.app, WSGIHandler)


CODES = {facet.name: sorted(facet.code_set)[:6] for facet in FACETS}
fact_values = st.one_of(
    st.none(),
    st.sampled_from(sorted({c for codes in CODES.values() for c in codes})),
    st.text(max_size=12),
    st.integers(),
    st.lists(st.integers(), max_size=2),
)


@given(
    facts=st.dictionaries(
        st.sampled_from([*CODES, "altcha_extra", "name"]), fact_values, max_size=6
    ),
    proof=st.sampled_from(["fresh", "missing", "forged", "null"]),
)
@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_body_gets_the_same_answer_through_the_lane_and_django(
    facts: dict[str, Any], proof: str
) -> None:
    cache.clear()

    def make() -> bytes:
        body: dict[str, Any] = dict(facts)
        if proof == "fresh":
            body["altcha"] = solve(pow.challenge_issue())
        elif proof == "forged":
            body["altcha"] = tamper(solve(pow.challenge_issue()), solution__derivedKey="22" * 32)
        elif proof == "null":
            body["altcha"] = None
        return json.dumps(body).encode()

    lane, _django, counted, handed = both(make)
    assert handed == (0 if lane.status.startswith("201") else 1)
    assert counted == (1 if lane.status.startswith("201") else 0)


@pytest.mark.parametrize(
    ("method", "extra"),
    [
        ("POST", {"HTTP_HOST": "testserver:80"}),
        ("POST", {"HTTP_HOST": "testserver."}),
        ("POST", {"HTTP_HOST": "TESTSERVER"}),
        ("POST", {"HTTP_X_FORWARDED_PROTO": "https"}),  # no proxy header configured in tests
        ("POST", {"wsgi.url_scheme": "https"}),
    ],
)
def test_methods_hosts_and_schemes_get_djangos_answer(method: str, extra: dict[str, Any]) -> None:
    lane, _django, counted, _handed = both(voice, method=method, **extra)
    assert lane.status == "201 Created"
    assert counted == 1


@pytest.mark.parametrize(
    ("extra", "hsts"),
    [
        ({"HTTP_X_FORWARDED_PROTO": "https, http"}, True),  # the first value counts
        ({"HTTP_X_FORWARDED_PROTO": " https "}, True),
        ({"HTTP_X_FORWARDED_PROTO": "http"}, False),
        ({"wsgi.url_scheme": "https"}, True),  # no proxy header: the server's scheme
        ({"HTTP_X_FORWARDED_PROTO": "http", "wsgi.url_scheme": "https"}, False),
    ],
)
def test_the_lane_sees_https_where_django_does(
    settings: Any, extra: dict[str, Any], hsts: bool
) -> None:
    """HSTS without the redirect, so that plain HTTP is answered too (by the lane or Django)."""
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    lane, _django, counted, handed = both(voice, **extra)
    assert (lane.status, counted, handed) == ("201 Created", 1, 0)
    assert ("strict-transport-security" in dict(lane.header_set())) is hsts


@pytest.mark.usefixtures("production_security")
def test_a_request_django_refuses_unread_is_handed_over_unread() -> None:
    spy = Spy()
    original = io.BytesIO(voice())
    extra: dict[str, Any] = {"wsgi.input": original, "HTTP_HOST": "elsewhere.example"}
    answer = call(VoiceLane(spy), original.getvalue(), **extra)
    assert not answer.status.startswith("201")
    assert spy.inputs == [original]
    assert original.tell() == 0


def test_a_lowercase_method_is_left_to_django_which_counts_it() -> None:
    spy = Spy()
    answer = call(VoiceLane(spy), voice(), method="post")  # Django upper-cases the method
    assert (answer.status, spy.calls) == ("201 Created", 1)
    assert voice_pending_count() == 1


def test_a_failing_cache_leaves_the_answer_to_django(monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's network key lives in the cache: if the cache fails, Django answers (with
    its own 500, error handling and log line) and nothing escapes the lane."""
    monkeypatch.setattr(network, "_keys", {})

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(cache, "add", failing)
    lane, _django, counted, handed = both(voice)
    assert lane.status.startswith("500")
    assert (counted, handed) == (0, 1)


def test_an_unreadable_body_is_left_to_django() -> None:
    class Gone(io.BytesIO):
        def read(self, *args: Any) -> bytes:
            raise OSError("the client went away")

    spy = Spy()
    gone: dict[str, Any] = {"wsgi.input": Gone()}
    answer = call(VoiceLane(spy), voice(), **gone)
    assert spy.calls == 1
    assert not answer.status.startswith("201")
    assert voice_pending_count() == 0
