"""Deeply nested JSON is a 400 with a message on every JSON endpoint, never a 500.

json.loads raises RecursionError (not ValueError) past Python's recursion limit, and a body of a
few kilobytes of "[" reaches it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from chorus.accounts.models import Account
from chorus.escrow.models import AdvocateKey, Entry
from tests.escrow.factories import account_make, advocate_make, client_signed_in
from tests.workspace.helpers import advocate_enrolled, sign_in

pytestmark = pytest.mark.django_db

NESTED = "[" * 1500 + "]" * 1500  # under every endpoint's size limit, over the recursion limit


@pytest.mark.parametrize(
    "url",
    [
        "/account/new",
        "/account/signin",
        "/account/recover",
        "/account/recover/check",
        "/escrow/oprf",
        "/escrow/entries",
    ],
)
def test_nested_json_to_a_survivor_endpoint_is_a_400(url: str) -> None:
    advocate_make()
    account = account_make()
    response = client_signed_in(account).post(url, NESTED, content_type="application/json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"message", "code"}
    assert Account.objects.count() == 1
    assert Entry.objects.count() == 0


def test_nested_json_to_the_key_upload_is_a_400() -> None:
    client = Client()
    sign_in(client, advocate_enrolled("alice"))
    response = client.post("/workspace/key", NESTED, content_type="application/json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"message", "code"}
    assert not AdvocateKey.objects.exists()


def test_nested_json_to_the_standalone_key_server_is_a_400(config_override: Any) -> None:
    config_override(keyserver_token="t" * 40)
    with override_settings(ROOT_URLCONF="chorus.config.urls_keyserver"):
        response = Client().post(
            "/v1/evaluate",
            NESTED,
            content_type="application/json",
            headers={"Authorization": "Bearer " + "t" * 40, "Chorus-Account-Tag": "ab" * 32},
        )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "bad_request"
