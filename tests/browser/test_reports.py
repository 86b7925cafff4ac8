"""A report in real Chromium, end to end: a survivor writes a record, prints it (the time stamp's
fingerprint shows on paper), sends it anonymously to an organisation with one member excluded;
the handler signs in, opens the case with their passphrase, reads the record and replies; the
survivor reads the reply and answers; the excluded member's inbox never shows the case.
axe-core audits every new page; the pages make no outside request and log no error."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect

from chorus.orgs import services as org_services
from chorus.orgs.models import HandlerKey
from chorus.public.session import SESSION_CODENAME, SESSION_KEY, session_codename_tag
from chorus.records.models import RecordVersion
from chorus.reports.models import Case, CaseExclusion, Message, Note
from chorus.staff.models import StaffMember
from tests.browser.conftest import AXE, Watched, dump, screenshot
from tests.browser.test_escrow import Survivor
from tests.escrow.factories import client_signed_in
from tests.orgs.helpers import Org, enrol, issue, key_for, org_with_staff
from tests.reports.helpers import case_key_open, entry_open, report_read, report_request
from tests.workspace.helpers import PASSPHRASE, PASSWORD, fresh_code

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_fast_hashing"),
]

WHAT = "My manager kept touching my shoulders in the stock room and said nobody would believe me."
REPLY = "Thank you for telling us. We have started looking into this; you can answer here."
ANSWER = "Thank you. He is usually there on Thursday evenings."


@pytest.fixture
def _fast_hashing() -> Iterator[None]:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def axe(page: Page) -> list[Any]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def audit_context(browser: Browser, survivor: Survivor) -> BrowserContext:
    """Another signed-in context of the same survivor, with CSP bypassed only to inject axe."""
    session = SessionStore()
    session[SESSION_KEY] = survivor.account.pk
    session[SESSION_CODENAME] = session_codename_tag(survivor.account)
    session.create()
    context = browser.new_context(bypass_csp=True)
    host = urlparse(survivor.url).hostname or "localhost"
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
    context.add_init_script(f"window.sessionStorage.setItem('chorus.sid', '{survivor.sid.hex()}');")
    return context


def staff_sign_in(page: Page, url: str, staff: StaffMember) -> None:
    page.goto(f"{url}/workspace/signin")
    page.get_by_label("Username").fill(staff.user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code").fill(fresh_code(staff))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Acme Ltd")).to_be_visible()


def open_case(page: Page) -> None:
    page.get_by_label("Your passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator("[data-chorus-org-case][data-ready='1']")).to_have_count(1, timeout=120_000)


@pytest.fixture
def survivor(browser: Browser, live_server: Any) -> Iterator[Survivor]:
    made = Survivor(browser, live_server)
    yield made
    made.context.close()


@pytest.fixture
def acme() -> tuple[Org, StaffMember, dict[str, bytes]]:
    """Acme Ltd: an admin, a handler and Eve, each with a key; the secret keys by name."""
    org = org_with_staff("Acme Ltd", prefix="acme")
    eve, token = org_services.member_invite(
        admin=org.admin, username="acme-eve", display_name="Eve, HR", issue_enrolment=issue
    )
    eve_staff = enrol(token)
    sks = {}
    for name, member in [("admin", org.admin), ("handler", org.handler), ("eve", eve)]:
        _key, sks[name] = key_for(member)
    return org, eve_staff, sks


def test_a_record_is_printed_sent_anonymously_read_and_answered(
    survivor: Survivor,
    acme: tuple[Org, StaffMember, dict[str, bytes]],
    browser: Browser,
    watched: Watched,
    live_server: Any,
) -> None:
    org, eve_staff, sks = acme
    page = survivor.page
    audit: dict[str, Any] = {}

    # The survivor writes a record and prints it: the fingerprint is on the paper.
    page.goto(f"{survivor.url}/records/new")
    expect(page.locator("[data-chorus-record-edit][data-ready='1']")).to_have_count(1)
    page.fill("#record-what", WHAT)
    page.fill("#record-where", "Stock room, Leeds branch")
    page.click("[data-record-submit]")
    page.wait_for_url("**/records/*?saved=1", timeout=60_000)
    version = RecordVersion.objects.get()
    expect(page.locator("[data-chorus-record-open][data-ready='1']")).to_have_count(1)
    page.emulate_media(media="print")
    expect(page.locator("[data-stamp-sha256]")).to_be_visible()
    expect(page.locator("[data-stamp-sha256]")).to_have_text(bytes(version.digest).hex())
    expect(page.locator("[data-record-report]")).to_be_hidden()
    screenshot(page, "reports-record-print")
    page.emulate_media(media="screen")

    # Send it: find the organisation, exclude Eve, check the preview, send.
    page.get_by_role("link", name="Send as a report").click()
    root = page.locator("[data-chorus-report-new][data-ready='1']")
    expect(root).to_have_count(1, timeout=60_000)
    page.get_by_role("button", name="Find the organisation").click()
    expect(page.locator("[data-org-error]")).to_contain_text("short name")  # empty: a clear message
    page.get_by_label("The organisation's short name on Chorus").fill("Acme-Ltd")
    page.get_by_role("button", name="Find the organisation").click()
    expect(page.locator("[data-org-name]")).to_have_text("Acme Ltd")
    for name in ("acme-admin", "Acme Ltd handler", "Eve, HR"):
        page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Check what will be sent").click()
    expect(page.locator("[data-exclude-error]")).to_contain_text("ticked everyone")
    for name in ("acme-admin", "Acme Ltd handler"):
        page.get_by_label(name, exact=True).uncheck()
    page.get_by_label("Yes, send it with my name").check()
    page.get_by_role("button", name="Check what will be sent").click()
    expect(page.locator("[data-name-error]")).to_contain_text("Enter your name")
    page.get_by_label("No, send it without my name").check()
    screenshot(page, "reports-new")
    page.get_by_role("button", name="Check what will be sent").click()
    preview = page.locator("[data-report-preview]")
    expect(preview).to_be_visible()
    expect(preview.locator("[data-preview-readers]")).to_have_text("acme-admin, Acme Ltd handler")
    expect(preview.locator("[data-preview-excluded]")).to_have_text("Eve, HR")
    expect(preview.locator("[data-answer='what']")).to_have_text(WHAT)
    expect(preview.locator("[data-preview-stamp]")).to_contain_text(bytes(version.digest).hex())
    screenshot(page, "reports-preview")
    assert Case.objects.count() == 0  # nothing is sent before the survivor says so
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/cases/*?sent=1", timeout=60_000)
    expect(page.locator("[data-chorus-case][data-ready='1']")).to_have_count(1, timeout=60_000)
    expect(page.locator("[data-conversation-empty]")).to_be_visible()
    screenshot(page, "reports-case-sent")

    # Stored: ciphertext only, sealed to the admin and the handler, never to Eve.
    case = Case.objects.get()
    ref = bytes(case.case_ref).hex()
    assert case.mode == "anonymous"
    assert case.reporter_account == survivor.account
    assert WHAT.encode() not in bytes(case.body)
    sealed = {ck.key.membership.display_name: bytes(ck.sealed) for ck in case.keys.all()}
    assert set(sealed) == {"acme-admin", "Acme Ltd handler"}
    assert [e.membership.display_name for e in CaseExclusion.objects.all()] == ["Eve, HR"]
    report = report_read(
        slug="acme-ltd", sk=sks["handler"], sealed=sealed["Acme Ltd handler"], body=bytes(case.body)
    )
    assert report["mode"] == "anonymous"
    assert "name" not in report
    assert report["answers"]["what"] == WHAT
    assert report["record"]["digest"] == bytes(version.digest).hex()

    # Lou joins after the report was sent: a grant from the handler lets them open it.
    lou, token = org_services.member_invite(
        admin=org.admin, username="acme-lou", display_name="Lou, Legal", issue_enrolment=issue
    )
    enrol(token)
    lou_key, lou_sk = key_for(lou)

    # The handler signs in (with the site's CSP in force), opens the case and replies.
    staff = watched.page
    staff_sign_in(staff, live_server.url, org.handler_staff)
    row = staff.locator(f"[data-chorus-inbox] tr[data-case='{ref}']")
    expect(row).to_contain_text("Anonymous")
    expect(row).to_contain_text("Some people were excluded")
    screenshot(staff, "reports-inbox")
    row.get_by_role("link").click()
    expect(staff.get_by_role("heading", name=f"Case {ref[:8]}")).to_be_visible()
    staff.get_by_label("Your passphrase").fill("not the passphrase")
    staff.get_by_role("button", name="Open the case").click()
    expect(staff.locator("[data-case-error]")).to_contain_text(
        "passphrase is not right", timeout=120_000
    )
    open_case(staff)
    expect(staff.locator("[data-answer='what']")).to_have_text(WHAT)
    expect(staff.locator("[data-stamp-digest]")).to_have_text(bytes(version.digest).hex())
    expect(staff.locator("[data-case-excluded]")).to_contain_text("Eve, HR")
    staff.get_by_label("Write to the reporter").fill(REPLY)
    staff.get_by_role("button", name="Send message").click()
    expect(staff.locator("[data-message='1']")).to_contain_text(REPLY)
    staff.get_by_label("Add a note").fill("Check the rota for Thursdays.")
    staff.get_by_role("button", name="Add note").click()
    expect(staff.locator("[data-note='1']")).to_contain_text("Check the rota")
    staff.get_by_label("Status").select_option("in_review")
    staff.get_by_role("button", name="Change status").click()
    expect(staff.locator("[data-case-status]")).to_have_text("In review")
    staff.get_by_label("Assigned to", exact=True).select_option(str(org.handler.pk))
    staff.get_by_role("button", name="Assign").click()
    expect(staff.locator("[data-case-assignee]")).to_have_text("Acme Ltd handler")
    # Only Lou is offered: the admin and the handler hold the case, Eve is excluded.
    expect(staff.locator("[data-grant-key] option")).to_have_text(["Lou, Legal"])
    staff.get_by_role("button", name="Give access").click()
    expect(staff.locator("[data-grant-status]")).to_have_text("Lou, Legal can now open this case.")
    expect(staff.locator("[data-grant-none]")).to_be_visible()
    granted = case.keys.get(key=lou_key)
    assert granted.granted_by == org.handler
    screenshot(staff, "reports-org-case")
    case.refresh_from_db()
    assert case.status == "in_review"
    assert case.assignee == org.handler
    message, note = Message.objects.get(), Note.objects.get()
    assert REPLY.encode() not in bytes(message.box)
    ck, case_ref = case_key_open(
        slug="acme-ltd", sk=sks["handler"], sealed=sealed["Acme Ltd handler"]
    )
    lou_opened = case_key_open(slug="acme-ltd", sk=lou_sk, sealed=bytes(granted.sealed))
    assert lou_opened == (ck, case_ref)

    opened = entry_open(
        case_key=ck, slug="acme-ltd", case_ref=case_ref, n=1, box=bytes(message.box)
    )
    assert opened == REPLY
    opened = entry_open(
        case_key=ck, slug="acme-ltd", case_ref=case_ref, n=1, box=bytes(note.box), note=True
    )
    assert opened == "Check the rota for Thursdays."

    # The survivor reads the reply (never the note) and answers, on a phone-sized screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{survivor.url}/cases")
    expect(page.locator(f"tr[data-case='{ref}']")).to_contain_text("Being looked at")
    screenshot(page, "reports-cases")
    page.goto(f"{survivor.url}/cases/{ref}")
    expect(page.locator("[data-chorus-case][data-ready='1']")).to_have_count(1, timeout=60_000)
    expect(page.locator("[data-message='1']")).to_contain_text(REPLY)
    expect(page.locator("[data-message='1']")).to_contain_text("Acme Ltd handler")
    # Who can open it, Lou included since the grant; whom the survivor excluded.
    readers = page.locator("[data-case-readers]")
    for name in ("Acme Ltd handler", "acme-admin", "Lou, Legal"):
        expect(readers).to_contain_text(name)
    expect(readers).not_to_contain_text("Eve")
    expect(page.locator("[data-case-excluded]")).to_have_text("Eve, HR")
    expect(page.get_by_text("Check the rota")).to_have_count(0)
    page.get_by_label("Write a message").fill(ANSWER)
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("[data-message='2']")).to_contain_text(ANSWER)
    expect(page.locator("[data-message='2']")).to_contain_text("You")
    screenshot(page, "reports-case-phone")

    # The handler's page was open all along: its next message must be number 3, not 2.
    staff.get_by_label("Write to the reporter").fill("We will talk to the Thursday staff.")
    staff.get_by_role("button", name="Send message").click()
    expect(staff.locator("[data-message='3']")).to_contain_text("Thursday staff")
    expect(staff.locator("[data-message='2']")).to_contain_text(ANSWER)
    assert list(Message.objects.order_by("number").values_list("number", "author")) == [
        (1, "member"), (2, "reporter"), (3, "member")
    ]  # fmt: skip

    # Closing says when the case will be erased, to the handler and to the survivor.
    staff.get_by_label("Status").select_option("closed")
    staff.get_by_role("button", name="Change status").click()
    expect(staff.locator("[data-case-status]")).to_contain_text("Closed. It will be erased on")
    case.refresh_from_db()
    assert case.expires is not None
    erased = f"{case.expires.day} {case.expires:%B %Y}"
    expect(staff.locator("[data-case-status]")).to_have_text(
        f"Closed. It will be erased on {erased} unless re-opened."
    )
    page.goto(f"{survivor.url}/cases/{ref}")
    expect(page.locator("[data-case-status]")).to_have_text(
        f"Closed by the organisation. This report and its conversation will be erased on {erased}."
    )
    staff.goto(f"{live_server.url}/workspace/orgs/acme-ltd/")
    expect(staff.locator(f"tr[data-case='{ref}'] [data-status]")).to_contain_text(erased)

    # Eve was excluded: her inbox is empty and the case's page is a 404 for her.
    eve_context = browser.new_context()
    try:
        eve = eve_context.new_page()
        staff_sign_in(eve, live_server.url, eve_staff)
        expect(eve.locator("[data-chorus-inbox][data-ready='1']")).to_have_count(1)
        expect(eve.locator("#inbox-empty")).to_be_visible()
        expect(eve.locator("tr[data-case]")).to_have_count(0)
        response = eve.goto(f"{live_server.url}/workspace/orgs/acme-ltd/inbox/{ref}")
        assert response is not None
        assert response.status == 404
    finally:
        eve_context.close()

    # axe-core on every new page, in contexts where CSP is bypassed only to inject it.
    context = audit_context(browser, survivor)
    try:
        audit_page = context.new_page()
        record = version.record_id
        # An unknown organisation (here, where the browser's own 404 line is not counted).
        audit_page.goto(f"{survivor.url}/reports/new?record={record}&org=no-such-org")
        expect(audit_page.locator("[data-org-error]")).to_contain_text("no organisation")
        audit_page.goto(f"{survivor.url}/reports/new?record={record}&org=acme-ltd")
        expect(audit_page.locator("[data-org-name]")).to_have_text("Acme Ltd", timeout=60_000)
        audit["new"] = axe(audit_page)
        audit_page.get_by_role("button", name="Check what will be sent").click()
        expect(audit_page.locator("[data-report-preview]")).to_be_visible()
        audit["preview"] = axe(audit_page)
        audit_page.goto(f"{survivor.url}/cases")
        audit["cases"] = axe(audit_page)
        audit_page.goto(f"{survivor.url}/cases/{ref}")
        expect(audit_page.locator("[data-chorus-case][data-ready='1']")).to_have_count(1)
        audit_page.locator("summary").first.click()
        audit["case"] = axe(audit_page)
    finally:
        context.close()
    context = browser.new_context(bypass_csp=True)
    try:
        audit_page = context.new_page()
        staff_sign_in(audit_page, live_server.url, org.admin_staff)
        expect(audit_page.locator("[data-chorus-inbox][data-ready='1']")).to_have_count(1)
        audit["inbox"] = axe(audit_page)
        audit_page.goto(f"{live_server.url}/workspace/orgs/acme-ltd/inbox/{ref}")
        audit["org-case-locked"] = axe(audit_page)
        screenshot(audit_page, "reports-org-case-locked")
        open_case(audit_page)
        audit["org-case"] = axe(audit_page)
    finally:
        context.close()
    assert audit == {k: [] for k in audit}, dump(audit)
    assert survivor.errors == [], dump(survivor.errors)
    assert survivor.outside == [], dump(survivor.outside)
    # The one line the handler's browser logs is the refused stale number 2 (then sent as 3).
    conflict = "Failed to load resource: the server responded with a status of 409 (Conflict)"
    assert watched.errors == [conflict], dump(watched.errors)
    assert watched.outside == [], dump(watched.outside)


def test_without_javascript_the_list_works_and_the_case_page_says_it_needs_it(
    no_js_page: Page, survivor: Survivor, acme: tuple[Org, StaffMember, dict[str, bytes]]
) -> None:
    org, _eve, _sks = acme
    keys = HandlerKey.objects.filter(membership__organisation=org.organisation)
    data, _ck, case_ref = report_request(
        slug="acme-ltd", keys=[(k.pk, k.suite, bytes(k.public_key)) for k in keys], sid=survivor.sid
    )
    answer = client_signed_in(survivor.account).post(
        "/reports", json.dumps(data), content_type="application/json"
    )
    assert answer.status_code == 201
    no_js_page.context.add_cookies(survivor.context.cookies())  # type: ignore[arg-type]  # the same survivor, no JavaScript
    no_js_page.goto(f"{survivor.url}/cases")
    no_js_page.get_by_role("link", name="Open the report to Acme Ltd").click()
    assert no_js_page.url.endswith(f"/cases/{case_ref.hex()}")
    assert "This page needs JavaScript" in no_js_page.content()
    expect(no_js_page.locator("[data-case-loading]")).to_be_hidden()  # no endless "Opening…"


def test_a_named_report_carries_the_name_and_the_picture(
    survivor: Survivor, acme: tuple[Org, StaffMember, dict[str, bytes]]
) -> None:
    _org, _eve, sks = acme
    page = survivor.page
    page.goto(f"{survivor.url}/records/new")
    expect(page.locator("[data-chorus-record-edit][data-ready='1']")).to_have_count(1)
    png = base64.b64decode(
        page.evaluate(
            """() => { const c = document.createElement('canvas'); c.width = 8; c.height = 8;
            const g = c.getContext('2d'); g.fillStyle = '#d4351c'; g.fillRect(0, 0, 8, 8);
            return c.toDataURL('image/png').split(',')[1]; }"""
        )
    )
    page.fill("#record-what", "He sent me messages at night.")
    page.set_input_files(
        "[data-record-files]",
        files=[FilePayload(name="screenshot.png", mimeType="image/png", buffer=png)],
    )
    expect(page.locator("[data-attachment]")).to_have_count(1, timeout=30_000)
    page.click("[data-record-submit]")
    page.wait_for_url("**/records/*?saved=1", timeout=60_000)
    record = RecordVersion.objects.get().record_id

    page.goto(f"{survivor.url}/reports/new?record={record}&org=acme-ltd")
    expect(page.locator("[data-org-name]")).to_have_text("Acme Ltd", timeout=60_000)
    page.get_by_label("Only if someone else reports the same person").check()
    together = page.get_by_role("link", name="Go to “Report together”")
    expect(together).to_have_attribute(
        "href", f"/reports/together/new?record={record}&org=acme-ltd"
    )
    expect(page.get_by_role("button", name="Check what will be sent")).to_be_hidden()
    page.get_by_label("Yes, send it with my name").check()
    expect(together).to_be_hidden()
    page.get_by_label("Your name, as the organisation knows you").fill("Kim Lee")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "reports-new-phone")
    page.get_by_role("button", name="Check what will be sent").click()
    expect(page.locator("[data-preview-name]")).to_have_text("Kim Lee")
    expect(page.locator("[data-preview-excluded]")).to_have_text("Nobody")
    expect(page.locator("[data-preview-files]")).to_contain_text("screenshot.png")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/cases/*?sent=1", timeout=60_000)
    expect(page.locator("[data-chorus-case][data-ready='1']")).to_have_count(1, timeout=60_000)
    expect(page.locator("[data-case-mode]")).to_contain_text("Kim Lee")
    page.locator("summary").first.click()
    expect(page.get_by_role("link", name="Download screenshot.png")).to_be_visible()

    case = Case.objects.get()
    assert case.mode == "named"
    assert b"Kim Lee" not in bytes(case.body)
    assert case.exclusions.count() == 0
    assert case.keys.count() == 3  # the admin, the handler and Eve: nobody was excluded
    sealed = next(
        bytes(k.sealed) for k in case.keys.all() if k.key.membership.user.username == "acme-eve"
    )
    report = report_read(slug="acme-ltd", sk=sks["eve"], sealed=sealed, body=bytes(case.body))
    assert report["name"] == "Kim Lee"
    assert [a["name"] for a in report["attachments"]] == ["screenshot.png"]
    assert base64.b64decode(report["attachments"][0]["data"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert survivor.errors == [], dump(survivor.errors)
    assert survivor.outside == [], dump(survivor.outside)


def test_a_held_report_opens_without_a_reply_form(
    survivor: Survivor, acme: tuple[Org, StaffMember, dict[str, bytes]]
) -> None:
    org, _eve, _sks = acme
    keys = HandlerKey.objects.filter(membership__organisation=org.organisation)
    data, _ck, case_ref = report_request(
        slug="acme-ltd",
        keys=[(k.pk, k.suite, bytes(k.public_key)) for k in keys],
        sid=survivor.sid,
        text="Waiting for others.",
    )
    answer = client_signed_in(survivor.account).post(
        "/reports", json.dumps(data), content_type="application/json"
    )
    assert answer.status_code == 201
    Case.objects.update(status=Case.Status.HELD)  # as a together report waits (§7.6)
    page = survivor.page
    page.goto(f"{survivor.url}/cases/{case_ref.hex()}")
    expect(page.locator("[data-chorus-case][data-ready='1']")).to_have_count(1, timeout=60_000)
    expect(page.locator("[data-held]")).to_be_visible()
    expect(page.locator("[data-reply-form]")).to_be_hidden()
    page.locator("summary").first.click()
    expect(page.locator("[data-answer='what']")).to_have_text("Waiting for others.")
    assert survivor.errors == [], dump(survivor.errors)
