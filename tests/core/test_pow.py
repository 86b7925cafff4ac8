import time
from datetime import UTC, datetime, timedelta

import pytest

from chorus.core import errors, pow
from chorus.core.models import SpentProof
from tests.conftest import solve, tamper


def test_a_solved_challenge_is_accepted(payload: str) -> None:
    proof = pow.proof_check(payload=payload)
    assert len(proof.digest) == 64
    assert proof.expires_at > time.time()


@pytest.mark.parametrize("payload", [None, ""])
def test_a_missing_proof_is_refused(payload: str | None) -> None:
    with pytest.raises(errors.ProofMissingError):
        pow.proof_check(payload=payload)


@pytest.mark.parametrize(
    "payload",
    ["not base64!", "bm90IGpzb24=", "W10=", "e30=", "x" * 5000, "eyJjaGFsbGVuZ2UiOiAxfQ=="],
)
def test_a_malformed_proof_is_refused(payload: str) -> None:
    with pytest.raises(errors.ProofMalformedError):
        pow.proof_check(payload=payload)


@pytest.mark.parametrize(
    "change",
    [
        {"challenge__parameters__cost": 1},
        {"challenge__parameters__nonce": "00" * 16},
        {"challenge__signature": "00" * 32},
        {"solution__derivedKey": "00" * 32},
    ],
)
def test_a_forged_proof_is_refused(payload: str, change: dict[str, object]) -> None:
    with pytest.raises(errors.ProofInvalidError):
        pow.proof_check(payload=tamper(payload, **change))


def test_an_expired_proof_is_refused(payload: str) -> None:
    with pytest.raises(errors.ProofExpiredError):
        pow.proof_check(payload=payload, now=time.time() + 3600)


def test_a_challenge_from_another_secret_is_refused(payload: str, settings) -> None:
    settings.SECRET_KEY = "another secret entirely, for another deployment " * 2
    with pytest.raises(errors.ProofInvalidError):
        pow.proof_check(payload=payload)


@pytest.mark.django_db
def test_a_proof_can_be_spent_once(payload: str) -> None:
    proof = pow.proof_check(payload=payload)
    pow.proof_spend(proof=proof)
    with pytest.raises(errors.ProofReplayedError):
        pow.proof_spend(proof=proof)
    assert SpentProof.objects.count() == 1


@pytest.mark.django_db
def test_spent_proofs_are_dated_no_finer_than_the_hour(payload: str) -> None:
    pow.proof_spend(proof=pow.proof_check(payload=payload))
    spent = SpentProof.objects.get()
    assert (spent.expires_at.minute, spent.expires_at.second) == (0, 0)
    assert "spent proof until" in str(spent)


@pytest.mark.django_db
def test_expired_spent_proofs_are_forgotten(payload: str) -> None:
    proof = pow.proof_check(payload=payload)
    pow.proof_spend(proof=proof)
    assert pow.proof_forget_expired(now=datetime.now(tz=UTC)) == 0
    assert pow.proof_forget_expired(now=datetime.now(tz=UTC) + timedelta(hours=3)) == 1


def test_a_ticket_is_accepted_after_the_wait_and_before_expiry(config_override) -> None:
    config_override(nojs_wait_seconds=5, pow_ttl_seconds=600)
    now = time.time()
    ticket = pow.ticket_issue(now=now)
    with pytest.raises(errors.ProofTooEarlyError):
        pow.ticket_check(ticket=ticket, now=now + 1)
    assert pow.ticket_check(ticket=ticket, now=now + 6).digest
    with pytest.raises(errors.ProofExpiredError):
        pow.ticket_check(ticket=ticket, now=now + 601)


@pytest.mark.parametrize("ticket", [None, "", "forged:ticket", "x" * 5000])
def test_a_missing_or_forged_ticket_is_refused(ticket: str | None) -> None:
    with pytest.raises((errors.ProofMissingError, errors.ProofInvalidError)):
        pow.ticket_check(ticket=ticket)


def test_each_challenge_is_different() -> None:
    a, b = pow.challenge_issue(), pow.challenge_issue()
    assert a["parameters"]["nonce"] != b["parameters"]["nonce"]
    assert solve(a) != solve(b)
