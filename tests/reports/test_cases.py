"""The survivor's side of cases over HTTP (reports.md §11.2): list, open, write; who may, and the
uniform 404 for everyone else."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.utils import timezone

from chorus.core.audit import audit_verify
from chorus.core.models import AuditEntry
from chorus.reports.models import Case, Message, Supporter
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import Org, org_with_staff
from tests.reports.factories import Sent, member_client, post_json, send, supporter_of
from tests.reports.helpers import entry_open, reporter_box_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


@pytest.fixture
def sent(acme: Org) -> Sent:
    return send(acme, mode="named")


def test_the_reporter_lists_and_opens_their_case(sent: Sent) -> None:
    listed = sent.reporter.get("/reports/cases")
    assert listed.status_code == 200
    assert listed["Cache-Control"] == "no-store"
    day = sent.case.created_day.isoformat()
    summary = {
        "case": sent.ref,
        "org": {"slug": "acme-ltd", "name": "Acme Ltd"},
        "mode": "named",
        "status": "received",
        "day": day,
        "role": "reporter",
        "closed": None,
        "expires": None,
    }
    assert listed.json() == {"cases": [{**summary, "messages": 0}]}
    opened = sent.reporter.get(sent.public)
    assert opened.status_code == 200
    data = opened.json()
    assert data == {
        **summary,
        "can_write": True,
        "body": data["body"],
        "box": data["box"],
        "messages": [],
        "supporters": [],
    }
    case_key = reporter_box_open(
        slug=sent.slug, sid=b"\x07" * 32, case_ref=sent.case_ref, box=base64.b64decode(data["box"])
    )
    assert case_key == sent.case_key


def test_a_conversation_runs_in_order_both_ways(sent: Sent) -> None:
    member = member_client(sent.org)
    first = post_json(sent.reporter, f"{sent.public}/messages", sent.entry(1, "Any news?"))
    assert first.status_code == 201, first.content
    assert first.json() == {"n": 1}
    second = post_json(member, f"{sent.ws}/messages", sent.entry(2, "We are looking into it."))
    assert second.status_code == 201, second.content
    messages = sent.reporter.get(sent.public).json()["messages"]
    assert [(m["n"], m["author"], m["name"]) for m in messages] == [
        (1, "reporter", None),
        (2, "member", "Acme Ltd handler"),
    ]
    assert all(m["time"].endswith("Z") and len(m["time"]) == 17 for m in messages)
    texts = [
        entry_open(
            case_key=sent.case_key,
            slug=sent.slug,
            case_ref=sent.case_ref,
            n=m["n"],
            box=base64.b64decode(m["box"]),
        )
        for m in messages
    ]
    assert texts == ["Any news?", "We are looking into it."]
    assert sent.reporter.get("/reports/cases").json()["cases"][0]["messages"] == 2
    # The member sees the same conversation.
    assert [m["n"] for m in member.get(sent.ws).json()["messages"]] == [1, 2]


def test_a_stale_number_is_409_and_nothing_is_stored(sent: Sent) -> None:
    assert post_json(sent.reporter, f"{sent.public}/messages", sent.entry(1)).status_code == 201
    for n in (1, 3, 7):
        response = post_json(sent.reporter, f"{sent.public}/messages", sent.entry(n))
        assert response.status_code == 409
        assert response.json()["code"] == "conflict"
    assert Message.objects.count() == 1


def _to_the_minute(moment: object) -> bool:
    return moment is not None and (moment.second, moment.microsecond) == (0, 0)  # type: ignore[attr-defined]


def test_what_survivors_do_is_stored_to_the_minute_only(sent: Sent) -> None:
    # A copy of the database must not be matchable second by second against a proxy log.
    supporter = supporter_of(sent)
    assert post_json(supporter, f"{sent.public}/messages", sent.entry(1)).status_code == 201
    assert post_json(sent.reporter, f"{sent.public}/messages", sent.entry(2)).status_code == 201
    sent.case.refresh_from_db()
    assert _to_the_minute(sent.case.changed)
    for message in Message.objects.all():
        assert _to_the_minute(message.created)
    for row in Supporter.objects.all():  # planted; acceptance: tests/reports/test_support.py
        assert _to_the_minute(row.created)
    actorless = AuditEntry.objects.filter(actor_id__isnull=True)
    assert actorless.exists()
    assert all(_to_the_minute(entry.at) for entry in actorless)
    assert audit_verify() is None


def test_survivor_messages_are_audited_without_anyone_named(sent: Sent) -> None:
    changed_before = sent.case.changed
    assert post_json(sent.reporter, f"{sent.public}/messages", sent.entry(1)).status_code == 201
    entry = AuditEntry.objects.get(action="reports.message_added")
    assert entry.actor_id is None
    assert entry.object_type == "reports.case"
    assert entry.object_id == sent.case.pk
    assert sent.case.changed is not None
    assert changed_before is not None
    assert sent.case.changed >= changed_before
    assert audit_verify() is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"nope", "not valid JSON"),
        (b"[]", 'with "n" and "box"'),
        (b'{"n": 1}', 'with "n" and "box"'),
        (b'{"n": 1, "box": "AAAA", "x": 1}', 'with "n" and "box"'),
        (b'{"n": "1", "box": "AAAA"}', '"n" must be'),
        (b'{"n": 0, "box": "AAAA"}', '"n" must be'),
        (b'{"n": true, "box": "AAAA"}', '"n" must be'),
        (b'{"n": 1.0, "box": "AAAA"}', '"n" must be'),
        (b'{"n": 1, "box": 5}', '"box" must be standard base64'),
        (b'{"n": 1, "box": "A"}', '"box" must be standard base64'),
        (b'{"n": 1, "box": "AAAA"}', "wrong length"),
        (
            b'{"n": 1, "box": "' + base64.b64encode(b"\x02" * 40) + b'"}',
            "unknown version",
        ),
    ],
)
def test_a_bad_message_is_a_clear_400_and_nothing_stored(
    sent: Sent, body: bytes, expected: str
) -> None:
    response = post_json(sent.reporter, f"{sent.public}/messages", body)
    assert response.status_code == 400
    assert expected in response.json()["message"]
    assert not Message.objects.exists()
    assert not AuditEntry.objects.filter(action="reports.message_added").exists()


def test_an_oversized_message_is_413(sent: Sent) -> None:
    big = base64.b64encode(b"\x01" * (11 * 1024 + 3)).decode()
    response = post_json(sent.reporter, f"{sent.public}/messages", {"n": 1, "box": big})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    huge = post_json(sent.reporter, f"{sent.public}/messages", b" " * (17 * 1024))
    assert huge.status_code == 413
    assert huge.json()["code"] == "too_large"
    assert not Message.objects.exists()


def test_a_supporter_reads_and_writes_only_with_permission(sent: Sent) -> None:
    writer = supporter_of(sent)
    reader = supporter_of(sent, can_write=False)
    data = writer.get(sent.public).json()
    assert data["role"] == "supporter"
    assert data["can_write"] is True
    assert base64.b64decode(data["box"]) == b"\x05" * 61
    assert "supporters" not in data
    assert writer.get("/reports/cases").json()["cases"][0]["role"] == "supporter"
    response = post_json(writer, f"{sent.public}/messages", sent.entry(1))
    assert response.status_code == 201
    message = Message.objects.get()
    assert message.author == "supporter"
    assert message.author_supporter == Supporter.objects.get(can_write=True)
    assert reader.get(sent.public).json()["can_write"] is False
    refused = post_json(reader, f"{sent.public}/messages", sent.entry(2))
    assert refused.status_code == 403
    assert refused.json()["code"] == "read_only"
    assert Message.objects.count() == 1
    supporters = sent.reporter.get(sent.public).json()["supporters"]
    assert [(s["accepted"], s["can_write"]) for s in supporters] == [(True, True), (True, False)]
    assert set(supporters[0]) == {"id", "accepted", "can_write", "day"}


def _not_found(response: object) -> bytes:
    assert response.status_code == 404  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined, no-any-return]


def test_everyone_else_gets_the_same_404(acme: Org, sent: Sent) -> None:
    other = send(org_with_staff("Globex", prefix="globex"))
    stranger = client_signed_in(account_make())
    pending = supporter_of(sent, accepted=False)
    removed = supporter_of(sent)
    Supporter.objects.filter(pk=Supporter.objects.latest("pk").pk).update(removed=timezone.now())
    missing = "/reports/cases/" + "0" * 32
    bodies = {
        _not_found(client.get(url))
        for client in (stranger, pending, removed, other.reporter)
        for url in (sent.public, missing, "/reports/cases/NOT-HEX")
    }
    bodies |= {
        _not_found(post_json(client, f"{url}/messages", sent.entry(1)))
        for client in (stranger, pending, removed, other.reporter)
        for url in (sent.public, missing)
    }
    assert len(bodies) == 1
    assert b'"code": "not_found"' in bodies.pop()
    for client in (stranger, pending, removed):
        assert client.get("/reports/cases").json() == {"cases": []}
    assert not Message.objects.exists()


def test_signed_out_is_403_everywhere(sent: Sent) -> None:
    for response in (
        Client().get("/reports/cases"),
        Client().get(sent.public),
        post_json(Client(), f"{sent.public}/messages", sent.entry(1)),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "signed_out"
    assert Client().post("/reports/cases").status_code == 405
    assert sent.reporter.post(sent.public).status_code == 405
    assert sent.reporter.get(f"{sent.public}/messages").status_code == 405


def test_a_held_case_is_its_reporters_only_and_takes_no_messages(sent: Sent) -> None:
    supporter = supporter_of(sent)
    Case.objects.filter(pk=sent.case.pk).update(status="held")
    assert sent.reporter.get(sent.public).json()["status"] == "held"
    assert sent.reporter.get("/reports/cases").json()["cases"][0]["status"] == "held"
    refused = post_json(sent.reporter, f"{sent.public}/messages", sent.entry(1))
    assert refused.status_code == 403
    assert refused.json()["code"] == "read_only"
    assert supporter.get(sent.public).status_code == 404
    assert supporter.get("/reports/cases").json() == {"cases": []}
    member = member_client(sent.org)
    assert member.get(sent.ws).status_code == 404
    assert member.get(f"/workspace/orgs/{sent.slug}/cases").json() == {"cases": []}


def test_members_are_mailed_that_something_changed_and_nothing_else(
    acme: Org, django_capture_on_commit_callbacks: Any
) -> None:
    acme.admin.email = "admin@acme.example"
    acme.admin.save()
    acme.handler.email = "handler@acme.example"
    acme.handler.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = send(acme, text="The director touched me.")
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@acme.example", "handler@acme.example"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(sent.reporter, f"{sent.public}/messages", sent.entry(1))
    assert response.status_code == 201
    assert len(mail.outbox) == 2
    # A member's own message notifies nobody; nor does a refused message.
    mail.outbox.clear()
    member = member_client(acme)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert post_json(member, f"{sent.ws}/messages", sent.entry(2)).status_code == 201
        stale = post_json(sent.reporter, f"{sent.public}/messages", sent.entry(2))
        assert stale.status_code == 409
    assert callbacks == []
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(sent.reporter, f"{sent.public}/messages", sent.entry(3))
    assert response.status_code == 201
    assert len(mail.outbox) == 2
    forbidden = [sent.ref, "Acme", "acme", "anonymous", "director", str(sent.account.pk), "case"]
    for message in mail.outbox:
        assert message.subject == "Something changed in your Chorus workspace"
        text = message.subject + message.body
        for word in forbidden:
            assert word not in text, word


def test_an_excluded_member_or_one_without_email_is_not_mailed(
    acme: Org, django_capture_on_commit_callbacks: Any
) -> None:
    acme.admin.email = "admin@acme.example"
    acme.admin.save()
    acme.handler.email = "handler@acme.example"
    acme.handler.save()
    with django_capture_on_commit_callbacks(execute=True):
        send(acme, exclude_handler=True)
    assert [m.to for m in mail.outbox] == [["admin@acme.example"]]
    mail.outbox.clear()
    acme.admin.email = ""
    acme.admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        send(acme)
    assert [m.to for m in mail.outbox] == [["handler@acme.example"]]


class RefusingMailBackend(BaseEmailBackend):
    """A mail server that refuses the connection, as smtplib reports it."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


