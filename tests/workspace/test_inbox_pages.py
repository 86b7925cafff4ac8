"""The organisation's case pages (reports.md §11.3 "Pages"): the inbox on the home page and the
case page; only a member the case was sealed to sees it, everyone else the same 404 page.

Reading happens in the member's browser (tests/browser/test_reports.py); these tests check who
gets which page and what the page tells the browser.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

import pytest
from django.test import Client

from chorus.orgs import services as org_services
from chorus.reports.models import Case
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import Org, enrol, issue, key_for, org_with_staff
from tests.reports.helpers import report_request
from tests.workspace.helpers import advocate_enrolled, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def acme() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


def send(org: Org, *, exclude_admin: bool = False) -> str:
    """A report sealed to the handler (and to the admin unless excluded); its reference."""
    admin_key, _ = key_for(org.admin)
    handler_key, _ = key_for(org.handler)
    recipients = [handler_key] if exclude_admin else [admin_key, handler_key]
    data, _ck, case_ref = report_request(
        slug=org.organisation.slug,
        keys=[(k.pk, k.suite, bytes(k.public_key)) for k in recipients],
        excluded=[admin_key.pk] if exclude_admin else [],
    )
    response = client_signed_in(account_make()).post(
        "/reports", json.dumps(data), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return case_ref.hex()


def signed_in(org: Org, who: str = "handler") -> Client:
    client = Client()
    sign_in(client, org.handler_staff if who == "handler" else org.admin_staff)
    return client


def page(org: Org, ref: str) -> str:
    return f"/workspace/orgs/{org.organisation.slug}/inbox/{ref}"


def setup_of(response: Any) -> Any:
    found = re.search(
        r'<script id="case-setup" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    assert found is not None
    return json.loads(found.group(1))


def test_the_home_page_holds_the_inbox(acme: Org) -> None:
    response = signed_in(acme).get(f"/workspace/orgs/{acme.organisation.slug}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-url="/workspace/orgs/acme-ltd/cases"' in text
    assert 'data-case-base="/workspace/orgs/acme-ltd/inbox/"' in text
    assert 'id="inbox-empty"' in text
    assert "/static/chorus/cases.js" in text


def test_a_member_the_case_was_sealed_to_gets_its_page(acme: Org) -> None:
    ref = send(acme)
    response = signed_in(acme).get(page(acme, ref))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "<noscript>" in text
    assert 'type="password"' in text
    assert 'name="passphrase"' not in text  # never sent by a native form submission
    setup = setup_of(response)
    base = f"/workspace/orgs/acme-ltd/cases/{ref}"
    assert setup["case"] == ref
    assert setup["slug"] == "acme-ltd"
    assert setup["me"] == acme.handler.pk
    assert setup["data_url"] == base
    assert setup["messages_url"] == f"{base}/messages"
    assert setup["notes_url"] == f"{base}/notes"
    assert setup["status_url"] == f"{base}/status"
    assert setup["assign_url"] == f"{base}/assign"
    assert setup["key_ctx"] == org_services.HANDLER_KEY_CTX.hex()
    assert "held" not in [s for s, _label in setup["statuses"]]
    # The page's own links work for the browser: the JSON it names answers this member.
    assert signed_in(acme).get(base).status_code == 200


def test_everyone_else_gets_the_same_404_page(acme: Org) -> None:
    ref = send(acme, exclude_admin=True)
    globex = org_with_staff("Globex", prefix="globex")
    late, token = org_services.member_invite(
        admin=acme.admin, username="acme-late", display_name="Late", issue_enrolment=issue
    )
    late_client = Client()
    sign_in(late_client, enrol(token))
    key_for(late)
    excluded = signed_in(acme, "admin")
    other = signed_in(globex)
    bodies = set()
    for client, url in [
        (excluded, page(acme, ref)),  # excluded by the reporter
        (late_client, page(acme, ref)),  # joined later, never granted
        (excluded, page(acme, secrets.token_bytes(16).hex())),  # no such case
        (excluded, page(acme, "not-a-reference")),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        bodies.add(re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content))
    assert len(bodies) == 1
    assert other.get(page(acme, ref)).status_code == 404  # another organisation's member
    assert other.get(page(globex, ref)).status_code == 404
    assert Case.objects.get().status == "received"


def test_a_signed_out_visitor_is_sent_to_sign_in(acme: Org) -> None:
    ref = send(acme)
    response = Client().get(page(acme, ref))
    assert response.status_code == 302
    assert response["Location"] == "/workspace/signin"
    survivor = client_signed_in(account_make()).get(page(acme, ref))
    assert survivor.status_code == 302
    advocate = Client()
    sign_in(advocate, advocate_enrolled("alice"))
    assert advocate.get(page(acme, ref)).status_code == 404


def test_the_case_page_refuses_posts(acme: Org) -> None:
    ref = send(acme)
    assert signed_in(acme).post(page(acme, ref)).status_code == 405
