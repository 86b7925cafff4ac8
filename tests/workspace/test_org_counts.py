"""The organisation's home page: case counts for its admins, by status and by how reports were
sent, each cell shown only at 5 or more (reports.md §9), which handlers do not see; and each
member's own address for "something changed" mail."""

from __future__ import annotations

import json
import re
import secrets

import pytest
from django.test import Client
from django.utils import timezone

from chorus.accounts.models import Account
from chorus.core.models import AuditEntry
from chorus.orgs.models import Membership
from chorus.reports.models import Case
from tests.orgs.helpers import Org, org_with_staff
from tests.workspace.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> Org:
    return org_with_staff("Acme", prefix="acme")


def _cases(org: Org, n: int, **fields: str) -> None:
    account = Account.objects.create(
        lookup=secrets.token_bytes(32),
        recovery_lookup=secrets.token_bytes(32),
        sid_wrapped=b"\x03" * 60,
        sid_wrapped_recovery=b"\x04" * 60,
        created_day=timezone.now().date(),
    )
    for _ in range(n):
        Case.objects.create(
            organisation=org.organisation,
            case_ref=secrets.token_bytes(16),
            created_day=timezone.now().date(),
            body=b"\x01" * 40,
            reporter_account=account,
            **fields,
        )


def _cell(html: str, label: str) -> str:
    found = re.search(rf'<th scope="row">{label}</th><td[^>]*>([^<]*)</td>', html)
    assert found is not None, label
    return found.group(1)


def _home(staff: object) -> str:
    client = Client()
    sign_in(client, staff)  # type: ignore[arg-type]
    return client.get("/workspace/orgs/acme/").content.decode()


def test_the_admin_sees_counts_of_five_or_more_only(acme: Org) -> None:
    _cases(acme, 5, status="received", mode="anonymous")
    _cases(acme, 2, status="closed", mode="named")
    _cases(acme, 3, status="held", mode="together")  # held: invisible, not counted
    html = _home(acme.admin_staff)
    assert "Cases in numbers" in html
    assert _cell(html, "Received") == "5"
    assert _cell(html, "Closed") == "fewer than 5"
    assert _cell(html, "In review") == "fewer than 5"
    assert _cell(html, "Anonymous") == "5"
    assert _cell(html, "Named") == "fewer than 5"
    assert _cell(html, "Together") == "fewer than 5"
    assert "Held until" not in html


def test_handlers_do_not_see_the_counts(acme: Org) -> None:
    _cases(acme, 6, status="received")
    html = _home(acme.handler_staff)
    assert "Cases in numbers" not in html
    assert "data-case-counts" not in html


def test_another_organisations_cases_are_not_counted(acme: Org) -> None:
    globex = org_with_staff("Globex", prefix="globex")
    _cases(globex, 7, status="received")
    assert _cell(_home(acme.admin_staff), "Received") == "fewer than 5"


def test_a_member_sets_and_clears_their_own_notification_address(acme: Org) -> None:
    client = Client()
    sign_in(client, acme.handler_staff)
    saved = client.post("/workspace/orgs/acme/email", {"email": " hana@acme.example "})
    assert saved.status_code == 302
    assert saved["Location"] == "/workspace/orgs/acme/?email=saved"
    assert Membership.objects.get(pk=acme.handler.pk).email == "hana@acme.example"
    page = client.get(saved["Location"]).content.decode()
    assert 'id="email-saved"' in page
    assert 'value="hana@acme.example"' in page
    entry = AuditEntry.objects.get(action="orgs.member_email_set")
    assert entry.actor_id == acme.handler.user_id
    assert "acme.example" not in json.dumps(list(AuditEntry.objects.values()), default=str)
    cleared = client.post("/workspace/orgs/acme/email", {"email": ""})
    assert cleared["Location"] == "/workspace/orgs/acme/?email=cleared"
    assert Membership.objects.get(pk=acme.handler.pk).email == ""
    # Only their own: the admin's address is untouched.
    assert Membership.objects.get(pk=acme.admin.pk).email == ""


def test_a_bad_address_is_a_clear_error_and_changes_nothing(acme: Org) -> None:
    Membership.objects.filter(pk=acme.handler.pk).update(email="old@acme.example")
    client = Client()
    sign_in(client, acme.handler_staff)
    page = client.post("/workspace/orgs/acme/email", {"email": "not an address"})
    assert page.status_code == 400
    assert "That is not an email address." in page.content.decode()
    assert 'value="not an address"' in page.content.decode()
    assert Membership.objects.get(pk=acme.handler.pk).email == "old@acme.example"
