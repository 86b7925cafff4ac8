"""Sealing to a recipient: HPKE with version, suite, purpose and scope bound through `info`."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import mlkem
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
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
from chorus.crypto.suites import (
    PURPOSE_ESCROW_SHARE,
    PURPOSE_RECORD,
    PURPOSE_REPORT,
    SEAL_SUITE_MLKEM768_X25519_CHACHA20,
)

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


# --- suite 2: MLKEM768-X25519 (X-Wing) ----------------------------------------------------

SUITE2 = SEAL_SUITE_MLKEM768_X25519_CHACHA20
ENC2 = 1120


@pytest.fixture(scope="module")
def keys2():
    return seal.generate_key_pair(SUITE2)


def test_suite_2_keys_are_the_xwing_seed_and_pk_m_pk_x(keys2):
    assert (len(keys2.sk), len(keys2.pk)) == (32, 1216)
    assert seal.public_key(keys2.sk, suite=SUITE2) == keys2.pk
    assert seal.SUITES == (1, 2)
    # X-Wing: SHAKE256(seed, 96) = ML-KEM-768 d || z, then the X25519 private key
    expanded = hashlib.shake_256(keys2.sk).digest(96)
    mlkem_pk = mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:64]).public_key()
    x25519_pk = X25519PrivateKey.from_private_bytes(expanded[64:]).public_key()
    assert keys2.pk == mlkem_pk.public_bytes_raw() + x25519_pk.public_bytes_raw()


@settings(max_examples=10)
@given(st.binary(max_size=300), st.sampled_from(PURPOSES), st.binary(max_size=40))
def test_suite_2_seal_then_unseal_returns_the_plaintext(keys2, plaintext, purpose, ctx):
    sealed = seal.seal(keys2.pk, plaintext, purpose=purpose, ctx=ctx, suite=SUITE2)
    assert sealed[:2] == b"\x01\x02"
    assert len(sealed) == 2 + ENC2 + len(plaintext) + 16
    assert seal.unseal(keys2.sk, sealed, purpose=purpose, ctx=ctx, suite=SUITE2) == plaintext


def test_suite_2_binds_purpose_scope_and_recipient(keys2):
    sealed = seal.seal(keys2.pk, b"secret", purpose=PURPOSE_RECORD, ctx=CTX, suite=SUITE2)
    assert sealed != seal.seal(keys2.pk, b"secret", purpose=PURPOSE_RECORD, ctx=CTX, suite=SUITE2)
    for purpose, ctx in [(PURPOSE_REPORT, CTX), (PURPOSE_RECORD, b"org:1")]:
        with pytest.raises(DecryptionFailed):
            seal.unseal(keys2.sk, sealed, purpose=purpose, ctx=ctx, suite=SUITE2)
    other = seal.generate_key_pair(SUITE2).sk
    with pytest.raises(DecryptionFailed):
        seal.unseal(other, sealed, purpose=PURPOSE_RECORD, ctx=CTX, suite=SUITE2)
    assert seal.seal_info("record", CTX, suite=SUITE2) != seal.seal_info("record", CTX)
    assert seal.seal_info("record", CTX, suite=SUITE2)[15:17] == b"\x01\x02"


@pytest.mark.parametrize("position", [2, 500, 1089, 1090, 1121, 1122, 1130, -1])
def test_suite_2_tampering_fails_to_decrypt(keys2, position):
    # ct_M (ML-KEM rejects implicitly), ct_X, the ciphertext and the tag
    sealed = bytearray(seal.seal(keys2.pk, b"twelve bytes", purpose="r", ctx=CTX, suite=SUITE2))
    sealed[position] ^= 0x01
    with pytest.raises(DecryptionFailed):
        seal.unseal(keys2.sk, bytes(sealed), purpose="r", ctx=CTX, suite=SUITE2)


def test_suite_2_trailing_bytes_and_truncation(keys2):
    sealed = seal.seal(keys2.pk, b"twelve bytes", purpose="r", ctx=CTX, suite=SUITE2)
    with pytest.raises(DecryptionFailed):
        seal.unseal(keys2.sk, sealed + b"\x00", purpose="r", ctx=CTX, suite=SUITE2)
    for length in [0, 1, 2, 1122, 2 + ENC2 + 15, len(sealed) - 1]:
        expected = InvalidEnvelope if length < 2 + ENC2 + 16 else DecryptionFailed
        with pytest.raises(expected):
            seal.unseal(keys2.sk, sealed[:length], purpose="r", ctx=CTX, suite=SUITE2)


def test_a_key_opens_only_envelopes_of_its_own_suite(keys, keys2):
    classic = seal.seal(keys.pk, b"x", purpose="r", ctx=CTX)
    hybrid = seal.seal(keys2.pk, b"x", purpose="r", ctx=CTX, suite=SUITE2)
    with pytest.raises(UnsupportedVersion):
        seal.unseal(keys2.sk, classic, purpose="r", ctx=CTX, suite=SUITE2)
    with pytest.raises(UnsupportedVersion):
        seal.unseal(keys.sk, hybrid, purpose="r", ctx=CTX)
    for header in [b"\x00\x02", b"\x02\x02", b"\x01\x00", b"\x01\x03"]:
        with pytest.raises(UnsupportedVersion):
            seal.unseal(keys2.sk, header + hybrid[2:], purpose="r", ctx=CTX, suite=SUITE2)


def test_suite_2_keys_of_the_wrong_length_or_unusable_are_refused(keys, keys2):
    with pytest.raises(InvalidElement):
        seal.seal(keys2.pk[:-1], b"x", purpose="r", ctx=CTX, suite=SUITE2)
    with pytest.raises(InvalidElement):
        seal.seal(keys.pk, b"x", purpose="r", ctx=CTX, suite=SUITE2)
    bad_modulus = b"\xff" * 1152 + keys2.pk[1152:]  # ML-KEM coefficients >= q (FIPS 203 check)
    with pytest.raises(InvalidElement):
        seal.seal(bad_modulus, b"x", purpose="r", ctx=CTX, suite=SUITE2)
    low_order_x25519 = keys2.pk[:1184] + bytes(32)
    with pytest.raises(InvalidElement):
        seal.seal(low_order_x25519, b"x", purpose="r", ctx=CTX, suite=SUITE2)
    sealed = seal.seal(keys2.pk, b"x", purpose="r", ctx=CTX, suite=SUITE2)
    with pytest.raises(InvalidScalar):
        seal.unseal(keys2.sk[:31], sealed, purpose="r", ctx=CTX, suite=SUITE2)
    with pytest.raises(InvalidScalar):
        seal.public_key(bytes(33), suite=SUITE2)
    low_order_ct_x = sealed[: 2 + 1088] + bytes(32) + sealed[2 + ENC2 :]
    with pytest.raises(DecryptionFailed):
        seal.unseal(keys2.sk, low_order_ct_x, purpose="r", ctx=CTX, suite=SUITE2)


@pytest.mark.parametrize("suite", [0, 3, 0x647A, True, "2"])
def test_unknown_suites_are_a_callers_mistake(keys, suite):
    with pytest.raises(InvalidParameter):
        seal.generate_key_pair(suite)
    with pytest.raises(InvalidParameter):
        seal.public_key(keys.sk, suite=suite)
    with pytest.raises(InvalidParameter):
        seal.seal_info("r", CTX, suite=suite)
    with pytest.raises(InvalidParameter):
        seal.seal(keys.pk, b"x", purpose="r", ctx=CTX, suite=suite)
    with pytest.raises(InvalidParameter):
        seal.unseal(keys.sk, b"\x01\x01", purpose="r", ctx=CTX, suite=suite)
