"""OPRF/VOPRF behaviour beyond the vectors: round trips, rejection of bad inputs and proofs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chorus.crypto import oprf
from chorus.crypto.errors import InvalidElement, InvalidParameter, InvalidProof, InvalidScalar
from chorus.crypto.hazmat import ristretto
from chorus.crypto.suites import GROUP_ORDER, Mode

MODES = [Mode.OPRF, Mode.VOPRF]
NON_CANONICAL = bytes.fromhex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
L_BYTES = GROUP_ORDER.to_bytes(32, "little")


def _round_trip(mode: Mode, sk: bytes, pk: bytes, private_input: bytes) -> bytes:
    blinded = oprf.blind(private_input, mode=mode)
    evaluated = oprf.blind_evaluate(sk, blinded.blinded_element, mode=mode)
    if mode is Mode.OPRF:
        return oprf.finalize(private_input, blinded.blind, evaluated.evaluated_element, mode=mode)
    return oprf.finalize(
        private_input,
        blinded.blind,
        evaluated.evaluated_element,
        mode=mode,
        pk=pk,
        blinded_element=blinded.blinded_element,
        proof=evaluated.proof,
    )


@settings(max_examples=40)
@given(st.sampled_from(MODES), st.binary(max_size=200))
def test_finalize_equals_evaluate(mode, private_input):
    sk, pk = oprf.generate_key_pair()
    assert _round_trip(mode, sk, pk, private_input) == oprf.evaluate(sk, private_input, mode=mode)


def test_outputs_differ_between_modes_and_keys():
    sk, _ = oprf.generate_key_pair()
    other, _ = oprf.generate_key_pair()
    outputs = {
        oprf.evaluate(sk, b"x", mode=Mode.OPRF),
        oprf.evaluate(sk, b"x", mode=Mode.VOPRF),
        oprf.evaluate(other, b"x", mode=Mode.OPRF),
    }
    assert len(outputs) == 3


def test_blinds_are_fresh_and_hide_the_input():
    first = oprf.blind(b"same", mode=Mode.OPRF)
    second = oprf.blind(b"same", mode=Mode.OPRF)
    assert first.blind != second.blind
    assert first.blinded_element != second.blinded_element


@pytest.mark.parametrize("mode", [2, -1, True, "0", None])
def test_unknown_modes_are_refused(mode):
    with pytest.raises(InvalidParameter):
        oprf.evaluate(oprf.generate_key_pair().sk, b"x", mode=mode)


def test_inputs_longer_than_65535_bytes_are_refused():
    sk, _ = oprf.generate_key_pair()
    too_long = bytes(65536)
    for call in (
        lambda: oprf.blind(too_long, mode=Mode.OPRF),
        lambda: oprf.evaluate(sk, too_long, mode=Mode.OPRF),
        lambda: oprf.unblind_output(too_long, sk, oprf.GENERATOR),
    ):
        with pytest.raises(InvalidParameter):
            call()
    assert oprf.evaluate(sk, bytes(65535), mode=Mode.OPRF)


def test_derive_key_pair_needs_a_32_byte_seed():
    with pytest.raises(InvalidParameter):
        oprf.derive_key_pair(bytes(31), b"", mode=Mode.OPRF)


def test_derive_key_pair_retries_a_zero_scalar(monkeypatch):
    real = oprf._hash_to_scalar
    calls = []

    def zero_twice(data, dst):
        calls.append(data[-1])
        return ristretto.ZERO_SCALAR if len(calls) <= 2 else real(data, dst)

    monkeypatch.setattr(oprf, "_hash_to_scalar", zero_twice)
    pair = oprf.derive_key_pair(bytes(32), b"", mode=Mode.OPRF)
    assert calls == [0, 1, 2]
    assert pair.pk == oprf.public_key(pair.sk)


def test_derive_key_pair_gives_up_after_256_zero_scalars(monkeypatch):
    monkeypatch.setattr(oprf, "_hash_to_scalar", lambda data, dst: ristretto.ZERO_SCALAR)
    with pytest.raises(InvalidScalar):
        oprf.derive_key_pair(bytes(32), b"", mode=Mode.OPRF)


@pytest.mark.parametrize("bad", [bytes(32), L_BYTES, bytes(31)])
def test_invalid_private_keys_and_blinds_are_invalid_scalar(bad):
    good_element = oprf.blind(b"x", mode=Mode.OPRF).blinded_element
    for call in (
        lambda: oprf.public_key(bad),
        lambda: oprf.blind(b"x", mode=Mode.OPRF, blind=bad),
        lambda: oprf.blind_evaluate(bad, good_element, mode=Mode.OPRF),
        lambda: oprf.evaluate(bad, b"x", mode=Mode.VOPRF),
        lambda: oprf.unblind_output(b"x", bad, good_element),
    ):
        with pytest.raises(InvalidScalar):
            call()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bad", [bytes(32), NON_CANONICAL, bytes(31), b"\x01" * 33])
def test_blind_evaluate_rejects_identity_non_canonical_and_wrong_length(mode, bad):
    sk, _ = oprf.generate_key_pair()
    with pytest.raises(InvalidElement):
        oprf.blind_evaluate(sk, bad, mode=mode)


@pytest.mark.parametrize("bad", [bytes(32), NON_CANONICAL])
def test_finalize_rejects_a_bad_evaluated_element(bad):
    blinded = oprf.blind(b"x", mode=Mode.OPRF)
    with pytest.raises(InvalidElement):
        oprf.finalize(b"x", blinded.blind, bad, mode=Mode.OPRF)


def test_mode_0_takes_no_proof_arguments():
    sk, pk = oprf.generate_key_pair()
    blinded = oprf.blind(b"x", mode=Mode.OPRF)
    element = blinded.blinded_element
    for call in (
        lambda: oprf.blind_evaluate(sk, element, mode=Mode.OPRF, pk=pk),
        lambda: oprf.blind_evaluate(sk, element, mode=Mode.OPRF, proof_random=sk),
        lambda: oprf.blind_evaluate_batch(sk, [element], mode=Mode.OPRF, pk=pk),
        lambda: oprf.finalize(b"x", blinded.blind, element, mode=Mode.OPRF, proof=bytes(64)),
    ):
        with pytest.raises(InvalidParameter):
            call()


def test_mode_1_finalize_needs_the_proof_and_its_statement():
    sk, pk = oprf.generate_key_pair()
    blinded = oprf.blind(b"x", mode=Mode.VOPRF)
    evaluated = oprf.blind_evaluate(sk, blinded.blinded_element, mode=Mode.VOPRF)
    for missing in ("pk", "blinded_element", "proof"):
        arguments = {"pk": pk, "blinded_element": blinded.blinded_element, "proof": evaluated.proof}
        del arguments[missing]
        with pytest.raises(InvalidParameter):
            oprf.finalize(
                b"x", blinded.blind, evaluated.evaluated_element, mode=Mode.VOPRF, **arguments
            )


def test_batches_must_be_non_empty_and_aligned():
    sk, pk = oprf.generate_key_pair()
    blinded = oprf.blind(b"x", mode=Mode.VOPRF)
    for call in (
        lambda: oprf.blind_evaluate_batch(sk, [], mode=Mode.OPRF),
        lambda: oprf.finalize_batch([], [], [], mode=Mode.OPRF),
        lambda: oprf.finalize_batch([b"x"], [], [pk], mode=Mode.OPRF),
        lambda: oprf.generate_proof(sk, oprf.GENERATOR, pk, [pk], [], mode=Mode.VOPRF),
        lambda: oprf.verify_proof(oprf.GENERATOR, pk, [], [], bytes(64), mode=Mode.VOPRF),
    ):
        with pytest.raises(InvalidParameter):
            call()
    assert blinded.blind


def test_blind_evaluate_uses_a_given_public_key_and_checks_it():
    sk, pk = oprf.generate_key_pair()
    blinded = oprf.blind(b"x", mode=Mode.VOPRF)
    with_pk = oprf.blind_evaluate(sk, blinded.blinded_element, mode=Mode.VOPRF, pk=pk)
    oprf.verify_proof(
        oprf.GENERATOR,
        pk,
        [blinded.blinded_element],
        [with_pk.evaluated_element],
        with_pk.proof or b"",
        mode=Mode.VOPRF,
    )
    with pytest.raises(InvalidElement):
        oprf.blind_evaluate(sk, blinded.blinded_element, mode=Mode.VOPRF, pk=bytes(32))


# --- proofs ------------------------------------------------------------------------------


@pytest.fixture
def statement():
    sk, pk = oprf.generate_key_pair()
    inputs = [b"alice", b"bob"]
    blinded = [oprf.blind(i, mode=Mode.VOPRF).blinded_element for i in inputs]
    batch = oprf.blind_evaluate_batch(sk, blinded, mode=Mode.VOPRF)
    return sk, pk, blinded, batch.evaluated_elements, batch.proof


def test_a_valid_batch_proof_verifies(statement):
    _, pk, blinded, evaluated, proof = statement
    oprf.verify_proof(oprf.GENERATOR, pk, blinded, evaluated, proof, mode=Mode.VOPRF)


def test_generate_proof_with_fresh_randomness_verifies(statement):
    sk, pk, blinded, evaluated, proof = statement
    fresh = oprf.generate_proof(sk, oprf.GENERATOR, pk, blinded, evaluated, mode=Mode.VOPRF)
    assert fresh != proof
    oprf.verify_proof(oprf.GENERATOR, pk, blinded, evaluated, fresh, mode=Mode.VOPRF)


@settings(max_examples=64)
@given(st.integers(0, 63), st.integers(1, 255))
def test_any_flipped_bit_in_a_proof_is_invalid_proof(position, mask):
    sk, pk = oprf.generate_key_pair()
    blinded = oprf.blind(b"x", mode=Mode.VOPRF).blinded_element
    evaluated = oprf.blind_evaluate(sk, blinded, mode=Mode.VOPRF)
    assert evaluated.proof is not None
    tampered = bytearray(evaluated.proof)
    tampered[position] ^= mask
    with pytest.raises(InvalidProof):
        oprf.verify_proof(
            oprf.GENERATOR,
            pk,
            [blinded],
            [evaluated.evaluated_element],
            bytes(tampered),
            mode=Mode.VOPRF,
        )


def test_a_proof_for_another_key_element_or_mode_is_invalid(statement):
    _, pk, blinded, evaluated, proof = statement
    _, other_pk = oprf.generate_key_pair()
    cases = [
        (other_pk, blinded, evaluated, Mode.VOPRF),
        (pk, blinded[::-1], evaluated[::-1], Mode.VOPRF),
        (pk, blinded, [evaluated[0], evaluated[0]], Mode.VOPRF),
        (pk, blinded, evaluated, Mode.OPRF),
    ]
    for key, c, d, mode in cases:
        with pytest.raises(InvalidProof):
            oprf.verify_proof(oprf.GENERATOR, key, c, d, proof, mode=mode)


def test_a_server_using_another_key_is_caught():
    sk, pk = oprf.generate_key_pair()
    other_sk, _ = oprf.generate_key_pair()
    blinded = oprf.blind(b"x", mode=Mode.VOPRF)
    # Evaluates with other_sk but claims pk: the proof cannot verify against pk.
    dishonest = oprf.blind_evaluate(other_sk, blinded.blinded_element, mode=Mode.VOPRF, pk=pk)
    with pytest.raises(InvalidProof):
        oprf.finalize(
            b"x",
            blinded.blind,
            dishonest.evaluated_element,
            mode=Mode.VOPRF,
            pk=pk,
            blinded_element=blinded.blinded_element,
            proof=dishonest.proof,
        )
    assert sk != other_sk


@pytest.mark.parametrize(
    "proof",
    [bytes(63), bytes(65), L_BYTES + bytes(32), bytes(32) + L_BYTES, bytes(64)],
    ids=["short", "long", "c-unreduced", "s-unreduced", "zeros"],
)
def test_malformed_proofs_are_invalid_proof(statement, proof):
    _, pk, blinded, evaluated, _ = statement
    with pytest.raises(InvalidProof):
        oprf.verify_proof(oprf.GENERATOR, pk, blinded, evaluated, proof, mode=Mode.VOPRF)


def test_a_proof_forcing_an_identity_commitment_is_invalid_proof():
    # With D = -(s/c)·C, s·M + c·Z is the identity whatever the composite weight is.
    _, pk = oprf.generate_key_pair()
    c = oprf.blind(b"x", mode=Mode.VOPRF).blinded_element
    challenge, response = ristretto.random_scalar(), ristretto.random_scalar()
    ratio = ristretto.scalar_mul(response, ristretto.scalar_invert(challenge))
    d = ristretto.scalarmult(ristretto.scalar_sub(ristretto.ZERO_SCALAR, ratio), c)
    with pytest.raises(InvalidProof):
        oprf.verify_proof(oprf.GENERATOR, pk, [c], [d], challenge + response, mode=Mode.VOPRF)


@pytest.mark.parametrize("bad", [bytes(32), NON_CANONICAL])
def test_a_bad_element_in_the_statement_is_invalid_element(statement, bad):
    _, pk, blinded, evaluated, proof = statement
    with pytest.raises(InvalidElement):
        oprf.verify_proof(oprf.GENERATOR, bad, blinded, evaluated, proof, mode=Mode.VOPRF)
    with pytest.raises(InvalidElement):
        oprf.verify_proof(oprf.GENERATOR, pk, [bad, blinded[1]], evaluated, proof, mode=Mode.VOPRF)
    with pytest.raises(InvalidElement):
        oprf.generate_proof(
            ristretto.random_scalar(),
            oprf.GENERATOR,
            pk,
            blinded,
            [evaluated[0], bad],
            mode=Mode.VOPRF,
        )
