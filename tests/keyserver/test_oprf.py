"""The app's OPRF endpoint, /escrow/oprf, with the key server inside the app."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from chorus.accounts import codename as cn
from chorus.accounts.models import Account
from chorus.core import pow
from chorus.crypto import keyservers, oprf
from chorus.crypto.suites import Mode
from chorus.keyserver import selectors, services
from chorus.keyserver.models import Usage
from tests.conftest import solve

pytestmark = pytest.mark.django_db
URL = "/escrow/oprf"


def signed_in_client() -> Client:
    """A survivor who made a codename account over HTTP and is signed in."""
    client = Client()
    main, rescue = (
        cn.codename_keys(cn.codename_generate()),
        cn.recovery_keys(cn.recovery_generate()),
    )
    sid = cn.sid_generate()
    body = {
        "auth": main.auth.hex(),
        "recovery_auth": rescue.auth.hex(),
        "sid_wrapped": cn.sid_wrap(wrap=main.wrap, sid=sid).hex(),
        "sid_wrapped_recovery": cn.sid_wrap(wrap=rescue.wrap, sid=sid, recovery=True).hex(),
        "altcha": solve(pow.challenge_issue()),
    }
    response = client.post("/account/new", json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    return client


def ask(client: Client, body: Any) -> Any:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, raw, content_type="application/json")


def blinded_inputs(n: int) -> tuple[list[bytes], list[oprf.Blinded]]:
    inputs = [secrets.token_bytes(20) for _ in range(n)]
    return inputs, [oprf.blind(i, mode=Mode.VOPRF) for i in inputs]


def outputs(inputs: list[bytes], blinds: list[oprf.Blinded], servers: list[Any]) -> list[bytes]:
    """What the browser does: verify each server's proof, add the evaluations, finalize."""
    results = []
    for position, (private_input, blinded) in enumerate(zip(inputs, blinds, strict=True)):
        evaluations = []
        for server in servers:
            evaluated = [bytes.fromhex(e) for e in server["evaluated"]]
            oprf.verify_proof(
                oprf.GENERATOR,
                bytes.fromhex(server["public_key"]),
                [b.blinded_element for b in blinds],
                evaluated,
                bytes.fromhex(server["proof"]),
                mode=Mode.VOPRF,
            )
            evaluations.append(
                keyservers.ServerEvaluation(
                    bytes.fromhex(server["public_key"]), evaluated[position], b""
                )
            )
        # Z = ZA + ZB: the group addition that also adds public keys.
        combined = keyservers.combine_public_keys([e.evaluated_element for e in evaluations])
        results.append(oprf.unblind_output(private_input, blinded.blind, combined))
    return results


def counted() -> int:
    return sum(Usage.objects.exclude(tag=services.DEPLOYMENT_TAG).values_list("count", flat=True))


def test_a_survivor_gets_a_proven_evaluation_that_finalizes_to_the_voprf() -> None:
    client = signed_in_client()
    inputs, blinds = blinded_inputs(3)
    response = ask(client, {"blinded": [b.blinded_element.hex() for b in blinds]})
    assert response.status_code == 200
    servers = response.json()["servers"]
    assert len(servers) == 1
    assert servers[0]["public_key"] == selectors.keyserver_public_keys()[0].hex()
    assert len(servers[0]["proof"]) == 128
    expected = [oprf.evaluate(settings.CONFIG.oprf_key, i, mode=Mode.VOPRF) for i in inputs]
    assert outputs(inputs, blinds, servers) == expected
    assert counted() == 3
    assert Usage.objects.get(tag=services.DEPLOYMENT_TAG).count == 3


def test_the_limit_is_counted_under_a_pseudonym_of_the_account() -> None:
    client = signed_in_client()
    _inputs, blinds = blinded_inputs(1)
    ask(client, {"blinded": [blinds[0].blinded_element.hex()]})
    account = Account.objects.get()
    usage = Usage.objects.exclude(tag=services.DEPLOYMENT_TAG).get()
    assert usage.tag == services.keyserver_account_tag(account_id=account.pk)
    assert usage.tag != services.keyserver_account_tag(account_id=account.pk + 1)


