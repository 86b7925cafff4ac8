"""Escrow derivations, shares, recovery and the share envelope (spec sections 4, 6, 7, 8).

From an OPRF output `y` the browser derives the index `π` (which groups entries about the
same person), the secret `a0`, the polynomial's other coefficients and the entry key `K`.
Each survivor holds one point `(U, s = f(U))` of the polynomial; any `t` points recover `a0`
and with it `K`. All arithmetic on secrets goes through libsodium's constant-time scalar
operations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from chorus.crypto.box import box_open, box_seal
from chorus.crypto.encoding import Reader, i2osp, lp
from chorus.crypto.errors import (
    DuplicateShare,
    InvalidEnvelope,
    InvalidParameter,
    InvalidScalar,
    NotEnoughShares,
    UnsupportedVersion,
)
from chorus.crypto.hazmat import ristretto
from chorus.crypto.hazmat.kdf import hkdf_expand, hkdf_extract, sha512
from chorus.crypto.seal import seal, unseal
from chorus.crypto.suites import (
    ENTRY_KEY_BYTES,
    ENVELOPE_VERSION,
    ESCROW_SALT,
    INDEX_BYTES,
    LABEL_COEFFICIENT,
    LABEL_ENTRY_KEY,
    LABEL_INDEX,
    LABEL_SECRET,
    LABEL_SURVIVOR,
    OPRF_OUTPUT_BYTES,
    PURPOSE_ESCROW_SHARE,
    SCALAR_BYTES,
    THRESHOLD_MAX,
    THRESHOLD_MIN,
    WIDE_BYTES,
)

#: The survivor id is 32 random bytes made at account creation (spec section 1).
SURVIVOR_ID_BYTES = 32


def check_threshold(t: int) -> int:
    """`t` if it is an allowed threshold (2 to 16), else `InvalidParameter`."""
    if isinstance(t, bool) or not isinstance(t, int) or not THRESHOLD_MIN <= t <= THRESHOLD_MAX:
        raise InvalidParameter(f"threshold must be {THRESHOLD_MIN} to {THRESHOLD_MAX}")
    return t


@dataclass(frozen=True, slots=True)
class Derivation:
    """Everything section 4 derives from one OPRF output. Secrets stay out of `repr`."""

    index: bytes
    threshold: int
    #: `a0, a1, …, a_{t-1}` as LE32 scalars; `a0` is the secret.
    coefficients: tuple[bytes, ...] = field(repr=False)
    entry_key: bytes = field(repr=False)

    @property
    def secret(self) -> bytes:
        return self.coefficients[0]


class Share(NamedTuple):
    """A point `(U, s)` of the polynomial, both LE32 scalars."""

    u: bytes
    s: bytes


class SharePlaintext(NamedTuple):
    """The plaintext sealed to an advocate: a share, the threshold and the boxed entry."""

    share: Share
    threshold: int
    entry: bytes


# --- section 4 ---------------------------------------------------------------------------


def _wide_scalar(prk: bytes, info: bytes) -> bytes:
    return ristretto.scalar_reduce(hkdf_expand(prk, info, WIDE_BYTES))


def entry_key(secret: bytes) -> bytes:
    """`K = HKDF-Expand(HKDF-Extract(ESCROW_SALT, LE32(a0)), LABEL_ENTRY_KEY, 32)`."""
    secret = ristretto.decode_scalar(secret)
    return hkdf_expand(hkdf_extract(ESCROW_SALT, secret), LABEL_ENTRY_KEY, ENTRY_KEY_BYTES)


def derive(output: bytes, *, ctx: bytes, t: int) -> Derivation:
    """Index, secret, coefficients and entry key from the OPRF output `y` (section 4)."""
    check_threshold(t)
    if len(output) != OPRF_OUTPUT_BYTES:
        raise InvalidParameter("an OPRF output is 64 bytes")
    prk = hkdf_extract(ESCROW_SALT + lp(ctx), output)
    index = hkdf_expand(prk, LABEL_INDEX + i2osp(t, 1), INDEX_BYTES)
    coefficients = (
        _wide_scalar(prk, LABEL_SECRET),
        *(_wide_scalar(prk, LABEL_COEFFICIENT + i2osp(j, 2)) for j in range(1, t)),
    )
    return Derivation(index, t, coefficients, entry_key(coefficients[0]))


# --- section 6 ---------------------------------------------------------------------------


def survivor_point(sid: bytes, index: bytes) -> bytes:
    """`U = OS2IP_LE(SHA-512(LABEL_SURVIVOR || lp(sid) || π)) mod L`, never zero.

    `π` is in the hash so a survivor's points in different groups cannot be linked.
    """
    if len(sid) != SURVIVOR_ID_BYTES:
        raise InvalidParameter("a survivor id is 32 bytes")
    if len(index) != INDEX_BYTES:
        raise InvalidParameter("an index is 32 bytes")
    return _nonzero(ristretto.scalar_reduce(sha512(LABEL_SURVIVOR + lp(sid) + index)))


def _nonzero(scalar: bytes) -> bytes:
    if ristretto.is_zero(scalar):
        raise InvalidScalar("zero x-coordinate")
    return scalar


def share(derivation: Derivation, *, sid: bytes) -> Share:
    """This survivor's point `(U, f(U))` on the polynomial of `derivation` (Horner's rule)."""
    u = survivor_point(sid, derivation.index)
    *rest, value = derivation.coefficients
    for coefficient in reversed(rest):
        value = ristretto.scalar_add(ristretto.scalar_mul(value, u), coefficient)
    return Share(u, value)


# --- section 7 ---------------------------------------------------------------------------


def recover(shares: Sequence[Share], *, t: int) -> bytes:
    """`a0` by Lagrange interpolation at 0 from at least `t` shares with distinct `U`.

    All given shares are used (t or more points of the polynomial interpolate it exactly; the
    caller picks t-subsets for robust decryption). A zero or non-canonical coordinate is
    `InvalidScalar`, a repeated `U` is `DuplicateShare`, and fewer than `t` distinct shares is
    `NotEnoughShares`, never a wrong secret.
    """
    check_threshold(t)
    points = [(_nonzero(ristretto.decode_scalar(u)), ristretto.decode_scalar(s)) for u, s in shares]
    if len({u for u, _ in points}) != len(points):
        raise DuplicateShare("two shares have the same U")
    if len(points) < t:
        raise NotEnoughShares(f"{len(points)} share(s) for a threshold of {t}")
    secret = ristretto.ZERO_SCALAR
    for i, (u_i, s_i) in enumerate(points):
        numerator = denominator = ristretto.scalar_from_int(1)
        for j, (u_j, _) in enumerate(points):
            if j != i:
                numerator = ristretto.scalar_mul(numerator, u_j)
                denominator = ristretto.scalar_mul(denominator, ristretto.scalar_sub(u_j, u_i))
        weight = ristretto.scalar_mul(numerator, ristretto.scalar_invert(denominator))
        secret = ristretto.scalar_add(secret, ristretto.scalar_mul(s_i, weight))
    return secret


# --- section 8: the share plaintext and its envelope -------------------------------------


def encode_share_plaintext(share: Share, *, t: int, entry: bytes) -> bytes:
    """`0x01 || LE32(U) || LE32(s) || I2OSP(t, 1) || lp(entry)`."""
    check_threshold(t)
    u = _nonzero(ristretto.decode_scalar(share.u))
    s = ristretto.decode_scalar(share.s)
    return bytes([ENVELOPE_VERSION]) + u + s + i2osp(t, 1) + lp(entry)


def parse_share_plaintext(data: bytes) -> SharePlaintext:
    """Strict inverse of `encode_share_plaintext`."""
    reader = Reader(data)
    if reader.byte() != ENVELOPE_VERSION:
        raise UnsupportedVersion("unknown share version")
    u_bytes, s_bytes = reader.take(SCALAR_BYTES), reader.take(SCALAR_BYTES)
    t = reader.byte()
    entry = reader.prefixed()
    reader.end()
    # The layout is checked first (InvalidEnvelope), then the values, as the browser does.
    u = _nonzero(ristretto.decode_scalar(u_bytes))
    s = ristretto.decode_scalar(s_bytes)
    if not THRESHOLD_MIN <= t <= THRESHOLD_MAX:
        raise InvalidEnvelope("threshold out of range")
    return SharePlaintext(Share(u, s), t, entry)


def seal_share(
    advocate_pk: bytes,
    derivation: Derivation,
    *,
    sid: bytes,
    entry: bytes,
    ctx: bytes,
) -> bytes:
    """The survivor's envelope for one advocate: the entry boxed under `K`, with the share."""
    boxed = box_seal(
        derivation.entry_key, entry, purpose=PURPOSE_ESCROW_SHARE, ctx=ctx, index=derivation.index
    )
    plaintext = encode_share_plaintext(
        share(derivation, sid=sid), t=derivation.threshold, entry=boxed
    )
    return seal(advocate_pk, plaintext, purpose=PURPOSE_ESCROW_SHARE, ctx=ctx)


def open_share(advocate_sk: bytes, sealed: bytes, *, ctx: bytes) -> SharePlaintext:
    """The advocate's side of `seal_share`: the share and the still-boxed entry."""
    return parse_share_plaintext(unseal(advocate_sk, sealed, purpose=PURPOSE_ESCROW_SHARE, ctx=ctx))


def open_entries(opened: Sequence[SharePlaintext], *, ctx: bytes, index: bytes) -> list[bytes]:
    """Recover `a0` from `t` opened shares of one group and open every entry with `K`.

    Raises `DecryptionFailed` if any entry does not open: a wrong share among them (the
    caller tries other t-subsets, spec section 7).
    """
    if not opened:
        raise NotEnoughShares("no shares")
    t = opened[0].threshold
    if any(item.threshold != t for item in opened):
        raise InvalidEnvelope("shares of one group disagree on the threshold")
    key = entry_key(recover([item.share for item in opened], t=t))
    return [
        box_open(key, item.entry, purpose=PURPOSE_ESCROW_SHARE, ctx=ctx, index=index)
        for item in opened
    ]
