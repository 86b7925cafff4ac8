"""A survivor sends a report "together" through HTTP: held, sealed, all or nothing."""

from __future__ import annotations

import base64
import copy
import json
import secrets
from typing import Any

import pytest
from django.test import Client

from chorus.orgs.models import HandlerKey
from chorus.reports.models import Case, CaseExclusion, CaseKey
from chorus.together import services
from chorus.together.models import HeldEntry, HeldShare
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import Org, key_for, org_with_staff
from tests.together.helpers import held_request, phone

pytestmark = pytest.mark.django_db

SEND = "/reports/together"


def post(client: Client, body: Any) -> Any:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(SEND, raw, content_type="application/json")


def stored() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        HeldEntry.objects.count(),
        HeldShare.objects.count(),
        CaseKey.objects.count(),
    )


@pytest.fixture
def org() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


@pytest.fixture
def keys(org: Org) -> list[HandlerKey]:
    return [key_for(org.admin)[0], key_for(org.handler, suite=2)[0]]


def test_a_together_report_is_held_with_a_share_per_key_and_no_case_key(
    org: Org, keys: list[HandlerKey]
) -> None:
    account = account_make()
    held = held_request(organisation=org.organisation, keys=keys, sid=secrets.token_bytes(32))
    response = post(client_signed_in(account), held.data)
    assert response.status_code == 201, response.content
    assert response.json() == {"case": held.case_ref.hex(), "status": "held"}
    case = Case.objects.get()
    assert (case.mode, case.status, case.reporter_account) == ("together", "held", account)
    assert case.released_day is None
    assert not CaseKey.objects.exists()
    entry = HeldEntry.objects.get()
    assert (entry.case, entry.account, entry.organisation) == (case, account, org.organisation)
    assert bytes(entry.index) == held.index
    assert entry.pending
    assert {s.key_id for s in HeldShare.objects.all()} == {k.pk for k in keys}


def test_excluded_keys_get_no_share_and_their_member_is_recorded(
    org: Org, keys: list[HandlerKey]
) -> None:
    held = held_request(
        organisation=org.organisation, keys=keys, sid=secrets.token_bytes(32), excluded=[keys[1]]
    )
    assert post(client_signed_in(account_make()), held.data).status_code == 201
    assert [s.key_id for s in HeldShare.objects.all()] == [keys[0].pk]
    assert [e.membership for e in CaseExclusion.objects.all()] == [org.handler]


def test_the_same_survivor_naming_the_same_person_again_is_refused(
    org: Org, keys: list[HandlerKey]
) -> None:
    account, sid = account_make(), secrets.token_bytes(32)
    client = client_signed_in(account)
    assert post(client, held_request(organisation=org.organisation, keys=keys, sid=sid).data)
    again = held_request(
        organisation=org.organisation, keys=keys, sid=sid, identifier=phone("+442079460958")
    )
    response = post(client, again.data)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert stored() == (1, 1, 2, 0)


def test_a_reused_case_ref_is_refused(org: Org, keys: list[HandlerKey]) -> None:
    first = held_request(organisation=org.organisation, keys=keys, sid=secrets.token_bytes(32))
    assert post(client_signed_in(account_make()), first.data).status_code == 201
    second = held_request(
        organisation=org.organisation,
        keys=keys,
        sid=secrets.token_bytes(32),
        identifier=phone("+442079460959"),
    )
    second.data["case_ref"] = first.data["case_ref"]
    response = post(client_signed_in(account_make()), second.data)
    assert response.status_code == 409
    assert stored() == (1, 1, 2, 0)


