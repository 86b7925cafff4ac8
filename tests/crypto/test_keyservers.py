"""Two key servers with additive key shares give the single-key VOPRF output (spec section 5)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chorus.crypto import keyservers, oprf
from chorus.crypto.errors import InvalidElement, InvalidParameter, InvalidProof, InvalidScalar
from chorus.crypto.hazmat import ristretto
from chorus.crypto.suites import GROUP_ORDER, Mode

scalars = st.integers(1, GROUP_ORDER - 1).map(ristretto.scalar_from_int)


def _serve(share: bytes, pk: bytes, blinded_element: bytes) -> keyservers.ServerEvaluation:
    evaluated = oprf.blind_evaluate(share, blinded_element, mode=Mode.VOPRF, pk=pk)
    assert evaluated.proof is not None
    return keyservers.ServerEvaluation(pk, evaluated.evaluated_element, evaluated.proof)


@settings(max_examples=30)
@given(scalars, st.binary(max_size=64), scalars)
def test_two_servers_give_the_single_key_output_and_each_proof_verifies(sk, private_input, a):
    assume(a != sk)  # the second share would be zero
    share_a, share_b = keyservers.split_key(sk, share_a=a)
    assert ristretto.scalar_add(share_a, share_b) == sk
    pk_a, pk_b = oprf.public_key(share_a), oprf.public_key(share_b)
    assert keyservers.combine_public_keys([pk_a, pk_b]) == oprf.public_key(sk)

    blinded = oprf.blind(private_input, mode=Mode.VOPRF)
    responses = [
        _serve(share_a, pk_a, blinded.blinded_element),
        _serve(share_b, pk_b, blinded.blinded_element),
    ]
    for response in responses:
        oprf.verify_proof(
            oprf.GENERATOR,
            response.pk,
            [blinded.blinded_element],
            [response.evaluated_element],
            response.proof,
            mode=Mode.VOPRF,
        )
    output = keyservers.finalize(private_input, blinded.blind, blinded.blinded_element, responses)
    assert output == oprf.evaluate(sk, private_input, mode=Mode.VOPRF)


def test_random_split_is_fresh_and_sums_to_the_key():
    sk, _ = oprf.generate_key_pair()
    first, second = keyservers.split_key(sk), keyservers.split_key(sk)
    assert first != second
    assert ristretto.scalar_add(*first) == ristretto.scalar_add(*second) == sk


def test_a_share_equal_to_the_key_is_refused():
    sk, _ = oprf.generate_key_pair()
    with pytest.raises(InvalidScalar):
        keyservers.split_key(sk, share_a=sk)
    with pytest.raises(InvalidScalar):
        keyservers.split_key(sk, share_a=bytes(32))


def _setup() -> tuple[bytes, bytes, bytes, bytes, oprf.Blinded]:
    sk, _ = oprf.generate_key_pair()
    share_a, share_b = keyservers.split_key(sk)
    pk_a, pk_b = oprf.public_key(share_a), oprf.public_key(share_b)
    blinded = oprf.blind(b"someone", mode=Mode.VOPRF)
    return share_a, share_b, pk_a, pk_b, blinded


def test_a_server_using_another_key_is_caught():
    share_a, _, pk_a, pk_b, blinded = _setup()
    rogue, _ = oprf.generate_key_pair()
    honest = _serve(share_a, pk_a, blinded.blinded_element)
    partitioning = _serve(rogue, pk_b, blinded.blinded_element)  # claims B's published key
    with pytest.raises(InvalidProof):
        keyservers.finalize(
            b"someone", blinded.blind, blinded.blinded_element, [honest, partitioning]
        )


def test_evaluations_attributed_to_the_wrong_server_are_caught():
    share_a, share_b, pk_a, pk_b, blinded = _setup()
    a = _serve(share_a, pk_a, blinded.blinded_element)
    b = _serve(share_b, pk_b, blinded.blinded_element)
    swapped = [a._replace(pk=pk_b), b._replace(pk=pk_a)]
    with pytest.raises(InvalidProof):
        keyservers.finalize(b"someone", blinded.blind, blinded.blinded_element, swapped)


def test_an_evaluation_of_another_blinded_element_is_caught():
    share_a, share_b, pk_a, pk_b, blinded = _setup()
    other = oprf.blind(b"someone else", mode=Mode.VOPRF)
    a = _serve(share_a, pk_a, blinded.blinded_element)
    b = _serve(share_b, pk_b, other.blinded_element)
    with pytest.raises(InvalidProof):
        keyservers.finalize(b"someone", blinded.blind, blinded.blinded_element, [a, b])


def test_empty_inputs_are_refused():
    with pytest.raises(InvalidParameter):
        keyservers.combine_public_keys([])
    blinded = oprf.blind(b"x", mode=Mode.VOPRF)
    with pytest.raises(InvalidParameter):
        keyservers.finalize(b"x", blinded.blind, blinded.blinded_element, [])


def test_combining_an_invalid_public_key_is_invalid_element():
    _, pk = oprf.generate_key_pair()
    with pytest.raises(InvalidElement):
        keyservers.combine_public_keys([pk, bytes(32)])
