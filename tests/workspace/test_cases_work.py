"""Working on a case in the workspace over HTTP (reports.md §7, §11.3): opening it, closing and
re-opening, assignment, messages, notes, grants to members who joined later, exclusions, and the
admins' counts."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chorus.core.audit import audit_verify
from chorus.core.models import AuditEntry
from chorus.crypto import passphrase
from chorus.orgs import services as org_services
from chorus.orgs.models import HandlerKey, Membership
from chorus.reports.models import Case, CaseKey, Message, Note
from tests.orgs.helpers import Org, enrol, issue, key_for, org_with_staff
from tests.reports.factories import Sent, member_client, post_json, send
from tests.reports.helpers import b64, case_key_open, entry_open, sealed_case_key
from tests.workspace.helpers import PASSPHRASE, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


@pytest.fixture
def sent(acme: Org) -> Sent:
    return send(acme)


def _late_member(org: Org, username: str = "acme-late", *, with_key: bool = True) -> Any:
    member, token = org_services.member_invite(
        admin=org.admin, username=username, display_name="Late Comer", issue_enrolment=issue
    )
    staff = enrol(token)
    client = Client()
    sign_in(client, staff)
    key = key_for(member)[0] if with_key else None
    return member, key, client


def _status(client: Client, sent: Sent, status: str) -> Any:
    return post_json(client, f"{sent.ws}/status", {"status": status})


def test_opening_a_case_gives_everything_the_browser_needs(sent: Sent) -> None:
    client = member_client(sent.org)
    assert (
        post_json(client, f"{sent.ws}/notes", sent.entry(1, "Call HR.", note=True)).status_code
        == 201
    )
    data = client.get(sent.ws).json()
    assert set(data) == {
        "case", "status", "day", "mode", "assignee", "closed", "expires", "changed", "body",
        "sealed", "suite", "wrapped_private_key", "messages", "notes", "assignable", "excluded",
    }  # fmt: skip
    sk = passphrase.unwrap(
        PASSPHRASE,
        bytes.fromhex(data["wrapped_private_key"]),
        ctx=org_services.HANDLER_KEY_CTX,
    )
    case_key, case_ref = case_key_open(
        slug=sent.slug, sk=sk, sealed=base64.b64decode(data["sealed"]), suite=data["suite"]
    )
    assert (case_key, case_ref) == (sent.case_key, sent.case_ref)
    [note] = data["notes"]
    assert note["n"] == 1
    assert note["name"] == "Acme Ltd handler"
    assert (
        entry_open(
            case_key=case_key,
            slug=sent.slug,
            case_ref=case_ref,
            n=1,
            box=base64.b64decode(note["box"]),
            note=True,
        )
        == "Call HR."
    )
    org = sent.org
    assert sorted(m["id"] for m in data["assignable"]) == sorted([org.admin.pk, org.handler.pk])
    assert data["excluded"] == []
    assert AuditEntry.objects.filter(action="reports.note_added").count() == 1


def test_closing_sets_the_expiry_and_reopening_clears_it(sent: Sent, settings: Any) -> None:
    client = member_client(sent.org, "admin")
    before = timezone.now()
    closed = _status(client, sent, "closed")
    assert closed.status_code == 200
    case = sent.case
    assert case.closed is not None
    assert case.expires is not None
    assert case.closed >= before
    assert case.expires - case.closed == timedelta(days=90)
    assert closed.json()["expires"] == case.expires.strftime("%Y-%m-%dT%H:%MZ")
    # Closing again keeps the first date.
    first_closed = case.closed
    assert _status(client, sent, "closed").status_code == 200
    assert sent.case.closed == first_closed
    reopened = _status(client, sent, "in_review")
    assert reopened.status_code == 200
    assert reopened.json()["closed"] is None
    assert sent.case.closed is None
    assert sent.case.expires is None
    assert AuditEntry.objects.filter(action="reports.case_status_closed").count() == 2
    assert AuditEntry.objects.filter(action="reports.case_status_in_review").count() == 1


def test_the_retention_period_is_configurable(sent: Sent, settings: Any) -> None:
    settings.CONFIG = type(settings.CONFIG)(
        **{**_config_fields(settings.CONFIG), "case_retention_days": 30}
    )
    assert _status(member_client(sent.org), sent, "closed").status_code == 200
    case = sent.case
    assert case.expires is not None
    assert case.closed is not None
    assert case.expires - case.closed == timedelta(days=30)


def _config_fields(config: Any) -> dict[str, Any]:
    return {name: getattr(config, name) for name in type(config).__dataclass_fields__}


def test_held_is_not_a_status_a_member_can_set(sent: Sent) -> None:
    response = _status(member_client(sent.org), sent, "held")
    assert response.status_code == 400
    assert sent.case.status == "received"


def test_assignment_only_to_current_members_who_can_open_the_case(acme: Org) -> None:
    sent = send(acme, exclude_handler=True)
    late, _key, _late_client = _late_member(acme)
    admin = member_client(acme, "admin")
    data = admin.get(sent.ws).json()
    assert data["assignable"] == [{"id": acme.admin.pk, "name": acme.admin.display_name}]
    assert data["excluded"] == ["Acme Ltd handler"]
    for member_id in (acme.handler.pk, late.pk, 999999):
        response = post_json(admin, f"{sent.ws}/assign", {"member": member_id})
        assert response.status_code == 400, member_id
        assert "can only be assigned" in response.json()["message"]
    assert sent.case.assignee is None
    ok = post_json(admin, f"{sent.ws}/assign", {"member": acme.admin.pk})
    assert ok.status_code == 200
    assert ok.json()["assignee"] == {"id": acme.admin.pk, "name": acme.admin.display_name}
    assert sent.case.assignee == acme.admin
    listed = admin.get(f"/workspace/orgs/{sent.slug}/cases").json()["cases"][0]
    assert listed["assignee"] == {"id": acme.admin.pk, "name": acme.admin.display_name}
    assert listed["exclusions"] is True
    cleared = post_json(admin, f"{sent.ws}/assign", {"member": None})
    assert cleared.status_code == 200
    assert sent.case.assignee is None
    assert AuditEntry.objects.filter(action="reports.case_assigned").count() == 2


def test_a_removed_member_cannot_be_assigned(sent: Sent) -> None:
    acme = sent.org
    org_services.member_remove(
        admin=acme.admin, member_id=acme.handler.pk, deactivate=lambda _u: None
    )
    response = post_json(
        member_client(acme, "admin"), f"{sent.ws}/assign", {"member": acme.handler.pk}
    )
    assert response.status_code == 400
    assert sent.case.assignee is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{", "not valid JSON"),
        (b'{"member": "1"}', '"member" must be'),
        (b'{"member": true}', '"member" must be'),
        (b'{"member": 0}', '"member" must be'),
        (b'{"member": 1, "x": 2}', 'with "member"'),
        (b"{}", 'with "member"'),
    ],
)
def test_a_bad_assignment_is_a_clear_400(sent: Sent, body: bytes, expected: str) -> None:
    response = post_json(member_client(sent.org), f"{sent.ws}/assign", body)
    assert response.status_code == 400
    assert expected in response.json()["message"]
    assert not AuditEntry.objects.filter(action="reports.case_assigned").exists()


def test_an_excluded_member_never_sees_the_case(acme: Org) -> None:
    sent = send(acme, exclude_handler=True)
    handler = member_client(acme)
    assert handler.get(f"/workspace/orgs/{sent.slug}/cases").json() == {"cases": []}
    not_found = handler.get(sent.ws)
    assert not_found.status_code == 404
    missing = handler.get(f"/workspace/orgs/{sent.slug}/cases/" + "0" * 32)
    assert not_found.content == missing.content
    for suffix, body in [
        ("status", {"status": "closed"}),
        ("assign", {"member": None}),
        ("messages", sent.entry(1)),
        ("notes", sent.entry(1, note=True)),
        ("grants", {"key": sent.keys["handler"].pk, "sealed": b64(b"\x01" * 99)}),
    ]:
        response = post_json(handler, f"{sent.ws}/{suffix}", body)
        assert response.content == missing.content, suffix
    # Even a key the handler makes later cannot be granted the case.
    admin = member_client(acme, "admin")
    sealed = sealed_case_key(
        pk=bytes(sent.keys["handler"].public_key),
        suite=1,
        slug=sent.slug,
        case_ref=sent.case_ref,
        case_key=sent.case_key,
    )
    refused = post_json(
        admin, f"{sent.ws}/grants", {"key": sent.keys["handler"].pk, "sealed": b64(sealed)}
    )
    assert refused.status_code == 400
    assert not CaseKey.objects.filter(key=sent.keys["handler"]).exists()
    assert not Message.objects.exists()
    assert not Note.objects.exists()


def test_a_grant_lets_a_later_member_open_the_case(sent: Sent) -> None:
    late, key, late_client = _late_member(sent.org)
    assert late_client.get(sent.ws).status_code == 404
    sealed = sealed_case_key(
        pk=bytes(key.public_key),
        suite=1,
        slug=sent.slug,
        case_ref=sent.case_ref,
        case_key=sent.case_key,
    )
    body = {"key": key.pk, "sealed": b64(sealed)}
    granted = post_json(member_client(sent.org), f"{sent.ws}/grants", body)
    assert granted.status_code == 201, granted.content
    assert granted.json() == {"key": key.pk}
    case_key = CaseKey.objects.get(key=key)
    assert case_key.granted_by == sent.org.handler
    data = late_client.get(sent.ws).json()
    assert base64.b64decode(data["sealed"]) == sealed
    assert AuditEntry.objects.filter(action="reports.case_granted").count() == 1
    again = post_json(member_client(sent.org), f"{sent.ws}/grants", body)
    assert again.status_code == 409
    assert {m["id"] for m in data["assignable"]} == {
        sent.org.admin.pk,
        sent.org.handler.pk,
        late.pk,
    }
    assert audit_verify() is None


def test_grants_only_to_active_keys_of_current_members_of_the_same_organisation(
    sent: Sent,
) -> None:
    globex = org_with_staff("Globex", prefix="globex")
    foreign, _sk = key_for(globex.handler)
    late, key, _c = _late_member(sent.org)
    HandlerKey.objects.filter(pk=key.pk).update(retired=timezone.now())
    gone, gone_key, _c2 = _late_member(sent.org, "acme-gone")
    Membership.objects.filter(pk=gone.pk).update(removed=timezone.now())
    handler = member_client(sent.org)
    for target in (foreign, key, gone_key):
        sealed = sealed_case_key(
            pk=bytes(target.public_key),
            suite=1,
            slug=sent.slug,
            case_ref=sent.case_ref,
            case_key=sent.case_key,
        )
        response = post_json(
            handler, f"{sent.ws}/grants", {"key": target.pk, "sealed": b64(sealed)}
        )
        assert response.status_code == 400, target
        assert "may receive this case" in response.json()["message"]
    assert CaseKey.objects.count() == 2
    assert not AuditEntry.objects.filter(action="reports.case_granted").exists()
    del late


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"[]", 'with "key" and "sealed"'),
        (b'{"key": 1}', 'with "key" and "sealed"'),
        (b'{"key": "1", "sealed": "AAAA"}', '"key" must be'),
        (b'{"key": 1, "sealed": "!"}', '"sealed" must be standard base64'),
    ],
)
def test_a_bad_grant_is_a_clear_400(sent: Sent, body: bytes, expected: str) -> None:
    response = post_json(member_client(sent.org), f"{sent.ws}/grants", body)
    assert response.status_code == 400
    assert expected in response.json()["message"]
    assert CaseKey.objects.count() == 2


def test_a_grant_with_a_malformed_envelope_is_refused(sent: Sent) -> None:
    _late, key, _c = _late_member(sent.org)
    sealed = sealed_case_key(
        pk=bytes(key.public_key),
        suite=1,
        slug=sent.slug,
        case_ref=sent.case_ref,
        case_key=sent.case_key,
    )
    handler = member_client(sent.org)
    for bad, expected in [
        (sealed[:-1], "wrong length"),
        (b"\x09" + sealed[1:], "unknown version"),
        (sealed[:1] + b"\x02" + sealed[2:], "suite"),
    ]:
        response = post_json(handler, f"{sent.ws}/grants", {"key": key.pk, "sealed": b64(bad)})
        assert response.status_code == 400
        assert expected in response.json()["message"]
    assert not CaseKey.objects.filter(key=key).exists()


def test_member_messages_and_notes_are_numbered_and_audited_without_content(sent: Sent) -> None:
    handler = member_client(sent.org)
    admin = member_client(sent.org, "admin")
    assert post_json(handler, f"{sent.ws}/messages", sent.entry(1)).status_code == 201
    assert post_json(admin, f"{sent.ws}/messages", sent.entry(1)).status_code == 409
    assert post_json(admin, f"{sent.ws}/messages", sent.entry(2)).status_code == 201
    assert post_json(admin, f"{sent.ws}/notes", sent.entry(1, note=True)).status_code == 201
    assert post_json(handler, f"{sent.ws}/notes", sent.entry(1, note=True)).status_code == 409
    assert post_json(handler, f"{sent.ws}/notes", sent.entry(3, note=True)).status_code == 409
    assert [(m.number, m.author_membership) for m in Message.objects.all()] == [
        (1, sent.org.handler),
        (2, sent.org.admin),
    ]
    assert Note.objects.count() == 1
    entries = AuditEntry.objects.filter(action__in=["reports.message_added", "reports.note_added"])
    assert sorted(e.actor_id or 0 for e in entries) == sorted(
        [sent.org.handler.user_id, sent.org.admin.user_id, sent.org.admin.user_id]
    )
    # Notes never reach the reporter.
    assert "notes" not in sent.reporter.get(sent.public).json()


@pytest.mark.parametrize("suffix", ["messages", "notes"])
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"nope", "not valid JSON"),
        (b'{"n": 1}', 'with "n" and "box"'),
        (b'{"n": -1, "box": "AAAA"}', '"n" must be'),
        (b'{"n": 1, "box": "AAAA"}', "wrong length"),
    ],
)
def test_a_bad_message_or_note_is_a_clear_400(
    sent: Sent, suffix: str, body: bytes, expected: str
) -> None:
    response = post_json(member_client(sent.org), f"{sent.ws}/{suffix}", body)
    assert response.status_code == 400
    assert expected in response.json()["message"]
    assert not Message.objects.exists()
    assert not Note.objects.exists()


def test_counts_hide_cells_under_five_and_are_for_admins_only(acme: Org) -> None:
    for _ in range(5):
        send(acme, mode="named")
    send(acme)
    held = send(acme)
    Case.objects.filter(pk=held.case.pk).update(status="held")
    admin = member_client(acme, "admin")
    response = admin.get(f"/workspace/orgs/{acme.organisation.slug}/counts")
    assert response.status_code == 200
    few = "fewer than 5"
    assert response.json() == {
        "by_status": {"received": 6, "in_review": few, "action_taken": few, "closed": few},
        "by_mode": {"named": 5, "anonymous": few, "together": few},
    }
    handler = member_client(acme)
    denied = handler.get(f"/workspace/orgs/{acme.organisation.slug}/counts")
    assert denied.status_code == 404
    assert denied.content == handler.get("/workspace/orgs/nope/counts").content
    assert json.loads(denied.content)["error"] == "not_found"


def test_oversized_boxes_and_grants_are_413_and_nothing_stored(sent: Sent) -> None:
    handler = member_client(sent.org)
    big_box = b64(b"\x01" * (11 * 1024 + 3))
    for suffix in ("messages", "notes"):
        response = post_json(handler, f"{sent.ws}/{suffix}", {"n": 1, "box": big_box})
        assert response.status_code == 413, suffix
        assert response.json()["code"] == "too_large"
    _late, key, _c = _late_member(sent.org)
    grant = {"key": key.pk, "sealed": b64(b"\x01" * 8193)}
    response = post_json(handler, f"{sent.ws}/grants", grant)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Message.objects.exists()
    assert not Note.objects.exists()
    assert not CaseKey.objects.filter(key=key).exists()


def test_removing_a_member_unassigns_their_cases_and_forgets_their_address(sent: Sent) -> None:
    acme = sent.org
    Membership.objects.filter(pk=acme.handler.pk).update(email="handler@acme.example")
    admin = member_client(acme, "admin")
    assigned = post_json(admin, f"{sent.ws}/assign", {"member": acme.handler.pk})
    assert assigned.status_code == 200
    removed = admin.post(
        f"/workspace/orgs/{acme.organisation.slug}/members/{acme.handler.pk}/remove"
    )
    assert removed.status_code == 302
    sent.case.refresh_from_db()
    assert sent.case.assignee is None
    assert Membership.objects.get(pk=acme.handler.pk).email == ""
    assert AuditEntry.objects.filter(action="reports.case_assigned").count() == 2
    assert audit_verify() is None
