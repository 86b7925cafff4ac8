"""Advocate keys (made in the browser; here in Python), opening matches, recording outreach."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from chorus.core.models import AuditEntry
from chorus.crypto import escrow, passphrase, seal
from chorus.crypto.passphrase import Argon2Params
from chorus.escrow.advocates import ADVOCATE_KEY_CTX, ESCROW_CTX
from chorus.escrow.models import AdvocateKey, Entry
from chorus.staff.models import StaffMember
from tests.workspace.helpers import (
    PASSPHRASE,
    advocate_enrolled,
    key_for,
    plant_match,
    sign_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice() -> StaffMember:
    return advocate_enrolled("alice")


@pytest.fixture
def alice_client(alice: StaffMember) -> Client:
    client = Client()
    sign_in(client, alice)
    return client


def _upload(client: Client, body: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/workspace/key", data, content_type="application/json")


def _good_key(suite: int = 1) -> dict[str, Any]:
    pair = seal.generate_key_pair(suite)
    return {
        "suite": suite,
        "public_key": pair.pk.hex(),
        "wrapped_private_key": passphrase.wrap(PASSPHRASE, pair.sk, ctx=ADVOCATE_KEY_CTX).hex(),
    }


@pytest.mark.parametrize("suite", [1, 2])
def test_a_key_made_in_the_browser_is_stored(
    alice: StaffMember, alice_client: Client, suite: int
) -> None:
    body = _good_key(suite)
    response = _upload(alice_client, body)
    assert response.status_code == 201, response.content
    key = AdvocateKey.objects.get(advocate=alice.user)
    assert response.json() == {"key": key.pk, "suite": suite}
    assert bytes(key.public_key).hex() == body["public_key"]
    assert bytes(key.wrapped_private_key).hex() == body["wrapped_private_key"]
    entry = AuditEntry.objects.order_by("pk").last()
    assert entry is not None
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "escrow.advocate_key_created",
        alice.user_id,
        key.pk,
    )
    page = alice_client.get("/workspace/key")
    assert b"Your key is ready" in page.content


def test_a_second_key_is_refused(alice_client: Client) -> None:
    assert _upload(alice_client, _good_key()).status_code == 201
    response = _upload(alice_client, _good_key())
    assert response.status_code == 400
    assert "already have a key" in response.json()["message"]
    assert AdvocateKey.objects.count() == 1


def _wrapped_with(params: Argon2Params) -> str:
    # An envelope with costs below the floor cannot be made by `wrap`: change the header.
    wrapped = bytearray(passphrase.wrap(PASSPHRASE, b"k" * 32, ctx=ADVOCATE_KEY_CTX))
    wrapped[17:21] = params.memory_kib.to_bytes(4, "big")
    wrapped[21] = params.time_cost
    wrapped[22] = params.parallelism
    return bytes(wrapped).hex()


def _bad_bodies() -> list[tuple[str, Any, str]]:
    good = _good_key()
    wrapped = bytes.fromhex(good["wrapped_private_key"])
    spaced = " ".join(good["public_key"][i : i + 2] for i in range(0, 64, 2))
    return [
        ("not json", "{suite: 1", "not JSON"),
        ("a list", [1, 2], "JSON object"),
        ("no suite", {**good, "suite": None}, "suite must be a number"),
        ("suite as text", {**good, "suite": "1"}, "suite must be a number"),
        ("suite true", {**good, "suite": True}, "suite must be a number"),
        ("unknown suite", {**good, "suite": 3}, "Unknown key suite"),
        ("suite mismatch", {**good, "suite": 2}, "public key is 1216 bytes, not 32"),
        ("short key", {**good, "public_key": "00" * 31}, "is 32 bytes, not 31"),
        ("long key", {**good, "public_key": "00" * 33}, "is 32 bytes, not 33"),
        ("low-order key", {**good, "public_key": "00" * 32}, "cannot be sealed to"),
        ("key not hex", {**good, "public_key": "zz" * 32}, "public_key must be a hexadecimal"),
        ("key missing", {**good, "public_key": None}, "public_key must be a hexadecimal"),
        ("wrapped not hex", {**good, "wrapped_private_key": "xyz"}, "hexadecimal"),
        # Strict: one spelling per key, so nothing downstream ever sees two forms of one value.
        ("key upper-case", {**good, "public_key": good["public_key"].upper()}, "lowercase hex"),
        (
            "key with spaces",
            {**good, "public_key": spaced},
            "lowercase hex",
        ),
        (
            "wrapped upper-case",
            {**good, "wrapped_private_key": good["wrapped_private_key"].upper()},
            "lowercase hex",
        ),
        ("an extra field", {**good, "note": "x"}, "exactly these fields"),
        ("wrapped short", {**good, "wrapped_private_key": wrapped[:-1].hex()}, "83 bytes"),
        ("wrapped long", {**good, "wrapped_private_key": (wrapped + b"\0").hex()}, "85 bytes"),
        (
            "wrapped version",
            {**good, "wrapped_private_key": (b"\x02" + wrapped[1:]).hex()},
            "unknown version",
        ),
        (
            "box version",
            {**good, "wrapped_private_key": (wrapped[:23] + b"\x07" + wrapped[24:]).hex()},
            "unknown version",
        ),
        (
            "weak Argon2id",
            {**good, "wrapped_private_key": _wrapped_with(Argon2Params(8192, 1, 1))},
            "costs are out of range",
        ),
        (
            "absurd Argon2id",
            {**good, "wrapped_private_key": _wrapped_with(Argon2Params(2**21, 2, 1))},
            "costs are out of range",
        ),
        (
            "zero lanes",
            {
                **good,
                "wrapped_private_key": (wrapped[:22] + b"\0" + wrapped[23:]).hex(),
            },
            "costs are out of range",
        ),
    ]


@pytest.mark.parametrize(("name", "body", "message"), _bad_bodies(), ids=lambda v: str(v)[:20])
def test_a_malformed_key_is_refused_and_nothing_stored(
    alice_client: Client, name: str, body: Any, message: str
) -> None:
    before = AuditEntry.objects.count()
    response = _upload(alice_client, body)
    assert response.status_code == 400, name
    assert message in response.json()["message"], response.json()
    assert set(response.json()) == {"message", "code"}  # the house error shape
    assert not AdvocateKey.objects.exists()
    assert AuditEntry.objects.count() == before


def test_an_oversized_key_upload_is_refused(alice_client: Client) -> None:
    response = _upload(alice_client, {"suite": 1, "public_key": "00" * 5000})
    assert response.status_code == 400
    assert "too large" in response.json()["message"]


def test_matches_are_listed_with_counts_and_outreach(
    alice: StaffMember, alice_client: Client
) -> None:
    key = key_for(alice).key
    match = plant_match([key], ["a@example.org", "b@example.org", "c@example.org"], t=2)
    Entry.objects.filter(match=match).order_by("pk").filter(
        pk=Entry.objects.filter(match=match).order_by("pk").first().pk  # type: ignore[union-attr]
    ).update(outreach="declined")
    page = alice_client.get("/workspace/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Match {match.pk}" in text
    assert "<td>3</td>" in text
    assert "Survivor declined: 1" in text
    assert "Not yet contacted: 2" in text
    assert "a@example.org" not in text


def test_a_match_sealed_to_others_is_not_listed_or_opened(
    alice: StaffMember, alice_client: Client
) -> None:
    bob = advocate_enrolled("bob")
    key_for(alice)
    match = plant_match([key_for(bob).key], ["a@example.org", "b@example.org"])
    assert b"No matches yet" in alice_client.get("/workspace/").content
    assert alice_client.get(f"/workspace/matches/{match.pk}").status_code == 404
    response = alice_client.get(f"/workspace/matches/{match.pk}/envelopes")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not AuditEntry.objects.filter(action="escrow.match_opened").exists()


def test_the_envelopes_open_to_both_contacts_with_the_passphrase(
    alice: StaffMember, alice_client: Client
) -> None:
    pair = key_for(alice)
    match = plant_match([pair.key], ["+44 20 7946 0958", "jo@example.org"])
    response = alice_client.get(f"/workspace/matches/{match.pk}/envelopes")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["suite"] == 1
    assert bytes.fromhex(data["ctx"]) == ESCROW_CTX
    assert len(data["entries"]) == 2
    # What the browser does, in Python: unwrap, open each share, recover, open each entry.
    sk = passphrase.unwrap(
        PASSPHRASE, bytes.fromhex(data["wrapped_private_key"]), ctx=bytes.fromhex(data["key_ctx"])
    )
    opened = [
        escrow.open_share(sk, bytes.fromhex(e["sealed"]), ctx=ESCROW_CTX) for e in data["entries"]
    ]
    entries = escrow.open_entries(opened, ctx=ESCROW_CTX, index=bytes.fromhex(data["index"]))
    assert sorted(json.loads(e)["contact"] for e in entries) == [
        "+44 20 7946 0958",
        "jo@example.org",
    ]
    audit = AuditEntry.objects.order_by("pk").last()
    assert audit is not None
    assert (audit.action, audit.actor_id, audit.object_type, audit.object_id) == (
        "escrow.match_opened",
        alice.user_id,
        "match",
        match.pk,
    )


def test_outreach_is_recorded_and_audited(alice: StaffMember, alice_client: Client) -> None:
    match = plant_match([key_for(alice).key], ["a@example.org", "b@example.org"])
    entry = Entry.objects.filter(match=match).order_by("pk").first()
    assert entry is not None
    for value in ("contacted", "referred", "declined"):
        response = alice_client.post(f"/workspace/entries/{entry.pk}/outreach", {"outreach": value})
        assert response.status_code == 302
        assert response["Location"] == f"/workspace/matches/{match.pk}"
        entry.refresh_from_db()
        assert entry.outreach == value
        audit = AuditEntry.objects.order_by("pk").last()
        assert audit is not None
        assert (audit.action, audit.object_id) == (f"escrow.outreach_{value}", entry.pk)
    page = alice_client.get(f"/workspace/matches/{match.pk}")
    assert b"Survivor declined" in page.content


@pytest.mark.parametrize("value", ["", "none", "CONTACTED", "deleted"])
def test_an_unknown_outreach_is_refused(
    alice: StaffMember, alice_client: Client, value: str
) -> None:
    match = plant_match([key_for(alice).key], ["a@example.org", "b@example.org"])
    entry = Entry.objects.filter(match=match).order_by("pk").first()
    assert entry is not None
    before = AuditEntry.objects.count()
    response = alice_client.post(f"/workspace/entries/{entry.pk}/outreach", {"outreach": value})
    assert response.status_code == 400
    assert b"Choose contacted, survivor declined or referred" in response.content
    entry.refresh_from_db()
    assert entry.outreach == ""
    assert AuditEntry.objects.count() == before


def test_outreach_on_an_entry_not_sealed_to_you_is_refused(
    alice: StaffMember, alice_client: Client
) -> None:
    key_for(alice)
    match = plant_match([key_for(advocate_enrolled("bob")).key], ["a@example.org", "b@x.org"])
    entry = Entry.objects.filter(match=match).order_by("pk").first()
    assert entry is not None
    response = alice_client.post(
        f"/workspace/entries/{entry.pk}/outreach", {"outreach": "contacted"}
    )
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.outreach == ""


def test_outreach_on_an_unmatched_entry_is_refused(
    alice: StaffMember, alice_client: Client
) -> None:
    match = plant_match([key_for(alice).key], ["a@example.org", "b@example.org"])
    entry = Entry.objects.filter(match=match).order_by("pk").first()
    assert entry is not None
    Entry.objects.filter(pk=entry.pk).update(match=None)
    response = alice_client.post(
        f"/workspace/entries/{entry.pk}/outreach", {"outreach": "contacted"}
    )
    assert response.status_code == 404


def test_passphrase_fields_can_never_be_submitted_to_the_server(
    alice: StaffMember, alice_client: Client
) -> None:
    """Without the page module the forms stay inert: no field name to send, buttons disabled."""
    match = plant_match([key_for(advocate_enrolled("bob")).key], ["a@x.org", "b@x.org"])
    pages = [alice_client.get("/workspace/key").content.decode()]
    AdvocateKey.objects.filter(advocate__username="bob").update(advocate=alice.user)
    pages.append(alice_client.get(f"/workspace/matches/{match.pk}").content.decode())
    for html in pages:
        assert 'id="field-passphrase"' in html
        assert 'name="passphrase' not in html
        assert 'type="submit" disabled>' in html
