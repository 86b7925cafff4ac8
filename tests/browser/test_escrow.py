"""Naming a person in real Chromium: the browser derives the index and seals the entry; the server
stores the index and envelopes only."""

from __future__ import annotations

import base64
import io
import json
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect

from chorus.accounts.models import Account
from chorus.crypto import box, escrow, seal
from chorus.crypto.suites import PURPOSE_ESCROW_SHARE
from chorus.escrow import services
from chorus.escrow.models import Entry, Envelope, Match
from chorus.public.session import SESSION_CODENAME, SESSION_KEY, session_codename_tag
from tests.browser.conftest import AXE, dump, screenshot
from tests.escrow.factories import (
    CTX,
    Advocate,
    account_make,
    advocate_make,
    derivation_for,
    identifier_input,
)

pytestmark = pytest.mark.django_db(transaction=True)


class Survivor:
    """A browser context signed in as one survivor, with their sid in sessionStorage, as the
    account pages leave it after sign-in."""

    def __init__(self, browser: Browser, live_server: Any, *, bypass_csp: bool = False) -> None:
        self.account: Account = account_make()
        self.sid = secrets.token_bytes(32)
        session = SessionStore()
        session[SESSION_KEY] = self.account.pk
        session[SESSION_CODENAME] = session_codename_tag(self.account)
        session.create()
        self.context: BrowserContext = browser.new_context(bypass_csp=bypass_csp)
        host = urlparse(live_server.url).hostname
        self.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session.session_key or "",
                    "domain": host or "localhost",
                    "path": "/",
                }
            ]
        )
        self.context.add_init_script(
            f"window.sessionStorage.setItem('chorus.sid', '{self.sid.hex()}');"
        )
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "request",
            lambda r: None if r.url.startswith(live_server.url) else self.outside.append(r.url),
        )
        self.url = live_server.url


@pytest.fixture
def advocates() -> list[Advocate]:
    return [advocate_make(), advocate_make(suite=2)]


@pytest.fixture
def survivors(browser: Browser, live_server: Any) -> Iterator[list[Survivor]]:
    made: list[Survivor] = []
    yield made
    for survivor in made:
        survivor.context.close()


def name_by_phone(survivor: Survivor, *, phone: str, region: str, contact: str) -> None:
    page = survivor.page
    page.goto(survivor.url + "/escrow/new")
    expect(page.get_by_role("heading", name="Name the person who harassed you")).to_be_visible()
    page.get_by_label("Their phone number").fill(phone)
    if region:
        page.get_by_label("Your country (for numbers without a + country code)").select_option(
            region
        )
    page.get_by_label("How may an advocate reach you").fill(contact)
    page.get_by_role("button", name="Lock and send").click()
    expect(page.get_by_role("heading", name="The people you named")).to_be_visible(timeout=30000)


def test_a_survivor_names_a_person_by_phone_and_only_index_and_envelopes_are_stored(
    browser: Browser, live_server: Any, advocates: list[Advocate], survivors: list[Survivor]
) -> None:
    survivor = Survivor(browser, live_server)
    survivors.append(survivor)
    contact = "Signal +44 7700 900123, evenings"
    name_by_phone(survivor, phone="020 7946 0958", region="GB", contact=contact)
    expect(
        survivor.page.get_by_text("Waiting: nobody else has named this person yet")
    ).to_be_visible()
    screenshot(survivor.page, "escrow-list")

    entry = Entry.objects.get()
    derivation = derivation_for(identifier_input("+442079460958"))
    assert bytes(entry.index) == derivation.index  # the browser derived what Python derives
    assert entry.account == survivor.account
    assert Envelope.objects.filter(entry=entry).count() == len(advocates)
    for advocate in advocates:
        sealed = bytes(Envelope.objects.get(entry=entry, key=advocate.key).sealed)
        assert contact.encode() not in sealed
        plaintext = seal.unseal(
            advocate.sk, sealed, purpose=PURPOSE_ESCROW_SHARE, ctx=CTX, suite=advocate.key.suite
        )
        opened = escrow.parse_share_plaintext(plaintext)
        assert opened.share == escrow.share(derivation, sid=survivor.sid)
        assert opened.threshold == settings.CONFIG.escrow_threshold
        entry_plain = box.box_open(
            derivation.entry_key,
            opened.entry,
            purpose=PURPOSE_ESCROW_SHARE,
            ctx=CTX,
            index=derivation.index,
        )
        assert json.loads(entry_plain) == {"v": 1, "contact": contact}
    assert survivor.errors == [], dump(survivor.errors)
    assert survivor.outside == [], dump(survivor.outside)


def test_two_survivors_writing_the_number_differently_match(
    browser: Browser, live_server: Any, advocates: list[Advocate], survivors: list[Survivor]
) -> None:
    first, second = Survivor(browser, live_server), Survivor(browser, live_server)
    survivors.extend([first, second])
    name_by_phone(first, phone="020 7946 0958", region="GB", contact="email me: a@example.org")
    name_by_phone(second, phone="+44 (0)20 7946-0958", region="", contact="call 0900")
    assert Entry.objects.count() == 2
    services.matching_run()
    assert Match.objects.get().entries.count() == 2
    first.page.goto(first.url + "/escrow")
    expect(first.page.get_by_text("Matched: an advocate will reach you")).to_be_visible()
    screenshot(first.page, "escrow-matched")
    assert_nothing_readable(["2079460958", "a@example.org", "call 0900", "email me"])


