"""The libsodium wrappers reject what they must, with typed errors, and xmd matches RFC 9380."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chorus.crypto.errors import InvalidElement, InvalidParameter, InvalidScalar
from chorus.crypto.hazmat import ristretto
from chorus.crypto.hazmat.xmd import expand_message_xmd
from chorus.crypto.suites import GROUP_ORDER

# RFC 9496 Appendix A.1: encodings of 0·B … 3·B.
SMALL_MULTIPLES = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
    "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
    "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
]

# RFC 9496 Appendix A.2: invalid encodings (non-canonical, negative, non-square, s = -1).
BAD_ENCODINGS = [
    "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
]

# RFC 9380 Appendix K.3, expand_message_xmd(SHA-512).
XMD_DST = b"QUUX-V01-CS02-with-expander-SHA512-256"
XMD_VECTORS = [
    (b"", 32, "6b9a7312411d92f921c6f68ca0b6380730a1a4d982c507211a90964c394179ba"),
    (b"abc", 32, "0da749f12fbe5483eb066a5f595055679b976e93abe9be6f0f6318bce7aca8dc"),
    (b"abcdef0123456789", 32, "087e45a86e2939ee8b91100af1583c4938e0f5fc6c9db4b107b83346bc967f58"),
    (
        b"",
        128,
        "41b037d1734a5f8df225dd8c7de38f851efdb45c372887be655212d07251b921"
        "b052b62eaed99b46f72f2ef4cc96bfaf254ebbbec091e1a3b9e4fb5e5b619d2e"
        "0c5414800a1d882b62bb5cd1778f098b8eb6cb399d5d9d18f5d5842cf5d13d7e"
        "b00a7cff859b605da678b318bd0e65ebff70bec88c753b159a805d2c89c55961",
    ),
]

ONE = ristretto.scalar_from_int(1)


@pytest.mark.parametrize(("msg", "length", "expected"), XMD_VECTORS)
def test_expand_message_xmd_matches_rfc9380(msg, length, expected):
    assert expand_message_xmd(msg, XMD_DST, length).hex() == expected


@pytest.mark.parametrize("length", [0, 255 * 64 + 1])
def test_expand_message_xmd_refuses_lengths_out_of_range(length):
    with pytest.raises(InvalidParameter):
        expand_message_xmd(b"", XMD_DST, length)


def test_expand_message_xmd_refuses_long_dst():
    with pytest.raises(InvalidParameter):
        expand_message_xmd(b"", b"x" * 256, 32)


@pytest.mark.parametrize("multiple", [1, 2, 3])
def test_base_multiples_match_rfc9496(multiple):
    encoded = ristretto.scalarmult_base(ristretto.scalar_from_int(multiple))
    assert encoded.hex() == SMALL_MULTIPLES[multiple]
    assert ristretto.decode_element(encoded) == encoded


def test_identity_is_rejected_although_libsodium_accepts_it():
    with pytest.raises(InvalidElement):
        ristretto.decode_element(bytes(32))


@pytest.mark.parametrize("encoding", BAD_ENCODINGS)
def test_invalid_encodings_are_rejected(encoding):
    with pytest.raises(InvalidElement):
        ristretto.decode_element(bytes.fromhex(encoding))
    with pytest.raises(InvalidElement):
        ristretto.scalarmult(ONE, bytes.fromhex(encoding))


@pytest.mark.parametrize("length", [0, 31, 33])
def test_elements_of_the_wrong_length_are_rejected(length):
    with pytest.raises(InvalidElement):
        ristretto.decode_element(bytes(length))
    with pytest.raises(InvalidElement):
        ristretto.scalarmult(ONE, b"\x01" * length)
    with pytest.raises(InvalidElement):
        ristretto.element_add(b"\x01" * length, ristretto.scalarmult_base(ONE))


def test_scalarmult_of_the_identity_is_invalid_element():
    with pytest.raises(InvalidElement):
        ristretto.scalarmult(ONE, bytes(32))


def test_base_multiplication_by_zero_is_invalid_scalar():
    with pytest.raises(InvalidScalar):
        ristretto.scalarmult_base(ristretto.ZERO_SCALAR)


@pytest.mark.parametrize(
    "call",
    [
        lambda: ristretto.scalarmult(b"\x01", ristretto.scalarmult_base(ONE)),
        lambda: ristretto.scalarmult_base(b"\x01" * 31),
        lambda: ristretto.scalar_add(ONE, b"\x01"),
        lambda: ristretto.scalar_mul(b"\x01", ONE),
        lambda: ristretto.scalar_invert(b"\x01" * 33),
    ],
)
def test_scalars_of_the_wrong_length_are_invalid_scalar(call):
    with pytest.raises(InvalidScalar):
        call()


@pytest.mark.parametrize(
    "call",
    [lambda: ristretto.from_hash(bytes(63)), lambda: ristretto.scalar_reduce(bytes(32))],
)
def test_wide_inputs_must_be_64_bytes(call):
    with pytest.raises(InvalidParameter):
        call()


def test_a_sum_or_difference_that_is_the_identity_is_refused():
    g = ristretto.scalarmult_base(ONE)
    minus_g = ristretto.scalarmult_base(ristretto.scalar_from_int(-1))
    with pytest.raises(InvalidElement):
        ristretto.element_add(g, minus_g)
    with pytest.raises(InvalidElement):
        ristretto.element_sub(g, g)
    two_g = ristretto.scalarmult_base(ristretto.scalar_from_int(2))
    assert ristretto.element_add(g, g) == two_g
    assert ristretto.element_sub(two_g, g) == g


def test_an_invalid_operand_of_a_sum_is_refused():
    with pytest.raises(InvalidElement):
        ristretto.element_add(bytes.fromhex(BAD_ENCODINGS[0]), ristretto.scalarmult_base(ONE))


@pytest.mark.parametrize("value", [GROUP_ORDER, GROUP_ORDER + 1, 2**256 - 1])
def test_unreduced_scalars_are_rejected(value):
    with pytest.raises(InvalidScalar):
        ristretto.decode_scalar(value.to_bytes(32, "little"))


def test_zero_is_rejected_where_a_nonzero_scalar_is_needed():
    assert ristretto.decode_scalar(bytes(32)) == bytes(32)
    with pytest.raises(InvalidScalar):
        ristretto.decode_nonzero_scalar(bytes(32))
    with pytest.raises(InvalidScalar):
        ristretto.scalar_invert(bytes(32))


@given(st.integers(1, GROUP_ORDER - 1), st.integers(0, GROUP_ORDER - 1))
def test_scalar_arithmetic_matches_integers_mod_l(x, y):
    a, b = ristretto.scalar_from_int(x), ristretto.scalar_from_int(y)
    assert ristretto.scalar_add(a, b) == ristretto.scalar_from_int(x + y)
    assert ristretto.scalar_sub(a, b) == ristretto.scalar_from_int(x - y)
    assert ristretto.scalar_mul(a, b) == ristretto.scalar_from_int(x * y)
    assert ristretto.scalar_invert(a) == ristretto.scalar_from_int(pow(x, -1, GROUP_ORDER))
    wide = (x * 2**256 + y).to_bytes(64, "little")
    assert ristretto.scalar_reduce(wide) == ristretto.scalar_from_int(x * 2**256 + y)


def test_random_scalars_are_canonical_and_distinct():
    scalars = {ristretto.random_scalar() for _ in range(32)}
    assert len(scalars) == 32
    for scalar in scalars:
        assert ristretto.decode_nonzero_scalar(scalar) == scalar
