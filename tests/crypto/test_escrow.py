"""Escrow derivations, threshold shares, recovery and the share envelope (spec 4, 6, 7, 8)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chorus.crypto import escrow, seal
from chorus.crypto.errors import (
    DecryptionFailed,
    DuplicateShare,
    InvalidEnvelope,
    InvalidParameter,
    InvalidScalar,
    NotEnoughShares,
    UnsupportedVersion,
)
from chorus.crypto.hazmat import ristretto
from chorus.crypto.suites import GROUP_ORDER, PURPOSE_ESCROW_SHARE

outputs = st.binary(min_size=64, max_size=64)
sids = st.binary(min_size=32, max_size=32)
scopes = st.sampled_from([b"deployment", b"org:1", b"org:42"])
CTX = b"deployment"


def _group(draw_sids: list[bytes], derivation: escrow.Derivation) -> list[escrow.Share]:
    return [escrow.share(derivation, sid=sid) for sid in draw_sids]


@settings(max_examples=60)
@given(st.data(), outputs, scopes, st.integers(2, 16))
def test_any_t_distinct_shares_recover_the_secret(data, output, ctx, t):
    derivation = escrow.derive(output, ctx=ctx, t=t)
    survivors = data.draw(st.lists(sids, min_size=t, max_size=t + 3, unique=True))
    shares = _group(survivors, derivation)
    chosen = data.draw(st.permutations(shares))[:t]
    assert escrow.recover(chosen, t=t) == derivation.secret
    assert escrow.entry_key(escrow.recover(chosen, t=t)) == derivation.entry_key


@settings(max_examples=40)
@given(st.data(), outputs, st.integers(2, 16))
def test_t_minus_one_shares_are_not_enough(data, output, t):
    derivation = escrow.derive(output, ctx=CTX, t=t)
    survivors = data.draw(st.lists(sids, min_size=t - 1, max_size=t - 1, unique=True))
    with pytest.raises(NotEnoughShares):
        escrow.recover(_group(survivors, derivation), t=t)


@settings(max_examples=40)
@given(st.data(), outputs, st.integers(2, 16))
def test_a_repeated_survivor_is_a_duplicate_share(data, output, t):
    derivation = escrow.derive(output, ctx=CTX, t=t)
    survivors = data.draw(st.lists(sids, min_size=t - 1, max_size=t - 1, unique=True))
    shares = _group(survivors, derivation)
    repeated = [*shares, shares[data.draw(st.integers(0, t - 2))]]
    with pytest.raises(DuplicateShare):
        escrow.recover(data.draw(st.permutations(repeated)), t=t)


@settings(max_examples=40)
@given(st.data(), outputs, outputs, st.integers(2, 16))
def test_a_share_for_another_identifier_gives_a_wrong_secret(data, output, other, t):
    derivation = escrow.derive(output, ctx=CTX, t=t)
    stranger = escrow.derive(other, ctx=CTX, t=t)
    survivors = data.draw(st.lists(sids, min_size=t, max_size=t, unique=True))
    shares = [*_group(survivors[:-1], derivation), escrow.share(stranger, sid=survivors[-1])]
    assume(output != other)
    assert escrow.recover(shares, t=t) not in {derivation.secret, stranger.secret}


def test_the_same_survivor_naming_the_same_person_gets_the_same_share():
    derivation = escrow.derive(bytes(range(64)), ctx=CTX, t=3)
    sid = bytes(32)
    assert escrow.share(derivation, sid=sid) == escrow.share(derivation, sid=sid)


def test_a_survivors_point_differs_between_groups():
    sid = bytes(range(32))
    first = escrow.derive(bytes(64), ctx=CTX, t=2)
    second = escrow.derive(b"\x01" * 64, ctx=CTX, t=2)
    assert escrow.share(first, sid=sid).u != escrow.share(second, sid=sid).u


def test_index_depends_on_output_scope_and_threshold_but_secret_not_on_threshold():
    output = bytes(range(64))
    base = escrow.derive(output, ctx=CTX, t=2)
    assert escrow.derive(output, ctx=CTX, t=3).index != base.index
    assert escrow.derive(output, ctx=b"org:1", t=2).index != base.index
    assert escrow.derive(output, ctx=b"org:1", t=2).secret != base.secret
    three = escrow.derive(output, ctx=CTX, t=3)
    assert three.coefficients[:2] == base.coefficients
    assert len(three.coefficients) == 3
    assert repr(base.secret) not in repr(base)
    assert repr(base.entry_key) not in repr(base)
    assert repr(base.index) in repr(base)


def test_lagrange_matches_integer_arithmetic_for_a_known_polynomial():
    # f(x) = 7 + 3x + 5x^2 at x = 1, 2, 3 gives 15, 33, 61.
    shares = [
        escrow.Share(ristretto.scalar_from_int(x), ristretto.scalar_from_int(7 + 3 * x + 5 * x * x))
        for x in (1, 2, 3)
    ]
    assert escrow.recover(shares, t=3) == ristretto.scalar_from_int(7)


@pytest.mark.parametrize("t", [1, 17, 0, True, 2.0])
def test_thresholds_outside_2_to_16_are_refused(t):
    with pytest.raises(InvalidParameter):
        escrow.derive(bytes(64), ctx=CTX, t=t)


def test_derive_needs_a_64_byte_output():
    with pytest.raises(InvalidParameter):
        escrow.derive(bytes(32), ctx=CTX, t=2)


def test_survivor_point_checks_lengths():
    with pytest.raises(InvalidParameter):
        escrow.survivor_point(bytes(31), bytes(32))
    with pytest.raises(InvalidParameter):
        escrow.survivor_point(bytes(32), bytes(31))


def test_a_zero_survivor_point_is_refused(monkeypatch):
    monkeypatch.setattr(escrow, "sha512", lambda data: bytes(64))
    with pytest.raises(InvalidScalar):
        escrow.survivor_point(bytes(32), bytes(32))


def test_recovery_uses_every_share_given_and_checks_coordinates():
    derivation = escrow.derive(bytes(64), ctx=CTX, t=2)
    shares = [escrow.share(derivation, sid=bytes([i]) * 32) for i in range(3)]
    assert escrow.recover(shares, t=2) == derivation.secret
    with pytest.raises(DuplicateShare):  # a duplicate is reported before the count
        escrow.recover([shares[0], shares[0]], t=3)
    zero_u = escrow.Share(ristretto.ZERO_SCALAR, shares[0].s)
    with pytest.raises(InvalidScalar):
        escrow.recover([zero_u, shares[1]], t=2)
    unreduced = escrow.Share(shares[0].u, GROUP_ORDER.to_bytes(32, "little"))
    with pytest.raises(InvalidScalar):
        escrow.recover([unreduced, shares[1]], t=2)
    with pytest.raises(NotEnoughShares):
        escrow.recover([], t=2)


def test_entry_key_needs_a_canonical_secret():
    with pytest.raises(InvalidScalar):
        escrow.entry_key(GROUP_ORDER.to_bytes(32, "little"))


# --- share plaintext ---------------------------------------------------------------------


@given(outputs, sids, st.integers(2, 16), st.binary(max_size=300))
def test_share_plaintext_round_trips(output, sid, t, entry):
    share = escrow.share(escrow.derive(output, ctx=CTX, t=t), sid=sid)
    encoded = escrow.encode_share_plaintext(share, t=t, entry=entry)
    assert len(encoded) == 1 + 32 + 32 + 1 + 2 + len(entry)
    assert escrow.parse_share_plaintext(encoded) == escrow.SharePlaintext(share, t, entry)


def _encoded(entry: bytes = b"entry") -> bytes:
    share = escrow.share(escrow.derive(bytes(64), ctx=CTX, t=2), sid=bytes(32))
    return escrow.encode_share_plaintext(share, t=2, entry=entry)


def test_every_truncation_and_any_trailing_byte_is_invalid_envelope():
    encoded = _encoded()
    for length in range(1, len(encoded)):
        with pytest.raises(InvalidEnvelope):
            escrow.parse_share_plaintext(encoded[:length])
    with pytest.raises(InvalidEnvelope):
        escrow.parse_share_plaintext(b"")
    with pytest.raises(InvalidEnvelope):
        escrow.parse_share_plaintext(encoded + b"\x00")


def test_share_plaintext_fields_are_checked():
    encoded = bytearray(_encoded())
    with pytest.raises(UnsupportedVersion):
        escrow.parse_share_plaintext(b"\x02" + bytes(encoded[1:]))
    for t in (0, 1, 17, 255):
        encoded[65] = t
        with pytest.raises(InvalidEnvelope):
            escrow.parse_share_plaintext(bytes(encoded))
    encoded[65] = 2
    unreduced = GROUP_ORDER.to_bytes(32, "little")
    with pytest.raises(InvalidScalar):
        escrow.parse_share_plaintext(bytes(encoded[:1]) + unreduced + bytes(encoded[33:]))
    with pytest.raises(InvalidScalar):
        escrow.parse_share_plaintext(bytes(encoded[:33]) + unreduced + bytes(encoded[65:]))
    with pytest.raises(InvalidScalar):
        escrow.parse_share_plaintext(bytes(encoded[:1]) + bytes(32) + bytes(encoded[33:]))


def test_encoding_refuses_bad_shares_and_thresholds():
    share = escrow.share(escrow.derive(bytes(64), ctx=CTX, t=2), sid=bytes(32))
    with pytest.raises(InvalidParameter):
        escrow.encode_share_plaintext(share, t=1, entry=b"")
    with pytest.raises(InvalidScalar):
        escrow.encode_share_plaintext(share._replace(u=bytes(32)), t=2, entry=b"")
    with pytest.raises(InvalidParameter):
        escrow.encode_share_plaintext(share, t=2, entry=bytes(65536))


# --- end to end: survivors seal to an advocate, the advocate opens a matched group --------


@pytest.fixture
def advocate():
    return seal.generate_key_pair()


def _submissions(
    advocate_pk: bytes, output: bytes, t: int, count: int, ctx: bytes = CTX
) -> tuple[escrow.Derivation, list[bytes]]:
    derivation = escrow.derive(output, ctx=ctx, t=t)
    sealed = [
        escrow.seal_share(
            advocate_pk, derivation, sid=bytes([i]) * 32, entry=f"contact {i}".encode(), ctx=ctx
        )
        for i in range(count)
    ]
    return derivation, sealed


def test_a_matched_group_opens_every_entry(advocate):
    derivation, sealed = _submissions(advocate.pk, bytes(range(64)), t=3, count=3)
    opened = [escrow.open_share(advocate.sk, item, ctx=CTX) for item in sealed]
    assert {o.threshold for o in opened} == {3}
    entries = escrow.open_entries(opened, ctx=CTX, index=derivation.index)
    assert entries == [b"contact 0", b"contact 1", b"contact 2"]


def test_a_share_from_another_group_makes_the_entries_fail(advocate):
    derivation, sealed = _submissions(advocate.pk, bytes(range(64)), t=2, count=1)
    _, other = _submissions(advocate.pk, b"\x07" * 64, t=2, count=2)
    opened = [escrow.open_share(advocate.sk, item, ctx=CTX) for item in (sealed[0], other[1])]
    with pytest.raises(DecryptionFailed):
        escrow.open_entries(opened, ctx=CTX, index=derivation.index)


def test_robust_decryption_finds_the_subset_without_the_bad_share(advocate):
    derivation, sealed = _submissions(advocate.pk, bytes(range(64)), t=2, count=2)
    _, other = _submissions(advocate.pk, b"\x07" * 64, t=2, count=1)
    opened = [escrow.open_share(advocate.sk, item, ctx=CTX) for item in (*sealed, *other)]
    working = []
    for subset in itertools.combinations(opened, 2):
        try:
            working.append(escrow.open_entries(list(subset), ctx=CTX, index=derivation.index))
        except DecryptionFailed:
            continue
    assert working == [[b"contact 0", b"contact 1"]]


def test_shares_sealed_for_another_scope_do_not_open(advocate):
    _, sealed = _submissions(advocate.pk, bytes(64), t=2, count=1, ctx=b"org:1")
    with pytest.raises(DecryptionFailed):
        escrow.open_share(advocate.sk, sealed[0], ctx=CTX)


def test_open_entries_checks_the_group(advocate):
    with pytest.raises(NotEnoughShares):
        escrow.open_entries([], ctx=CTX, index=bytes(32))
    _, two = _submissions(advocate.pk, bytes(64), t=2, count=1)
    _, three = _submissions(advocate.pk, bytes(64), t=3, count=1)
    opened = [escrow.open_share(advocate.sk, item, ctx=CTX) for item in (*two, *three)]
    with pytest.raises(InvalidEnvelope):
        escrow.open_entries(opened, ctx=CTX, index=bytes(32))
    with pytest.raises(NotEnoughShares):
        escrow.open_entries(opened[:1], ctx=CTX, index=bytes(32))
    assert PURPOSE_ESCROW_SHARE == "escrow-share"