def test_a_mail_server_that_is_down_does_not_fail_the_report(
    acme: Org, settings: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    acme.admin.email = "admin@acme.example"
    acme.admin.save()
    settings.MAILERS = {"default": {"BACKEND": "tests.reports.test_cases.RefusingMailBackend"}}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = send(acme)
    assert len(callbacks) == 1
    assert sent.case.status == "received"
    assert "Could not send 1 workspace notification(s)." in caplog.text
    assert "admin@acme.example" not in caplog.text
    assert mail.outbox == []


def test_a_workspace_session_is_not_a_survivor_session(sent: Sent) -> None:
    member = member_client(sent.org, "admin")
    for response in (member.get("/reports/cases"), member.get(sent.public)):
        assert response.status_code == 403
        assert response.json()["code"] == "signed_out"


def test_the_survivor_sees_when_a_closed_case_will_be_erased(sent: Sent) -> None:
    member = member_client(sent.org)
    assert post_json(member, f"{sent.ws}/status", {"status": "closed"}).status_code == 200
    case = sent.case
    assert case.expires is not None
    assert case.closed is not None
    expires = case.expires.strftime("%Y-%m-%dT%H:%MZ")
    closed = case.closed.strftime("%Y-%m-%dT%H:%MZ")
    row = sent.reporter.get("/reports/cases").json()["cases"][0]
    assert (row["status"], row["closed"], row["expires"]) == ("closed", closed, expires)
    opened = sent.reporter.get(sent.public).json()
    assert (opened["closed"], opened["expires"]) == (closed, expires)
    assert post_json(member, f"{sent.ws}/status", {"status": "received"}).status_code == 200
    assert sent.reporter.get(sent.public).json()["expires"] is None
