"""CSRF protection that survives Referrer-Policy: no-referrer."""

import pytest
from django.test import Client

from chorus.counts.selectors import voice_pending_count

pytestmark = pytest.mark.django_db


def _token(client: Client) -> str:
    client.get("/")
    return str(client.cookies["csrftoken"].value)


def test_own_form_post_with_origin_null_and_no_referer_passes() -> None:
    client = Client(enforce_csrf_checks=True)
    token = _token(client)
    response = client.post(
        "/add", {"csrfmiddlewaretoken": token, "country": "FR"},
        HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin",
    )  # fmt: skip
    assert response.status_code == 200  # the no-JavaScript wait page, not a CSRF refusal
    assert "One moment" in response.content.decode()


def test_https_post_without_referer_passes_the_token_check() -> None:
    client = Client(enforce_csrf_checks=True)
    token = _token(client)
    response = client.post(
        "/add", {"csrfmiddlewaretoken": token}, secure=True, HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_post_the_browser_marks_as_from_another_site_is_refused(site: str) -> None:
    client = Client(enforce_csrf_checks=True)
    token = _token(client)
    response = client.post("/add", {"csrfmiddlewaretoken": token}, HTTP_SEC_FETCH_SITE=site)
    assert response.status_code == 403
    assert voice_pending_count() == 0


def test_origin_null_without_a_token_is_still_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/add", {"country": "FR"}, HTTP_ORIGIN="null")
    assert response.status_code == 403


def test_a_foreign_origin_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    token = _token(client)
    response = client.post(
        "/add", {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403


def test_the_api_is_not_subject_to_form_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/voices", "{}", content_type="application/json", HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert response.status_code == 422  # schema error, not a CSRF refusal
