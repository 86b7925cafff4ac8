"""Adding a voice and reading the numbers, in real Chromium, with JavaScript on and off."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from chorus.cli import demo
from chorus.counts.selectors import answers_pending, voice_pending_count
from tests.browser.conftest import AXE, Watched, axe_violations, dump, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_snapshot() -> None:
    demo.run(voices=6000, days=12, progress=lambda _m: None, now=datetime.now(tz=UTC))


def test_a_voice_is_added_with_javascript(watched: Watched, live_server: Any) -> None:
    page = watched.page
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Me too")).to_be_visible()
    page.get_by_text("Add a few facts (optional)").click()
    page.get_by_label("In which country?").select_option("CA")
    page.get_by_label("At work, or linked to work").check()
    page.get_by_label("If it was linked to work: in which sector?").select_option("P")
    page.get_by_label("2010s").check()
    screenshot(page, "add-js")
    page.get_by_role("button", name="Me too").click()
    expect(page.get_by_role("heading", name="Your voice was added")).to_be_visible(timeout=20000)
    screenshot(page, "thanks-js")
    assert voice_pending_count() == 1
    answers = {f: answers_pending(facet=f) for f in ("country", "setting", "sector", "decade")}
    assert answers == {
        "country": {"CA": 1},
        "setting": {"workplace": 1},
        "sector": {"P": 1},
        "decade": {"2010s": 1},
    }
    # The browser remembers that it added a voice, and says so next time.
    page.goto(live_server.url + "/")
    expect(page.get_by_text("This browser has already added a voice")).to_be_visible()
    assert watched.errors == [], dump(watched.errors)
    assert watched.outside == [], dump(watched.outside)


def test_a_voice_is_added_with_javascript_off(
    no_js_page: Page, live_server: Any, config_override
) -> None:
    config_override(nojs_wait_seconds=0)
    page = no_js_page
    page.goto(live_server.url + "/")
    page.get_by_text("Add a few facts (optional)").click()
    page.get_by_label("In which country?").select_option("IN")
    page.get_by_label("In a public space or on transport").check()
    page.get_by_role("button", name="Me too").click()
    expect(page.get_by_role("heading", name="One moment")).to_be_visible()
    screenshot(page, "wait-nojs")
    assert voice_pending_count() == 0
    page.get_by_role("button", name="Add my voice").click()
    expect(page.get_by_role("heading", name="Your voice was added")).to_be_visible()
    assert answers_pending(facet="country") == {"IN": 1}
    assert answers_pending(facet="setting") == {"public": 1}


def test_without_javascript_the_button_appears_only_after_the_wait(
    no_js_page: Page, live_server: Any, config_override
) -> None:
    config_override(nojs_wait_seconds=2)
    page = no_js_page
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Me too").click()
    button = page.get_by_role("button", name="Add my voice")
    expect(button).to_be_hidden()
    expect(button).to_be_visible(timeout=10000)
    button.click()
    expect(page.get_by_role("heading", name="Your voice was added")).to_be_visible()
    assert voice_pending_count() == 1


def test_a_refused_answer_shows_an_error_and_keeps_the_answers(
    no_js_page: Page, live_server: Any
) -> None:
    page = no_js_page
    page.goto(live_server.url + "/")
    page.get_by_text("Add a few facts (optional)").click()
    page.get_by_label("In which country?").select_option("DE")
    page.get_by_label("Online", exact=True).check()
    page.get_by_label("If it was linked to work: in which sector?").select_option("C")
    page.get_by_role("button", name="Me too").click()
    expect(page.get_by_role("alert")).to_contain_text("only applies when it was linked to work")
    expect(page.get_by_label("In which country?")).to_have_value("DE")
    screenshot(page, "error-nojs")
    assert voice_pending_count() == 0


@pytest.mark.usefixtures("demo_snapshot")
def test_the_numbers_page_shows_charts_and_tables(watched: Watched, live_server: Any) -> None:
    page = watched.page
    page.goto(live_server.url + "/numbers")
    expect(page.get_by_role("heading", name="The numbers")).to_be_visible()
    expect(page.locator(".big-number")).to_have_text(re.compile(r"^[\d,]+$"))
    for name in ("Country", "Setting", "Form of harm", "Sector", "Decade"):
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        expect(page.get_by_role("img", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="United States")).to_be_visible()
    screenshot(page, "numbers")
    assert watched.errors == [], dump(watched.errors)
    assert watched.outside == [], dump(watched.outside)


def test_leave_this_site_by_keyboard_replaces_the_page(
    watched: Watched, live_server: Any, config_override
) -> None:
    config_override(exit_url=live_server.url + "/data")
    page = watched.page
    page.goto(live_server.url + "/help")
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Me too")).to_be_visible()
    for _ in range(3):
        page.keyboard.press("Shift")
    expect(page).to_have_url(live_server.url + "/data")
    page.go_back()
    expect(page).not_to_have_url(live_server.url + "/")


def test_leave_this_site_works_without_javascript(
    no_js_page: Page, live_server: Any, config_override
) -> None:
    config_override(exit_url=live_server.url + "/data")
    no_js_page.goto(live_server.url + "/")
    no_js_page.get_by_role("link", name="Leave this site").click()
    expect(no_js_page).to_have_url(live_server.url + "/data")


@pytest.mark.usefixtures("demo_snapshot")
@pytest.mark.parametrize("path", ["/", "/numbers", "/thanks", "/help", "/data"])
def test_axe_finds_no_serious_or_critical_violation(
    browser: Browser, live_server: Any, path: str
) -> None:
    assert axe_violations(browser, live_server.url + path) == []


def test_axe_finds_no_serious_violation_on_the_wait_and_error_pages(
    browser: Browser, live_server: Any
) -> None:
    context = browser.new_context(java_script_enabled=True, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + "/")
    # Submit the form as a no-JavaScript browser would: no proof, so the wait page answers.
    page.evaluate("document.querySelector('[data-chorus-pow]').remove()")
    page.evaluate(
        "HTMLFormElement.prototype.submit.call(document.querySelector('form[data-chorus-voice-form]'))"
    )
    expect(page.get_by_role("heading", name="One moment")).to_be_visible()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    context.close()
    assert serious == []


def test_pages_are_usable_on_a_small_phone(browser: Browser, live_server: Any) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2)
    page = context.new_page()
    page.goto(live_server.url + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "add-phone")
    context.close()
    assert width <= 360
