"""An organisation in real Chromium: the operator registers it (the `chorus org-add` command),
its admin enrols through the pages (TOTP computed here, as a phone would) and makes a key, invites
a handler, who enrols in another browser and makes theirs; axe-core audits the pages."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from django.test import override_settings
from playwright.sync_api import Browser, Page, expect

from chorus.cli.main import main
from chorus.core.audit import audit_verify
from chorus.core.models import AuditEntry
from chorus.orgs.models import HandlerKey
from tests.browser.conftest import AXE, Watched, dump, screenshot
from tests.workspace.helpers import PASSPHRASE, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _axe(page: Page) -> list[Any]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def enrol(page: Page, link: str, username: str, *, audit: list[Any] | None = None) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name=f"Welcome, {username}")).to_be_visible()
    if audit is not None:
        audit.extend(_axe(page))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    if audit is not None:
        audit.extend(_axe(page))
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Six-digit code the app shows now").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()


def make_key(page: Page, *, audit: list[Any] | None = None) -> None:
    expect(page.locator("#no-key")).to_be_visible()
    page.get_by_role("link", name="Make your key").click()
    expect(page.get_by_role("heading", name="Your key")).to_be_visible()
    if audit is not None:
        audit.extend(_axe(page))
    page.get_by_label("Passphrase (at least 12 characters)").fill(PASSPHRASE)
    page.get_by_label("The same passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Make my key").click()
    expect(page.locator("#inbox-empty")).to_have_text("No reports yet.", timeout=120000)
    expect(page.locator("#no-key")).to_have_count(0)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_an_organisation_is_set_up_its_admin_invites_a_handler_who_makes_a_key(
    watched: Watched, live_server: Any, browser: Browser, capsys: Any
) -> None:
    assert main(["org-add", "Acme Ltd", "--admin", "boss", "--site", live_server.url]) == 0
    link = re.search(r"http://\S+/workspace/orgs/enrol/\S+", capsys.readouterr().out)
    assert link is not None

    # The admin's browser: CSP bypassed only here, to inject axe-core.
    context = browser.new_context(bypass_csp=True)
    admin = context.new_page()
    audit: list[Any] = []
    try:
        enrol(admin, link.group(0), "boss", audit=audit)
        expect(admin.get_by_role("heading", name="Acme Ltd")).to_be_visible()
        audit.extend(_axe(admin))
        make_key(admin, audit=audit)

        admin.get_by_label("Username (they sign in with it)").fill("hana")
        admin.get_by_label("Name shown to reporters").fill("Hana, HR")
        admin.get_by_role("button", name="Make an enrolment link").click()
        invite = admin.locator("#invite-link").inner_text().strip()
        audit.extend(_axe(admin))
        screenshot(admin, "orgs-admin-invited")
        assert audit == [], dump(audit)
    finally:
        context.close()

    # The handler's own browser, with the site's CSP in force.
    page = watched.page
    enrol(page, invite, "hana")
    expect(page.get_by_role("heading", name="Acme Ltd")).to_be_visible()
    expect(page.get_by_text("Invite a handler")).to_have_count(0)
    make_key(page)
    screenshot(page, "orgs-handler-home")
    keys = HandlerKey.objects.select_related("membership").order_by("pk")
    assert [k.membership.display_name for k in keys] == ["boss", "Hana, HR"]

    # The public keys a reporter's browser will seal to.
    answer = page.request.get(f"{live_server.url}/orgs/acme-ltd/keys").json()
    assert [k["display_name"] for k in answer["keys"]] == ["boss", "Hana, HR"]
    assert watched.errors == [], dump(watched.errors)
    assert watched.outside == [], dump(watched.outside)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"orgs.organisation_added", "orgs.handler_invited", "orgs.member_key_created"} <= actions
    assert audit_verify() is None
