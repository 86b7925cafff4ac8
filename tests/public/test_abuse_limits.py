"""Per-network limits that make cheap accounts no way around the OPRF's per-account budget.

Each account may ask for CHORUS_OPRF_LIMIT_ACCOUNT evaluations a day, and an account costs only
a proof-of-work that takes a browser a moment. Without a limit on the network, one machine could
make accounts in a loop, spend the whole deployment's daily budget in seconds (no survivor could
name anyone until the next day) and test that many identifiers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from chorus.accounts import codename as cn
from chorus.accounts.models import Account
from chorus.core import pow
from chorus.crypto import oprf
from chorus.crypto.suites import Mode
from chorus.keyserver.models import Usage
from chorus.public.limits import ACCOUNTS_PER_WINDOW, oprf_elements_per_window
from tests.conftest import solve

pytestmark = pytest.mark.django_db


def _create(client: Client) -> Any:
    main = cn.codename_keys(cn.codename_generate())
    rescue = cn.recovery_keys(cn.recovery_generate())
    sid = cn.sid_generate()
    body = {
        "auth": main.auth.hex(),
        "recovery_auth": rescue.auth.hex(),
        "sid_wrapped": cn.sid_wrap(wrap=main.wrap, sid=sid).hex(),
        "sid_wrapped_recovery": cn.sid_wrap(wrap=rescue.wrap, sid=sid, recovery=True).hex(),
        "altcha": solve(pow.challenge_issue()),
    }
    return client.post("/account/new", json.dumps(body), content_type="application/json")


def _ask(client: Client, n: int) -> Any:
    blinded = [
        oprf.blind(f"guess {i}".encode(), mode=Mode.VOPRF).blinded_element.hex() for i in range(n)
    ]
    return client.post(
        "/escrow/oprf", json.dumps({"blinded": blinded}), content_type="application/json"
    )


def test_one_network_can_make_only_a_few_accounts_per_window() -> None:
    for _ in range(ACCOUNTS_PER_WINDOW):
        assert _create(Client()).status_code == 201
    refused = _create(Client())
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "accounts were made from your network" in refused.json()["message"]
    assert Account.objects.count() == ACCOUNTS_PER_WINDOW


def test_a_refused_account_creation_does_not_use_up_the_network_allowance() -> None:
    client = Client()
    for _ in range(ACCOUNTS_PER_WINDOW + 2):  # malformed bodies: nothing made, nothing counted
        client.post("/account/new", "{}", content_type="application/json")
    assert _create(client).status_code == 201


def test_all_accounts_on_one_network_share_one_evaluation_budget() -> None:
    budget = oprf_elements_per_window()
    assert budget == 2 * settings.CONFIG.oprf_limit_account == 40
    clients = [Client(), Client(), Client()]
    for client in clients:
        assert _create(client).status_code == 201
    for client in clients[:2]:  # two accounts spend their whole day's budget: 20 + 20
        for n in (8, 8, 4):
            assert _ask(client, n).status_code == 200
    # A third, fresh account on the same network is no way around it.
    refused = _ask(clients[2], 1)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "from your network" in refused.json()["message"]
    assert Usage.objects.get(tag="deployment").count == budget  # the refusal counted nothing
