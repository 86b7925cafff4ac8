"""A member opens a released together group in their browser and claims each case's key for
their own key; from then on the case is in their inbox like any other."""

from __future__ import annotations

import base64
import copy
import json
import secrets
from collections.abc import Sequence
from typing import Any

import pytest
from django.test import Client

from chorus.core.models import AuditEntry
from chorus.crypto.seal import unseal
from chorus.crypto.suites import PURPOSE_CASE_KEY
from chorus.orgs import services as org_services
from chorus.orgs.models import HandlerKey
from chorus.reports.models import Case, CaseKey
from chorus.together import services
from chorus.together.models import Group, HeldShare
from tests.escrow.factories import account_make, client_signed_in
from tests.orgs.helpers import Org, enrol, issue, key_for, org_with_staff
from tests.together.helpers import b64, case_ctx, group_claims, held_request
from tests.workspace.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Org:
    return org_with_staff("Acme Ltd", prefix="acme")


@pytest.fixture
def keys(org: Org) -> dict[str, tuple[HandlerKey, bytes]]:
    return {"admin": key_for(org.admin), "handler": key_for(org.handler, suite=2)}


def member(org: Org, who: str = "handler") -> Client:
    client = Client()
    sign_in(client, org.handler_staff if who == "handler" else org.admin_staff)
    return client


def send(
    org: Org,
    keys: dict[str, tuple[HandlerKey, bytes]],
    *,
    excluded: Sequence[str] = (),
    text: str = "x",
) -> str:
    held = held_request(
        organisation=org.organisation,
        keys=[k for k, _ in keys.values()],
        sid=secrets.token_bytes(32),
        excluded=[keys[who][0] for who in excluded],
        text=text,
    )
    client = client_signed_in(account_make())
    response = client.post(
        "/reports/together", json.dumps(held.data), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return held.case_ref.hex()


def released(
    org: Org, keys: dict[str, tuple[HandlerKey, bytes]], n: int = 2
) -> tuple[int, list[str]]:
    refs = [send(org, keys, text=f"report {i}") for i in range(n)]
    services.together_match_run()
    return Group.objects.get().pk, refs


def base(org: Org, group: int) -> str:
    return f"/workspace/orgs/{org.organisation.slug}/together/{group}"


def claim(client: Client, org: Org, group: int, body: Any) -> Any:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"{base(org, group)}/claim", raw, content_type="application/json")


def test_a_member_opens_the_group_claims_the_cases_and_reads_them_in_the_inbox(
    org: Org, keys: dict[str, tuple[HandlerKey, bytes]]
) -> None:
    group, refs = released(org, keys)
    client = member(org)
    listing = client.get(f"/workspace/orgs/{org.organisation.slug}/together")
    assert listing.status_code == 200
    assert f'data-together-group="{group}"' in listing.content.decode()
    page = client.get(base(org, group))
    assert page.status_code == 200
    assert all(ref in page.content.decode() for ref in refs)
    data = client.get(f"{base(org, group)}/shares").json()
    key, sk = keys["handler"]
    assert data["threshold"] == 2
    assert data["key"] == {"id": key.pk, "suite": 2, "public_key": bytes(key.public_key).hex()}
    assert {c["case"] for c in data["cases"]} == set(refs)
    assert not any(c["claimed"] for c in data["cases"])
    claims = group_claims(data, sk)
    response = claim(client, org, group, {"cases": claims})
    assert response.status_code == 201, response.content
    assert sorted(response.json()["claimed"]) == sorted(refs)
    assert CaseKey.objects.filter(key=key).count() == 2
    # From now on the case is opened like any other, with the member's own sealed case key.
    for ref in refs:
        opened = client.get(f"/workspace/orgs/{org.organisation.slug}/cases/{ref}")
        assert opened.status_code == 200, opened.content
        plain = unseal(
            sk,
            base64.b64decode(opened.json()["sealed"]),
            purpose=PURPOSE_CASE_KEY,
            ctx=case_ctx(org.organisation),
            suite=2,
        )
        assert plain[33:].hex() == ref
    again = client.get(f"{base(org, group)}/shares").json()
    assert all(c["claimed"] for c in again["cases"])
    # A claim made twice is refused; the admin (another key) still claims their own.
    assert claim(client, org, group, {"cases": claims}).status_code == 409
    admin = member(org, "admin")
    admin_data = admin.get(f"{base(org, group)}/shares").json()
    admin_claims = group_claims(admin_data, keys["admin"][1])
    assert claim(admin, org, group, {"cases": admin_claims}).status_code == 201
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"together.group_opened", "together.case_claimed", "together.cases_released"} <= actions


