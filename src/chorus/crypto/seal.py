"""Sealing to a recipient with RFC 9180 HPKE (spec section 8), on pyca/cryptography's public API.

`sealed = 0x01 || suite || enc || ct`, with the version, suite, purpose and scope bound
through HPKE `info = SEAL_INFO_PREFIX || 0x01 || suite || lp(purpose) || lp(ctx)` and an empty
`aad`. Two suites, both with HKDF-SHA256 and ChaCha20-Poly1305:

- suite 1, DHKEM(X25519, HKDF-SHA256) (KEM 0x0020): keys are raw 32-byte X25519 keys,
  `enc` is 32 bytes;
- suite 2, MLKEM768-X25519 (KEM 0x647A), the post-quantum/traditional hybrid X-Wing: the
  private key is the 32-byte X-Wing seed, the public key `pk_M || pk_X` (1216 bytes), `enc`
  `ct_M || ct_X` (1120 bytes). pyca takes the two component keys, so the seed is expanded here
  as X-Wing does: `SHAKE256(seed, 96) = d || z (ML-KEM-768) || sk_X (X25519)`.

A key belongs to one suite: `unseal` is told the suite of its key and refuses envelopes of
another suite before using the key (`UnsupportedVersion`), so a 32-byte private key is never
read as both an X25519 key and an X-Wing seed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem
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
    InvalidParameter,
    InvalidScalar,
    UnsupportedVersion,
)
from chorus.crypto.suites import (
    AEAD_TAG_BYTES,
    ENVELOPE_VERSION,
    HPKE_ENC_BYTES,
    MLKEM768_PUBLIC_KEY_BYTES,
    MLKEM768_SEED_BYTES,
    SEAL_INFO_PREFIX,
    SEAL_SUITE_MLKEM768_X25519_CHACHA20,
    SEAL_SUITE_X25519_CHACHA20,
    X25519_KEY_BYTES,
    XWING_ENC_BYTES,
    XWING_EXPANDED_SEED_BYTES,
    XWING_PUBLIC_KEY_BYTES,
    XWING_SEED_BYTES,
)

type PrivateKey = X25519PrivateKey | hpke.MLKEM768X25519PrivateKey
type PublicKey = X25519PublicKey | hpke.MLKEM768X25519PublicKey


class SealKeyPair(NamedTuple):
    sk: bytes
    pk: bytes


# --- suite 1: DHKEM(X25519, HKDF-SHA256) -----------------------------------------------------


def _x25519_raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _x25519_new() -> bytes:
    return X25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )


def _x25519_public(sk: bytes) -> bytes:
    return _x25519_raw(X25519PrivateKey.from_private_bytes(sk).public_key())


# --- suite 2: MLKEM768-X25519 (X-Wing) --------------------------------------------------------


def _xwing_components(seed: bytes) -> tuple[mlkem.MLKEM768PrivateKey, X25519PrivateKey]:
    """X-Wing's expandDecapsulationKey: the ML-KEM-768 and X25519 keys of a 32-byte seed."""
    expanded = hashlib.shake_256(seed).digest(XWING_EXPANDED_SEED_BYTES)
    return (
        mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:MLKEM768_SEED_BYTES]),
        X25519PrivateKey.from_private_bytes(expanded[MLKEM768_SEED_BYTES:]),
    )


def _xwing_private(seed: bytes) -> hpke.MLKEM768X25519PrivateKey:
    return hpke.MLKEM768X25519PrivateKey(*_xwing_components(seed))


def _xwing_public(seed: bytes) -> bytes:
    mlkem_key, x25519_key = _xwing_components(seed)
    return mlkem_key.public_key().public_bytes_raw() + _x25519_raw(x25519_key.public_key())


def _xwing_load_public(pk: bytes) -> hpke.MLKEM768X25519PublicKey:
    # ValueError for an ML-KEM key that fails FIPS 203's modulus check; seal() maps it.
    return hpke.MLKEM768X25519PublicKey(
        mlkem.MLKEM768PublicKey.from_public_bytes(pk[:MLKEM768_PUBLIC_KEY_BYTES]),
        X25519PublicKey.from_public_bytes(pk[MLKEM768_PUBLIC_KEY_BYTES:]),
    )


# --- the suites ----------------------------------------------------------------------------


class _Suite(NamedTuple):
    name: str
    hpke: hpke.Suite
    sk_bytes: int
    pk_bytes: int
    enc_bytes: int
    new_private: Callable[[], bytes]
    public_of: Callable[[bytes], bytes]
    load_private: Callable[[bytes], PrivateKey]
    load_public: Callable[[bytes], PublicKey]


