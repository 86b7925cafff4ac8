"""Sealing to a recipient: HPKE with version, suite, purpose and scope bound through `info`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chorus.crypto import seal
from chorus.crypto.errors import (
    DecryptionFailed,
    InvalidElement,
    InvalidEnvelope,
    InvalidParameter,
    InvalidScalar,
    UnsupportedVersion,
)
from chorus.crypto.suites import PURPOSE_ESCROW_SHARE, PURPOSE_RECORD, PURPOSE_REPORT

PURPOSES = [PURPOSE_ESCROW_SHARE, PURPOSE_RECORD, PURPOSE_REPORT]
CTX = b"deployment"


@pytest.fixture(scope="module")
def keys():
    return seal.generate_key_pair()


@settings(max_examples=30)
@given(st.binary(max_size=500), st.sampled_from(PURPOSES), st.binary(max_size=40))
def test_seal_then_unseal_returns_the_plaintext(plaintext, purpose, ctx):
    keys = seal.generate_key_pair()
    sealed = seal.seal(keys.pk, plaintext, purpose=purpose, ctx=ctx)
    assert sealed[:2] == b"\x01\x01"
    assert len(sealed) == 2 + 32 + len(plaintext) + 16
    assert seal.unseal(keys.sk, sealed, purpose=purpose, ctx=ctx) == plaintext


def test_sealing_is_randomised(keys):
    first = seal.seal(keys.pk, b"same", purpose=PURPOSE_RECORD, ctx=CTX)
    assert first != seal.seal(keys.pk, b"same", purpose=PURPOSE_RECORD, ctx=CTX)


def test_public_key_matches_the_pair(keys):
    assert seal.public_key(keys.sk) == keys.pk


@pytest.mark.parametrize(
    ("purpose", "ctx"),
    [(PURPOSE_REPORT, CTX), (PURPOSE_RECORD, b"org:1"), (PURPOSE_RECORD, b""), ("Record", CTX)],
)
def test_another_purpose_or_scope_does_not_open(keys, purpose, ctx):
    sealed = seal.seal(keys.pk, b"secret", purpose=PURPOSE_RECORD, ctx=CTX)
    with pytest.raises(DecryptionFailed):
        seal.unseal(keys.sk, sealed, purpose=purpose, ctx=ctx)


def test_purpose_and_scope_cannot_be_shifted_into_each_other(keys):
    # lp() framing: ("ab", "c") and ("a", "bc") give different info.
    assert seal.seal_info("ab", b"c") != seal.seal_info("a", b"bc")
    sealed = seal.seal(keys.pk, b"x", purpose="ab", ctx=b"c")
    with pytest.raises(DecryptionFailed):
        seal.unseal(keys.sk, sealed, purpose="a", ctx=b"bc")


def test_another_recipient_cannot_open(keys):
    sealed = seal.seal(keys.pk, b"secret", purpose=PURPOSE_RECORD, ctx=CTX)
    with pytest.raises(DecryptionFailed):
        seal.unseal(seal.generate_key_pair().sk, sealed, purpose=PURPOSE_RECORD, ctx=CTX)


def test_every_tampered_byte_after_the_header_fails_to_decrypt(keys):
    sealed = seal.seal(keys.pk, b"twelve bytes", purpose=PURPOSE_RECORD, ctx=CTX)
    for position in range(2, len(sealed)):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionFailed):
            seal.unseal(keys.sk, bytes(tampered), purpose=PURPOSE_RECORD, ctx=CTX)
    with pytest.raises(DecryptionFailed):
        seal.unseal(keys.sk, sealed + b"\x00", purpose=PURPOSE_RECORD, ctx=CTX)


def test_every_truncation_is_rejected(keys):
    sealed = seal.seal(keys.pk, b"twelve bytes", purpose=PURPOSE_RECORD, ctx=CTX)
    for length in range(len(sealed)):
        expected = InvalidEnvelope if length < 2 + 32 + 16 else DecryptionFailed
        with pytest.raises(expected):
            seal.unseal(keys.sk, sealed[:length], purpose=PURPOSE_RECORD, ctx=CTX)


@pytest.mark.parametrize("header", [b"\x00\x01", b"\x02\x01", b"\x01\x00", b"\x01\x02"])
def test_unknown_version_or_suite_is_unsupported(keys, header):
    sealed = seal.seal(keys.pk, b"x", purpose=PURPOSE_RECORD, ctx=CTX)
    with pytest.raises(UnsupportedVersion):
        seal.unseal(keys.sk, header + sealed[2:], purpose=PURPOSE_RECORD, ctx=CTX)


def test_keys_of_the_wrong_length_or_low_order_are_refused(keys):
    with pytest.raises(InvalidElement):
        seal.seal(bytes(31), b"x", purpose=PURPOSE_RECORD, ctx=CTX)
    with pytest.raises(InvalidElement):
        seal.seal(bytes(32), b"x", purpose=PURPOSE_RECORD, ctx=CTX)  # low order: zero secret
    sealed = seal.seal(keys.pk, b"x", purpose=PURPOSE_RECORD, ctx=CTX)
    with pytest.raises(InvalidScalar):
        seal.unseal(keys.sk[:31], sealed, purpose=PURPOSE_RECORD, ctx=CTX)
    with pytest.raises(InvalidScalar):
        seal.public_key(bytes(33))


def test_a_low_order_ephemeral_key_does_not_open(keys):
    sealed = seal.seal(keys.pk, b"x", purpose=PURPOSE_RECORD, ctx=CTX)
    with pytest.raises(DecryptionFailed):
        seal.unseal(keys.sk, sealed[:2] + bytes(32) + sealed[34:], purpose=PURPOSE_RECORD, ctx=CTX)


def test_labels_must_be_ascii_and_short(keys):
    with pytest.raises(InvalidParameter):
        seal.seal(keys.pk, b"x", purpose="rékord", ctx=CTX)
    with pytest.raises(InvalidParameter):
        seal.seal(keys.pk, b"x", purpose=PURPOSE_RECORD, ctx=bytes(65536))
