"""Codename accounts through the real HTTP surface, acting as the survivor's browser."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from chorus.accounts import codename as cn
from chorus.accounts.models import Account
from chorus.core import pow
from chorus.core.models import SpentProof
from chorus.public.limits import SIGNIN_FAILURES_PER_WINDOW
from chorus.public.session import SESSION_KEY
from tests.conftest import solve, tamper

pytestmark = pytest.mark.django_db


@dataclass
class Survivor:
    codename: str
    recovery: str
    sid: bytes

    def create_body(self, altcha: str) -> dict[str, str]:
        main, rescue = cn.codename_keys(self.codename), cn.recovery_keys(self.recovery)
        return {
            "auth": main.auth.hex(),
            "recovery_auth": rescue.auth.hex(),
            "sid_wrapped": cn.sid_wrap(wrap=main.wrap, sid=self.sid).hex(),
            "sid_wrapped_recovery": cn.sid_wrap(
                wrap=rescue.wrap, sid=self.sid, recovery=True
            ).hex(),
            "altcha": altcha,
        }


def _survivor() -> Survivor:
    return Survivor(cn.codename_generate(), cn.recovery_generate(), cn.sid_generate())


def post(client: Client, url: str, body: Any) -> Any:
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(url, raw, content_type="application/json")


@pytest.fixture
def survivor() -> Survivor:
    return _survivor()


@pytest.fixture
def created(client: Client, survivor: Survivor, payload: str) -> Survivor:
    response = post(client, "/account/new", survivor.create_body(payload))
    assert response.status_code == 201, response.content
    client.post("/account/signout")
    return survivor


def test_a_new_account_stores_only_hashes_and_locked_sids(
    client: Client, survivor: Survivor, payload: str
) -> None:
    response = post(client, "/account/new", survivor.create_body(payload))
    assert response.status_code == 201
    assert response.json() == {"next": "/account"}
    account = Account.objects.get()
    main, rescue = cn.codename_keys(survivor.codename), cn.recovery_keys(survivor.recovery)
    assert bytes(account.lookup) == hashlib.sha256(main.auth).digest()
    assert bytes(account.recovery_lookup) == hashlib.sha256(rescue.auth).digest()
    assert cn.sid_unwrap(wrap=main.wrap, wrapped=bytes(account.sid_wrapped)) == survivor.sid
    assert (
        cn.sid_unwrap(wrap=rescue.wrap, wrapped=bytes(account.sid_wrapped_recovery), recovery=True)
        == survivor.sid
    )
    stored = b"".join(
        bytes(v)
        for v in Account.objects.values_list(
            "lookup", "recovery_lookup", "sid_wrapped", "sid_wrapped_recovery"
        ).get()
    )
    for secret in (main.auth, main.wrap, rescue.auth, rescue.wrap, survivor.sid):
        assert secret not in stored
    assert client.session[SESSION_KEY] == account.pk
    assert client.get("/account").status_code == 200
    assert SpentProof.objects.count() == 1


def test_the_account_home_sends_strangers_to_sign_in(client: Client) -> None:
    response = client.get("/account")
    assert response.status_code == 302
    assert response["Location"] == "/account/signin"


@pytest.mark.parametrize("url", ["/account/new", "/account/signin", "/account/recover"])
def test_account_pages_explain_why_they_need_javascript(client: Client, url: str) -> None:
    html = client.get(url).content.decode()
    assert "<noscript>" in html
    assert "/static/chorus/account.js" in html
    assert "csrfmiddlewaretoken" in html


def test_signing_in_with_the_codename_returns_the_locked_sid(
    client: Client, created: Survivor
) -> None:
    main = cn.codename_keys(f"  {created.codename.upper().replace(' ', ' - ')} ")
    response = post(client, "/account/signin", {"auth": main.auth.hex()})
    assert response.status_code == 200
    wrapped = bytes.fromhex(response.json()["sid_wrapped"])
    assert cn.sid_unwrap(wrap=main.wrap, wrapped=wrapped) == created.sid
    assert client.session[SESSION_KEY] == Account.objects.get().pk


def test_a_wrong_codename_gets_one_uniform_answer(client: Client, created: Survivor) -> None:
    wrong = cn.codename_keys(created.codename + " extra")
    response = post(client, "/account/signin", {"auth": wrong.auth.hex()})
    assert response.status_code == 403
    assert response.json() == {
        "message": "That codename did not match an account.",
        "code": "no_match",
    }
    assert SESSION_KEY not in client.session


def test_wrong_codenames_are_limited_per_network(client: Client, created: Survivor) -> None:
    wrong = {"auth": (b"\x07" * 32).hex()}
    for _ in range(SIGNIN_FAILURES_PER_WINDOW):
        assert post(client, "/account/signin", wrong).status_code == 403
    response = post(client, "/account/signin", wrong)
    assert response.status_code == 429
    assert "Too many codenames" in response.json()["message"]
    # Even the right codename waits: the limit is checked before the lookup.
    right = {"auth": cn.codename_keys(created.codename).auth.hex()}
    assert post(client, "/account/signin", right).status_code == 429
    assert SESSION_KEY not in client.session


def test_signing_out_ends_the_session(client: Client, survivor: Survivor, payload: str) -> None:
    post(client, "/account/new", survivor.create_body(payload))
    response = client.post("/account/signout")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get("/account").status_code == 302


def test_recovery_gives_a_new_codename_for_the_same_sid(client: Client, created: Survivor) -> None:
    rescue = cn.recovery_keys(created.recovery.lower().replace(" ", "-").replace("0", "o"))
    check = post(client, "/account/recover/check", {"recovery_auth": rescue.auth.hex()})
    assert check.status_code == 200
    sid = cn.sid_unwrap(
        wrap=rescue.wrap, wrapped=bytes.fromhex(check.json()["sid_wrapped"]), recovery=True
    )
    assert sid == created.sid
    assert SESSION_KEY not in client.session  # checking is not signing in
    new_codename = cn.codename_generate()
    new = cn.codename_keys(new_codename)
    response = post(
        client,
        "/account/recover",
        {
            "recovery_auth": rescue.auth.hex(),
            "auth": new.auth.hex(),
            "sid_wrapped": cn.sid_wrap(wrap=new.wrap, sid=sid).hex(),
        },
    )
    assert response.status_code == 200
    assert client.session[SESSION_KEY] == Account.objects.get().pk
    client.post("/account/signout")
    old = cn.codename_keys(created.codename)
    assert post(client, "/account/signin", {"auth": old.auth.hex()}).status_code == 403
    signed_in = post(client, "/account/signin", {"auth": new.auth.hex()})
    assert signed_in.status_code == 200
    wrapped = bytes.fromhex(signed_in.json()["sid_wrapped"])
    assert cn.sid_unwrap(wrap=new.wrap, wrapped=wrapped) == created.sid
    assert Account.objects.count() == 1


def test_a_wrong_recovery_code_changes_nothing(client: Client, created: Survivor) -> None:
    wrong = cn.recovery_keys(cn.recovery_generate())
    check = post(client, "/account/recover/check", {"recovery_auth": wrong.auth.hex()})
    assert check.status_code == 403
    assert check.json()["message"] == "That recovery code did not match an account."
    before = bytes(Account.objects.get().lookup)
    new = cn.codename_keys(cn.codename_generate())
    response = post(
        client,
        "/account/recover",
        {
            "recovery_auth": wrong.auth.hex(),
            "auth": new.auth.hex(),
            "sid_wrapped": cn.sid_wrap(wrap=new.wrap, sid=created.sid).hex(),
        },
    )
    assert response.status_code == 403
    assert bytes(Account.objects.get().lookup) == before
    assert SESSION_KEY not in client.session


def _create(client: Client, body: Any) -> Any:
    return post(client, "/account/new", body)


def test_an_account_without_proof_of_work_is_refused(client: Client, survivor: Survivor) -> None:
    response = _create(client, survivor.create_body(""))
    assert response.status_code == 400
    assert response.json()["code"] == "proof_missing"
    assert Account.objects.count() == 0


def test_a_forged_proof_of_work_is_refused(
    client: Client, survivor: Survivor, payload: str
) -> None:
    forged = tamper(payload, solution__derivedKey="11" * 32)
    response = _create(client, survivor.create_body(forged))
    assert response.status_code == 400
    assert response.json()["code"] in {"proof_invalid", "proof_malformed"}
    assert Account.objects.count() == 0


def test_a_replayed_proof_of_work_is_refused(client: Client, payload: str) -> None:
    assert _create(client, _survivor().create_body(payload)).status_code == 201
    response = _create(client, _survivor().create_body(payload))
    assert response.status_code == 400
    assert response.json()["code"] == "proof_replayed"
    assert Account.objects.count() == 1


def test_a_taken_codename_is_refused_and_stores_nothing(client: Client, created: Survivor) -> None:
    twin = Survivor(created.codename, cn.recovery_generate(), cn.sid_generate())
    response = _create(client, twin.create_body(solve(pow.challenge_issue())))
    assert response.status_code == 409
    assert response.json()["code"] == "account_exists"
    assert Account.objects.count() == 1
    assert SpentProof.objects.count() == 1  # only the first account's


def test_the_same_secret_for_codename_and_recovery_is_refused(
    client: Client, survivor: Survivor, payload: str
) -> None:
    body = survivor.create_body(payload)
    body["recovery_auth"] = body["auth"]
    response = _create(client, body)
    assert response.status_code == 400
    assert Account.objects.count() == 0


@pytest.mark.parametrize(
    "case",
    [
        ("auth", "zz" * 32, "must be lowercase hex"),
        ("auth", "AB" * 32, "must be lowercase hex"),
        ("auth", "abc", "must be lowercase hex"),
        ("auth", "ab" * 31, "wrong length"),
        ("recovery_auth", "ab" * 33, "wrong length"),
        ("sid_wrapped", "01" * 60, "not valid"),
        ("sid_wrapped", "02" + "00" * 60, "not valid"),
        ("sid_wrapped_recovery", "", "not valid"),
    ],
)
def test_malformed_keys_are_refused_and_store_nothing(
    client: Client, survivor: Survivor, payload: str, case: tuple[str, str, str]
) -> None:
    field, value, message = case
    body = survivor.create_body(payload)
    body[field] = value
    response = _create(client, body)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert Account.objects.count() == 0
    assert SpentProof.objects.count() == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"auth": 1}',
        json.dumps({"auth": "ab" * 32, "extra": "x"}).encode(),
        json.dumps({"auth": ["ab"]}).encode(),
    ],
)
def test_bodies_that_are_not_the_expected_object_are_refused(client: Client, raw: bytes) -> None:
    response = post(client, "/account/signin", raw)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert SESSION_KEY not in client.session


def test_an_oversized_body_is_refused(client: Client, survivor: Survivor, payload: str) -> None:
    body = survivor.create_body(payload)
    body["altcha"] = "A" * 9000
    response = _create(client, body)
    assert response.status_code == 413
    assert "too large" in response.json()["message"]
    assert Account.objects.count() == 0


@pytest.mark.parametrize("url", ["/account/signin", "/account/recover/check", "/account/new"])
def test_account_endpoints_refuse_a_get_of_json_or_a_put(client: Client, url: str) -> None:
    assert client.put(url).status_code == 405


def test_keys_never_reach_the_logs(
    client: Client, survivor: Survivor, payload: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = survivor.create_body(payload)
    _create(client, body)
    post(client, "/account/signin", {"auth": body["auth"]})
    post(client, "/account/signin", {"auth": "ab" * 32})
    post(client, "/account/recover/check", {"recovery_auth": body["recovery_auth"]})
    assert caplog.records  # the wrong codename was logged as a 403, by path only
    for field in ("auth", "recovery_auth", "sid_wrapped", "sid_wrapped_recovery"):
        assert body[field] not in caplog.text
    assert "ab" * 32 not in caplog.text