_SUITES: dict[int, _Suite] = {
    SEAL_SUITE_X25519_CHACHA20: _Suite(
        name="X25519",
        hpke=hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305),
        sk_bytes=X25519_KEY_BYTES,
        pk_bytes=X25519_KEY_BYTES,
        enc_bytes=HPKE_ENC_BYTES,
        new_private=_x25519_new,
        public_of=_x25519_public,
        load_private=X25519PrivateKey.from_private_bytes,
        load_public=X25519PublicKey.from_public_bytes,
    ),
    SEAL_SUITE_MLKEM768_X25519_CHACHA20: _Suite(
        name="MLKEM768-X25519",
        hpke=hpke.Suite(
            hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305
        ),
        sk_bytes=XWING_SEED_BYTES,
        pk_bytes=XWING_PUBLIC_KEY_BYTES,
        enc_bytes=XWING_ENC_BYTES,
        new_private=lambda: secrets.token_bytes(XWING_SEED_BYTES),
        public_of=_xwing_public,
        load_private=_xwing_private,
        load_public=_xwing_load_public,
    ),
}

#: The sealing suites this implementation knows, by suite byte.
SUITES: tuple[int, ...] = tuple(_SUITES)


def _suite(suite: int) -> _Suite:
    # bool is refused by name: True == 1 would otherwise select suite 1.
    if isinstance(suite, bool) or suite not in _SUITES:
        raise InvalidParameter(f"unknown sealing suite {suite!r}")
    return _SUITES[suite]


def _checked_private(params: _Suite, sk: bytes) -> bytes:
    if len(sk) != params.sk_bytes:
        raise InvalidScalar(f"a {params.name} private key is {params.sk_bytes} bytes")
    return sk


def generate_key_pair(suite: int = SEAL_SUITE_X25519_CHACHA20) -> SealKeyPair:
    """A fresh key pair of `suite`, as raw bytes (suite 2: the X-Wing seed and `pk_M || pk_X`)."""
    params = _suite(suite)
    sk = params.new_private()
    return SealKeyPair(sk, params.public_of(sk))


def public_key(sk: bytes, *, suite: int = SEAL_SUITE_X25519_CHACHA20) -> bytes:
    """The public key of a raw private key of `suite`."""
    params = _suite(suite)
    return params.public_of(_checked_private(params, sk))


def seal_info(purpose: str, ctx: bytes, *, suite: int = SEAL_SUITE_X25519_CHACHA20) -> bytes:
    """The HPKE `info` that binds version, suite, purpose and scope."""
    _suite(suite)
    return SEAL_INFO_PREFIX + bytes([ENVELOPE_VERSION, suite]) + lp(ascii_label(purpose)) + lp(ctx)


def seal(
    pk: bytes,
    plaintext: bytes,
    *,
    purpose: str,
    ctx: bytes,
    suite: int = SEAL_SUITE_X25519_CHACHA20,
) -> bytes:
    """Seal `plaintext` to the holder of the private key of `pk`, for one purpose and scope."""
    params = _suite(suite)
    info = seal_info(purpose, ctx, suite=suite)
    if len(pk) != params.pk_bytes:
        raise InvalidElement(f"a {params.name} public key is {params.pk_bytes} bytes")
    try:
        encrypted = params.hpke.encrypt(plaintext, params.load_public(pk), info)
    except ValueError:  # a low-order X25519 key (zero shared secret), an ML-KEM key out of range
        raise InvalidElement(f"unusable {params.name} public key") from None
    return bytes([ENVELOPE_VERSION, suite]) + encrypted


def unseal(
    sk: bytes,
    sealed: bytes,
    *,
    purpose: str,
    ctx: bytes,
    suite: int = SEAL_SUITE_X25519_CHACHA20,
) -> bytes:
    """Open an envelope made by `seal` for the same purpose and scope; `suite` is `sk`'s."""
    params = _suite(suite)
    info = seal_info(purpose, ctx, suite=suite)
    private = params.load_private(_checked_private(params, sk))
    reader = Reader(sealed)
    if reader.byte() != ENVELOPE_VERSION:
        raise UnsupportedVersion("unknown envelope version")
    if reader.byte() != suite:
        raise UnsupportedVersion("the envelope is not of this key's sealing suite")
    body = reader.rest()
    if len(body) < params.enc_bytes + AEAD_TAG_BYTES:
        raise InvalidEnvelope("envelope is truncated")
    try:
        return params.hpke.decrypt(body, private, info)
    except (InvalidTag, ValueError):
        raise DecryptionFailed("envelope does not open") from None
