"""The operator's page in real Chromium: `chorus operator-add`, enrolment, registering an
organisation on the page, and its first admin enrolling through the link the page showed once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, expect

from chorus.cli.main import main
from chorus.orgs.models import Membership
from tests.browser.conftest import Watched, dump, screenshot
from tests.browser.test_orgs import _axe, enrol

pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_the_operator_registers_an_organisation_whose_admin_enrols(
    watched: Watched, live_server: Any, browser: Browser, capsys: Any
) -> None:
    assert main(["operator-add", "ops", "--site", live_server.url]) == 0
    link = re.search(r"http://\S+/workspace/enrol/\S+", capsys.readouterr().out)
    assert link is not None

    context = browser.new_context(bypass_csp=True)  # only to inject axe-core
    operator = context.new_page()
    audit: list[Any] = []
    try:
        enrol(operator, link.group(0), "ops")
        expect(operator.get_by_role("heading", name="Organisations")).to_be_visible()
        expect(operator.locator("#no-orgs")).to_be_visible()
        audit.extend(_axe(operator))
        operator.get_by_label("Name, as reporters will see it", exact=True).fill(
            "Northside College"
        )
        operator.get_by_label("First admin's username (they sign in with it)").fill("dean")
        operator.get_by_label("First admin's name, as reporters will see it (optional)").fill(
            "Dean Okafor"
        )
        operator.get_by_role("button", name="Register and make the admin's enrolment link").click()
        expect(operator.locator("#added")).to_contain_text("Northside College is registered")
        invite = operator.locator("#enrol-link").inner_text().strip()
        expect(
            operator.get_by_role("cell", name="None yet: cannot receive reports")
        ).to_be_visible()
        audit.extend(_axe(operator))
        screenshot(operator, "operator-registered")
        assert audit == [], dump(audit)
        # A reload shows the organisation, not the link again.
        operator.goto(f"{live_server.url}/workspace/operator/")
        expect(operator.locator("#enrol-link")).to_have_count(0)
    finally:
        context.close()

    page = watched.page
    enrol(page, invite, "dean")
    expect(page.get_by_role("heading", name="Northside College")).to_be_visible()
    assert Membership.objects.get().display_name == "Dean Okafor"
    assert watched.errors == [], dump(watched.errors)
    assert watched.outside == [], dump(watched.outside)
