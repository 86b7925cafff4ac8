"""A survivor sends a report to an organisation through HTTP: stored sealed, all or nothing."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from django.test import Client

from chorus.orgs import services as org_services
from chorus.reports.models import Case, CaseExclusion, CaseKey
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import Org, key_for, org_with_staff
from tests.reports.helpers import report_read, report_request, reporter_box_open

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
    assert case.changed is not None
    assert (
        reporter_box_open(
            slug=org.organisation.slug,
            sid=b"\x07" * 32,
            case_ref=case_ref,
            box=bytes(case.reporter_box),
        )
        == _case_key
    )
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
    data["envelopes"] = [{"key": 1, "sealed": base64.b64encode(b"\x01" * 99).decode()}]
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
    sealed0 = base64.b64decode(data["envelopes"][0]["sealed"])
    body = base64.b64decode(data["body"])
    reporter_box = base64.b64decode(data["reporter_box"])
    key0, key1 = (e["key"] for e in data["envelopes"])

    def with_(**changes: Any) -> dict[str, Any]:
        changed = copy.deepcopy(data)
        changed.update(changes)
        return changed

    def with_key(**changes: Any) -> dict[str, Any]:
        changed = copy.deepcopy(data)
        changed["envelopes"][0].update(changes)
        return changed

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    fields = '"org", "case_ref", "mode", "body", "reporter_box", "envelopes" and "excluded"'
    envelopes = data["envelopes"]
    return [
        (b"not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        ([], fields),
        ("null", fields),
        ({**data, "extra": 1}, fields),
        ({k: v for k, v in data.items() if k != "excluded"}, fields),
        ({k: v for k, v in data.items() if k != "reporter_box"}, fields),
        (with_(org=7), '"org" must be'),
        (with_(org=""), '"org" must be'),
        (with_(case_ref="AB" * 16), '"case_ref" must be'),
        (with_(case_ref="ab" * 15), '"case_ref" must be'),
        (with_(case_ref=None), '"case_ref" must be'),
        (with_(mode="together"), '"mode" must be "named" or "anonymous"'),
        (with_(mode="Named"), '"mode" must be'),
        (with_(mode=1), '"mode" must be'),
        (with_(body="***"), '"body" must be standard base64'),
        (with_(body=5), '"body" must be standard base64'),
        (with_(body=b64(b"\x01" * 10)), "wrong length"),
        (with_(body=b64(b"\x09" + body[1:])), "unknown version"),
        (with_(reporter_box=None), '"reporter_box" must be standard base64'),
        (with_(reporter_box="a=b="), '"reporter_box" must be standard base64'),
        (with_(reporter_box=b64(reporter_box[:-1])), "wrong length"),
        (with_(reporter_box=b64(reporter_box + b"\x00")), "wrong length"),
        (with_(reporter_box=b64(b"\x02" + reporter_box[1:])), "unknown version"),
        (with_(envelopes=[]), '"envelopes" must be a non-empty list'),
        (with_(envelopes={}), '"envelopes" must be a non-empty list'),
        (with_(envelopes=["x"]), "Each envelope must be"),
        (with_(envelopes=[{**envelopes[0], "extra": 1}]), "Each envelope must be"),
        (with_(envelopes=[envelopes[0], envelopes[0]]), "same member key"),
        (with_key(key="1"), '"key" must be the number'),
        (with_key(key=True), '"key" must be the number'),
        (with_key(key=0), '"key" must be the number'),
        (with_key(key=2**63), '"key" must be the number'),
        (with_key(key=999999), "not a current member key"),
        (with_(envelopes=envelopes[:1]), "is missing"),
        (with_(envelopes=[], excluded=[key0, key1]), '"envelopes" must be a non-empty list'),
        (with_(excluded=None), '"excluded" must be a list'),
        (with_(excluded={}), '"excluded" must be a list'),
        (with_(excluded=["1"]), '"key" must be the number'),
        (with_(excluded=[key0]), "either with an envelope or as excluded"),
        (with_(envelopes=envelopes[:1], excluded=[key1, key1]), "either with an envelope"),
        (with_(excluded=[999999]), "not a current member key"),
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
        assert response.json()["code"] == "invalid"
        assert stored() == (0, 0)
        assert not CaseExclusion.objects.exists()


def test_too_large_is_413_and_nothing_stored(org: Org) -> None:
    keys, _a, _h = keyed(org)
    data, _k, _r = report_request(slug=org.organisation.slug, keys=keys)
    client = client_signed_in(account_make())
    big = dict(data, body=base64.b64encode(b"\x01" * (1024 * 1024 + 3)).decode())
    response = post(client, big)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    sealed = dict(data, envelopes=[{"key": 1, "sealed": base64.b64encode(b"\x01" * 8196).decode()}])
    assert post(client, sealed).status_code == 413
    box = dict(data, reporter_box=base64.b64encode(b"\x01" * 300).decode())
    assert post(client, box).status_code == 413
    assert post(client, sealed).status_code == 413
    response = post(client, b" " * (1500 * 1024))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    response = post(client, b" " * (2 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert stored() == (0, 0)


@pytest.mark.parametrize("mode", ["named", "anonymous"])
def test_an_excluded_member_gets_no_envelope_and_is_stored_as_excluded(org: Org, mode: str) -> None:
    keys, _a, _h = keyed(org)
    admin_key, handler_key = keys
    data, _k, _r = report_request(
        slug=org.organisation.slug, keys=[admin_key], excluded=[handler_key[0]], mode=mode
    )
    response = post(client_signed_in(account_make()), data)
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.mode == mode
    assert [ck.key_id for ck in case.keys.all()] == [admin_key[0]]
    assert [e.membership for e in case.exclusions.all()] == [org.handler]


def test_excluding_everyone_is_refused(org: Org) -> None:
    keys, _a, _h = keyed(org)
    data, _k, _r = report_request(slug=org.organisation.slug, keys=keys[:1])
    data["envelopes"] = []
    data["excluded"] = [k[0] for k in keys]
    response = post(client_signed_in(account_make()), data)
    assert response.status_code == 400
    assert "non-empty" in response.json()["message"]
    assert stored() == (0, 0)
