"""Proof-of-work for anonymous actions: ALTCHA v2 challenges, and a wait ticket without JavaScript.

With JavaScript the browser solves an ALTCHA v2 challenge (PBKDF2/SHA-256, deterministic mode):
the server signs the challenge parameters and an HMAC of the expected derived key, so checking a
solution costs two HMACs, whatever the difficulty. Without JavaScript the server hands out a
signed ticket that becomes valid only after a short wait: it costs a bot time rather than work,
which is why the network rate limit matters more there (docs/privacy/voices.md).

Every challenge and ticket is single use: spending it inserts its hash into ``SpentProof`` in the
same transaction as the action it admits.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import altcha
from django.conf import settings
from django.core import signing
from django.db import connection
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from chorus.core import errors
from chorus.core.models import SpentProof

ALGORITHM = "PBKDF2/SHA-256"
LABEL_CHALLENGE = "chorus.core.pow.challenge.v1"
LABEL_KEY = "chorus.core.pow.derived-key.v1"
LABEL_TICKET = "chorus.core.pow.ticket.v1"
MAX_PAYLOAD_CHARS = 4096


@dataclass(frozen=True, slots=True)
class Proof:
    """A checked proof, ready to be spent once."""

    digest: str
    expires_at: int


def _secret(label: str) -> str:
    return _derive(label, settings.SECRET_KEY)


@lru_cache(maxsize=16)
def _derive(label: str, secret_key: str) -> str:
    return salted_hmac(label, "chorus", secret=secret_key, algorithm="sha256").hexdigest()


def challenge_issue(*, now: float | None = None) -> dict[str, Any]:
    config = settings.CONFIG
    now = time.time() if now is None else now
    challenge = altcha.create_challenge(
        ALGORITHM,
        config.pow_cost,
        counter=secrets.randbelow(config.pow_max_counter),
        expires_at=int(now) + config.pow_ttl_seconds,
        hmac_secret=_secret(LABEL_CHALLENGE),
        hmac_key_secret=_secret(LABEL_KEY),
    )
    result: dict[str, Any] = challenge.to_dict()
    return result


def proof_check(*, payload: str | None, now: float | None = None) -> Proof:
    """Check an ALTCHA payload's signature, expiry and solution. Raises a ProofOfWorkError."""
    if not payload:
        raise errors.ProofMissingError(
            _("The anti-spam check did not run. Please try again; nothing was counted.")
        )
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise errors.ProofMalformedError(
            _("The anti-spam answer is not valid. Nothing was counted.")
        )
    try:
        decoded = json.loads(base64.b64decode(payload, validate=True))
        parsed = altcha.Payload.from_dict(decoded)
        nonce = parsed.challenge.parameters.nonce
        expires_at = parsed.challenge.parameters.expires_at
        if not isinstance(nonce, str) or not isinstance(expires_at, int):
            raise TypeError
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error, RecursionError):
        raise errors.ProofMalformedError(
            _("The anti-spam answer is not valid. Nothing was counted.")
        ) from None
    now = time.time() if now is None else now
    if expires_at < now:
        raise errors.ProofExpiredError(
            _("The anti-spam check expired. Please send the form again; nothing was counted.")
        )
    try:
        result = altcha.verify_solution(
            parsed, _secret(LABEL_CHALLENGE), hmac_key_secret=_secret(LABEL_KEY)
        )
    except (ValueError, TypeError, AttributeError):
        result = None
    if result is None or not result.verified:
        raise errors.ProofInvalidError(
            _("The anti-spam answer does not match its challenge. Nothing was counted.")
        )
    return Proof(
        digest=hashlib.sha256(f"altcha:{nonce}".encode()).hexdigest(), expires_at=expires_at
    )


def ticket_issue(*, now: float | None = None) -> str:
    now = time.time() if now is None else now
    return signing.dumps({"n": secrets.token_hex(16), "t": int(now)}, salt=LABEL_TICKET)


def ticket_check(*, ticket: str | None, now: float | None = None) -> Proof:
    """Check a no-JavaScript wait ticket: signed, old enough, not expired."""
    config = settings.CONFIG
    if not ticket or len(ticket) > MAX_PAYLOAD_CHARS:
        raise errors.ProofMissingError(
            _("The anti-spam check did not run. Please try again; nothing was counted.")
        )
    try:
        data = signing.loads(ticket, salt=LABEL_TICKET)
        nonce, issued = str(data["n"]), int(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise errors.ProofInvalidError(
            _("The anti-spam answer is not valid. Nothing was counted.")
        ) from None
    now = time.time() if now is None else now
    if now - issued < config.nojs_wait_seconds:
        raise errors.ProofTooEarlyError(
            _("Please wait a few seconds, then press the button again. Nothing was lost.")
        )
    if now - issued > config.pow_ttl_seconds:
        raise errors.ProofExpiredError(
            _("The anti-spam check expired. Please send the form again; nothing was counted.")
        )
    return Proof(
        digest=hashlib.sha256(f"ticket:{nonce}".encode()).hexdigest(),
        expires_at=issued + config.pow_ttl_seconds,
    )


_SPEND = (
    f"INSERT INTO {SpentProof._meta.db_table} (digest, expires_at) VALUES (%s, %s) "  # noqa: S608
    "ON CONFLICT DO NOTHING"
)


def proof_spend_statement(*, proof: Proof) -> tuple[str, list[Any]]:
    """The statement that marks a proof as used, inserting one row or none (already spent),
    for callers that combine it with their own write in one statement (``voice_add`` on
    PostgreSQL). Most callers want ``proof_spend``."""
    # Rounded up to the hour: the row must not date the action more finely than its period.
    expires = datetime.fromtimestamp(math.ceil(proof.expires_at / 3600) * 3600, tz=UTC)
    return _SPEND, [proof.digest, connection.ops.adapt_datetimefield_value(expires)]


def proof_replayed() -> errors.ProofReplayedError:
    return errors.ProofReplayedError(
        _("This anti-spam answer was already used. Please send the form again.")
    )


def proof_spend(*, proof: Proof) -> None:
    """Mark a proof as used. Call inside the transaction of the action it admits."""
    sql, params = proof_spend_statement(proof=proof)
    with connection.cursor() as cursor:
        # One statement, no savepoint: a conflict means the proof was already spent.
        cursor.execute(sql, params)
        inserted = cursor.rowcount
    if inserted != 1:
        raise proof_replayed()


def proof_forget_expired(*, now: datetime) -> int:
    deleted, _unused = SpentProof.objects.filter(expires_at__lt=now).delete()
    return deleted