def test_an_account_holds_a_limited_number_of_reports(
    org: Org, keys: list[HandlerKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "MAX_HELD_PER_ACCOUNT", 1)
    client, sid = client_signed_in(account_make()), secrets.token_bytes(32)
    assert post(client, held_request(organisation=org.organisation, keys=keys, sid=sid).data)
    other = held_request(
        organisation=org.organisation, keys=keys, sid=sid, identifier=phone("+442079460959")
    )
    response = post(client, other.data)
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_entries"
    assert stored() == (1, 1, 2, 0)


def test_signed_out_is_refused(org: Org, keys: list[HandlerKey]) -> None:
    held = held_request(organisation=org.organisation, keys=keys, sid=secrets.token_bytes(32))
    response = post(Client(), held.data)
    assert response.status_code == 403
    assert response.json()["code"] == "signed_out"
    assert stored() == (0, 0, 0, 0)


def test_an_unknown_organisation_is_404(org: Org, keys: list[HandlerKey]) -> None:
    held = held_request(organisation=org.organisation, keys=keys, sid=secrets.token_bytes(32))
    held.data["org"] = "nobody"
    response = post(client_signed_in(account_make()), held.data)
    assert response.status_code == 404
    assert stored() == (0, 0, 0, 0)


def test_an_organisation_without_keys_is_not_ready(org: Org) -> None:
    other = org_with_staff("Keyless", prefix="keyless")
    key, _sk = key_for(org.admin)
    held = held_request(organisation=other.organisation, keys=[key], sid=secrets.token_bytes(32))
    response = post(client_signed_in(account_make()), held.data)
    assert response.status_code == 503
    assert response.json()["code"] == "not_ready"
    assert stored() == (0, 0, 0, 0)


def test_an_oversized_body_is_413(org: Org, keys: list[HandlerKey]) -> None:
    held = held_request(organisation=org.organisation, keys=keys, sid=secrets.token_bytes(32))
    held.data["body"] = base64.b64encode(b"\x01" * (services.MAX_BODY_BYTES + 1)).decode()
    response = post(client_signed_in(account_make()), held.data)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert stored() == (0, 0, 0, 0)


def test_a_body_past_the_route_allowance_is_413(org: Org) -> None:
    response = post(client_signed_in(account_make()), "x" * (2 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert stored() == (0, 0, 0, 0)


def _mutations(data: dict[str, Any], keys: list[HandlerKey]) -> list[tuple[str, Any]]:
    share = base64.b64decode(data["envelopes"][0]["sealed"])

    def with_(**changes: Any) -> dict[str, Any]:
        out = copy.deepcopy(data)
        out.update(changes)
        return out

    def sealed0(raw: bytes) -> dict[str, Any]:
        out = copy.deepcopy(data)
        out["envelopes"][0]["sealed"] = base64.b64encode(raw).decode()
        return out

    missing = copy.deepcopy(data)
    del missing["excluded"]
    extra = with_(mode="together")
    return [
        ("not an object", [data]),
        ("a field missing", missing),
        ("an unknown field", extra),
        ("org not a string", with_(org=7)),
        ("org empty", with_(org="")),
        ("case_ref short", with_(case_ref="ab" * 15)),
        ("case_ref upper", with_(case_ref="AB" * 16)),
        ("index short", with_(index="ab" * 31)),
        ("index not hex", with_(index="zz" * 32)),
        ("body not base64", with_(body="!!!!")),
        ("body too short", with_(body=base64.b64encode(b"\x01" * 10).decode())),
        ("body unknown version", with_(body=base64.b64encode(b"\x02" * 40).decode())),
        ("reporter_box short", with_(reporter_box=base64.b64encode(b"\x01" * 60).decode())),
        ("reporter_box version", with_(reporter_box=base64.b64encode(b"\x02" * 61).decode())),
        ("reporter_box too long", with_(reporter_box=base64.b64encode(b"\x01" * 90).decode())),
        ("envelopes empty", with_(envelopes=[])),
        ("envelopes not a list", with_(envelopes={})),
        ("envelope not an object", with_(envelopes=["x"])),
        ("envelope key a bool", with_(envelopes=[{"key": True, "sealed": "AAAA"}])),
        ("envelope key zero", with_(envelopes=[{"key": 0, "sealed": "AAAA"}])),
        ("envelope extra field", with_(envelopes=[{"key": 1, "sealed": "AAAA", "x": 1}])),
        ("envelope twice", with_(envelopes=[data["envelopes"][0], data["envelopes"][0]])),
        ("a key missing", with_(envelopes=data["envelopes"][:1])),
        ("an unknown key", with_(excluded=[10**9])),
        ("excluded not a list", with_(excluded=keys[1].pk)),
        ("excluded twice", with_(envelopes=data["envelopes"][:1], excluded=[keys[1].pk] * 2)),
        ("excluded and sealed", with_(excluded=[keys[1].pk])),
        ("share too short", sealed0(share[:-1])),
        ("share too long", sealed0(share + b"\x00")),
        ("share version", sealed0(b"\x02" + share[1:])),
        ("share suite", sealed0(share[:1] + b"\x02" + share[2:])),
    ]


def test_every_malformed_request_is_400_and_nothing_is_stored(
    org: Org, keys: list[HandlerKey]
) -> None:
    held = held_request(organisation=org.organisation, keys=keys, sid=secrets.token_bytes(32))
    client = client_signed_in(account_make())
    for name, body in _mutations(held.data, keys):
        response = post(client, body)
        assert response.status_code == 400, name
        assert response.json()["code"] == "invalid", name
        assert response.json()["message"], name
    for raw in ("not json", b"\xff\xfe", "[" * 100_000):
        response = post(client, raw)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
    assert stored() == (0, 0, 0, 0)
    # The untouched request still goes through: the mutations, not the fixture, were refused.
    assert post(client, held.data).status_code == 201


def test_a_key_of_another_organisation_is_refused(org: Org, keys: list[HandlerKey]) -> None:
    other = org_with_staff("Other", prefix="other")
    foreign, _sk = key_for(other.admin)
    held = held_request(
        organisation=org.organisation, keys=[*keys, foreign], sid=secrets.token_bytes(32)
    )
    response = post(client_signed_in(account_make()), held.data)
    assert response.status_code == 400
    assert stored() == (0, 0, 0, 0)


def test_an_oversized_share_is_413(org: Org, keys: list[HandlerKey]) -> None:
    held = held_request(organisation=org.organisation, keys=keys, sid=secrets.token_bytes(32))
    held.data["envelopes"][0]["sealed"] = base64.b64encode(b"\x01" * 9000).decode()
    response = post(client_signed_in(account_make()), held.data)
    assert response.status_code == 413
    assert stored() == (0, 0, 0, 0)
