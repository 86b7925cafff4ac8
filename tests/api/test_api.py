import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from chorus.core import pow
from chorus.counts import services
from chorus.counts.selectors import answers_pending, voice_pending_count
from chorus.counts.services import VoiceFacts
from tests.conftest import solve, tamper

pytestmark = pytest.mark.django_db


def post(client: Client, body: object, *, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body)
    return client.post("/api/v1/voices", data, content_type="application/json")


@pytest.fixture
def published() -> None:
    start = datetime.now(tz=UTC) - timedelta(days=5)
    services.voices_seed(started=start, voices=[(start, VoiceFacts(setting="online"))] * 300)
    services.snapshot_publish()


def test_openapi_document_lists_every_operation(client: Client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "Chorus API"
    assert set(doc["paths"]) == {
        "/api/v1/challenge",
        "/api/v1/voices",
        "/api/v1/snapshots",
        "/api/v1/snapshots/latest",
        "/api/v1/snapshots/{snapshot_id}",
    }


def test_a_voice_is_added_through_the_api(client: Client) -> None:
    challenge = client.get("/api/v1/challenge").json()
    response = post(client, {"altcha": solve(challenge), "country": "KE", "form": "verbal"})
    assert response.status_code == 201
    assert response.json()["status"] == "added"
    assert answers_pending(facet="country") == {"KE": 1}
    assert answers_pending(facet="form") == {"verbal": 1}


def test_an_unknown_fact_is_refused_naming_the_field(client: Client, payload: str) -> None:
    response = post(client, {"altcha": payload, "setting": "moon"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_voice"
    assert set(body["extra"]["fields"]) == {"setting"}
    assert voice_pending_count() == 0


def test_an_unknown_field_is_refused(client: Client, payload: str) -> None:
    response = post(client, {"altcha": payload, "name": "Someone"})
    assert response.status_code == 422
    assert response.json()["extra"]["errors"][0]["field"] == "name"
    assert voice_pending_count() == 0


@pytest.mark.parametrize(
    "raw", [b"{not json", b'{"altcha": "\xff\xfe"}', b"\xff\xfe\xfd", b"[1, 2"]
)
def test_malformed_json_or_utf8_is_refused(client: Client, raw: bytes) -> None:
    response = post(client, None, raw=raw)
    assert response.status_code in (400, 422)
    assert "message" in response.json()
    assert voice_pending_count() == 0


def test_a_non_object_body_is_refused(client: Client) -> None:
    response = post(client, [1, 2, 3])
    assert response.status_code == 422
    assert voice_pending_count() == 0


def test_an_oversized_body_is_refused(client: Client, payload: str) -> None:
    response = post(client, {"altcha": payload, "country": "x" * 20000})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert voice_pending_count() == 0


def test_a_missing_proof_is_refused(client: Client) -> None:
    response = post(client, {"country": "FR"})
    assert response.status_code == 422
    response = post(client, {"country": "FR", "altcha": ""})
    assert response.status_code == 400
    assert response.json()["code"] == "proof_missing"
    assert voice_pending_count() == 0


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda p: "bm90IGpzb24=", "proof_malformed"),
        (lambda p: tamper(p, challenge__parameters__cost=1), "proof_invalid"),
        (lambda p: tamper(p, solution__derivedKey="22" * 32), "proof_invalid"),
    ],
)
def test_a_forged_or_malformed_proof_is_refused(
    client: Client, payload: str, make, code: str
) -> None:
    response = post(client, {"altcha": make(payload)})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert voice_pending_count() == 0


def test_an_expired_proof_is_refused(client: Client) -> None:
    payload = solve(pow.challenge_issue(now=time.time() - 7200))
    response = post(client, {"altcha": payload})
    assert response.json()["code"] == "proof_expired"
    assert voice_pending_count() == 0


def test_a_replayed_proof_is_refused(client: Client, payload: str) -> None:
    assert post(client, {"altcha": payload}).status_code == 201
    response = post(client, {"altcha": payload})
    assert response.status_code == 400
    assert response.json()["code"] == "proof_replayed"
    assert voice_pending_count() == 1


def test_the_rate_limit_answers_429(client: Client, config_override) -> None:
    config_override(rate_limit_voices=1)
    assert post(client, {"altcha": solve(pow.challenge_issue())}).status_code == 201
    response = post(client, {"altcha": solve(pow.challenge_issue())})
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_snapshots_are_404_before_the_first_one(client: Client) -> None:
    assert client.get("/api/v1/snapshots").json() == []
    assert client.get("/api/v1/snapshots/latest").status_code == 404
    assert client.get("/api/v1/snapshots/1").status_code == 404


@pytest.mark.usefixtures("published")
def test_snapshots_can_be_listed_and_read(client: Client) -> None:
    listed = client.get("/api/v1/snapshots").json()
    sid = listed[0]["id"]
    assert listed[0]["csv"] == f"/data/snapshots/{sid}.csv"
    assert listed[0]["json"] == f"/data/snapshots/{sid}.json"
    latest = client.get("/api/v1/snapshots/latest").json()
    assert latest == client.get(f"/api/v1/snapshots/{sid}").json()
    assert latest["metadata"]["epsilon_per_voice_lifetime"] <= 1
    rows = {r["code"]: r for r in latest["facets"]["setting"]}
    assert rows["online"]["label"] == "Online"
    assert rows["online"]["value"] is not None


def test_an_unknown_snapshot_id_is_a_clear_404(client: Client) -> None:
    response = client.get("/api/v1/snapshots/abc")
    assert response.status_code in (404, 422)
