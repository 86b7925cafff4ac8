"""ristretto255 elements and scalars over libsodium.

Elements and scalars are `bytes` in their canonical 32-byte encodings. libsodium's own
checks are used where they are exact: `crypto_scalarmult_ristretto255` refuses a
non-canonical point and an identity result, and since every scalar reaching it is reduced and
non-zero and the group has prime order, an identity result means an identity input. The
identity itself (32 zero bytes) is accepted by `crypto_core_ristretto255_is_valid_point` in
libsodium 1.0.18, so `decode_element` rejects it explicitly.
"""

from __future__ import annotations

import ctypes
import hmac
from collections.abc import Callable

import pysodium

from chorus.crypto.errors import InvalidElement, InvalidParameter, InvalidScalar
from chorus.crypto.suites import ELEMENT_BYTES, GROUP_ORDER, SCALAR_BYTES, WIDE_BYTES

# pysodium's wrappers add a version check and a copy per call; the hot paths call the
# library it already loaded, with the lengths checked here first.
_sodium = pysodium.sodium

IDENTITY = bytes(ELEMENT_BYTES)
ZERO_SCALAR = bytes(SCALAR_BYTES)


def _buffer() -> ctypes.Array[ctypes.c_char]:
    return ctypes.create_string_buffer(ELEMENT_BYTES)


def _check_scalar_length(scalar: bytes) -> None:
    if len(scalar) != SCALAR_BYTES:
        raise InvalidScalar("a scalar is 32 bytes")


# --- elements ----------------------------------------------------------------------------


def decode_element(data: bytes) -> bytes:
    """Return `data` if it is the canonical encoding of a non-identity element."""
    if (
        len(data) != ELEMENT_BYTES
        or data == IDENTITY
        or _sodium.crypto_core_ristretto255_is_valid_point(data) != 1
    ):
        raise InvalidElement("not a canonical, non-identity ristretto255 element")
    return bytes(data)


def scalarmult(scalar: bytes, element: bytes) -> bytes:
    """`scalar * element`. `scalar` must be reduced and non-zero (callers decode it first).

    Raises `InvalidElement` for a non-canonical or identity `element`, so a caller that has
    only length-checked `element` still gets full validation from this one call.
    """
    _check_scalar_length(scalar)
    if len(element) != ELEMENT_BYTES:
        raise InvalidElement("an element is 32 bytes")
    out = _buffer()
    if _sodium.crypto_scalarmult_ristretto255(out, scalar, element) != 0:
        raise InvalidElement("not a canonical, non-identity ristretto255 element")
    return out.raw


def scalarmult_base(scalar: bytes) -> bytes:
    """`scalar * G`; a zero scalar (identity result) is `InvalidScalar`."""
    _check_scalar_length(scalar)
    out = _buffer()
    if _sodium.crypto_scalarmult_ristretto255_base(out, scalar) != 0:
        raise InvalidScalar("zero scalar")
    return out.raw


def from_hash(uniform: bytes) -> bytes:
    """Map 64 uniform bytes to an element (RFC 9496 one-way map, with libsodium)."""
    if len(uniform) != WIDE_BYTES:
        raise InvalidParameter("from_hash takes 64 bytes")
    out = _buffer()
    _sodium.crypto_core_ristretto255_from_hash(out, uniform)
    return out.raw


def _combine(function: Callable[..., int], left: bytes, right: bytes) -> bytes:
    if len(left) != ELEMENT_BYTES or len(right) != ELEMENT_BYTES:
        raise InvalidElement("elements are 32 bytes")
    out = _buffer()
    if function(out, left, right) != 0 or out.raw == IDENTITY:
        raise InvalidElement("invalid operand or identity result")
    return out.raw


def element_add(left: bytes, right: bytes) -> bytes:
    """`left + right`; an identity sum cannot be serialized (RFC 9497) and is `InvalidElement`."""
    return _combine(_sodium.crypto_core_ristretto255_add, left, right)


def element_sub(left: bytes, right: bytes) -> bytes:
    """`left - right`; an identity difference is `InvalidElement`."""
    return _combine(_sodium.crypto_core_ristretto255_sub, left, right)


# --- scalars -----------------------------------------------------------------------------


def decode_scalar(data: bytes) -> bytes:
    """Return `data` if it is a canonical (fully reduced) 32-byte little-endian scalar."""
    if len(data) != SCALAR_BYTES or int.from_bytes(data, "little") >= GROUP_ORDER:
        raise InvalidScalar("not a canonical scalar")
    return bytes(data)


def decode_nonzero_scalar(data: bytes) -> bytes:
    """`decode_scalar`, and zero is refused too."""
    scalar = decode_scalar(data)
    if is_zero(scalar):
        raise InvalidScalar("zero scalar")
    return scalar


def is_zero(scalar: bytes) -> bool:
    return hmac.compare_digest(scalar, ZERO_SCALAR)


def scalar_from_int(value: int) -> bytes:
    """LE32 of `value mod L` (for public values such as a share's x-coordinate in tests)."""
    return (value % GROUP_ORDER).to_bytes(SCALAR_BYTES, "little")


def scalar_reduce(wide: bytes) -> bytes:
    """`OS2IP_LE(wide) mod L` for 64 bytes, in constant time."""
    if len(wide) != WIDE_BYTES:
        raise InvalidParameter("wide reduction takes 64 bytes")
    out = _buffer()
    _sodium.crypto_core_ristretto255_scalar_reduce(out, wide)
    return out.raw


def random_scalar() -> bytes:
    """A uniformly random non-zero scalar (libsodium loops until it is non-zero)."""
    out = _buffer()
    _sodium.crypto_core_ristretto255_scalar_random(out)
    return out.raw


def _scalar_binary(function: Callable[..., int], left: bytes, right: bytes) -> bytes:
    _check_scalar_length(left)
    _check_scalar_length(right)
    out = _buffer()
    function(out, left, right)
    return out.raw


def scalar_add(left: bytes, right: bytes) -> bytes:
    return _scalar_binary(_sodium.crypto_core_ristretto255_scalar_add, left, right)


def scalar_sub(left: bytes, right: bytes) -> bytes:
    return _scalar_binary(_sodium.crypto_core_ristretto255_scalar_sub, left, right)


def scalar_mul(left: bytes, right: bytes) -> bytes:
    return _scalar_binary(_sodium.crypto_core_ristretto255_scalar_mul, left, right)


def scalar_invert(scalar: bytes) -> bytes:
    """`scalar^-1 mod L`; zero has no inverse and is `InvalidScalar`."""
    _check_scalar_length(scalar)
    out = _buffer()
    if _sodium.crypto_core_ristretto255_scalar_invert(out, scalar) != 0:
        raise InvalidScalar("zero has no inverse")
    return out.raw
