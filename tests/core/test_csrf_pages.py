"""A form whose CSRF check failed is answered by a page of its own site, saying nothing was
saved: the voice form keeps its answers; other survivor forms and the workspace get a plain page;
a page's fetch gets the house JSON error."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _strict() -> Client:
    return Client(enforce_csrf_checks=True)


def test_a_survivor_form_other_than_the_voice_gets_the_expired_page() -> None:
    response = _strict().post("/account/signout")
    assert response.status_code == 403
    html = response.content.decode()
    assert "This page has expired" in html
    assert "nothing was saved" in html
    assert "Leave this site" in html
    assert 'name="country"' not in html  # not the voice form


def test_the_voice_form_keeps_its_answers() -> None:
    response = _strict().post("/add", {"country": "FR"})
    assert response.status_code == 403
    assert '<option value="FR" selected>' in response.content.decode()


def test_a_workspace_form_gets_the_workspace_page() -> None:
    response = _strict().post("/workspace/signin", {"username": "a", "password": "b"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This page has expired" in html
    assert "Chorus workspace" in html
    assert "Leave this site" not in html
    assert "Sign out" not in html


@pytest.mark.parametrize("path", ["/workspace/key", "/records/envelopes"])
def test_a_fetch_gets_json(path: str) -> None:
    response = _strict().post(path, json.dumps({}), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_a_cross_site_post_is_answered_the_same_way() -> None:
    response = Client().post(
        "/workspace/signin", {"username": "a"}, HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert response.status_code == 403
    assert "Chorus workspace" in response.content.decode()