def assert_nothing_readable(secrets_typed: list[str]) -> None:
    """No identifier or contact in the database, as text, hex or base64 (binary fields are
    dumped as base64)."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump_text = out.getvalue()
    assert "escrow.entry" in dump_text
    for text in secrets_typed:
        raw = text.encode()
        for form in (text, raw.hex(), base64.b64encode(raw).decode()[:-4]):
            assert form not in dump_text, form


def test_an_unreadable_identifier_gets_a_message_beside_it_and_nothing_is_sent(
    browser: Browser, live_server: Any, advocates: list[Advocate], survivors: list[Survivor]
) -> None:
    survivor = Survivor(browser, live_server)
    survivors.append(survivor)
    page = survivor.page
    page.goto(survivor.url + "/escrow/new")
    page.get_by_label("Their email address").fill("jane at example.org")
    page.get_by_role("button", name="Lock and send").click()
    expect(page.get_by_text("An email address needs an @ sign")).to_be_visible()
    expect(page.get_by_text("Say how an advocate may reach you")).to_be_visible()
    screenshot(page, "escrow-new-errors")
    assert Entry.objects.count() == 0
    assert survivor.errors == [], dump(survivor.errors)


def test_without_the_sid_the_page_sends_the_survivor_to_sign_in(
    browser: Browser, live_server: Any, advocates: list[Advocate]
) -> None:
    context = browser.new_context()
    session = SessionStore()
    account = account_make()
    session[SESSION_KEY] = account.pk
    session[SESSION_CODENAME] = session_codename_tag(account)
    session.create()
    host = urlparse(live_server.url).hostname or "localhost"
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key or "",
                "domain": host,
                "path": "/",
            }
        ]
    )
    page = context.new_page()
    page.goto(live_server.url + "/escrow/new")
    page.wait_for_url("**/account/signin")
    context.close()


def test_the_escrow_pages_have_no_serious_accessibility_problems(
    browser: Browser, live_server: Any, advocates: list[Advocate], survivors: list[Survivor]
) -> None:
    survivor = Survivor(browser, live_server, bypass_csp=True)
    survivors.append(survivor)
    page = survivor.page
    for path in ("/escrow/new", "/escrow"):
        page.goto(survivor.url + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [
            {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], dump(serious)
    screenshot(page, "escrow-home")


def test_a_survivor_withdraws_an_entry_from_the_list(
    browser: Browser, live_server: Any, advocates: list[Advocate], survivors: list[Survivor]
) -> None:
    survivor = Survivor(browser, live_server)
    survivors.append(survivor)
    name_by_phone(survivor, phone="+1 202 555 0123", region="", contact="text me")
    assert Entry.objects.count() == 1
    page = survivor.page
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text("The entry was withdrawn and deleted.")).to_be_visible()
    expect(page.get_by_text("You have not named anyone yet.")).to_be_visible()
    assert Entry.objects.count() == 0
    assert Envelope.objects.count() == 0
    assert survivor.errors == [], dump(survivor.errors)


def test_a_single_survivor_produces_no_match(
    browser: Browser, live_server: Any, advocates: list[Advocate], survivors: list[Survivor]
) -> None:
    survivor = Survivor(browser, live_server)
    survivors.append(survivor)
    name_by_phone(survivor, phone="+61 2 9374 4000", region="", contact="email only")
    result = services.matching_run()
    assert (result.matches_found, result.entries_matched) == (0, 0)
    assert Match.objects.count() == 0
    survivor.page.goto(survivor.url + "/escrow")
    expect(
        survivor.page.get_by_text("Waiting: nobody else has named this person yet")
    ).to_be_visible()
    assert survivor.errors == [], dump(survivor.errors)


def test_a_withdrawn_entry_never_matches(
    browser: Browser, live_server: Any, advocates: list[Advocate], survivors: list[Survivor]
) -> None:
    first, second = Survivor(browser, live_server), Survivor(browser, live_server)
    survivors.extend([first, second])
    name_by_phone(first, phone="+1 202 555 0187", region="", contact="first contact")
    first.page.get_by_role("button", name="Withdraw").click()
    expect(first.page.get_by_text("The entry was withdrawn and deleted.")).to_be_visible()
    name_by_phone(second, phone="(202) 555-0187", region="US", contact="second contact")
    services.matching_run()
    assert Match.objects.count() == 0
    assert Entry.objects.get().account == second.account
    second.page.goto(second.url + "/escrow")
    expect(
        second.page.get_by_text("Waiting: nobody else has named this person yet")
    ).to_be_visible()


def test_the_same_survivor_naming_the_same_person_twice_never_matches_themselves(
    browser: Browser, live_server: Any, advocates: list[Advocate], survivors: list[Survivor]
) -> None:
    survivor = Survivor(browser, live_server)
    survivors.append(survivor)
    name_by_phone(survivor, phone="020 7946 0991", region="GB", contact="once")
    page = survivor.page
    page.goto(survivor.url + "/escrow/new")
    page.get_by_label("Their phone number").fill("+44 20 7946 0991")  # the same number
    page.get_by_label("How may an advocate reach you").fill("twice")
    page.get_by_role("button", name="Lock and send").click()
    expect(page.get_by_text("You have already named this person")).to_be_visible(timeout=30000)
    assert Entry.objects.count() == 1
    services.matching_run()
    assert Match.objects.count() == 0
