"""Per-network limits hold for requests sent at the same moment: each reserves its count before
it runs, so a burst cannot pass the check together (found by review: 12 of 12 accounts were made
against a limit of 5, and 96 OPRF elements evaluated against 40)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from chorus.accounts.models import Account
from chorus.crypto import oprf
from chorus.crypto.suites import Mode
from chorus.public.limits import (
    ACCOUNTS_PER_WINDOW,
    SIGNIN_FAILURES_PER_WINDOW,
    oprf_elements_per_window,
)
from tests.counts.test_concurrency import THREADS, run_together
from tests.escrow.factories import account_make, client_signed_in
from tests.public.test_abuse_limits import _create

pytestmark = pytest.mark.django_db(transaction=True)


def test_accounts_made_at_the_same_moment_stay_within_the_limit() -> None:
    results = run_together([lambda: _create(Client()).status_code for _ in range(THREADS)])
    assert results[201] == ACCOUNTS_PER_WINDOW, results
    assert results[429] == THREADS - ACCOUNTS_PER_WINDOW, results
    assert Account.objects.count() == ACCOUNTS_PER_WINDOW


def test_oprf_elements_asked_at_the_same_moment_stay_within_the_limit() -> None:
    clients = [client_signed_in(account_make()) for _ in range(THREADS)]
    per_request = 8
    blinded = [
        oprf.blind(f"name {i}".encode(), mode=Mode.VOPRF).blinded_element.hex()
        for i in range(per_request)
    ]
    body = json.dumps({"blinded": blinded})

    def ask(client: Client):
        return lambda: (
            client.post("/escrow/oprf", body, content_type="application/json").status_code
        )

    results = run_together([ask(c) for c in clients])
    assert results[200] == oprf_elements_per_window() // per_request, results
    assert results[200] + results[429] == THREADS, results


def test_wrong_codenames_tried_at_the_same_moment_stay_within_the_limit() -> None:
    wrong = json.dumps({"auth": (b"\x07" * 32).hex()})

    def attempt() -> int:
        return Client().post("/account/signin", wrong, content_type="application/json").status_code

    results = run_together([attempt for _ in range(THREADS)])
    assert results[403] == SIGNIN_FAILURES_PER_WINDOW, results
    assert results[429] == THREADS - SIGNIN_FAILURES_PER_WINDOW, results
