"""Secrets wrapped under a passphrase with Argon2id (spec section 8).

`envelope = 0x01 || salt (16) || I2OSP(m_KiB, 4) || I2OSP(t_cost, 1) || I2OSP(p, 1) || box`;
`box` is an AEAD box under `Argon2id(passphrase, salt)` with purpose `PASSPHRASE_LABEL`, the
caller's scope and an empty index. A changed salt or parameter changes the key, so tampering
fails to decrypt. The parameters travel with the envelope so they can be raised later; no
envelope below the spec's minimum is made or opened, nor one asking for more than 1 GiB.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from chorus.crypto.box import box_open, box_seal
from chorus.crypto.encoding import Reader, i2osp
from chorus.crypto.errors import InvalidEnvelope, InvalidParameter, UnsupportedVersion
from chorus.crypto.suites import (
    ARGON2_ENVELOPE_MEMORY_KIB_MAX,
    ARGON2_KEY_BYTES,
    ARGON2_MEMORY_KIB,
    ARGON2_MEMORY_KIB_MAX,
    ARGON2_PARALLELISM,
    ARGON2_SALT_BYTES,
    ARGON2_TIME_COST,
    ENVELOPE_VERSION,
    PASSPHRASE_LABEL,
)

_BYTE_MAX = 255
_PURPOSE = PASSPHRASE_LABEL.decode("ascii")


@dataclass(frozen=True, slots=True)
class Argon2Params:
    """Argon2id costs: memory in KiB, passes, lanes."""

    memory_kib: int = ARGON2_MEMORY_KIB
    time_cost: int = ARGON2_TIME_COST
    parallelism: int = ARGON2_PARALLELISM

    def __post_init__(self) -> None:
        if not (
            1 <= self.parallelism <= _BYTE_MAX
            and 1 <= self.time_cost <= _BYTE_MAX
            and 8 * self.parallelism <= self.memory_kib <= ARGON2_MEMORY_KIB_MAX
        ):
            raise InvalidParameter("Argon2id parameters out of range")

    @property
    def allowed_in_envelopes(self) -> bool:
        """At least the spec's parameters (OWASP's minimum) and at most 1 GiB of memory."""
        return (
            ARGON2_MEMORY_KIB <= self.memory_kib <= ARGON2_ENVELOPE_MEMORY_KIB_MAX
            and self.time_cost >= ARGON2_TIME_COST
        )


#: The spec's parameters: m = 19456 KiB, t = 2, p = 1.
DEFAULT_PARAMS = Argon2Params()


def passphrase_key(passphrase: str, salt: bytes, params: Argon2Params = DEFAULT_PARAMS) -> bytes:
    """`Argon2id(UTF-8(passphrase), salt)`: a 32-byte key. Any valid parameters (tests go low)."""
    if len(salt) != ARGON2_SALT_BYTES:
        raise InvalidParameter("a salt is 16 bytes")
    try:
        secret = passphrase.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate cannot come from a keyboard
        raise InvalidParameter("passphrase is not valid Unicode text") from None
    return Argon2id(
        salt=salt,
        length=ARGON2_KEY_BYTES,
        iterations=params.time_cost,
        lanes=params.parallelism,
        memory_cost=params.memory_kib,
    ).derive(secret)


def _header(salt: bytes, params: Argon2Params) -> bytes:
    return (
        bytes([ENVELOPE_VERSION])
        + salt
        + i2osp(params.memory_kib, 4)
        + i2osp(params.time_cost, 1)
        + i2osp(params.parallelism, 1)
    )


def wrap(
    passphrase: str,
    secret: bytes,
    *,
    ctx: bytes,
    params: Argon2Params = DEFAULT_PARAMS,
    salt: bytes | None = None,
    nonce: bytes | None = None,
) -> bytes:
    """Encrypt `secret` under `passphrase`; `salt` and `nonce` inject randomness (tests only)."""
    if not params.allowed_in_envelopes:
        raise InvalidParameter("Argon2id parameters below the spec's minimum or above 1 GiB")
    salt = os.urandom(ARGON2_SALT_BYTES) if salt is None else salt
    key = passphrase_key(passphrase, salt, params)
    return _header(salt, params) + box_seal(
        key, secret, purpose=_PURPOSE, ctx=ctx, index=b"", nonce=nonce
    )


def unwrap(passphrase: str, envelope: bytes, *, ctx: bytes) -> bytes:
    """Open an envelope made by `wrap`; a wrong passphrase or scope is `DecryptionFailed`."""
    reader = Reader(envelope)
    if reader.byte() != ENVELOPE_VERSION:
        raise UnsupportedVersion("unknown passphrase envelope version")
    salt = reader.take(ARGON2_SALT_BYTES)
    memory_kib, time_cost, parallelism = reader.uint(4), reader.byte(), reader.byte()
    sealed = reader.rest()
    try:
        params = Argon2Params(memory_kib, time_cost, parallelism)
    except InvalidParameter:
        params = None
    if params is None or not params.allowed_in_envelopes:
        raise InvalidEnvelope("Argon2id parameters out of range")
    key = passphrase_key(passphrase, salt, params)
    return box_open(key, sealed, purpose=_PURPOSE, ctx=ctx, index=b"")
