"""Sealing to a recipient with RFC 9180 HPKE (spec section 8), on pyca/cryptography's public API.

`sealed = 0x01 || suite || enc (32) || ct`, with the version, suite, purpose and scope bound
through HPKE `info = SEAL_INFO_PREFIX || 0x01 || suite || lp(purpose) || lp(ctx)` and an empty
`aad`. Keys are raw 32-byte X25519 keys, as the browser stores them.
"""

from __future__ import annotations

from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from chorus.crypto.encoding import Reader, ascii_label, lp
from chorus.crypto.errors import (
    DecryptionFailed,
    InvalidElement,
    InvalidEnvelope,
    InvalidScalar,
    UnsupportedVersion,
)
from chorus.crypto.suites import (
    AEAD_TAG_BYTES,
    ENVELOPE_VERSION,
    HPKE_ENC_BYTES,
    SEAL_INFO_PREFIX,
    SEAL_SUITE_X25519_CHACHA20,
    X25519_KEY_BYTES,
)

_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
_HEADER = bytes([ENVELOPE_VERSION, SEAL_SUITE_X25519_CHACHA20])


class SealKeyPair(NamedTuple):
    sk: bytes
    pk: bytes


def generate_key_pair() -> SealKeyPair:
    """A fresh X25519 key pair for sealing, as raw bytes."""
    private = X25519PrivateKey.generate()
    return SealKeyPair(
        private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
        private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
    )


def public_key(sk: bytes) -> bytes:
    """The X25519 public key of a raw private key."""
    return _private(sk).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def seal_info(purpose: str, ctx: bytes) -> bytes:
    """The HPKE `info` that binds version, suite, purpose and scope."""
    return SEAL_INFO_PREFIX + _HEADER + lp(ascii_label(purpose)) + lp(ctx)


def _private(sk: bytes) -> X25519PrivateKey:
    if len(sk) != X25519_KEY_BYTES:
        raise InvalidScalar("an X25519 private key is 32 bytes")
    return X25519PrivateKey.from_private_bytes(sk)


def seal(pk: bytes, plaintext: bytes, *, purpose: str, ctx: bytes) -> bytes:
    """Seal `plaintext` to the holder of the private key of `pk`, for one purpose and scope."""
    info = seal_info(purpose, ctx)
    if len(pk) != X25519_KEY_BYTES:
        raise InvalidElement("an X25519 public key is 32 bytes")
    try:
        return _HEADER + _SUITE.encrypt(plaintext, X25519PublicKey.from_public_bytes(pk), info)
    except ValueError:  # a low-order public key: the shared secret would be zero
        raise InvalidElement("unusable X25519 public key") from None


def unseal(sk: bytes, sealed: bytes, *, purpose: str, ctx: bytes) -> bytes:
    """Open an envelope made by `seal` for the same purpose and scope."""
    info = seal_info(purpose, ctx)
    private = _private(sk)
    reader = Reader(sealed)
    if reader.byte() != ENVELOPE_VERSION:
        raise UnsupportedVersion("unknown envelope version")
    if reader.byte() != SEAL_SUITE_X25519_CHACHA20:
        raise UnsupportedVersion("unknown sealing suite")
    body = reader.rest()
    if len(body) < HPKE_ENC_BYTES + AEAD_TAG_BYTES:
        raise InvalidEnvelope("envelope is truncated")
    try:
        return _SUITE.decrypt(body, private, info)
    except (InvalidTag, ValueError):
        raise DecryptionFailed("envelope does not open") from None
