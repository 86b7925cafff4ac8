from __future__ import annotations

import base64
import dataclasses
import functools
import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

os.environ.setdefault("CHORUS_ENV", "test")

import altcha
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

from chorus.api import lane
from chorus.core import middleware, network, pow
from chorus.counts import services
from chorus.keyserver import services as keyserver_services
from chorus.public import views as public_views

# Wall-clock deadlines make property tests flaky on a loaded 2-core machine; no deadline.
hypothesis_settings.register_profile("chorus", deadline=None, max_examples=200)
hypothesis_settings.load_profile("chorus")


def solve(challenge: dict[str, Any]) -> str:
    """Solve an ALTCHA v2 challenge as the widget does, returning the base64 payload."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed)
    assert solution is not None
    return altcha.Payload(parsed, solution).to_base64()


def tamper(payload: str, **changes: Any) -> str:
    data = json.loads(base64.b64decode(payload))
    for path, value in changes.items():
        node = data
        *parents, leaf = path.split("__")
        for key in parents:
            node = node[key]
        node[leaf] = value
    return base64.b64encode(json.dumps(data).encode()).decode()


@pytest.fixture
def payload() -> str:
    return solve(pow.challenge_issue())


@pytest.fixture
def config_override() -> Iterator[Any]:
    """Call with keyword arguments to replace fields of the frozen config for one test."""
    stack: list[Any] = []

    def apply(**changes: Any) -> None:
        ctx = override_settings(CONFIG=dataclasses.replace(settings.CONFIG, **changes))
        ctx.enable()
        stack.append(ctx)

    yield apply
    for ctx in reversed(stack):
        ctx.disable()


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    cache.clear()
    services.activity_cache_clear()
    # Pages cached per snapshot id: ids repeat across tests when SQLite rolls back.
    public_views._numbers_html.cache_clear()
    public_views._badge_svg.cache_clear()
    yield
    services.activity_cache_clear()


@pytest.fixture(autouse=True)
def _limit_windows_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold the clocks that start a limit's count afresh at the moment the test starts.

    The network key changes every rate-limit window (10 minutes, on the wall clock), and the key
    server counts per UTC day: a test that counts up to a limit and expects the refusal would
    see no refusal whenever a window or midnight passed in the middle of it. The windows
    themselves are tested with explicit times (tests/core/test_network.py,
    tests/keyserver/test_oprf.py)."""
    started = time.time()
    pinned = functools.partial(network.network_key, now=started)
    monkeypatch.setattr(middleware, "network_key", pinned)
    monkeypatch.setattr(lane, "network_key", pinned)
    day = datetime.fromtimestamp(started, tz=UTC).date()
    monkeypatch.setattr(keyserver_services, "_today", lambda: day)
