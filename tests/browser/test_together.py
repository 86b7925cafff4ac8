"""Reports "together" in real Chromium, end to end: survivor 1 sends a report naming a phone
number; the handler's inbox does not show it; survivor 2 names the same number written another
way; the job runs; the handler opens the group with their passphrase and both cases appear in
their inbox and read. And: one survivor alone, a withdrawn report and one survivor reporting
twice never release. The pages make no outside request and log no error; axe-core audits them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, Page, expect

from chorus.cli import main as cli
from chorus.reports.models import Case, CaseKey
from chorus.staff.models import StaffMember
from chorus.together.models import Group, HeldEntry
from tests.browser.conftest import AXE, dump, screenshot
from tests.browser.test_escrow import Survivor
from tests.orgs.helpers import Org, key_for, org_with_staff
from tests.workspace.helpers import PASSPHRASE, PASSWORD, fresh_code

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_fast_hashing"),
]

FIRST = "He kept messaging me at night from his work phone."
SECOND = "The same man sent me photos I never asked for."


@pytest.fixture
def _fast_hashing() -> Iterator[None]:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def acme() -> Org:
    org = org_with_staff("Acme Ltd", prefix="acme")
    key_for(org.admin)
    key_for(org.handler)
    return org


@pytest.fixture
def survivors(browser: Browser, live_server: Any) -> Iterator[list[Survivor]]:
    made: list[Survivor] = []
    yield made
    for survivor in made:
        survivor.context.close()


def axe(page: Page) -> list[Any]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def send_together(survivor: Survivor, *, phone: str, region: str, text: str) -> None:
    page = survivor.page
    page.goto(survivor.url + "/reports/together/new")
    page.get_by_label("The organisation's short name on Chorus").fill("acme-ltd")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Report to Acme Ltd, together with others")
    ).to_be_visible()
    page.get_by_label("Or their phone number").fill(phone)
    if region:
        page.get_by_label("Your country (for numbers without a + country code)").select_option(
            region
        )
    page.get_by_label("What happened?").fill(text)
    page.get_by_role("button", name="Lock and hold").click()


def staff_sign_in(page: Page, url: str, staff: StaffMember) -> None:
    page.goto(f"{url}/workspace/signin")
    page.get_by_label("Username").fill(staff.user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code").fill(fresh_code(staff))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Acme Ltd")).to_be_visible()


def test_two_survivors_naming_one_number_reach_the_handler_together(
    browser: Browser, live_server: Any, acme: Org, survivors: list[Survivor]
) -> None:
    one = Survivor(browser, live_server)
    survivors.append(one)
    send_together(one, phone="020 7946 0958", region="GB", text=FIRST)
    expect(one.page.locator("[data-together-sent]")).to_be_visible(timeout=30_000)
    expect(one.page.locator("[data-together-state='held']")).to_have_count(1)
    screenshot(one.page, "together-held")
    [first] = Case.objects.all()
    assert (first.mode, first.status) == ("together", "held")
    assert FIRST.encode() not in bytes(first.body)

    # The handler's inbox does not show a held case, and no group exists yet.
    staff_context = browser.new_context()
    staff = staff_context.new_page()
    staff_errors: list[str] = []
    staff.on("console", lambda m: staff_errors.append(m.text) if m.type == "error" else None)
    staff.on("pageerror", lambda e: staff_errors.append(str(e)))
    staff_sign_in(staff, live_server.url, acme.handler_staff)
    expect(staff.locator("[data-chorus-inbox][data-ready='1']")).to_have_count(1, timeout=30_000)
    ref1 = bytes(first.case_ref).hex()
    expect(staff.locator(f"[data-chorus-inbox] tr[data-case='{ref1}']")).to_have_count(0)
    staff.goto(f"{live_server.url}/workspace/orgs/acme-ltd/together")
    expect(staff.locator("[data-together-group]")).to_have_count(0)

    # Survivor 2 writes the same number another way; the job releases both.
    two = Survivor(browser, live_server)
    survivors.append(two)
    send_together(two, phone="+44 (0)20-7946-0958", region="", text=SECOND)
    expect(two.page.locator("[data-together-sent]")).to_be_visible(timeout=30_000)
    indexes = {bytes(e.index) for e in HeldEntry.objects.all()}
    assert len(indexes) == 1  # the same person, the same index
    assert cli.main(["together-match"]) == 0
    assert set(Case.objects.values_list("status", flat=True)) == {"received"}
    one.page.reload()
    expect(one.page.locator("[data-together-state='delivered']")).to_have_count(1)

    # The handler opens the group with their passphrase; both cases join their inbox.
    group = Group.objects.get()
    staff.goto(f"{live_server.url}/workspace/orgs/acme-ltd/")
    staff.locator("[data-together-link]").click()
    staff.locator(f"[data-together-group='{group.pk}'] a").click()
    expect(staff.get_by_role("heading", name="A group of reports sent together")).to_be_visible()
    staff.get_by_label("Your key's passphrase").fill(PASSPHRASE)
    staff.get_by_role("button", name="Open this group").click()
    expect(staff.locator("#together-status")).to_contain_text("Opened", timeout=120_000)
    refs = [bytes(c.case_ref).hex() for c in Case.objects.order_by("pk")]
    for ref in refs:
        expect(staff.locator(f"[data-case-link='{ref}']")).to_be_visible()
    screenshot(staff, "together-group")
    assert CaseKey.objects.filter(key__membership=acme.handler).count() == 2
    assert not CaseKey.objects.filter(key__membership=acme.admin).exists()

    staff.goto(f"{live_server.url}/workspace/orgs/acme-ltd/")
    for ref in refs:
        expect(staff.locator(f"[data-chorus-inbox] tr[data-case='{ref}']")).to_have_count(
            1, timeout=30_000
        )
    for ref, text in zip(refs, [FIRST, SECOND], strict=True):
        staff.goto(f"{live_server.url}/workspace/orgs/acme-ltd/inbox/{ref}")
        staff.get_by_label("Your passphrase").fill(PASSPHRASE)
        staff.get_by_role("button", name="Open the case").click()
        expect(staff.locator("[data-chorus-org-case][data-ready='1']")).to_have_count(
            1, timeout=120_000
        )
        expect(staff.locator("[data-answer='what']")).to_have_text(text)
    staff_context.close()

    # axe-core on every page of the flow, in contexts where only the audit bypasses the CSP.
    audit = Survivor(browser, live_server, bypass_csp=True)
    survivors.append(audit)
    found = {}
    for url in (
        "/reports/together/new",
        "/reports/together/new?org=acme-ltd",
        "/reports/together",
    ):
        audit.page.goto(live_server.url + url)
        found[url] = axe(audit.page)
    admin_context = browser.new_context(bypass_csp=True)
    admin = admin_context.new_page()
    staff_sign_in(admin, live_server.url, acme.admin_staff)
    for url in ("together", f"together/{group.pk}"):
        admin.goto(f"{live_server.url}/workspace/orgs/acme-ltd/{url}")
        found[url] = axe(admin)
    admin_context.close()
    assert all(v == [] for v in found.values()), dump(found)
    for survivor in (one, two):
        assert survivor.errors == [], dump(survivor.errors)
        assert survivor.outside == [], dump(survivor.outside)
    assert staff_errors == [], dump(staff_errors)


def test_alone_withdrawn_or_twice_never_releases(
    browser: Browser, live_server: Any, acme: Org, survivors: list[Survivor]
) -> None:
    one = Survivor(browser, live_server)
    survivors.append(one)
    send_together(one, phone="020 7946 0958", region="GB", text=FIRST)
    expect(one.page.locator("[data-together-sent]")).to_be_visible(timeout=30_000)
    # The same survivor names the same person again, written differently: refused.
    send_together(one, phone="+442079460958", region="", text=SECOND)
    expect(one.page.locator("[data-together-error]")).to_contain_text(
        "already sent a together report naming this person", timeout=30_000
    )
    assert Case.objects.count() == 1
    cli.main(["together-match"])
    assert set(Case.objects.values_list("status", flat=True)) == {"held"}

    # Withdrawn, then a second survivor: still alone.
    one.page.goto(live_server.url + "/reports/together")
    one.page.get_by_role("button", name="Withdraw").click()
    expect(one.page.get_by_text("The report was withdrawn and deleted.")).to_be_visible()
    assert not Case.objects.exists()
    two = Survivor(browser, live_server)
    survivors.append(two)
    send_together(two, phone="020 7946 0958", region="GB", text=SECOND)
    expect(two.page.locator("[data-together-sent]")).to_be_visible(timeout=30_000)
    cli.main(["together-match"])
    assert set(Case.objects.values_list("status", flat=True)) == {"held"}
    assert not Group.objects.exists()
    # The refused second report is the only thing the console reports (the 409 itself).
    assert [e for e in one.errors if "409" not in e] == [], dump(one.errors)
    assert two.errors == [], dump(two.errors)


def test_the_survivor_page_asks_for_one_identifier_and_the_text(
    browser: Browser, live_server: Any, acme: Org, survivors: list[Survivor]
) -> None:
    one = Survivor(browser, live_server)
    survivors.append(one)
    page = one.page
    page.goto(live_server.url + "/reports/together/new?org=acme-ltd")
    # The organisation's name does not stay in the address, nor so in the history.
    expect(page).to_have_url(live_server.url + "/reports/together/new")
    page.get_by_role("button", name="Lock and hold").click()
    expect(page.locator("[data-together-error]")).to_contain_text("Give one way to identify")
    page.get_by_label("Their email address").fill("him@example.org")
    page.get_by_label("Or their phone number").fill("+44 20 7946 0958")
    page.get_by_role("button", name="Lock and hold").click()
    expect(page.locator("[data-together-error]")).to_contain_text("only one way")
    page.get_by_label("Or their phone number").fill("")
    page.get_by_role("button", name="Lock and hold").click()
    expect(page.locator("[data-field-error='text']")).to_contain_text("Say what happened")
    page.get_by_label("Their email address").fill("not an address")
    page.get_by_label("What happened?").fill(FIRST)
    page.get_by_role("button", name="Lock and hold").click()
    expect(page.locator("[data-field-error='email']")).to_be_visible()
    assert not Case.objects.exists()
    assert one.errors == [], dump(one.errors)
