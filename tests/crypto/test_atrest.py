"""Server secrets at rest: the key is HKDF of the server secret; the box is bound to the row."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import strategies as st

from chorus.crypto.atrest import at_rest_key, at_rest_open, at_rest_seal
from chorus.crypto.errors import DecryptionFailed, InvalidParameter

SECRET = b"a server secret key of fifty characters or so, long"
OLD = b"the secret key this server used before its rotation"
NONCE = bytes(range(12))
ARGS: dict[str, Any] = {"purpose": "totp-secret", "scope": b"chorus/staff/v1/7"}


def test_the_key_is_hkdf_sha512_of_the_server_secret() -> None:
    expected = HKDF(hashes.SHA512(), 32, salt=b"chorus/at-rest/v1", info=b"key").derive(SECRET)
    assert at_rest_key(SECRET) == expected


def test_the_sealed_value_is_the_spec_box() -> None:
    sealed = at_rest_seal(SECRET, b"JBSWY3DPEHPK3PXP", nonce=NONCE, **ARGS)
    aad = b"\x01" + b"\x00\x0btotp-secret" + b"\x00\x11chorus/staff/v1/7"
    cipher = ChaCha20Poly1305(at_rest_key(SECRET))
    assert sealed == b"\x01" + NONCE + cipher.encrypt(NONCE, b"JBSWY3DPEHPK3PXP", aad)


@given(st.binary(max_size=200))
def test_a_sealed_value_opens_with_its_secret_and_row(plaintext: bytes) -> None:
    sealed = at_rest_seal(SECRET, plaintext, **ARGS)
    assert len(sealed) == 1 + 12 + len(plaintext) + 16
    assert at_rest_open([SECRET], sealed, **ARGS) == plaintext


def test_an_older_secret_still_opens_what_it_sealed() -> None:
    sealed = at_rest_seal(OLD, b"secret", **ARGS)
    assert at_rest_open([SECRET, OLD], sealed, **ARGS) == b"secret"


@pytest.mark.parametrize(
    ("secrets", "purpose", "scope"),
    [
        ([OLD], "totp-secret", b"chorus/staff/v1/7"),  # another server's secret
        ([], "totp-secret", b"chorus/staff/v1/7"),  # no secret at all
        ([SECRET], "totp-secret", b"chorus/staff/v1/8"),  # copied to another row
        ([SECRET], "record", b"chorus/staff/v1/7"),  # another purpose
    ],
)
def test_a_sealed_value_opens_nowhere_else(
    secrets: list[bytes], purpose: str, scope: bytes
) -> None:
    sealed = at_rest_seal(SECRET, b"secret", **ARGS)
    with pytest.raises(DecryptionFailed):
        at_rest_open(secrets, sealed, purpose=purpose, scope=scope)


def test_a_short_server_secret_is_refused() -> None:
    with pytest.raises(InvalidParameter, match="at least 32 bytes"):
        at_rest_key(b"x" * 31)
