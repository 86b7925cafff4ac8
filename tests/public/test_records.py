"""The survivor's record pages through HTTP: save, versions, open, delete, bad input."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

import pytest
from django.test import Client, override_settings

from chorus.crypto.errors import DecryptionFailed
from chorus.public import records as views
from chorus.records import services
from chorus.records.errors import StampInvalidError
from chorus.records.models import Record, RecordVersion
from chorus.records.stamps import stamp_verify
from tests.escrow.factories import account_make, client_signed_in
from tests.records.helpers import record_body, record_open, record_seal

pytestmark = pytest.mark.django_db

SAVE = "/records/envelopes"


def post(client: Client, body: str | bytes) -> Any:
    return client.post(SAVE, body, content_type="application/json")


def stored() -> tuple[int, int]:
    return Record.objects.count(), RecordVersion.objects.count()


def test_a_record_is_stored_as_ciphertext_with_a_signed_stamp() -> None:
    sid = secrets.token_bytes(32)
    account = account_make()
    response = post(client_signed_in(account), record_body(sid, what="He followed me home."))
    assert response.status_code == 201, response.content
    data = response.json()
    version = RecordVersion.objects.get()
    assert version.record.account == account
    assert data == {
        "record": version.record_id,
        "version": 1,
        "sha256": hashlib.sha256(bytes(version.envelope)).hexdigest(),
        "time": version.stamped_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "signature": bytes(version.signature).hex(),
    }
    stamp_verify(
        digest=bytes.fromhex(data["sha256"]),
        time_text=data["time"],
        signature=bytes.fromhex(data["signature"]),
    )
    envelope = bytes(version.envelope)
    assert b"followed" not in envelope
    assert record_open(sid, envelope)["answers"]["what"] == "He followed me home."


def test_a_change_is_a_new_version_and_the_newest_is_served() -> None:
    sid = secrets.token_bytes(32)
    client = client_signed_in(account_make())
    record_id = post(client, record_body(sid, what="first")).json()["record"]
    second = post(client, record_body(sid, record=record_id, what="second"))
    assert second.status_code == 201
    assert second.json()["version"] == 2
    assert stored() == (1, 2)
    served = client.get(f"/records/{record_id}/envelope").json()
    assert served["version"] == 2
    assert record_open(sid, base64.b64decode(served["envelope"]))["answers"]["what"] == "second"


def test_the_pages_of_a_signed_in_survivor_render() -> None:
    client = client_signed_in(account_make())
    record_id = post(client, record_body(secrets.token_bytes(32))).json()["record"]
    listing = client.get("/records")
    assert listing.status_code == 200
    assert f'data-record="{record_id}"' in listing.content.decode()
    assert client.get("/records/new").status_code == 200
    page = client.get(f"/records/{record_id}")
    assert page.status_code == 200
    text = page.content.decode()
    version = RecordVersion.objects.get()
    assert hashlib.sha256(bytes(version.envelope)).hexdigest() in text
    assert bytes(version.signature).hex() in text
    assert client.get(f"/records/{record_id}/edit").status_code == 200
    assert "data-record-saved" not in text
    assert "data-record-saved" in client.get(f"/records/{record_id}?saved=1").content.decode()


@pytest.mark.parametrize(
    "path", ["/records", "/records/new", "/records/1", "/records/1/edit", "/records/1/delete"]
)
def test_pages_send_a_signed_out_visitor_to_sign_in(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == "/account/signin"


def test_saving_or_fetching_signed_out_is_refused_and_stores_nothing() -> None:
    response = post(Client(), record_body(secrets.token_bytes(32)))
    assert response.status_code == 403
    assert response.json()["code"] == "signed_out"
    assert Client().get("/records/1/envelope").status_code == 403
    assert stored() == (0, 0)


def test_another_survivors_record_is_a_uniform_404_everywhere() -> None:
    owner = client_signed_in(account_make())
    record_id = post(owner, record_body(secrets.token_bytes(32))).json()["record"]
    intruder = client_signed_in(account_make())
    missing = record_id + 1000
    for target in (record_id, missing):
        assert intruder.get(f"/records/{target}").status_code == 404
        assert intruder.get(f"/records/{target}/edit").status_code == 404
        answer = intruder.get(f"/records/{target}/envelope")
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
        assert intruder.post(f"/records/{target}/delete").status_code == 404
        assert intruder.get(f"/records/{target}/delete").status_code == 404
        body = record_body(secrets.token_bytes(32), record=target)
        refused = post(intruder, body)
        assert refused.status_code == 404
    assert stored() == (1, 1)
    assert (
        intruder.get(f"/records/{record_id}").content == intruder.get(f"/records/{missing}").content
    )


def test_delete_erases_the_record_and_every_version() -> None:
    sid = secrets.token_bytes(32)
    client = client_signed_in(account_make())
    record_id = post(client, record_body(sid)).json()["record"]
    post(client, record_body(sid, record=record_id))
    confirm = client.get(f"/records/{record_id}/delete")
    assert confirm.status_code == 200
    assert "all 2 versions" in confirm.content.decode()
    assert stored() == (1, 2)
    response = client.post(f"/records/{record_id}/delete")
    assert response.status_code == 302
    assert response["Location"] == "/records?deleted=1"
    assert stored() == (0, 0)
    assert client.get(f"/records/{record_id}").status_code == 404


def test_erasing_an_account_erases_its_records() -> None:
    account = account_make()
    post(client_signed_in(account), record_body(secrets.token_bytes(32)))
    account.delete()
    assert stored() == (0, 0)


def envelope_b64(envelope: bytes) -> str:
    return base64.b64encode(envelope).decode()


GOOD = record_seal(b"\x07" * 32, {"v": 1, "answers": {}, "attachments": []})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        ("[]", '"format", "record" and "envelope"'),
        (json.dumps({"format": 1, "envelope": envelope_b64(GOOD)}), '"format", "record"'),
        (json.dumps({"format": 2, "record": None, "envelope": envelope_b64(GOOD)}), "out of date"),
        (json.dumps({"format": True, "record": None, "envelope": envelope_b64(GOOD)}), "out of"),
        (json.dumps({"format": 1, "record": "1", "envelope": envelope_b64(GOOD)}), '"record"'),
        (json.dumps({"format": 1, "record": 0, "envelope": envelope_b64(GOOD)}), '"record"'),
        (json.dumps({"format": 1, "record": True, "envelope": envelope_b64(GOOD)}), '"record"'),
        (json.dumps({"format": 1, "record": 2**63, "envelope": envelope_b64(GOOD)}), '"record"'),
        (json.dumps({"format": 1.0, "record": None, "envelope": envelope_b64(GOOD)}), "out of"),
        (json.dumps({"format": 1, "record": None, "envelope": "not base64!"}), "base64"),
        (json.dumps({"format": 1, "record": None, "envelope": "abc"}), "base64"),
        (json.dumps({"format": 1, "record": None, "envelope": 12}), "base64"),
        (json.dumps({"format": 1, "record": None, "envelope": "AQID"}), "too short"),
        (
            json.dumps({"format": 1, "record": None, "envelope": envelope_b64(b"\x02" + GOOD[1:])}),
            "unknown version",
        ),
    ],
)
def test_malformed_requests_are_refused_with_a_message_and_nothing_stored(
    body: str | bytes, message: str
) -> None:
    response = post(client_signed_in(account_make()), body)
    assert response.status_code == 400, response.content
    assert message in response.json()["message"]
    assert stored() == (0, 0)


def test_an_envelope_over_the_limit_is_refused_with_413(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "MAX_ENVELOPE_BYTES", 1000)
    client = client_signed_in(account_make())
    big = b"\x01" + secrets.token_bytes(1200)
    body = json.dumps({"format": 1, "record": None, "envelope": envelope_b64(big)})
    response = post(client, body)
    assert response.status_code == 413
    assert "too large" in response.json()["message"]
    # Just under the base64 limit but over the decoded one.
    just = b"\x01" + secrets.token_bytes(1000)
    body = json.dumps({"format": 1, "record": None, "envelope": envelope_b64(just)})
    assert post(client, body).status_code == 413
    assert stored() == (0, 0)


def test_a_body_over_the_record_route_allowance_is_refused_before_reading() -> None:
    client = client_signed_in(account_make())
    with override_settings(BODY_SIZE_ALLOWANCES={SAVE: 64 * 1024}):
        big = record_seal(b"\x07" * 32, {"v": 1, "pad": "x" * 70_000})
        response = post(
            client, json.dumps({"format": 1, "record": None, "envelope": envelope_b64(big)})
        )
        assert response.status_code == 413
        small = record_seal(b"\x07" * 32, {"v": 1, "pad": "x" * 30_000})
        body = json.dumps({"format": 1, "record": None, "envelope": envelope_b64(small)})
        assert len(body) > 16 * 1024
        assert post(client, body).status_code == 201
    assert stored() == (1, 1)


def test_the_record_route_takes_bodies_over_16_kib_by_default() -> None:
    padded = record_seal(b"\x07" * 32, {"v": 1, "pad": "x" * 200_000})
    body = json.dumps({"format": 1, "record": None, "envelope": envelope_b64(padded)})
    assert len(body) > 200_000
    assert post(client_signed_in(account_make()), body).status_code == 201


def test_other_routes_still_refuse_bodies_over_16_kib() -> None:
    client = client_signed_in(account_make())
    body = json.dumps({"entries": [], "pad": "x" * 20_000})
    assert client.post("/escrow/oprf", body, content_type="application/json").status_code == 413
    assert client.post("/records/1/delete", {"pad": "x" * 20_000}).status_code == 413
    assert (
        client.post("/records/envelopesX", body, content_type="application/json").status_code == 413
    )


def test_the_view_reads_at_most_its_own_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "_BODY_LIMIT", 100)
    response = post(client_signed_in(account_make()), record_body(secrets.token_bytes(32)))
    assert response.status_code == 413
    assert stored() == (0, 0)


def test_a_tampered_ciphertext_no_longer_matches_its_stamp() -> None:
    sid = secrets.token_bytes(32)
    client = client_signed_in(account_make())
    data = post(client, record_body(sid)).json()
    version = RecordVersion.objects.get()
    tampered = bytearray(bytes(version.envelope))
    tampered[-1] ^= 1
    digest = hashlib.sha256(bytes(tampered)).digest()
    with pytest.raises(StampInvalidError):
        stamp_verify(
            digest=digest, time_text=data["time"], signature=bytes.fromhex(data["signature"])
        )
    with pytest.raises(DecryptionFailed):
        record_open(sid, bytes(tampered))
    assert record_open(sid, bytes(version.envelope))["v"] == 1


def test_the_wrong_method_is_refused() -> None:
    client = client_signed_in(account_make())
    assert client.get(SAVE).status_code == 405
    assert client.put("/records/1/delete").status_code == 405
    assert client.post("/records/1/envelope").status_code == 405
