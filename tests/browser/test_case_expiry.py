"""A case expiring and being erased, in real Chromium: the handler closes it on the case page; 90
days later (the retention period, moved forward here by setting the expiry the closing computed
into the past) `chorus cases-expire` erases it with its keys, messages and notes. The survivor's
list no longer shows it and its page is not found; the handler's inbox is empty; only audit
entries (ids and action names) remain, and the chain still verifies."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from playwright.sync_api import Browser, expect

from chorus.accounts.models import Account
from chorus.cli.main import main
from chorus.core.audit import audit_verify
from chorus.core.models import AuditEntry
from chorus.public.session import SESSION_CODENAME, SESSION_KEY, session_codename_tag
from chorus.reports.models import Case, CaseKey, Message, Note
from tests.browser.conftest import Watched, dump, screenshot
from tests.browser.test_escrow import Survivor
from tests.browser.test_reports import open_case, staff_sign_in
from tests.orgs.helpers import key_for, org_with_staff
from tests.reports.helpers import report_request

pytestmark = pytest.mark.django_db(transaction=True)


def _survivor_client(account: Account) -> Client:
    """The survivor's session, for sending the report without the page."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = account.pk
    session[SESSION_CODENAME] = session_codename_tag(account)
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key  # type: ignore[assignment]
    return client


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_a_closed_case_expires_and_is_erased(
    browser: Browser, live_server: Any, watched: Watched, capsys: Any
) -> None:
    org = org_with_staff("Acme Ltd", prefix="acme")
    keys = [key_for(m)[0] for m in (org.admin, org.handler)]
    survivor = Survivor(browser, live_server)
    try:
        data, case_key, case_ref = report_request(
            slug="acme-ltd",
            keys=[(k.pk, k.suite, bytes(k.public_key)) for k in keys],
            sid=survivor.sid,
            text="He kept messaging me at night.",
        )
        # Sent as the report page sends it (tests/browser/test_reports.py drives that page).
        sent = _survivor_client(survivor.account).post(
            "/reports", json.dumps(data), content_type="application/json"
        )
        assert sent.status_code == 201, sent.content
        ref = case_ref.hex()

        # The handler reads it, writes a note and a reply, and closes it.
        staff = watched.page
        staff_sign_in(staff, live_server.url, org.handler_staff)
        staff.goto(f"{live_server.url}/workspace/orgs/acme-ltd/inbox/{ref}")
        open_case(staff)
        expect(staff.locator("[data-answer='what']")).to_have_text("He kept messaging me at night.")
        staff.get_by_label("Write to the reporter").fill("We have dealt with this; closing.")
        staff.get_by_role("button", name="Send message").click()
        expect(staff.locator("[data-message='1']")).to_contain_text("closing")
        staff.get_by_label("Add a note").fill("Warning issued.")
        staff.get_by_role("button", name="Add note").click()
        expect(staff.locator("[data-note='1']")).to_contain_text("Warning issued.")
        staff.get_by_label("Status").select_option("closed")
        staff.get_by_role("button", name="Change status").click()
        expect(staff.locator("[data-case-status]")).to_contain_text("Closed")
        screenshot(staff, "case-closed")
        case = Case.objects.get()
        assert case.closed is not None
        assert case.expires is not None
        assert case.expires - case.closed == timedelta(days=90)
        erased_on = f"{case.expires.day} {case.expires:%B %Y}"
        expect(staff.locator("[data-case-status]")).to_contain_text(
            f"It will be erased on {erased_on} unless re-opened"
        )

        # Before the period ends, the job keeps it; the survivor still sees it.
        assert main(["cases-expire"]) == 0
        assert "Erased 0 closed case(s)" in capsys.readouterr().out
        survivor.page.goto(f"{live_server.url}/cases/{ref}")
        expect(survivor.page.locator("[data-chorus-case][data-ready='1']")).to_have_count(
            1, timeout=60_000
        )
        expect(survivor.page.locator("[data-message='1']")).to_contain_text("closing")

        # 90 days on: the job erases it, with everything under it.
        Case.objects.filter(pk=case.pk).update(expires=timezone.now() - timedelta(minutes=1))
        assert main(["cases-expire"]) == 0
        assert "Erased 1 closed case(s)" in capsys.readouterr().out
        assert not Case.objects.exists()
        assert not CaseKey.objects.exists()
        assert not Message.objects.exists()
        assert not Note.objects.exists()

        survivor.page.goto(f"{live_server.url}/cases")
        expect(survivor.page.locator("[data-chorus-cases][data-ready='1']")).to_have_count(1)
        expect(survivor.page.locator(f"tr[data-case='{ref}']")).to_have_count(0)
        screenshot(survivor.page, "case-expired-survivor-list")
        gone = survivor.page.goto(f"{live_server.url}/cases/{ref}")
        assert gone is not None
        assert gone.status == 404

        staff.goto(f"{live_server.url}/workspace/orgs/acme-ltd/")
        expect(staff.locator("[data-chorus-inbox][data-ready='1']")).to_have_count(1)
        expect(staff.locator("tr[data-case]")).to_have_count(0)
        gone = staff.goto(f"{live_server.url}/workspace/orgs/acme-ltd/inbox/{ref}")
        assert gone is not None
        assert gone.status == 404

        # What remains: audit entries naming actions and ids, nothing of the case's content.
        actions = list(AuditEntry.objects.values_list("action", flat=True))
        assert "reports.case_erased" in actions
        assert "reports.case_status_closed" in actions
        assert audit_verify() is None
        assert case_key.hex() not in json.dumps(list(AuditEntry.objects.values()), default=str)
        errors = [e for e in watched.errors if "404" not in e]
        assert errors == [], dump(errors)
        assert watched.outside == [], dump(watched.outside)
    finally:
        survivor.context.close()