def test_held_cases_appear_in_no_inbox_and_no_group(
    org: Org, keys: dict[str, tuple[HandlerKey, bytes]]
) -> None:
    ref = send(org, keys)
    services.together_match_run()
    client = member(org)
    assert ref not in client.get(f"/workspace/orgs/{org.organisation.slug}/cases").content.decode()
    assert client.get(f"/workspace/orgs/{org.organisation.slug}/cases/{ref}").status_code == 404
    listing = client.get(f"/workspace/orgs/{org.organisation.slug}/together")
    assert "data-together-group" not in listing.content.decode()


def test_a_claim_without_a_released_group_or_share_is_the_same_404(
    org: Org, keys: dict[str, tuple[HandlerKey, bytes]]
) -> None:
    group, _refs = released(org, keys)
    data = member(org).get(f"{base(org, group)}/shares").json()
    claims = group_claims(data, keys["handler"][1])
    other = org_with_staff("Other", prefix="other")
    key_for(other.handler)
    outsider = Client()
    sign_in(outsider, other.handler_staff)
    bodies = []
    for client, url in [
        (outsider, f"/workspace/orgs/{org.organisation.slug}/together/{group}/claim"),
        (outsider, f"/workspace/orgs/{other.organisation.slug}/together/{group}/claim"),
        (member(org), f"/workspace/orgs/{org.organisation.slug}/together/{group + 99}/claim"),
        (Client(), f"/workspace/orgs/{org.organisation.slug}/together/{group}/claim"),
    ]:
        response = client.post(url, json.dumps({"cases": claims}), content_type="application/json")
        assert response.status_code == 404
        bodies.append(response.json())
    for client, url in [
        (outsider, f"/workspace/orgs/{other.organisation.slug}/together/{group}/shares"),
        (outsider, f"/workspace/orgs/{other.organisation.slug}/together/{group}"),
    ]:
        assert client.get(url).status_code == 404
    assert not CaseKey.objects.exists()
    # A case of another group, or held, is refused even inside a released group.
    held = send(org, keys)
    forged = [{"case": held, "sealed": claims[0]["sealed"]}]
    response = claim(member(org), org, group, {"cases": forged})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Case.objects.get(case_ref=bytes.fromhex(held)).status == "held"
    assert not CaseKey.objects.exists()


def test_an_excluded_member_gets_no_share_and_cannot_claim(
    org: Org, keys: dict[str, tuple[HandlerKey, bytes]]
) -> None:
    refs = [send(org, keys, excluded=["handler"]), send(org, keys)]
    services.together_match_run()
    group = Group.objects.get().pk
    client = member(org)
    data = client.get(f"{base(org, group)}/shares").json()
    # Only the other survivor's share was sealed to the handler: one share, below t.
    assert [c["case"] for c in data["cases"]] == [refs[1]]
    key, _sk = keys["handler"]
    # Even a claim made up without the case key is refused for the excluded case.
    fake = b64(b"\x01\x02" + bytes(services.case_key_sealed_bytes(2) - 2))
    response = claim(client, org, group, {"cases": [{"case": refs[0], "sealed": fake}]})
    assert response.status_code == 404
    assert not CaseKey.objects.filter(key=key).exists()


