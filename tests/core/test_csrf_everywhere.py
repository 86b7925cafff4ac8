"""Every cookie-authenticated POST is CSRF-checked: no view of the site is exempt, and each JSON
endpoint a survivor or an advocate posts to refuses a request without the token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from chorus.accounts.models import Account
from chorus.escrow.models import AdvocateKey, Entry
from chorus.keyserver.models import Usage

pytestmark = pytest.mark.django_db


def _views(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_no_view_of_the_site_is_csrf_exempt() -> None:
    exempt = [
        route
        for route, view in _views(get_resolver().url_patterns)
        # The public API takes no cookie: nothing for a forged request to ride on.
        if getattr(view, "csrf_exempt", False) and not route.startswith("api/")
    ]
    assert exempt == [], exempt


@pytest.mark.parametrize(
    "url",
    [
        "/account/new",
        "/account/signin",
        "/account/recover",
        "/account/recover/check",
        "/escrow/oprf",
        "/escrow/entries",
        "/workspace/key",
    ],
)
def test_json_posts_without_the_token_are_refused_and_change_nothing(url: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, "{}", content_type="application/json")
    assert response.status_code == 403
    # The house JSON shape, so the page can say what happened (not the voice form's HTML).
    assert response.json() == {
        "message": "This page has expired. Please reload it and try again. Nothing was saved.",
        "code": "csrf_failed",
    }
    assert Account.objects.count() == Entry.objects.count() == AdvocateKey.objects.count() == 0
    assert Usage.objects.count() == 0
