"""An advocate enrols, makes a key and opens a match, in real Chromium."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.test import override_settings
from playwright.sync_api import Browser, expect

from chorus.core.audit import audit_verify
from chorus.core.models import AuditEntry
from chorus.escrow.models import AdvocateKey, Entry
from chorus.staff import services
from tests.browser.conftest import Watched, axe_violations, dump, screenshot
from tests.workspace.helpers import PASSPHRASE, PASSWORD, plant_match

pytestmark = pytest.mark.django_db(transaction=True)

CONTACTS = ["Signal +44 7700 900123, evenings", "jo.survivor@example.org"]


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_an_advocate_enrols_makes_a_key_and_opens_a_match(
    watched: Watched, live_server: Any, browser: Browser
) -> None:
    page = watched.page
    _user, token = services.staff_enrolment_issue(username="alice")

    # Enrolment: password, then the authenticator (the code computed here, as a phone would).
    page.goto(f"{live_server.url}/workspace/enrol/{token}")
    expect(page.get_by_role("heading", name="Welcome, alice")).to_be_visible()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.locator("svg.qr")).to_be_visible()
    screenshot(page, "workspace-enrol-totp")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Six-digit code the app shows now").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()

    # The key pair is made here, in the browser; only the wrapped private key leaves it.
    expect(page.get_by_role("heading", name="Your key")).to_be_visible()
    page.get_by_label("Passphrase (at least 12 characters)").fill(PASSPHRASE)
    page.get_by_label("The same passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Make my key").click()
    expect(page.get_by_role("heading", name="Matches")).to_be_visible(timeout=60000)
    expect(page.get_by_text("No matches yet.")).to_be_visible()
    key = AdvocateKey.objects.get(advocate__username="alice")
    assert key.suite == 1
    assert len(bytes(key.public_key)) == 32

    # Two survivors name the same person; their envelopes are sealed to the key just made.
    match = plant_match([key], CONTACTS)
    page.reload()
    page.get_by_role("link", name=f"Match {match.pk}").click()
    expect(page.get_by_role("heading", name=f"Match {match.pk}")).to_be_visible()
    expect(page.locator(".contact").first).to_have_text("(locked)")
    page.get_by_label("Your key's passphrase").fill("not the passphrase at all")
    page.get_by_role("button", name="Open this match").click()
    expect(page.locator("#open-status")).to_contain_text(
        "That passphrase does not unlock your key", timeout=60000
    )
    page.get_by_label("Your key's passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open this match").click()
    for contact in CONTACTS:
        expect(page.get_by_text(contact)).to_be_visible(timeout=60000)
    screenshot(page, "workspace-match-opened")

    # Outreach is recorded with a plain form.
    first = Entry.objects.filter(match=match).order_by("pk").first()
    assert first is not None
    page.locator(f"#entry-{first.pk}").get_by_label("Contacted").check()
    page.locator(f"#entry-{first.pk}").get_by_role("button", name="Record outreach").click()
    expect(page.locator(f"#entry-{first.pk} .outreach-state")).to_have_text("Contacted")
    # Recorded in the background: the opened contact details are still on the page.
    for contact in CONTACTS:
        expect(page.get_by_text(contact)).to_be_visible()
    first.refresh_from_db()
    assert first.outreach == "contacted"
    page.reload()
    expect(page.locator(f"#entry-{first.pk} .outreach-state")).to_have_text("Contacted")

    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    for action in ("staff.enrolled", "escrow.advocate_key_created", "escrow.match_opened"):
        assert action in actions
    assert actions[-1] == "escrow.outreach_contacted"
    assert audit_verify() is None
    assert watched.errors == [], dump(watched.errors)
    assert watched.outside == [], dump(watched.outside)


def test_the_sign_in_page_is_accessible(browser: Browser, live_server: Any) -> None:
    violations = axe_violations(browser, f"{live_server.url}/workspace/signin")
    assert violations == [], dump(violations)
