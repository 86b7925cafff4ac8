"""An advocate enrols, makes a key and opens a match, in real Chromium."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.test import override_settings
from playwright.sync_api import Browser, Page, expect

from chorus.core.audit import audit_verify
from chorus.core.models import AuditEntry
from chorus.escrow import services as escrow_services
from chorus.escrow.models import AdvocateKey, Entry, Match
from chorus.staff import services
from tests.browser.conftest import AXE, Watched, axe_violations, dump, screenshot
from tests.browser.test_escrow import Survivor, name_by_phone
from tests.workspace.helpers import PASSPHRASE, PASSWORD, plant_match

pytestmark = pytest.mark.django_db(transaction=True)

CONTACTS = ["Signal +44 7700 900123, evenings", "jo.survivor@example.org"]


def enrol_and_make_key(page: Page, url: str) -> AdvocateKey:
    """Enrol "alice" through the pages (the TOTP code computed here, as her phone would) and
    make her key in the browser; returns the stored key."""
    _user, token = services.staff_enrolment_issue(username="alice")
    page.goto(f"{url}/workspace/enrol/{token}")
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
    expect(page.get_by_role("heading", name="Matches")).to_be_visible(timeout=120000)
    key = AdvocateKey.objects.get(advocate__username="alice")
    assert key.suite == 1
    assert len(bytes(key.public_key)) == 32
    return key


def open_match(page: Page, match_id: int) -> None:
    page.goto(f"{page.url.split('/workspace/')[0]}/workspace/")
    page.get_by_role("link", name=f"Match {match_id}").click()
    expect(page.get_by_role("heading", name=f"Match {match_id}")).to_be_visible()
    page.get_by_label("Your key's passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open this match").click()
    expect(page.locator("#open-status")).to_contain_text("Opened", timeout=120000)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_an_advocate_enrols_makes_a_key_and_opens_a_match(
    watched: Watched, live_server: Any, browser: Browser
) -> None:
    page = watched.page
    key = enrol_and_make_key(page, live_server.url)
    expect(page.get_by_text("No matches yet.")).to_be_visible()

    # Two survivors name the same person; their envelopes are sealed to the key just made.
    match = plant_match([key], CONTACTS)
    page.reload()
    page.get_by_role("link", name=f"Match {match.pk}").click()
    expect(page.get_by_role("heading", name=f"Match {match.pk}")).to_be_visible()
    expect(page.locator(".contact").first).to_have_text("(locked)")
    page.get_by_label("Your key's passphrase").fill("not the passphrase at all")
    page.get_by_role("button", name="Open this match").click()
    expect(page.locator("#open-status")).to_contain_text(
        "That passphrase does not unlock your key", timeout=120000
    )
    page.get_by_label("Your key's passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open this match").click()
    for contact in CONTACTS:
        expect(page.get_by_text(contact)).to_be_visible(timeout=120000)
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


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_a_bogus_envelope_does_not_stop_the_others_opening(
    watched: Watched, live_server: Any
) -> None:
    """Robust decryption (escrow.md §7): the first entry's share is from another identifier,
    so the first t-subsets fail; the browser goes on until one opens, and marks the bogus one."""
    key = enrol_and_make_key(watched.page, live_server.url)
    match = plant_match([key], ["bogus@example.org", *CONTACTS], bogus_first=True)
    open_match(watched.page, match.pk)
    for contact in CONTACTS:
        expect(watched.page.get_by_text(contact)).to_be_visible()
    expect(watched.page.get_by_text("bogus@example.org")).to_have_count(0)
    expect(watched.page.locator(".contact").first).to_contain_text("could not be opened")
    assert watched.errors == [], dump(watched.errors)


def test_a_first_share_claiming_another_threshold_cannot_stop_a_match_opening(
    watched: Watched, live_server: Any
) -> None:
    """A malicious survivor's share claims t = 3 where the match was made under t = 2. The
    browser used to take t from the first share and then failed the whole match; it now holds
    to the threshold the server states and marks only that entry unreadable."""
    key = enrol_and_make_key(watched.page, live_server.url)
    match = plant_match([key], ["liar@example.org", *CONTACTS], first_t=3)
    open_match(watched.page, match.pk)
    for contact in CONTACTS:
        expect(watched.page.get_by_text(contact)).to_be_visible()
    expect(watched.page.get_by_text("liar@example.org")).to_have_count(0)
    expect(watched.page.locator(".contact").first).to_contain_text("could not be opened")
    assert watched.errors == [], dump(watched.errors)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_two_survivors_name_one_person_and_the_advocate_reads_both_contacts(
    watched: Watched, live_server: Any, browser: Browser
) -> None:
    """The whole escrow, end to end: the advocate's key made in her browser, two survivors
    naming one phone number written two ways in theirs, the matching job, the match opened."""
    enrol_and_make_key(watched.page, live_server.url)
    survivors = [Survivor(browser, live_server), Survivor(browser, live_server)]
    try:
        name_by_phone(survivors[0], phone="020 7946 0958", region="GB", contact=CONTACTS[0])
        name_by_phone(survivors[1], phone="+44 (0)20 7946-0958", region="", contact=CONTACTS[1])
        assert survivors[0].errors == survivors[1].errors == []
    finally:
        for survivor in survivors:
            survivor.context.close()
    escrow_services.matching_run()
    match = Match.objects.get()
    open_match(watched.page, match.pk)
    for contact in CONTACTS:
        expect(watched.page.get_by_text(contact)).to_be_visible()
    screenshot(watched.page, "workspace-end-to-end")
    assert watched.errors == [], dump(watched.errors)
    assert watched.outside == [], dump(watched.outside)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_the_signed_in_pages_are_accessible(browser: Browser, live_server: Any) -> None:
    # CSP is bypassed only in this audit context, to inject axe-core.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        key = enrol_and_make_key(page, live_server.url)
        match = plant_match([key], CONTACTS)
        found = {}
        for path in ("", "key", f"matches/{match.pk}"):
            if path.startswith("matches/"):
                open_match(page, match.pk)  # the page with the contacts shown
            else:
                page.goto(f"{live_server.url}/workspace/{path}")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => await axe.run(document)")
            found[path] = [
                (v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
        assert found == {p: [] for p in found}, dump(found)
    finally:
        context.close()
