"""Argon2id passphrase keys and passphrase-wrapped secrets (spec section 8)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from chorus.crypto import passphrase
from chorus.crypto.box import box_open
from chorus.crypto.errors import (
    DecryptionFailed,
    InvalidEnvelope,
    InvalidParameter,
    UnsupportedVersion,
)
from chorus.crypto.suites import PASSPHRASE_LABEL

SMALL = passphrase.Argon2Params(memory_kib=64, time_cost=1, parallelism=1)
SALT = bytes(range(16))
CTX = b"deployment"


@pytest.mark.parametrize(
    ("memory_kib", "expected"),
    [
        (256, "9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe"),
        (65536, "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"),
    ],
)
def test_argon2id_matches_the_reference_implementation(memory_kib, expected):
    # phc-winner-argon2 src/test.c: argon2id v=0x13, t=2, p=1, "password", "somesalt".
    kdf = Argon2id(salt=b"somesalt", length=32, iterations=2, lanes=1, memory_cost=memory_kib)
    assert kdf.derive(b"password").hex() == expected


def test_passphrase_key_is_argon2id_of_the_utf8_passphrase():
    expected = Argon2id(salt=SALT, length=32, iterations=1, lanes=1, memory_cost=64).derive(
        "pâss phrase".encode()
    )
    assert passphrase.passphrase_key("pâss phrase", SALT, SMALL) == expected
    assert passphrase.passphrase_key("pass phrase", SALT, SMALL) != expected


def test_default_parameters_are_the_spec():
    assert passphrase.Argon2Params(19456, 2, 1) == passphrase.DEFAULT_PARAMS
    assert len(passphrase.passphrase_key("x", SALT)) == 32


@pytest.mark.parametrize(
    ("memory_kib", "time_cost", "parallelism"),
    [
        (7, 1, 1),
        (15, 1, 2),
        (64, 0, 1),
        (64, 256, 1),
        (64, 1, 0),
        (2**22, 1, 1),
        (2048, 1, 256),
    ],
)
def test_invalid_argon2_parameters_are_refused(memory_kib, time_cost, parallelism):
    with pytest.raises(InvalidParameter):
        passphrase.Argon2Params(memory_kib, time_cost, parallelism)


def test_salt_length_and_unicode_are_checked():
    with pytest.raises(InvalidParameter):
        passphrase.passphrase_key("x", bytes(15), SMALL)
    with pytest.raises(InvalidParameter):
        passphrase.passphrase_key("\ud800", SALT, SMALL)


@pytest.fixture(scope="module")
def envelope():
    return passphrase.wrap(
        "correct horse", b"survivor id bytes", ctx=CTX, salt=SALT, nonce=bytes(12)
    )


def test_wrap_layout_and_round_trip(envelope):
    assert envelope[:1] == b"\x01"
    assert envelope[1:17] == SALT
    assert envelope[17:23] == (19456).to_bytes(4, "big") + b"\x02\x01"
    assert passphrase.unwrap("correct horse", envelope, ctx=CTX) == b"survivor id bytes"
    key = passphrase.passphrase_key("correct horse", SALT)
    label = PASSPHRASE_LABEL.decode()
    assert box_open(key, envelope[23:], purpose=label, ctx=CTX, index=b"") == b"survivor id bytes"


def test_wrap_is_deterministic_only_with_injected_randomness(envelope):
    again = passphrase.wrap(
        "correct horse", b"survivor id bytes", ctx=CTX, salt=SALT, nonce=bytes(12)
    )
    assert again == envelope
    assert passphrase.wrap("correct horse", b"survivor id bytes", ctx=CTX) != envelope


def test_wrong_passphrase_or_scope_does_not_open(envelope):
    with pytest.raises(DecryptionFailed):
        passphrase.unwrap("correct horse!", envelope, ctx=CTX)
    with pytest.raises(DecryptionFailed):
        passphrase.unwrap("correct horse", envelope, ctx=b"org:1")


def test_tampered_parameters_or_salt_do_not_open(envelope):
    raised_time = envelope[:21] + b"\x03" + envelope[22:]
    with pytest.raises(DecryptionFailed):
        passphrase.unwrap("correct horse", raised_time, ctx=CTX)
    other_salt = envelope[:1] + bytes(16) + envelope[17:]
    with pytest.raises(DecryptionFailed):
        passphrase.unwrap("correct horse", other_salt, ctx=CTX)


@pytest.mark.parametrize(
    "params",
    [
        (2**20 + 1).to_bytes(4, "big") + b"\x02\x01",  # more than 1 GiB
        (19455).to_bytes(4, "big") + b"\x02\x01",  # less memory than the spec
        (19456).to_bytes(4, "big") + b"\x01\x01",  # fewer passes than the spec
        (19456).to_bytes(4, "big") + b"\x00\x01",  # not Argon2id at all
        (19456).to_bytes(4, "big") + b"\x02\x00",
    ],
)
def test_out_of_range_parameters_in_an_envelope_are_invalid_envelope(envelope, params):
    with pytest.raises(InvalidEnvelope):
        passphrase.unwrap("correct horse", envelope[:17] + params + envelope[23:], ctx=CTX)


def test_version_and_truncation_are_checked(envelope):
    with pytest.raises(UnsupportedVersion):
        passphrase.unwrap("correct horse", b"\x02" + envelope[1:], ctx=CTX)
    for length in (0, 1, 16, 22, 23, 23 + 28):
        with pytest.raises(InvalidEnvelope):
            passphrase.unwrap("correct horse", envelope[:length], ctx=CTX)


def test_new_envelopes_never_use_less_than_the_spec_nor_more_than_1_gib():
    for weak in (
        SMALL,
        passphrase.Argon2Params(19456, 1, 1),
        passphrase.Argon2Params(19455, 2, 1),
        passphrase.Argon2Params(2**20 + 1, 2, 1),
    ):
        assert not weak.allowed_in_envelopes
        with pytest.raises(InvalidParameter):
            passphrase.wrap("x", b"y", ctx=CTX, params=weak)
    assert passphrase.Argon2Params(2**20, 3, 1).allowed_in_envelopes


def test_raised_parameters_travel_with_the_envelope():
    stronger = passphrase.Argon2Params(memory_kib=20480, time_cost=3, parallelism=1)
    sealed = passphrase.wrap("pw", b"advocate private key", ctx=CTX, params=stronger)
    assert sealed[17:23] == (20480).to_bytes(4, "big") + b"\x03\x01"
    assert passphrase.unwrap("pw", sealed, ctx=CTX) == b"advocate private key"
