"""A supporter alongside, in real Chromium (reports.md §8): the survivor invites with a link whose
secret stays in the fragment, a second person accepts with their own codename, reads the
conversation and writes; the survivor stops their writing and removes them, at once."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import pytest
from cryptography.hazmat.primitives.hashes import SHA512
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright._impl._api_structures import SetCookieParam
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect

from chorus.accounts.models import Account
from chorus.crypto.box import box_open, box_seal
from chorus.crypto.suites import (
    CASE_CTX_PREFIX,
    PURPOSE_CASE_KEY,
    PURPOSE_CASE_MESSAGE,
    PURPOSE_REPORT,
    REPORT_SALT,
    SUPPORT_SALT,
)
from chorus.orgs.models import Organisation
from chorus.public.session import SESSION_CODENAME, SESSION_KEY, session_codename_tag
from chorus.reports.models import Case, Message, Supporter
from chorus.reports.support import INVITE_LIFETIME
from tests.browser.conftest import AXE, dump, screenshot
from tests.escrow.factories import account_make
from tests.reports.test_support import accept_token, invite_id_for

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "acme"
CTX = CASE_CTX_PREFIX + SLUG.encode()
REPORT_TEXT = "He kept messaging me at night after I said no."
MEMBER_TEXT = "We have received your report and will look at it this week."
READY = 60_000


def _hkdf(salt: bytes, ikm: bytes) -> bytes:
    return HKDF(algorithm=SHA512(), length=32, salt=salt, info=b"").derive(ikm)


@dataclass
class Person:
    """A browser context for one codename account, with their sid in sessionStorage as the
    account pages leave it; every request the context makes is recorded."""

    account: Account
    sid: bytes
    context: BrowserContext
    page: Page
    requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def _session_cookie(account: Account, host: str) -> SetCookieParam:
    session = SessionStore()
    session[SESSION_KEY] = account.pk
    session[SESSION_CODENAME] = session_codename_tag(account)
    session.create()
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": session.session_key or "",
        "domain": host,
        "path": "/",
    }


def person(
    browser: Browser, live_server: Any, *, signed_in: bool = True, bypass_csp: bool = False
) -> Person:
    account = account_make()
    sid = secrets.token_bytes(32)
    context = browser.new_context(bypass_csp=bypass_csp)
    if signed_in:
        host = urlparse(live_server.url).hostname or "localhost"
        context.add_cookies([_session_cookie(account, host)])
        context.add_init_script(f"window.sessionStorage.setItem('chorus.sid', '{sid.hex()}');")
    page = context.new_page()
    made = Person(account, sid, context, page)

    # A bound method of a list cannot carry Playwright's wrapper attribute: a named function can.
    def record(request: Request) -> None:
        made.requests.append(request)

    context.on("request", record)
    page.on("console", lambda m: made.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: made.errors.append(str(e)))
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else made.outside.append(r.url),
    )
    return made


@pytest.fixture
def people(browser: Browser, live_server: Any) -> Iterator[list[Person]]:
    made: list[Person] = []
    yield made
    for one in made:
        one.context.close()


@dataclass
class Sent:
    case: Case
    case_key: bytes

    @property
    def ref(self) -> str:
        return bytes(self.case.case_ref).hex()


def sent_case(reporter: Person) -> Sent:
    """A report as the report page leaves it (body and the reporter's copy of the case key),
    with one answer from the organisation in the conversation."""
    organisation = Organisation.objects.create(slug=SLUG, name="Acme Ltd")
    case_key, case_ref = secrets.token_bytes(32), secrets.token_bytes(16)
    body = json.dumps({"v": 1, "mode": "anonymous", "answers": {"what": REPORT_TEXT}}).encode()
    now = timezone.now()
    case = Case.objects.create(
        organisation=organisation,
        case_ref=case_ref,
        created_day=now.date(),
        body=box_seal(case_key, body, purpose=PURPOSE_REPORT, ctx=CTX, index=case_ref),
        reporter_box=box_seal(
            _hkdf(REPORT_SALT, reporter.sid),
            case_key,
            purpose=PURPOSE_CASE_KEY,
            ctx=CTX,
            index=case_ref,
        ),
        reporter_account=reporter.account,
        changed=now,
    )
    Message.objects.create(
        case=case,
        number=1,
        author=Message.Author.MEMBER,
        created=now,
        box=box_seal(
            case_key,
            json.dumps({"v": 1, "text": MEMBER_TEXT}).encode(),
            purpose=PURPOSE_CASE_MESSAGE,
            ctx=CTX,
            index=case_ref + (1).to_bytes(4, "big"),
        ),
    )
    return Sent(case, case_key)


def python_invite(sent: Sent, base_url: str) -> str:
    """An invitation made as the reporter's panel makes it; returns the whole link."""
    secret = secrets.token_bytes(32)
    invite_id = invite_id_for(secret)
    Supporter.objects.create(
        case=sent.case,
        invite_hash=hashlib.sha256(invite_id).digest(),
        invite_expires=timezone.now() + INVITE_LIFETIME,
        box=box_seal(
            _hkdf(SUPPORT_SALT, secret),
            sent.case_key,
            purpose=PURPOSE_CASE_KEY,
            ctx=CTX,
            index=bytes(sent.case.case_ref),
        ),
    )
    fragment = base64.urlsafe_b64encode(secret).decode().rstrip("=")
    return f"{base_url}/support/{invite_id.hex()}#{fragment}"


def wait_ready(page: Page, selector: str) -> None:
    expect(page.locator(f"{selector}[data-ready='1']")).to_have_count(1, timeout=READY)


def secret_forms(fragment: str) -> list[str]:
    """The link's secret as it could leak: base64url, standard base64 and hex."""
    raw = base64.urlsafe_b64decode(fragment + "=")
    return [fragment, base64.b64encode(raw).decode().rstrip("="), raw.hex()]


def assert_never_sent(people: list[Person], fragment: str) -> None:
    for one in people:
        for request in one.requests:
            sent_data = request.post_data or ""
            for form in secret_forms(fragment):
                assert form not in request.url, request.url
                assert form not in sent_data, request.url
                assert form not in json.dumps(request.headers), request.url


def test_a_supporter_accepts_reads_writes_is_stopped_and_removed(
    browser: Browser, live_server: Any, people: list[Person]
) -> None:
    reporter = person(browser, live_server)
    supporter = person(browser, live_server)
    people.extend([reporter, supporter])
    sent = sent_case(reporter)

    # The survivor makes an invitation link on their case page.
    page = reporter.page
    page.goto(f"{live_server.url}/cases/{sent.ref}")
    wait_ready(page, "[data-chorus-case]")
    wait_ready(page, "[data-chorus-support-panel]")
    expect(page.get_by_text("Nobody supports this report yet.")).to_be_visible()
    page.get_by_role("button", name="Make an invitation link").click()
    shown = page.get_by_label("The invitation link")
    expect(shown).to_have_value(
        re.compile(rf"^{re.escape(live_server.url)}/support/[0-9a-f]{{32}}#[A-Za-z0-9_-]{{43}}$")
    )
    link = shown.input_value()
    invite_hex, fragment = link.split("/support/")[1].split("#")
    screenshot(page, "support-invite-link")
    reporter.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    page.get_by_role("button", name="Copy the link").click()
    expect(page.locator("[data-support-status]")).to_contain_text("The link is copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    row = Supporter.objects.get()
    assert row.invite_hash is not None
    assert bytes(row.invite_hash) == hashlib.sha256(bytes.fromhex(invite_hex)).digest()
    secret = base64.urlsafe_b64decode(fragment + "=")
    assert invite_id_for(secret).hex() == invite_hex
    assert row.account is None
    assert row.can_write is True
    opened = box_open(
        _hkdf(SUPPORT_SALT, secret),
        bytes(row.box),
        purpose=PURPOSE_CASE_KEY,
        ctx=CTX,
        index=bytes(sent.case.case_ref),
    )
    assert opened == sent.case_key
    expect(page.locator("[data-supporter-status='invited']")).to_have_count(1)

    # The supporter opens the link in their own browser, signed in with their own codename.
    their = supporter.page
    their.goto(link)
    wait_ready(their, "[data-chorus-support-accept]")
    assert "#" not in their.url
    assert their.evaluate("() => window.location.hash") == ""
    expect(their.locator("[data-support-org]")).to_have_text("Acme Ltd")
    screenshot(their, "support-accept")
    their.get_by_role("button", name="Accept and open the report").click()
    their.wait_for_url(f"**/cases/{sent.ref}")
    wait_ready(their, "[data-chorus-case]")
    expect(their.locator("[data-case-answers]")).to_contain_text(REPORT_TEXT)
    expect(their.locator("[data-message='1']")).to_contain_text(MEMBER_TEXT)
    expect(their.locator("[data-chorus-support-panel]")).to_have_count(0)
    row.refresh_from_db()
    assert row.account == supporter.account
    assert row.invite_hash is None
    stored = box_open(
        _hkdf(REPORT_SALT, supporter.sid),
        bytes(row.box),
        purpose=PURPOSE_CASE_KEY,
        ctx=CTX,
        index=bytes(sent.case.case_ref),
    )
    assert stored == sent.case_key
    # The accept carried the token derived from the secret, never the secret.
    posted = [r for r in supporter.requests if r.url.endswith(f"/support/{invite_hex}/accept")]
    assert len(posted) == 1
    body = json.loads(posted[0].post_data or "{}")
    assert set(body) == {"box", "token"}
    assert base64.b64decode(body["token"]) == accept_token(secret)
    # The tab forgot the link's secret once it was spent.
    assert their.evaluate("() => window.sessionStorage.length") == 1  # only chorus.sid

    # They write in the conversation.
    their.get_by_label("Write a message").fill("I am here with you.")
    their.get_by_role("button", name="Send message").click()
    expect(their.locator("[data-message='2']")).to_contain_text("I am here with you.")
    written = Message.objects.get(number=2)
    assert written.author == "supporter"
    assert written.author_supporter == row
    screenshot(their, "support-supporter-case")
    their.goto(f"{live_server.url}/cases")
    expect(their.locator(f"a[href*='{sent.ref}']")).to_have_count(1)
    their.goto(f"{live_server.url}/cases/{sent.ref}")
    wait_ready(their, "[data-chorus-case]")

    # The survivor sees them, and lets them only read.
    page.reload()
    wait_ready(page, "[data-chorus-support-panel]")
    expect(page.locator("[data-supporter-status='accepted']")).to_have_count(1)
    expect(page.locator("[data-message='2']")).to_contain_text("I am here with you.")
    page.locator("[data-supporter-write]").uncheck()
    expect(page.locator("[data-support-status]")).to_have_text("They can now only read.")
    row.refresh_from_db()
    assert row.can_write is False
    their.reload()
    wait_ready(their, "[data-chorus-case]")
    expect(their.locator("[data-read-only]")).to_be_visible()
    expect(their.locator("[data-reply-form]")).to_be_hidden()

    # The survivor removes them: the supporter's next load is the not-found page.
    page.locator("[data-supporter-remove]").click()
    page.get_by_role("button", name="Cancel").click()  # changed their mind: nothing happens
    row.refresh_from_db()
    assert row.removed is None
    page.locator("[data-supporter-remove]").click()
    page.get_by_role("button", name="Yes, remove them").click()
    expect(page.locator("[data-support-status]")).to_have_text(
        "Removed. They can no longer open this report."
    )
    expect(page.get_by_text("Nobody supports this report yet.")).to_be_visible()
    row.refresh_from_db()
    assert row.removed is not None
    assert bytes(row.box) == b""
    response = their.reload()
    assert response is not None
    assert response.status == 404
    expect(their.get_by_role("heading", name="This cannot be found")).to_be_visible()
    their.goto(f"{live_server.url}/cases")
    expect(their.get_by_role("heading", name="Your reports")).to_be_visible()
    expect(their.locator(f"a[href*='{sent.ref}']")).to_have_count(0)
    expect(their.locator("[data-cases-empty]")).to_be_visible()
    screenshot(their, "support-removed-cases")

    assert_never_sent(people, fragment)
    assert reporter.errors == [], dump(reporter.errors)
    # The removed supporter's reload answered 404: the browser logs that one resource error.
    assert [e for e in supporter.errors if "404" not in e] == [], dump(supporter.errors)
    assert reporter.outside == supporter.outside == []


def test_opening_the_link_signed_out_keeps_the_secret_in_the_tab_until_signed_in(
    browser: Browser, live_server: Any, people: list[Person]
) -> None:
    reporter = person(browser, live_server)
    newcomer = person(browser, live_server, signed_in=False)
    people.extend([reporter, newcomer])
    sent = sent_case(reporter)
    link = python_invite(sent, live_server.url)
    invite_hex, fragment = link.split("/support/")[1].split("#")

    page = newcomer.page
    page.goto(link)
    expect(page.get_by_role("link", name="Sign in with your codename")).to_be_visible()
    expect(page.get_by_role("link", name="Make a codename")).to_be_visible()
    expect(page.locator("[data-support-accept-form]")).to_have_count(0)
    # The script took the fragment out of the address bar straight away.
    expect(page).to_have_url(f"{live_server.url}/support/{invite_hex}")
    screenshot(page, "support-signed-out")

    # They sign in (here: the session their sign-in would make) and come back without the
    # fragment; this tab still holds the secret.
    host = urlparse(live_server.url).hostname or "localhost"
    newcomer.context.add_cookies([_session_cookie(newcomer.account, host)])
    page.evaluate(f"() => window.sessionStorage.setItem('chorus.sid', '{newcomer.sid.hex()}')")
    page.goto(f"{live_server.url}/support/{invite_hex}")
    wait_ready(page, "[data-chorus-support-accept]")
    page.get_by_role("button", name="Accept and open the report").click()
    page.wait_for_url(f"**/cases/{sent.ref}")
    wait_ready(page, "[data-chorus-case]")
    expect(page.locator("[data-case-answers]")).to_contain_text(REPORT_TEXT)
    assert Supporter.objects.get().account == newcomer.account
    assert_never_sent(people, fragment)
    assert newcomer.errors == [], dump(newcomer.errors)


def test_a_link_without_its_secret_or_already_used_says_so(
    browser: Browser, live_server: Any, people: list[Person]
) -> None:
    reporter = person(browser, live_server)
    first = person(browser, live_server)
    second = person(browser, live_server)
    people.extend([reporter, first, second])
    sent = sent_case(reporter)
    link = python_invite(sent, live_server.url)

    # Cut off at the #: the page explains, and nothing is spent.
    first.page.goto(link.split("#")[0])
    expect(first.page.get_by_role("alert")).to_contain_text("This link is not complete")
    # Another secret (a link damaged or mixed up with another) does not open the box. Pasted
    # into the same tab, only the fragment changes: the page starts again with it.
    other = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    first.page.goto(link.split("#")[0] + "#" + other)
    expect(first.page.get_by_role("alert")).to_contain_text("This link does not open the report")
    assert Supporter.objects.get().accepted is None

    first.page.goto(link)
    wait_ready(first.page, "[data-chorus-support-accept]")
    first.page.get_by_role("button", name="Accept and open the report").click()
    first.page.wait_for_url(f"**/cases/{sent.ref}")

    # The same person opening a second invitation to the case they already support.
    first.page.goto(python_invite(sent, live_server.url))
    wait_ready(first.page, "[data-chorus-support-accept]")
    first.page.get_by_role("button", name="Accept and open the report").click()
    expect(first.page.get_by_role("alert")).to_contain_text("You already support this report")
    first.page.get_by_role("link", name="Open the report").click()
    first.page.wait_for_url(f"**/cases/{sent.ref}")

    response = second.page.goto(link)
    assert response is not None
    assert response.status == 404
    heading = second.page.get_by_role("heading", name="This invitation cannot be used")
    expect(heading).to_be_visible()
    screenshot(second.page, "support-invalid")


def _axe(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_support_pages_have_no_serious_accessibility_problems(
    browser: Browser, live_server: Any, people: list[Person]
) -> None:
    reporter = person(browser, live_server, bypass_csp=True)
    supporter = person(browser, live_server, bypass_csp=True)
    stranger = person(browser, live_server, signed_in=False, bypass_csp=True)
    people.extend([reporter, supporter, stranger])
    sent = sent_case(reporter)
    link = python_invite(sent, live_server.url)

    stranger.page.goto(link)
    expect(stranger.page.get_by_role("link", name="Make a codename")).to_be_visible()
    assert _axe(stranger.page) == [], "signed out"

    supporter.page.goto(link)
    wait_ready(supporter.page, "[data-chorus-support-accept]")
    assert _axe(supporter.page) == [], "accept"

    reporter.page.goto(f"{live_server.url}/cases/{sent.ref}")
    wait_ready(reporter.page, "[data-chorus-support-panel]")
    reporter.page.get_by_role("button", name="Make an invitation link").click()
    expect(reporter.page.get_by_label("The invitation link")).to_be_visible()
    violations = _axe(reporter.page)
    assert violations == [], dump(violations)
    reporter.page.set_viewport_size({"width": 360, "height": 740})  # a small phone
    screenshot(reporter.page, "support-panel-phone")
    width = reporter.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width  # nothing wider than the screen

    stranger.page.goto(f"{live_server.url}/support/{'0' * 32}")
    assert _axe(stranger.page) == [], "invalid"
