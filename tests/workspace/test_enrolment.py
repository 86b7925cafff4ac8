"""Enrolment through the pages: the operator's link, a password, TOTP, then the key page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from chorus.cli import main as cli
from chorus.core.models import AuditEntry
from chorus.staff.models import StaffMember
from chorus.staff.selectors import staff_totp_secret
from tests.workspace.helpers import (
    PASSWORD,
    advocate_enrolled,
    code_for,
    key_for,
    sign_in,
    wrong_code,
)

pytestmark = pytest.mark.django_db


def _link(capsys: pytest.CaptureFixture[str], username: str = "alice") -> str:
    assert cli.main(["advocate-add", username, "--site", "https://chorus.example"]) == 0
    out = capsys.readouterr().out
    link = out.strip().splitlines()[-1]
    assert link.startswith("https://chorus.example/workspace/enrol/")
    return link.removeprefix("https://chorus.example")


def test_advocate_add_stores_only_a_hash_of_the_link(capsys: pytest.CaptureFixture[str]) -> None:
    path = _link(capsys)
    token = path.rsplit("/", 1)[1]
    staff = StaffMember.objects.get(user__username="alice")
    assert staff.enrolment_digest is not None
    assert token not in staff.enrolment_digest
    assert staff.enrolment_expires is not None
    assert staff.enrolment_expires - timezone.now() > timedelta(hours=47)
    assert not staff.user.has_usable_password()


def test_advocate_add_refuses_an_enrolled_advocate(capsys: pytest.CaptureFixture[str]) -> None:
    advocate_enrolled("alice")
    assert cli.main(["advocate-add", "alice"]) == 1
    assert "already enrolled" in capsys.readouterr().err


def test_advocate_add_refuses_a_bad_username(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["advocate-add", "al ice!"]) == 1
    assert "cannot be used" in capsys.readouterr().err
    assert not get_user_model().objects.exists()


def test_enrolment_through_the_pages(client: Client, capsys: pytest.CaptureFixture[str]) -> None:
    path = _link(capsys)
    page = client.get(path)
    assert page.status_code == 200
    assert b"Welcome, alice" in page.content

    response = client.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/workspace/enrol/code"
    page = client.get("/workspace/enrol/code")
    assert page.status_code == 200
    assert b"<svg" in page.content
    staff = StaffMember.objects.get(user__username="alice")
    secret = staff_totp_secret(staff=staff)
    assert len(secret) == 32
    assert secret.encode() in page.content
    # The database holds the secret only sealed under the server's secret key.
    assert staff.totp_secret_sealed.startswith("s1:")
    assert secret not in staff.totp_secret_sealed
    assert staff.totp_confirmed is None

    response = client.post(
        "/workspace/enrol/code", {"code": code_for(staff_totp_secret(staff=staff))}
    )
    assert response.status_code == 302
    assert response["Location"] == "/workspace/key"
    staff.refresh_from_db()
    assert staff.enrolled
    assert client.get("/workspace/key").status_code == 200
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["staff.enrolment_issued", "staff.password_set", "staff.enrolled"]


def test_a_used_enrolment_link_is_refused(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _link(capsys)
    client.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    other = Client()
    for response in (
        other.get(path),
        other.post(
            path, {"password": "another long password", "password_again": "another long password"}
        ),
    ):
        assert response.status_code == 404
        assert b"expired or has already been used" in response.content
    user = get_user_model().objects.get(username="alice")
    assert user.check_password(PASSWORD)


def test_an_expired_enrolment_link_is_refused(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _link(capsys)
    StaffMember.objects.update(enrolment_expires=timezone.now() - timedelta(seconds=1))
    response = client.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 404
    assert b"expired or has already been used" in response.content
    assert not get_user_model().objects.get(username="alice").has_usable_password()


def test_an_unknown_enrolment_link_is_refused(client: Client) -> None:
    response = client.get("/workspace/enrol/not-a-token")
    assert response.status_code == 404
    assert b"expired or has already been used" in response.content


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("short", "short", b"too short"),
        ("password1234", "password1234", b"too common"),
        ("93847261539182", "93847261539182", b"entirely numeric"),
        (PASSWORD, PASSWORD + "x", b"not the same"),
    ],
)
def test_a_weak_or_mistyped_password_is_refused(
    client: Client, capsys: pytest.CaptureFixture[str], password: str, again: str, message: bytes
) -> None:
    path = _link(capsys)
    response = client.post(path, {"password": password, "password_again": again})
    assert response.status_code == 400
    assert message in response.content
    staff = StaffMember.objects.get(user__username="alice")
    assert not staff.user.has_usable_password()
    assert staff.enrolment_digest is not None  # the link still works
    assert staff.totp_secret_sealed == ""


@pytest.mark.parametrize("code", ["six digits, wrong", "12345", "abcdef", "", "1234567"])
def test_a_wrong_first_code_does_not_enrol(
    client: Client, capsys: pytest.CaptureFixture[str], code: str
) -> None:
    path = _link(capsys)
    client.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    staff = StaffMember.objects.get(user__username="alice")
    if code == "six digits, wrong":
        code = wrong_code(staff_totp_secret(staff=staff))
    response = client.post("/workspace/enrol/code", {"code": code})
    assert response.status_code == 400
    assert b"That code is not right" in response.content
    staff.refresh_from_db()
    assert not staff.enrolled
    assert client.get("/workspace/key").status_code == 302


def test_the_enrolment_code_page_needs_the_password_step(client: Client) -> None:
    response = client.get("/workspace/enrol/code")
    assert response.status_code == 302
    assert response["Location"] == "/workspace/signin"


def test_advocate_remove_stops_sign_in_and_retires_the_key(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    staff = advocate_enrolled("alice")
    key = key_for(staff).key
    sign_in(client, staff)
    assert cli.main(["advocate-remove", "alice"]) == 0
    assert "1 key(s) retired" in capsys.readouterr().out
    key.refresh_from_db()
    assert key.retired is not None
    assert client.get("/workspace/")["Location"] == "/workspace/signin"
    response = Client().post("/workspace/signin", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 400
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == [
        "staff.deactivated",
        "escrow.advocate_key_retired",
        "staff.sign_in_failed",
    ]


def test_advocate_remove_of_an_unknown_name_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["advocate-remove", "nobody"]) == 1
    assert "no staff member called nobody" in capsys.readouterr().err
