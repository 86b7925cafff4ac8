"""Sign-in: password, then a TOTP code, both required; separate cookies; rate limits; audit."""

from __future__ import annotations

import functools
import time

import pyotp
import pytest
from django.conf import settings
from django.test import Client

from chorus.core import middleware, network
from chorus.core.models import AuditEntry
from chorus.staff import services
from chorus.staff.models import StaffMember
from chorus.staff.selectors import staff_totp_secret
from chorus.workspace.session import SESSION_PENDING, SESSION_STAFF
from tests.workspace.helpers import (
    PASSWORD,
    advocate_enrolled,
    fresh_code,
    sign_in,
    wrong_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice() -> StaffMember:
    return advocate_enrolled("alice")


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


def test_password_then_code_signs_in(client: Client, alice: StaffMember) -> None:
    before = AuditEntry.objects.count()
    response = client.post("/workspace/signin", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/workspace/signin/code"
    # The password alone opens nothing.
    assert client.get("/workspace/")["Location"] == "/workspace/signin"
    response = client.post("/workspace/signin/code", {"code": fresh_code(alice)})
    assert response["Location"] == "/workspace/"
    page = client.get("/workspace/")
    assert page.status_code == 200
    assert b"Matches" in page.content
    assert _actions()[before:] == ["staff.signed_in", "escrow.matches_listed"]


def test_the_workspace_cookie_is_its_own(client: Client, alice: StaffMember) -> None:
    response = client.post("/workspace/signin", {"username": "alice", "password": PASSWORD})
    cookie = response.cookies["chorus-workspace"]
    assert cookie["path"] == "/workspace/"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert settings.SESSION_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong password here"), ("nobody", PASSWORD), ("", ""), ("ALICE", PASSWORD)],
)
def test_a_wrong_username_or_password_is_refused(
    client: Client, alice: StaffMember, username: str, password: str
) -> None:
    response = client.post("/workspace/signin", {"username": username, "password": password})
    assert response.status_code == 400
    assert b"That username and password do not match" in response.content
    assert SESSION_PENDING not in client.session
    assert client.get("/workspace/signin/code")["Location"] == "/workspace/signin"
    assert _actions()[-1] == "staff.sign_in_failed"
    # Nothing typed is in the audit log.
    entry = AuditEntry.objects.order_by("pk").last()
    assert entry is not None
    assert entry.actor_id == (alice.user_id if username == "alice" else None)


def test_an_advocate_who_has_not_confirmed_totp_cannot_sign_in(client: Client) -> None:
    _user, token = services.staff_enrolment_issue(username="bob")
    services.staff_enrolment_password(token=token, password=PASSWORD)
    response = client.post("/workspace/signin", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 400
    assert b"do not match" in response.content


@pytest.mark.parametrize("code", ["six digits, wrong", "", "12 34", "x" * 6])
def test_a_wrong_code_is_refused(client: Client, alice: StaffMember, code: str) -> None:
    client.post("/workspace/signin", {"username": "alice", "password": PASSWORD})
    if code == "six digits, wrong":
        code = wrong_code(staff_totp_secret(staff=alice))
    response = client.post("/workspace/signin/code", {"code": code})
    assert response.status_code == 400
    assert b"That code is not right" in response.content
    assert SESSION_STAFF not in client.session
    assert client.get("/workspace/")["Location"] == "/workspace/signin"
    assert _actions()[-1] == "staff.sign_in_code_failed"


def test_a_code_is_accepted_once(alice: StaffMember) -> None:
    first, second = Client(), Client()
    code = fresh_code(alice)
    for c in (first, second):
        c.post("/workspace/signin", {"username": "alice", "password": PASSWORD})
    assert first.post("/workspace/signin/code", {"code": code}).status_code == 302
    response = second.post("/workspace/signin/code", {"code": code})
    assert response.status_code == 400
    assert b"already been used" in response.content
    assert second.get("/workspace/")["Location"] == "/workspace/signin"


def test_the_code_of_enrolment_cannot_sign_in(alice: StaffMember) -> None:
    # The code of the very step enrolment used (not "the current code": a 30-second boundary
    # may have passed since, and the next step's code is rightly accepted).
    assert alice.totp_last_step is not None
    enrolment_code = pyotp.TOTP(staff_totp_secret(staff=alice)).generate_otp(alice.totp_last_step)
    client = Client()
    client.post("/workspace/signin", {"username": "alice", "password": PASSWORD})
    response = client.post("/workspace/signin/code", {"code": enrolment_code})
    assert response.status_code == 400
    assert b"already been used" in response.content


def test_sign_in_attempts_are_rate_limited(client: Client, alice: StaffMember) -> None:
    for _ in range(10):
        response = client.post("/workspace/signin", {"username": "alice", "password": "nope nope"})
        assert response.status_code == 400
    response = client.post("/workspace/signin", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert SESSION_PENDING not in client.session


def test_code_attempts_are_rate_limited(client: Client, alice: StaffMember) -> None:
    client.post("/workspace/signin", {"username": "alice", "password": PASSWORD})
    for _ in range(9):
        client.post("/workspace/signin/code", {"code": "x"})
    response = client.post("/workspace/signin/code", {"code": fresh_code(alice)})
    assert response.status_code == 429
    assert SESSION_STAFF not in client.session


def test_sign_out_ends_the_workspace_session(client: Client, alice: StaffMember) -> None:
    sign_in(client, alice)
    response = client.post("/workspace/signout")
    assert response["Location"] == "/workspace/signin"
    assert client.get("/workspace/")["Location"] == "/workspace/signin"
    assert _actions()[-1] == "staff.signed_out"


def test_a_deactivated_advocate_is_signed_out(client: Client, alice: StaffMember) -> None:
    sign_in(client, alice)
    type(alice.user).objects.filter(pk=alice.user_id).update(is_active=False)
    assert client.get("/workspace/")["Location"] == "/workspace/signin"


def test_signed_in_advocate_skips_the_sign_in_page(client: Client, alice: StaffMember) -> None:
    sign_in(client, alice)
    assert client.get("/workspace/signin")["Location"] == "/workspace/"


def test_the_audit_log_holds_nothing_typed(client: Client, alice: StaffMember) -> None:
    typed = ["mallory-typed-this", "hunter2-typed-password", "alice-wrong-password"]
    client.post("/workspace/signin", {"username": typed[0], "password": typed[1]})
    client.post("/workspace/signin", {"username": "alice", "password": typed[2]})
    client.post("/workspace/signin", {"username": "alice", "password": PASSWORD})
    client.post("/workspace/signin/code", {"code": "123456"})
    sign_in(client, alice)
    rows = [str(row) for row in AuditEntry.objects.values_list()]
    assert len(rows) >= 5
    for value in [*typed, "123456", "alice", staff_totp_secret(staff=alice)]:
        assert not any(value in row for row in rows), value


def test_the_per_username_limit_outlasts_the_network_window(
    client: Client, alice: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The network's hash changes with each rate-limit window, and its count with it; the
    username's count holds for its own 15 minutes, from any network."""
    for _ in range(10):
        client.post("/workspace/signin", {"username": "alice", "password": "nope nope"})
    later = time.time() + settings.CONFIG.rate_limit_window_seconds
    monkeypatch.setattr(
        middleware, "network_key", functools.partial(network.network_key, now=later)
    )
    response = client.post("/workspace/signin", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429  # a new network window, the same username
    response = client.post("/workspace/signin", {"username": "bob", "password": "nope nope"})
    assert response.status_code == 400  # the network's count started afresh with its window
