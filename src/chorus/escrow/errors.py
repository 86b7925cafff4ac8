"""Escrow errors: each says what the survivor can do about it."""

from __future__ import annotations

from chorus.core.errors import ChorusError


class EscrowError(ChorusError):
    code = "escrow"


class EntryInvalidError(EscrowError):
    """The submission is not what the escrow page sends: nothing was stored."""

    code = "invalid"


class EntryDuplicateError(EscrowError):
    status = 409
    code = "duplicate"


class EscrowNotReadyError(EscrowError):
    """No advocate has made a key yet, so nothing could ever be opened."""

    status = 503
    code = "not_ready"


class EntryNotFoundError(EscrowError):
    """Uniform for "not yours", "already matched" and "does not exist"."""

    status = 404
    code = "not_found"


class EntryLimitError(EscrowError):
    """The account already holds as many entries as one account may."""

    status = 429
    code = "too_many_entries"
