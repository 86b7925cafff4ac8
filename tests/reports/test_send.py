"""A survivor sends a report to an organisation through HTTP: stored sealed, all or nothing."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from django.test import Client

from chorus.orgs import services as org_services
from chorus.reports.models import Case, CaseKey
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import Org, key_for, org_with_staff
from tests.reports.helpers import report_read, report_request

pytestmark = pytest.mark.django_db

SEND = "/reports"


def post(client: Client, body: Any) -> Any:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(SEND, raw, content_type="application/json")


def stored() -> tuple[int, int]:
    return Case.objects.count(), CaseKey.objects.count()


@pytest.fixture
def org() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


def keyed(org: Org, *, handler_suite: int = 1) -> tuple[list[tuple[int, int, bytes]], bytes, bytes]:
    admin_key, admin_sk = key_for(org.admin)
    handler_key, handler_sk = key_for(org.handler, suite=handler_suite)
    keys = [
        (admin_key.pk, admin_key.suite, bytes(admin_key.public_key)),
        (handler_key.pk, handler_key.suite, bytes(handler_key.public_key)),
    ]
    return keys, admin_sk, handler_sk


@pytest.mark.parametrize("handler_suite", [1, 2])
def test_a_report_is_stored_sealed_and_each_member_can_open_it(
    org: Org, handler_suite: int
) -> None:
    keys, admin_sk, handler_sk = keyed(org, handler_suite=handler_suite)
    account = account_make()
    data, _case_key, case_ref = report_request(
        slug=org.organisation.slug, keys=keys, text="He followed me."
    )
    response = post(client_signed_in(account), data)
    assert response.status_code == 201, response.content
    assert response.json() == {"case": case_ref.hex(), "status": "received"}
    case = Case.objects.get()
    assert case.organisation == org.organisation
    assert case.reporter_account == account
    assert case.mode == "anonymous"
    assert case.status == "received"
    assert bytes(case.case_ref) == case_ref
    assert b"followed" not in bytes(case.body)
    envelopes = {ck.key_id: bytes(ck.sealed) for ck in case.keys.all()}
    assert set(envelopes) == {k[0] for k in keys}
    for (key_id, suite, _pk), sk in zip(keys, [admin_sk, handler_sk], strict=True):
        opened = report_read(
            slug=org.organisation.slug,
            sk=sk,
            sealed=envelopes[key_id],
            body=bytes(case.body),
            suite=suite,
        )
        assert opened["answers"]["what"] == "He followed me."


def test_signed_out_is_refused_and_nothing_stored(org: Org) -> None:
    keys, _a, _h = keyed(org)
    data, _k, _r = report_request(slug=org.organisation.slug, keys=keys)
    response = post(Client(), data)
    assert response.status_code == 403
    assert response.json()["code"] == "signed_out"
    assert stored() == (0, 0)


def test_get_is_not_allowed() -> None:
    assert client_signed_in(account_make()).get(SEND).status_code == 405


def test_unknown_organisation_is_404_and_nothing_stored(org: Org) -> None:
    keys, _a, _h = keyed(org)
    data, _k, _r = report_request(slug="nobody", keys=keys)
    response = post(client_signed_in(account_make()), data)
    assert response.status_code == 404
    assert response.json() == {
        "message": "There is no organisation at this address.",
        "code": "not_found",
    }
    assert stored() == (0, 0)


def test_an_organisation_without_keys_is_refused(org: Org) -> None:
    data, _k, _r = report_request(slug=org.organisation.slug, keys=[])
    data["keys"] = [{"key": 1, "sealed": base64.b64encode(b"\x01" * 99).decode()}]
    response = post(client_signed_in(account_make()), data)
    assert response.status_code == 400
    assert "nobody there has made a key" in response.json()["message"]
    assert stored() == (0, 0)


def test_the_same_case_ref_twice_is_409(org: Org) -> None:
    keys, _a, _h = keyed(org)
    data, _k, _r = report_request(slug=org.organisation.slug, keys=keys)
    client = client_signed_in(account_make())
    assert post(client, data).status_code == 201
    response = post(client, data)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert stored() == (1, 2)


def test_a_removed_members_key_is_not_a_recipient(org: Org) -> None:
    keys, _a, _h = keyed(org)
    org_services.member_remove(
        admin=org.admin, member_id=org.handler.pk, deactivate=lambda _u: None
    )
    data, _k, _r = report_request(slug=org.organisation.slug, keys=keys)
    response = post(client_signed_in(account_make()), data)
    assert response.status_code == 400
    assert "not a current member key" in response.json()["message"]
    data, _k, _r = report_request(slug=org.organisation.slug, keys=keys[:1])
    assert post(client_signed_in(account_make()), data).status_code == 201
    assert stored() == (1, 1)


def _mutations(data: dict[str, Any]) -> list[tuple[Any, str]]:
    sealed0 = base64.b64decode(data["keys"][0]["sealed"])
    body = base64.b64decode(data["ciphertext"])

    def with_(**changes: Any) -> dict[str, Any]:
        changed = copy.deepcopy(data)
        changed.update(changes)
        return changed

    def with_key(**changes: Any) -> dict[str, Any]:
        changed = copy.deepcopy(data)
        changed["keys"][0].update(changes)
        return changed

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return [
        (b"not json", "not valid JSON"),
        ([], 'with "org", "case_ref", "ciphertext" and "keys"'),
        ({**data, "extra": 1}, 'with "org", "case_ref", "ciphertext" and "keys"'),
        (with_(org=7), '"org" must be'),
        (with_(org=""), '"org" must be'),
        (with_(case_ref="AB" * 16), '"case_ref" must be'),
        (with_(case_ref="ab" * 15), '"case_ref" must be'),
        (with_(ciphertext="***"), '"ciphertext" must be standard base64'),
        (with_(ciphertext=5), '"ciphertext" must be standard base64'),
        (with_(ciphertext=b64(b"\x01" * 10)), "too short"),
        (with_(ciphertext=b64(b"\x09" + body[1:])), "unknown version"),
        (with_(keys=[]), '"keys" must be a non-empty list'),
        (with_(keys={}), '"keys" must be a non-empty list'),
        (with_(keys=["x"]), "Each key must be"),
        (with_(keys=[data["keys"][0], data["keys"][0]]), "same member key"),
        (with_key(key="1"), '"key" must be the number'),
        (with_key(key=True), '"key" must be the number'),
        (with_key(key=0), '"key" must be the number'),
        (with_key(key=999999), "not a current member key"),
        (with_(keys=data["keys"][:1]), "is missing"),
        (with_key(sealed="a"), '"sealed" must be standard base64'),
        (with_key(sealed=b64(sealed0[:-1])), "wrong length"),
        (with_key(sealed=b64(b"\x09" + sealed0[1:])), "unknown version"),
        (with_key(sealed=b64(sealed0[:1] + b"\x02" + sealed0[2:])), "suite"),
    ]


def test_every_bad_input_is_a_clear_400_and_nothing_stored(org: Org) -> None:
    keys, _a, _h = keyed(org)
    data, _k, _r = report_request(slug=org.organisation.slug, keys=keys)
    client = client_signed_in(account_make())
    for body, expected in _mutations(data):
        response = post(client, body)
        assert response.status_code == 400, (body, response.content)
        assert expected in response.json()["message"], (expected, response.json())
        assert stored() == (0, 0)


def test_too_large_is_413_and_nothing_stored(org: Org) -> None:
    keys, _a, _h = keyed(org)
    data, _k, _r = report_request(slug=org.organisation.slug, keys=keys)
    client = client_signed_in(account_make())
    big = dict(data, ciphertext=base64.b64encode(b"\x01" * (1024 * 1024 + 3)).decode())
    response = post(client, big)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    sealed = dict(data, keys=[{"key": 1, "sealed": base64.b64encode(b"\x01" * 8196).decode()}])
    assert post(client, sealed).status_code == 413
    response = post(client, b" " * (1500 * 1024))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    response = post(client, b" " * (2 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert stored() == (0, 0)
