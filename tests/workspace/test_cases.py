"""The organisation's case inbox through HTTP: list, open, status; only members, uniform 404."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from chorus.core.audit import audit_verify
from chorus.core.models import AuditEntry
from chorus.crypto import passphrase
from chorus.orgs import services as org_services
from chorus.reports.models import Case
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import Org, enrol, issue, key_for, org_with_staff
from tests.reports.helpers import report_read, report_request
from tests.workspace.helpers import PASSPHRASE, advocate_enrolled, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def acme() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


@pytest.fixture
def globex() -> Org:
    return org_with_staff("Globex", prefix="globex")


def send(org: Org, text: str = "He followed me home.") -> tuple[str, dict[str, bytes]]:
    """A report sent over HTTP to both members; returns its reference and their secret keys."""
    admin_key, admin_sk = key_for(org.admin)
    handler_key, handler_sk = key_for(org.handler)
    keys = [(k.pk, k.suite, bytes(k.public_key)) for k in (admin_key, handler_key)]
    data, _ck, case_ref = report_request(slug=org.organisation.slug, keys=keys, text=text)
    response = client_signed_in(account_make()).post(
        "/reports", json.dumps(data), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return case_ref.hex(), {"admin": admin_sk, "handler": handler_sk}


def signed_in(org: Org, who: str = "handler") -> Client:
    client = Client()
    sign_in(client, org.handler_staff if who == "handler" else org.admin_staff)
    return client


def base(org: Org) -> str:
    return f"/workspace/orgs/{org.organisation.slug}/cases"


def test_a_handler_lists_opens_and_reads_a_report(acme: Org) -> None:
    ref, _sks = send(acme, "It happened in the lift.")
    client = signed_in(acme)
    response = client.get(base(acme))
    assert response.status_code == 200
    day = Case.objects.get().created_day.isoformat()
    changed = Case.objects.get().changed
    assert changed is not None
    assert response.json() == {
        "cases": [
            {
                "case": ref,
                "status": "received",
                "day": day,
                "mode": "anonymous",
                "assignee": None,
                "closed": None,
                "expires": None,
                "changed": changed.strftime("%Y-%m-%dT%H:%MZ"),
                "exclusions": False,
                "messages": 0,
            }
        ]
    }
    assert AuditEntry.objects.filter(action="reports.cases_listed").count() == 1
    data = client.get(f"{base(acme)}/{ref}").json()
    assert data["case"] == ref
    sk = passphrase.unwrap(
        PASSPHRASE, bytes.fromhex(data["wrapped_private_key"]), ctx=org_services.HANDLER_KEY_CTX
    )
    report = report_read(
        slug="acme-ltd",
        sk=sk,
        sealed=base64.b64decode(data["sealed"]),
        body=base64.b64decode(data["body"]),
        suite=data["suite"],
    )
    assert report["answers"]["what"] == "It happened in the lift."
    assert AuditEntry.objects.filter(action="reports.case_opened").count() == 1


def test_status_changes_are_stored_and_audited(acme: Org) -> None:
    ref, _sks = send(acme)
    client = signed_in(acme, "admin")
    for status in ["in_review", "action_taken", "closed", "received"]:
        response = client.post(
            f"{base(acme)}/{ref}/status", json.dumps({"status": status}), "application/json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
        assert Case.objects.get().status == status
        assert AuditEntry.objects.filter(action=f"reports.case_status_{status}").count() == 1
    assert audit_verify() is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"nope", "not valid JSON"),
        (b"[]", 'with "status"'),
        (b'{"status": "in_review", "x": 1}', 'with "status"'),
        (b'{"status": "lost"}', '"status" must be one of'),
        (b'{"status": 3}', '"status" must be one of'),
    ],
)
def test_a_bad_status_is_a_clear_400_and_nothing_changes(
    acme: Org, body: bytes, expected: str
) -> None:
    ref, _sks = send(acme)
    response = signed_in(acme).post(f"{base(acme)}/{ref}/status", body, "application/json")
    assert response.status_code == 400
    assert expected in response.json()["message"]
    assert Case.objects.get().status == "received"
    assert not AuditEntry.objects.filter(action__startswith="reports.case_status").exists()


def test_other_organisations_and_strangers_get_the_same_404(acme: Org, globex: Org) -> None:
    ref, _sks = send(acme)
    other = signed_in(globex)
    urls = [base(acme), f"{base(acme)}/{ref}"]
    bodies = set()
    for url in [*urls, "/workspace/orgs/nope/cases", f"/workspace/orgs/nope/cases/{ref}"]:
        response = other.get(url)
        assert response.status_code == 404
        bodies.add(response.content)
    response = other.post(f"{base(acme)}/{ref}/status", b'{"status": "closed"}', "application/json")
    assert response.status_code == 404
    bodies.add(response.content)
    assert len(bodies) == 1
    # Globex's own inbox does not show Acme's case, and its reference is not found there.
    assert other.get(base(globex)).json() == {"cases": []}
    missing = other.get(f"{base(globex)}/{ref}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert other.get(f"{base(globex)}/not-hex").status_code == 404
    response = other.post(f"{base(globex)}/zz/status", b'{"status": "closed"}', "application/json")
    assert response.status_code == 404
    response = other.post(
        f"{base(globex)}/{ref}/status", b'{"status": "closed"}', "application/json"
    )
    assert response.status_code == 404
    assert Case.objects.get().status == "received"
    for client in [Client(), client_signed_in(account_make()), signed_in_advocate()]:
        assert client.get(f"{base(acme)}/{ref}").status_code == 404


def signed_in_advocate() -> Client:
    client = Client()
    sign_in(client, advocate_enrolled("alice"))
    return client


def test_a_member_not_sealed_to_does_not_see_the_case(acme: Org) -> None:
    ref, _sks = send(acme)
    late, token = org_services.member_invite(
        admin=acme.admin, username="acme-late", display_name="Late", issue_enrolment=issue
    )
    staff = enrol(token)
    key_for(late)
    client = Client()
    sign_in(client, staff)
    assert client.get(base(acme)).json() == {"cases": []}
    assert client.get(f"{base(acme)}/{ref}").status_code == 404


def test_a_removed_member_loses_the_inbox(acme: Org) -> None:
    ref, _sks = send(acme)
    client = signed_in(acme)
    assert client.get(f"{base(acme)}/{ref}").status_code == 200
    get_user_model().objects.filter(pk=acme.handler.user_id).update(is_active=False)
    assert client.get(f"{base(acme)}/{ref}").status_code == 404