def test_only_a_signed_in_survivor_may_ask() -> None:
    _inputs, blinds = blinded_inputs(1)
    response = ask(Client(), {"blinded": [blinds[0].blinded_element.hex()]})
    assert response.status_code == 403
    assert response.json()["code"] == "signed_out"
    assert Usage.objects.count() == 0


IDENTITY = "00" * 32
NON_CANONICAL = "ff" * 32


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"blinded": []}, "between 1 and 8"),
        ({"blinded": ["aa" * 32] * 9}, "between 1 and 8"),
        ({"blinded": "aa" * 32}, "between 1 and 8"),
        ({"blinded": ["aa" * 31]}, "64 lowercase hex"),
        ({"blinded": ["AA" * 32]}, "64 lowercase hex"),
        ({"blinded": ["zz" * 32]}, "64 lowercase hex"),
        ({"blinded": [7]}, "64 lowercase hex"),
        ({"blinded": [IDENTITY]}, "not a valid group element"),
        ({"blinded": [NON_CANONICAL]}, "not a valid group element"),
        ({"blinded": ["aa" * 32], "more": 1}, "one field"),
        ([], "one field"),
        ("not json", "not valid JSON"),
    ],
)
def test_bad_requests_are_refused_and_count_nothing(body: Any, message: str) -> None:
    client = signed_in_client()
    response = ask(client, body)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert Usage.objects.filter(count__gt=0).count() == 0


def test_a_valid_element_beside_an_invalid_one_is_not_evaluated() -> None:
    client = signed_in_client()
    _inputs, blinds = blinded_inputs(1)
    response = ask(client, {"blinded": [blinds[0].blinded_element.hex(), IDENTITY]})
    assert response.status_code == 400
    assert "servers" not in response.json()
    assert counted() == 0


def test_an_oversized_request_is_refused() -> None:
    client = signed_in_client()
    response = ask(client, json.dumps({"blinded": ["aa" * 32] * 100}))
    assert response.status_code == 413
    assert counted() == 0


def test_the_daily_limit_per_account_refuses_the_whole_batch(config_override: Any) -> None:
    config_override(oprf_limit_account=3)
    client = signed_in_client()
    _inputs, blinds = blinded_inputs(2)
    body = {"blinded": [b.blinded_element.hex() for b in blinds]}
    assert ask(client, body).status_code == 200
    refused = ask(client, body)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "one account may in a day" in refused.json()["message"]
    assert counted() == 2  # the refused batch counted nothing
    single = {"blinded": [blinds[0].blinded_element.hex()]}
    assert ask(client, single).status_code == 200  # one more still fits
    assert ask(signed_in_client(), body).status_code == 200  # another account has its own


def test_the_daily_limit_per_deployment_covers_all_accounts(config_override: Any) -> None:
    config_override(oprf_limit_deployment=4)
    _inputs, blinds = blinded_inputs(3)
    body = {"blinded": [b.blinded_element.hex() for b in blinds]}
    assert ask(signed_in_client(), body).status_code == 200
    refused = ask(signed_in_client(), body)
    assert refused.status_code == 429
    assert "This site has reached its daily limit" in refused.json()["message"]
    assert Usage.objects.get(tag=services.DEPLOYMENT_TAG).count == 3


def test_old_counts_are_forgotten() -> None:
    client = signed_in_client()
    _inputs, blinds = blinded_inputs(1)
    ask(client, {"blinded": [blinds[0].blinded_element.hex()]})
    today = Usage.objects.first().day  # type: ignore[union-attr]
    assert services.usage_forget_old(today=today) == 0
    assert services.usage_forget_old(today=today + timedelta(days=1)) == 0  # yesterday's limit
    # Days, not a year on: there is no 29 February in the next year.
    assert services.usage_forget_old(today=today + timedelta(days=2)) == 2
    assert Usage.objects.count() == 0
