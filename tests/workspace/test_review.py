"""Security review of the workspace: what reaches the logs, thresholds, sign-in timing."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.test import Client

from chorus.cli import main as cli
from chorus.staff import services as staff_services
from tests.workspace.helpers import PASSWORD, advocate_enrolled, key_for, plant_match, sign_in

pytestmark = pytest.mark.django_db


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def _logged() -> Iterator[list[str]]:
    """Every message of the loggers a 4xx passes through. Attached after the CLI has run, since
    its django.setup() reconfigures logging and drops handlers added before."""
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in ("", "django", "django.request", "chorus")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _link(capsys: pytest.CaptureFixture[str], username: str = "alice") -> str:
    assert cli.main(["advocate-add", username, "--site", "https://chorus.example"]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1].removeprefix("https://chorus.example")


def test_a_live_enrolment_link_never_reaches_the_logs(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    # Django logs every 4xx with its path ("Bad Request: /workspace/enrol/<token>"); the token is
    # still good after a mistyped password, so a log reader could enrol in the advocate's place.
    path = _link(capsys)
    token = path.rsplit("/", 1)[1]
    with _logged() as logged:
        response = client.post(path, {"password": PASSWORD, "password_again": PASSWORD + "x"})
        assert response.status_code == 400
        assert client.post(path, {"password": "short", "password_again": "a"}).status_code == 400
        assert client.get("/workspace/enrol/" + "x" * 43).status_code == 404
        assert client.get("/workspace/no-such-page").status_code == 404  # still logged
    assert any("Not Found: /workspace/no-such-page" in line for line in logged), logged
    assert not any(token in line or "x" * 43 in line for line in logged), logged


@pytest.mark.parametrize("t", [2, 3])
def test_the_envelopes_carry_the_threshold_the_match_was_made_under(t: int) -> None:
    # The browser must not take t from a share: every share's t is a survivor's claim, and a
    # malicious first share with another t made the whole match fail to open.
    alice = advocate_enrolled("alice")
    match = plant_match([key_for(alice).key], ["a@example.org"] * t, t=t, first_t=t + 1)
    client = Client()
    sign_in(client, alice)
    data = client.get(f"/workspace/matches/{match.pk}/envelopes").json()
    assert data["threshold"] == t


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast) that counts how often a password is hashed."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.mark.parametrize("who", ["unknown", "deactivated", "not yet enrolled", "wrong password"])
def test_every_failed_password_costs_the_same_hashing_work(
    who: str, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # A deactivated advocate or one who has not finished enrolling was answered without hashing
    # anything: the same message, but a faster one, telling a guesser the username exists.
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    advocate_enrolled("alice")
    _link(capsys, "bob")  # bob has a link but no password yet
    username = {
        "unknown": "nobody",
        "deactivated": "alice",
        "not yet enrolled": "bob",
        "wrong password": "alice",
    }[who]
    if who == "deactivated":
        staff_services.staff_deactivate(username="alice")
    CountingHasher.calls = 0
    response = Client().post(
        "/workspace/signin", {"username": username, "password": PASSWORD + "-wrong"}
    )
    assert response.status_code == 400
    assert b"do not match" in response.content
    assert CountingHasher.calls == 1


def test_a_password_typed_as_the_username_leaves_no_plain_hash_in_the_cache() -> None:
    typed = "correct horse battery staple"
    Client().post("/workspace/signin", {"username": typed, "password": "x"})
    stored = " ".join(str(key) for key in cache._cache)  # type: ignore[attr-defined]
    assert "staff-signin-user" in stored  # the attempt was counted under a per-user key...
    for digest in (hashlib.sha256, hashlib.sha1, hashlib.md5):
        assert digest(typed.encode()).hexdigest()[:32] not in stored  # ...that is not a plain hash