def test_a_removed_member_cannot_open_or_claim(
    org: Org, keys: dict[str, tuple[HandlerKey, bytes]]
) -> None:
    group, _refs = released(org, keys)
    client = member(org)
    data = client.get(f"{base(org, group)}/shares").json()
    claims = group_claims(data, keys["handler"][1])
    org_services.member_remove(
        admin=org.admin, member_id=org.handler.pk, deactivate=lambda _username: None
    )
    assert claim(client, org, group, {"cases": claims}).status_code == 404
    assert not CaseKey.objects.exists()


def test_every_malformed_claim_is_400_and_nothing_is_stored(
    org: Org, keys: dict[str, tuple[HandlerKey, bytes]]
) -> None:
    group, refs = released(org, keys)
    client = member(org)
    claims = group_claims(client.get(f"{base(org, group)}/shares").json(), keys["handler"][1])
    sealed = base64.b64decode(claims[0]["sealed"])

    def one(**changes: Any) -> dict[str, Any]:
        item = copy.deepcopy(claims[0])
        item.update(changes)
        return {"cases": [item]}

    bad: list[tuple[str, Any]] = [
        ("not an object", claims),
        ("no cases", {}),
        ("an extra field", {"cases": claims, "x": 1}),
        ("cases empty", {"cases": []}),
        ("cases not a list", {"cases": {}}),
        ("too many", {"cases": [claims[0]] * (services.MAX_CLAIMS + 1)}),
        ("item not an object", {"cases": ["x"]}),
        ("item extra field", one(x=1)),
        ("case not hex", one(case="zz" * 16)),
        ("case short", one(case="ab" * 15)),
        ("same case twice", {"cases": [claims[0], claims[0]]}),
        ("sealed not base64", one(sealed="!!!!")),
        ("sealed too short", one(sealed=b64(sealed[:-1]))),
        ("sealed too long", one(sealed=b64(sealed + b"\x00"))),
        ("sealed version", one(sealed=b64(b"\x02" + sealed[1:]))),
        ("sealed suite", one(sealed=b64(sealed[:1] + b"\x01" + sealed[2:]))),
    ]
    for name, body in bad:
        response = claim(client, org, group, body)
        assert response.status_code == 400, name
        assert response.json()["code"] == "invalid", name
    for raw in ("not json", b"\xff"):
        assert claim(client, org, group, raw).status_code == 400
    assert not CaseKey.objects.exists()
    assert claim(client, org, group, {"cases": claims}).status_code == 201
    assert sorted(c["case"] for c in claims) == sorted(refs)


def test_a_planted_share_never_lets_an_excluded_member_claim(
    org: Org, keys: dict[str, tuple[HandlerKey, bytes]]
) -> None:
    refs = [send(org, keys, excluded=["handler"]), send(org, keys)]
    services.together_match_run()
    group = Group.objects.get()
    # Someone with database access plants a share for the excluded handler: still refused.
    entry = group.entries.get(case__case_ref=bytes.fromhex(refs[0]))
    HeldShare.objects.create(entry=entry, key=keys["handler"][0], sealed=b"\x01" * 300)
    fake = b64(b"\x01\x02" + bytes(services.case_key_sealed_bytes(2) - 2))
    response = claim(member(org), org, group.pk, {"cases": [{"case": refs[0], "sealed": fake}]})
    assert response.status_code == 404
    assert not CaseKey.objects.exists()


def test_a_member_without_a_key_sees_no_group_and_opens_none(
    org: Org, keys: dict[str, tuple[HandlerKey, bytes]]
) -> None:
    group, _refs = released(org, keys)
    invitee, token = org_services.member_invite(
        admin=org.admin, username="acme-new", display_name="New", issue_enrolment=issue
    )
    client = Client()
    sign_in(client, enrol(token))
    listing = client.get(f"/workspace/orgs/{org.organisation.slug}/together")
    assert listing.status_code == 200
    assert "data-together-group" not in listing.content.decode()
    assert client.get(base(org, group)).status_code == 404
    assert client.get(f"{base(org, group)}/shares").status_code == 404
    assert invitee.keys.count() == 0
