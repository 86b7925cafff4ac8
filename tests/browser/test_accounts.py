"""Codename accounts in real Chromium: create, sign out, sign in, recover."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from chorus.accounts import codename as cn
from chorus.accounts.models import Account
from tests.browser.conftest import Watched, axe_violations, dump, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
SID = "() => window.sessionStorage.getItem('chorus.sid')"


def _practise(page: Page, codename: str, button: str) -> None:
    page.get_by_role("button", name="I have written it down").click()
    field = page.get_by_label("Type your seven words")
    field.fill(codename.split(" ", 1)[1])  # one word short
    page.get_by_role("button", name=button).click()
    expect(page.get_by_text("That is not your codename yet")).to_be_visible()
    # Typed back in capitals with hyphens: the same codename once normalised.
    field.fill(codename.upper().replace(" ", "-"))
    page.get_by_role("button", name=button).click()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Me too")).to_be_visible()
    assert page.evaluate(SID) is None


def test_create_sign_out_sign_in_and_recover(watched: Watched, live_server: Any) -> None:
    page = watched.page
    page.goto(live_server.url + "/account/new")
    shown = page.locator("[data-codename]")
    expect(shown).to_have_text(re.compile(r"^[a-z-]+( [a-z-]+){6}$"))
    codename = shown.inner_text()
    assert all(word in cn.wordlist() for word in codename.split(" "))
    page.get_by_role("button", name="Hide codename").click()
    expect(shown).not_to_contain_text(codename.split(" ")[0])
    page.get_by_role("button", name="Show codename").click()
    expect(shown).to_have_text(codename)
    screenshot(page, "account-codename")

    _practise(page, codename, "Check")
    expect(page.get_by_role("heading", name="Your recovery code")).to_be_visible()
    recovery = page.locator("[data-recovery]").inner_text()
    assert re.fullmatch(r"([0-9A-Z]{4} ){6}[0-9A-Z]{2}", recovery)
    screenshot(page, "account-recovery-code")
    page.get_by_role("button", name="Make my account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible(timeout=30000)

    # The browser's keys are the Python twin's: same lookup, and the stored box opens to the
    # sid the browser kept for the escrow pages.
    sid = bytes.fromhex(page.evaluate(SID))
    account = Account.objects.get()
    keys = cn.codename_keys(codename)
    assert bytes(account.lookup) == hashlib.sha256(keys.auth).digest()
    assert cn.sid_unwrap(wrap=keys.wrap, wrapped=bytes(account.sid_wrapped)) == sid
    rescue = cn.recovery_keys(recovery)
    assert bytes(account.recovery_lookup) == hashlib.sha256(rescue.auth).digest()
    _sign_out(page)

    page.goto(live_server.url + "/account/signin")
    page.get_by_label("Your codename (seven words)").fill("not my codename at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That codename did not match an account.")).to_be_visible()
    page.get_by_label("Your codename (seven words)").fill(codename)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert bytes.fromhex(page.evaluate(SID)) == sid
    _sign_out(page)

    page.goto(live_server.url + "/account/recover")
    page.get_by_label("Your recovery code").fill(recovery.lower())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your new codename")).to_be_visible()
    new_codename = page.locator("[data-codename]").inner_text()
    assert new_codename != codename
    _practise(page, new_codename, "Check and save")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert bytes.fromhex(page.evaluate(SID)) == sid
    _sign_out(page)

    page.goto(live_server.url + "/account/signin")
    page.get_by_label("Your codename (seven words)").fill(codename)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That codename did not match an account.")).to_be_visible()
    assert Account.objects.count() == 1
    assert watched.outside == [], dump(watched.outside)
    # The two wrong sign-ins are answered 403, which Chromium logs as failed resources.
    assert [e for e in watched.errors if "403" not in e] == [], dump(watched.errors)


def test_leaving_the_site_forgets_the_survivor_id(watched: Watched, live_server: Any) -> None:
    page = watched.page
    page.goto(live_server.url + "/account/signin")
    page.evaluate("() => window.sessionStorage.setItem('chorus.sid', 'ab'.repeat(32))")
    page.route(re.compile(r"^https://"), lambda route: route.fulfill(body="elsewhere"))
    page.get_by_role("link", name="Leave this site").click()
    page.wait_for_url(re.compile(r"^https://"))
    page.goto(live_server.url + "/account/signin")
    assert page.evaluate(SID) is None


def test_account_pages_without_javascript_say_why(browser: Browser, live_server: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/account/new")
    # Playwright turns scripts off without changing the parser's flag, so Chromium does not
    # render <noscript> here; a browser with JavaScript off does. Check it is there and that
    # the steps that need JavaScript stay hidden.
    assert "This page needs JavaScript" in page.locator("noscript").inner_html()
    expect(page.locator("[data-codename]")).to_be_hidden()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    context.close()


@pytest.mark.parametrize("path", ["/account/new", "/account/signin", "/account/recover"])
def test_account_pages_pass_axe(browser: Browser, live_server: Any, path: str) -> None:
    assert axe_violations(browser, live_server.url + path) == []
