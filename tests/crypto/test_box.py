"""The AEAD box: ChaCha20-Poly1305 bound to purpose, scope and index; strict parsing."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from hypothesis import given
from hypothesis import strategies as st

from chorus.crypto.box import box_open, box_seal
from chorus.crypto.errors import (
    DecryptionFailed,
    InvalidEnvelope,
    InvalidParameter,
    UnsupportedVersion,
)

KEY = bytes(range(32))
NONCE = bytes(range(12))
INDEX = b"\x11" * 32
ARGS: dict[str, Any] = {"purpose": "escrow-share", "ctx": b"deployment", "index": INDEX}


@given(st.binary(min_size=32, max_size=32), st.binary(max_size=300), st.binary(max_size=40))
def test_box_round_trips(key, plaintext, index):
    sealed = box_seal(key, plaintext, purpose="record", ctx=b"org:7", index=index)
    assert len(sealed) == 1 + 12 + len(plaintext) + 16
    assert box_open(key, sealed, purpose="record", ctx=b"org:7", index=index) == plaintext


def test_box_layout_is_the_spec():
    sealed = box_seal(KEY, b"hello", nonce=NONCE, **ARGS)
    aad = b"\x01" + b"\x00\x0cescrow-share" + b"\x00\x0adeployment" + INDEX
    assert sealed == b"\x01" + NONCE + ChaCha20Poly1305(KEY).encrypt(NONCE, b"hello", aad)


def test_fresh_nonces_by_default():
    assert box_seal(KEY, b"x", **ARGS) != box_seal(KEY, b"x", **ARGS)


@pytest.mark.parametrize(
    "change",
    [
        {"purpose": "record"},
        {"ctx": b"org:1"},
        {"index": b"\x12" * 32},
        {"index": INDEX[:-1]},
    ],
)
def test_another_purpose_scope_or_index_does_not_open(change):
    sealed = box_seal(KEY, b"secret", **ARGS)
    with pytest.raises(DecryptionFailed):
        box_open(KEY, sealed, **{**ARGS, **change})


def test_another_key_or_tampering_does_not_open():
    sealed = box_seal(KEY, b"secret", **ARGS)
    with pytest.raises(DecryptionFailed):
        box_open(bytes(32), sealed, **ARGS)
    for position in range(1, len(sealed)):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x80
        with pytest.raises(DecryptionFailed):
            box_open(KEY, bytes(tampered), **ARGS)


def test_truncation_and_version_are_checked():
    sealed = box_seal(KEY, b"", **ARGS)
    for length in range(len(sealed)):
        with pytest.raises(InvalidEnvelope):
            box_open(KEY, sealed[:length], **ARGS)
    with pytest.raises(UnsupportedVersion):
        box_open(KEY, b"\x02" + sealed[1:], **ARGS)
    assert box_open(KEY, sealed, **ARGS) == b""


def test_key_and_nonce_lengths_are_checked():
    with pytest.raises(InvalidParameter):
        box_seal(bytes(31), b"x", **ARGS)
    with pytest.raises(InvalidParameter):
        box_open(bytes(33), b"\x01" + bytes(28), **ARGS)
    with pytest.raises(InvalidParameter):
        box_seal(KEY, b"x", nonce=bytes(24), **ARGS)
