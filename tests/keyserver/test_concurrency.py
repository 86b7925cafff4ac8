"""Simultaneous evaluations for one account: the daily limit holds exactly, on both databases."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from chorus.crypto import oprf
from chorus.crypto.suites import Mode
from chorus.keyserver import services
from chorus.keyserver.errors import KeyserverLimitError
from chorus.keyserver.models import Usage
from tests.counts.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def evaluate(tag: str) -> Callable[[], int]:
    blinded = oprf.blind(secrets.token_bytes(16), mode=Mode.VOPRF).blinded_element

    def job() -> int:
        try:
            services.keyserver_evaluate(blinded=[blinded], tag=tag)
        except KeyserverLimitError:
            return 429
        return 200

    return job


def test_simultaneous_requests_never_pass_the_account_limit(config_override: Any) -> None:
    config_override(oprf_limit_account=25, oprf_limit_deployment=10**6)
    tag = secrets.token_hex(32)
    results = run_together([evaluate(tag) for _ in range(60)])
    assert results == {200: 25, 429: 35}
    assert Usage.objects.get(tag=tag).count == 25
    assert Usage.objects.get(tag=services.DEPLOYMENT_TAG).count == 25
