"""The AEAD box (spec section 8): ChaCha20-Poly1305 bound to a purpose, a scope and an index.

`box = 0x01 || nonce (12) || ChaCha20-Poly1305(K, nonce, plaintext, aad)` with
`aad = 0x01 || lp(purpose) || lp(ctx) || index`.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from chorus.crypto.encoding import Reader, ascii_label, lp
from chorus.crypto.errors import (
    DecryptionFailed,
    InvalidEnvelope,
    InvalidParameter,
    UnsupportedVersion,
)
from chorus.crypto.suites import AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES, ENVELOPE_VERSION

_VERSION = bytes([ENVELOPE_VERSION])


def _aad(purpose: str, ctx: bytes, index: bytes) -> bytes:
    return _VERSION + lp(ascii_label(purpose)) + lp(ctx) + index


def _cipher(key: bytes) -> ChaCha20Poly1305:
    if len(key) != AEAD_KEY_BYTES:
        raise InvalidParameter("an AEAD key is 32 bytes")
    return ChaCha20Poly1305(key)


def box_seal(
    key: bytes,
    plaintext: bytes,
    *,
    purpose: str,
    ctx: bytes,
    index: bytes,
    nonce: bytes | None = None,
) -> bytes:
    """Encrypt `plaintext` under `key`; `nonce` injects the nonce (tests only)."""
    cipher = _cipher(key)
    if nonce is None:
        nonce = os.urandom(AEAD_NONCE_BYTES)
    elif len(nonce) != AEAD_NONCE_BYTES:
        raise InvalidParameter("a nonce is 12 bytes")
    return _VERSION + nonce + cipher.encrypt(nonce, plaintext, _aad(purpose, ctx, index))


def box_open(key: bytes, box: bytes, *, purpose: str, ctx: bytes, index: bytes) -> bytes:
    """Decrypt a box made by `box_seal` with the same key, purpose, scope and index."""
    cipher = _cipher(key)
    aad = _aad(purpose, ctx, index)
    reader = Reader(box)
    if reader.byte() != ENVELOPE_VERSION:
        raise UnsupportedVersion("unknown box version")
    nonce = reader.take(AEAD_NONCE_BYTES)
    ciphertext = reader.rest()
    if len(ciphertext) < AEAD_TAG_BYTES:
        raise InvalidEnvelope("box is truncated")
    try:
        return cipher.decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise DecryptionFailed("box does not open") from None
