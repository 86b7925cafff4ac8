"""The organisations' workspace over HTTP: enrolment, the home page, invitations, removal,
keys made in the browser (here in Python), the public keys for reporters, the command."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from chorus.cli.main import main
from chorus.core.audit import audit_verify
from chorus.core.models import AuditEntry
from chorus.crypto import passphrase, seal
from chorus.orgs.models import HandlerKey, Membership, Organisation
from chorus.orgs.services import HANDLER_KEY_CTX
from chorus.staff.models import StaffMember
from chorus.staff.selectors import staff_totp_secret
from tests.orgs.helpers import Org, key_for, org_with_staff
from tests.workspace.helpers import PASSPHRASE, PASSWORD, code_for, sign_in

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/workspace/orgs/enrol/[A-Za-z0-9_-]+)")


@pytest.fixture
def acme() -> Org:
    return org_with_staff("Acme", prefix="acme")


def _client(staff: StaffMember) -> Client:
    client = Client()
    sign_in(client, staff)
    return client


def _enrol_over_http(client: Client, path: str) -> StaffMember:
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    assert response["Location"] == "/workspace/orgs/enrol/code"
    staff = (
        StaffMember.objects.exclude(totp_secret_sealed="").filter(totp_confirmed__isnull=True).get()
    )
    page = client.get("/workspace/orgs/enrol/code")
    assert b"svg" in page.content
    assert staff_totp_secret(staff=staff) in page.content.decode()
    response = client.post(
        "/workspace/orgs/enrol/code", {"code": code_for(staff_totp_secret(staff=staff))}
    )
    assert response["Location"] == "/workspace/orgs/"
    return StaffMember.objects.get(pk=staff.pk)


def test_the_command_registers_an_organisation_and_its_admin_enrols_through_the_pages(
    capsys: Any,
) -> None:
    assert main(["org-add", "Acme Ltd", "--admin", "boss", "--site", "http://testserver"]) == 0
    out = capsys.readouterr().out
    found = LINK.search(out)
    assert found is not None
    assert "Registered Acme Ltd at /workspace/orgs/acme-ltd/" in out
    client = Client()
    staff = _enrol_over_http(client, found.group(1))
    assert staff.enrolled
    response = client.get("/workspace/orgs/")
    assert response["Location"] == "/workspace/orgs/acme-ltd/"
    home = client.get("/workspace/orgs/acme-ltd/")
    assert home.status_code == 200
    text = home.content.decode()
    assert "No reports yet." in text
    assert "You have no key yet." in text
    assert "Invite a handler" in text
    # The link works once.
    assert Client().get(found.group(1)).status_code == 404


def test_the_command_refuses_a_taken_name_and_can_send_the_link_by_email(capsys: Any) -> None:
    assert main(["org-add", "Acme", "--admin", "boss", "--email", "boss@example.org"]) == 0
    assert len(mail.outbox) == 1
    assert "/workspace/orgs/enrol/" in mail.outbox[0].body
    assert main(["org-add", "Acme", "--admin", "other"]) == 1
    assert "already an organisation at acme" in capsys.readouterr().err
    assert Organisation.objects.count() == 1


def test_an_admin_invites_a_handler_who_enrols_and_makes_a_key(acme: Org) -> None:
    admin = _client(acme.admin_staff)
    response = admin.post(
        "/workspace/orgs/acme/members",
        {"username": "newbie", "display_name": "Nia Newbie", "role": "handler"},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    found = LINK.search(response.content.decode())
    assert found is not None
    assert Membership.objects.get(user__username="newbie").organisation == acme.organisation
    # The link is shown once: the home page does not show it again.
    assert "newbie" in admin.get("/workspace/orgs/acme/").content.decode()
    assert found.group(1) not in admin.get("/workspace/orgs/acme/").content.decode()

    handler = Client()
    staff = _enrol_over_http(handler, found.group(1))
    assert handler.get("/workspace/orgs/")["Location"] == "/workspace/orgs/acme/"
    page = handler.get("/workspace/orgs/acme/key")
    assert page.status_code == 200
    assert HANDLER_KEY_CTX.hex() in page.content.decode()
    pair = seal.generate_key_pair()
    body = {
        "suite": 1,
        "public_key": pair.pk.hex(),
        "wrapped_private_key": passphrase.wrap(PASSPHRASE, pair.sk, ctx=HANDLER_KEY_CTX).hex(),
    }
    response = handler.post(
        "/workspace/orgs/acme/key/upload", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    key = HandlerKey.objects.get(membership__user=staff.user)
    assert bytes(key.public_key) == pair.pk
    # The wrapped key opens with the passphrase only in the member's hands.
    assert passphrase.unwrap(PASSPHRASE, bytes(key.wrapped_private_key), ctx=HANDLER_KEY_CTX) == (
        pair.sk
    )
    assert "Your key is ready." in handler.get("/workspace/orgs/acme/key").content.decode()
    # A handler sees the inbox, not the members list.
    home = handler.get("/workspace/orgs/acme/").content.decode()
    assert "No reports yet." in home
    assert "Invite a handler" not in home
    assert "orgs.member_key_created" in AuditEntry.objects.values_list("action", flat=True)
    assert audit_verify() is None


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"username": "acme-handler", "display_name": "Dup"}, "The username acme-handler is taken"),
        ({"username": "bad name!", "display_name": "X"}, "That username cannot be used"),
        ({"username": "ok", "display_name": ""}, "A display name has 1 to 80 characters."),
        ({"username": "ok", "display_name": "X", "role": "owner"}, "Choose a role"),
    ],
)
def test_a_bad_invitation_is_refused_with_a_clear_message_and_nothing_stored(
    acme: Org, form: dict[str, str], message: str
) -> None:
    admin = _client(acme.admin_staff)
    before = Membership.objects.count()
    response = admin.post("/workspace/orgs/acme/members", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Membership.objects.count() == before
    assert not StaffMember.objects.filter(user__username="ok").exists()


def test_an_admin_removes_a_handler_who_is_locked_out(acme: Org) -> None:
    key, _sk = key_for(acme.handler)
    handler = _client(acme.handler_staff)
    admin = _client(acme.admin_staff)
    response = admin.post(f"/workspace/orgs/acme/members/{acme.handler.pk}/remove")
    assert response["Location"] == "/workspace/orgs/acme/"
    assert handler.get("/workspace/orgs/acme/")["Location"] == "/workspace/signin"
    response = Client().post(
        "/workspace/signin", {"username": "acme-handler", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert HandlerKey.objects.get(pk=key.pk).retired is not None
    assert Client().get("/orgs/acme/keys").json()["keys"] == []
    # Removing again, or removing oneself: the uniform not-found page.
    again = admin.post(f"/workspace/orgs/acme/members/{acme.handler.pk}/remove")
    assert again.status_code == 404
    assert admin.post(f"/workspace/orgs/acme/members/{acme.admin.pk}/remove").status_code == 404
    assert Membership.objects.get(pk=acme.admin.pk).removed is None


def _upload(client: Client, body: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/workspace/orgs/acme/key/upload", data, content_type="application/json")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "The request is not JSON."),
        ("[1]", "The request must be a JSON object."),
        ({"suite": "1"}, "suite must be a number"),
        ({"suite": True}, "suite must be a number"),
        ({"suite": 1, "public_key": "zz", "wrapped_private_key": "00"}, "public_key must be"),
        ({"suite": 1, "public_key": 5, "wrapped_private_key": "00"}, "public_key must be"),
        ({"suite": 1, "public_key": "00" * 32, "wrapped_private_key": "00"}, "cannot be sealed"),
        ({"suite": 9, "public_key": "00" * 32, "wrapped_private_key": "00"}, "Unknown key suite"),
        ("x" * 9000, "The request is too large."),
    ],
)
def test_a_malformed_key_upload_is_refused_and_nothing_stored(
    acme: Org, body: Any, message: str
) -> None:
    response = _upload(_client(acme.handler_staff), body)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert not HandlerKey.objects.exists()


def test_a_second_key_is_refused(acme: Org) -> None:
    key_for(acme.handler)
    pair = seal.generate_key_pair()
    body = {
        "suite": 1,
        "public_key": pair.pk.hex(),
        "wrapped_private_key": passphrase.wrap(PASSPHRASE, pair.sk, ctx=HANDLER_KEY_CTX).hex(),
    }
    response = _upload(_client(acme.handler_staff), body)
    assert response.status_code == 400
    assert "already have a key" in response.json()["message"]
    assert HandlerKey.objects.count() == 1


def test_the_public_keys_show_only_ids_suites_keys_and_display_names(acme: Org) -> None:
    admin_key, _ = key_for(acme.admin)
    handler_key, _ = key_for(acme.handler, suite=2)
    answer = Client().get("/orgs/acme/keys")
    assert answer.status_code == 200
    data = answer.json()
    assert data["organisation"] == {"slug": "acme", "name": "Acme"}
    assert data["keys"] == [
        {
            "id": admin_key.pk,
            "suite": 1,
            "public_key": bytes(admin_key.public_key).hex(),
            "display_name": "acme-admin",
        },
        {
            "id": handler_key.pk,
            "suite": 2,
            "public_key": bytes(handler_key.public_key).hex(),
            "display_name": "Acme handler",
        },
    ]
    assert "acme-handler" not in answer.content.decode()  # no usernames
    # Not kept on the device: a copy would show which organisation a survivor reported to.
    assert answer["Cache-Control"] == "no-store"
    missing = Client().get("/orgs/nope/keys")
    assert missing.status_code == 404
    assert "no-store" in missing["Cache-Control"]
    assert missing.json()["error"] == "not_found"


def test_key_upload_invitation_and_removal_need_the_csrf_token(acme: Org) -> None:
    client = _client(acme.admin_staff)
    client.handler.enforce_csrf_checks = True
    pair = seal.generate_key_pair()
    body = {
        "suite": 1,
        "public_key": pair.pk.hex(),
        "wrapped_private_key": passphrase.wrap(PASSPHRASE, pair.sk, ctx=HANDLER_KEY_CTX).hex(),
    }
    upload = client.post(
        "/workspace/orgs/acme/key/upload", json.dumps(body), content_type="application/json"
    )
    assert upload.status_code == 403
    invite = client.post("/workspace/orgs/acme/members", {"username": "x", "display_name": "X"})
    assert invite.status_code == 403
    remove = client.post(f"/workspace/orgs/acme/members/{acme.handler.pk}/remove")
    assert remove.status_code == 403
    assert not HandlerKey.objects.exists()
    assert Membership.objects.filter(removed__isnull=True).count() == 2
