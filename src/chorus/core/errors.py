"""The root of every error a person can act on. Interfaces map these to one message format."""

from __future__ import annotations

from typing import Any


class ChorusError(Exception):
    """An error with a message meant for a person, an HTTP status, and optional details."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class RateLimitedError(ChorusError):
    status = 429
    code = "rate_limited"


class ProofOfWorkError(ChorusError):
    code = "proof_of_work"


class ProofMissingError(ProofOfWorkError):
    code = "proof_missing"


class ProofMalformedError(ProofOfWorkError):
    code = "proof_malformed"


class ProofInvalidError(ProofOfWorkError):
    code = "proof_invalid"


class ProofExpiredError(ProofOfWorkError):
    code = "proof_expired"


class ProofReplayedError(ProofOfWorkError):
    code = "proof_replayed"


class ProofTooEarlyError(ProofOfWorkError):
    code = "proof_too_early"
