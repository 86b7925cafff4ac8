"""RFC 9497 OPRF (mode 0) and VOPRF (mode 1) with the ciphersuite ristretto255-SHA512.

Functions are the RFC's operations in snake_case; the mode is a keyword argument. Scalars and
elements are their canonical 32-byte encodings. The randomness of `blind` and of the proofs
can be injected (`blind=`, `proof_random=`) so the RFC's vectors replay; leave them out in
production. Invalid elements raise `InvalidElement`, invalid scalars `InvalidScalar`, and a
proof that does not verify raises `InvalidProof`.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from typing import NamedTuple

from chorus.crypto.encoding import i2osp, lp
from chorus.crypto.errors import InvalidElement, InvalidParameter, InvalidProof, InvalidScalar
from chorus.crypto.hazmat import ristretto
from chorus.crypto.hazmat.kdf import sha512
from chorus.crypto.hazmat.xmd import expand_message_xmd
from chorus.crypto.suites import (
    OPRF_CONTEXT_PREFIX,
    OPRF_DERIVE_KEY_PAIR_DST_PREFIX,
    OPRF_HASH_TO_GROUP_DST_PREFIX,
    OPRF_HASH_TO_SCALAR_DST_PREFIX,
    OPRF_LABEL_CHALLENGE,
    OPRF_LABEL_COMPOSITE,
    OPRF_LABEL_FINALIZE,
    OPRF_MAX_INPUT_BYTES,
    OPRF_PROOF_BYTES,
    OPRF_SEED_BYTES,
    OPRF_SEED_DST_PREFIX,
    OPRF_SUITE_ID,
    SCALAR_BYTES,
    WIDE_BYTES,
    Mode,
)

#: The ristretto255 generator G, canonical encoding.
GENERATOR = bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")

_MAX_DERIVE_ATTEMPTS = 256


@dataclass(frozen=True, slots=True)
class _Suite:
    mode: Mode
    hash_to_group_dst: bytes
    hash_to_scalar_dst: bytes
    derive_key_pair_dst: bytes
    seed_dst: bytes


def _suite_for(mode: Mode) -> _Suite:
    context = OPRF_CONTEXT_PREFIX + i2osp(mode, 1) + b"-" + OPRF_SUITE_ID
    return _Suite(
        mode=mode,
        hash_to_group_dst=OPRF_HASH_TO_GROUP_DST_PREFIX + context,
        hash_to_scalar_dst=OPRF_HASH_TO_SCALAR_DST_PREFIX + context,
        derive_key_pair_dst=OPRF_DERIVE_KEY_PAIR_DST_PREFIX + context,
        seed_dst=OPRF_SEED_DST_PREFIX + context,
    )


_SUITES: dict[int, _Suite] = {int(mode): _suite_for(mode) for mode in Mode}


class KeyPair(NamedTuple):
    sk: bytes
    pk: bytes


class Blinded(NamedTuple):
    blind: bytes
    blinded_element: bytes


class Evaluated(NamedTuple):
    evaluated_element: bytes
    #: `c || s` in mode 1, None in mode 0.
    proof: bytes | None


class EvaluatedBatch(NamedTuple):
    evaluated_elements: list[bytes]
    proof: bytes | None


def _suite(mode: int) -> _Suite:
    suite = None if isinstance(mode, bool) else _SUITES.get(mode)
    if suite is None:
        raise InvalidParameter(f"unsupported OPRF mode {mode!r}")
    return suite


def _check_input(private_input: bytes) -> None:
    if len(private_input) > OPRF_MAX_INPUT_BYTES:
        raise InvalidParameter("OPRF inputs are at most 65535 bytes")


def _hash_to_group(suite: _Suite, data: bytes) -> bytes:
    return ristretto.from_hash(expand_message_xmd(data, suite.hash_to_group_dst, WIDE_BYTES))


def _hash_to_scalar(data: bytes, dst: bytes) -> bytes:
    return ristretto.scalar_reduce(expand_message_xmd(data, dst, WIDE_BYTES))


def _finalize_hash(private_input: bytes, element: bytes) -> bytes:
    return sha512(lp(private_input) + lp(element) + OPRF_LABEL_FINALIZE)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidParameter(message)


# --- keys --------------------------------------------------------------------------------


def derive_key_pair(seed: bytes, info: bytes, *, mode: int) -> KeyPair:
    """RFC 9497 section 3.2.1 DeriveKeyPair: a key pair from a 32-byte seed and public info."""
    suite = _suite(mode)
    _require(len(seed) == OPRF_SEED_BYTES, "DeriveKeyPair seeds are 32 bytes")
    derive_input = seed + lp(info)
    for counter in range(_MAX_DERIVE_ATTEMPTS):
        sk = _hash_to_scalar(derive_input + i2osp(counter, 1), suite.derive_key_pair_dst)
        if not ristretto.is_zero(sk):
            return KeyPair(sk, ristretto.scalarmult_base(sk))
    raise InvalidScalar("DeriveKeyPairError")


def generate_key_pair() -> KeyPair:
    """A fresh random key pair."""
    sk = ristretto.random_scalar()
    return KeyPair(sk, ristretto.scalarmult_base(sk))


def public_key(sk: bytes) -> bytes:
    """`sk * G` for a valid private key."""
    return ristretto.scalarmult_base(ristretto.decode_nonzero_scalar(sk))


# --- client ------------------------------------------------------------------------------


def blind(private_input: bytes, *, mode: int, blind: bytes | None = None) -> Blinded:
    """Blind: `(r, r * HashToGroup(input))`; `blind` injects `r` (tests only)."""
    suite = _suite(mode)
    _check_input(private_input)
    scalar = ristretto.random_scalar() if blind is None else ristretto.decode_nonzero_scalar(blind)
    # An identity HashToGroup (RFC: InvalidInputError) makes scalarmult raise InvalidElement.
    return Blinded(scalar, ristretto.scalarmult(scalar, _hash_to_group(suite, private_input)))


def finalize(
    private_input: bytes,
    blind: bytes,
    evaluated_element: bytes,
    *,
    mode: int,
    pk: bytes | None = None,
    blinded_element: bytes | None = None,
    proof: bytes | None = None,
) -> bytes:
    """Finalize. Mode 1 needs `pk`, `blinded_element` and `proof`, and verifies the proof first."""
    return finalize_batch(
        [private_input],
        [blind],
        [evaluated_element],
        mode=mode,
        pk=pk,
        blinded_elements=None if blinded_element is None else [blinded_element],
        proof=proof,
    )[0]


def finalize_batch(
    private_inputs: Sequence[bytes],
    blinds: Sequence[bytes],
    evaluated_elements: Sequence[bytes],
    *,
    mode: int,
    pk: bytes | None = None,
    blinded_elements: Sequence[bytes] | None = None,
    proof: bytes | None = None,
) -> list[bytes]:
    """Finalize a batch; in mode 1 one proof covers the whole batch (RFC 9497 section 3.3.2)."""
    suite = _suite(mode)
    count = len(private_inputs)
    _require(count > 0 and len(blinds) == count == len(evaluated_elements), "batch mismatch")
    if suite.mode is Mode.VOPRF:
        if pk is None or proof is None or blinded_elements is None:
            raise InvalidParameter("mode 1 Finalize needs pk, the blinded elements and the proof")
        verify_proof(GENERATOR, pk, blinded_elements, evaluated_elements, proof, mode=mode)
    else:
        _require(pk is None and proof is None and blinded_elements is None, "mode 0 has no proof")
    return [
        unblind_output(private_input, scalar, element)
        for private_input, scalar, element in zip(
            private_inputs, blinds, evaluated_elements, strict=True
        )
    ]


def unblind_output(private_input: bytes, blind: bytes, evaluated_element: bytes) -> bytes:
    """The last steps of Finalize, without proof verification: `H(input, blind^-1 * Z)`.

    For callers that have verified every evaluation themselves (the two key servers of
    `chorus.crypto.keyservers` each prove their own share).
    """
    _check_input(private_input)
    inverse = ristretto.scalar_invert(ristretto.decode_nonzero_scalar(blind))
    return _finalize_hash(private_input, ristretto.scalarmult(inverse, evaluated_element))


# --- server ------------------------------------------------------------------------------


def blind_evaluate(
    sk: bytes,
    blinded_element: bytes,
    *,
    mode: int,
    pk: bytes | None = None,
    proof_random: bytes | None = None,
) -> Evaluated:
    """BlindEvaluate: `Z = sk * B`, and in mode 1 a proof that `Z` used the key behind `pk`.

    Mode 0 is one scalar check and one scalar multiplication: libsodium's multiplication
    rejects a non-canonical `B` and (with a non-zero key in a prime-order group) the identity.
    In mode 1 `pk` is computed from `sk` when not given.
    """
    suite = _suite(mode)
    if suite.mode is Mode.OPRF:
        _require(pk is None and proof_random is None, "mode 0 has no proof")
        return Evaluated(
            ristretto.scalarmult(ristretto.decode_nonzero_scalar(sk), blinded_element), None
        )
    batch = blind_evaluate_batch(sk, [blinded_element], mode=mode, pk=pk, proof_random=proof_random)
    return Evaluated(batch.evaluated_elements[0], batch.proof)


def blind_evaluate_batch(
    sk: bytes,
    blinded_elements: Sequence[bytes],
    *,
    mode: int,
    pk: bytes | None = None,
    proof_random: bytes | None = None,
) -> EvaluatedBatch:
    """BlindEvaluate for a batch; mode 1 returns one proof for all of it."""
    suite = _suite(mode)
    _require(len(blinded_elements) > 0, "empty batch")
    key = ristretto.decode_nonzero_scalar(sk)
    evaluated = [ristretto.scalarmult(key, element) for element in blinded_elements]
    if suite.mode is Mode.OPRF:
        _require(pk is None and proof_random is None, "mode 0 has no proof")
        return EvaluatedBatch(evaluated, None)
    public = ristretto.scalarmult_base(key) if pk is None else ristretto.decode_element(pk)
    proof = _generate_proof(
        suite,
        key,
        a=GENERATOR,
        b=public,
        c=blinded_elements,
        d=evaluated,
        r=_random(proof_random),
    )
    return EvaluatedBatch(evaluated, proof)


def evaluate(sk: bytes, private_input: bytes, *, mode: int) -> bytes:
    """Evaluate: the unblinded PRF output `H(input, sk * HashToGroup(input))`."""
    suite = _suite(mode)
    _check_input(private_input)
    key = ristretto.decode_nonzero_scalar(sk)
    return _finalize_hash(
        private_input, ristretto.scalarmult(key, _hash_to_group(suite, private_input))
    )


# --- proofs (RFC 9497 section 2.2) -------------------------------------------------------


def _random(proof_random: bytes | None) -> bytes:
    if proof_random is None:
        return ristretto.random_scalar()
    return ristretto.decode_nonzero_scalar(proof_random)


def _composites(
    suite: _Suite, b: bytes, c: Sequence[bytes], d: Sequence[bytes], key: bytes | None
) -> tuple[bytes, bytes]:
    """ComputeComposites (verifier, `key` None) or ComputeCompositesFast (prover)."""
    seed = sha512(lp(b) + lp(suite.seed_dst))
    weights = [
        _hash_to_scalar(
            lp(seed) + i2osp(i, 2) + lp(ci) + lp(di) + OPRF_LABEL_COMPOSITE,
            suite.hash_to_scalar_dst,
        )
        for i, (ci, di) in enumerate(zip(c, d, strict=True))
    ]
    # libsodium cannot represent an identity accumulator: sum the terms pairwise.
    m = reduce(ristretto.element_add, map(ristretto.scalarmult, weights, c))
    if key is not None:
        return m, ristretto.scalarmult(key, m)
    return m, reduce(ristretto.element_add, map(ristretto.scalarmult, weights, d))


def _challenge(suite: _Suite, *elements: bytes) -> bytes:
    transcript = b"".join(lp(element) for element in elements) + OPRF_LABEL_CHALLENGE
    return _hash_to_scalar(transcript, suite.hash_to_scalar_dst)


def _generate_proof(
    suite: _Suite,
    key: bytes,
    *,
    a: bytes,
    b: bytes,
    c: Sequence[bytes],
    d: Sequence[bytes],
    r: bytes,
) -> bytes:
    m, z = _composites(suite, b, c, d, key)
    t2 = ristretto.scalarmult(r, a)
    t3 = ristretto.scalarmult(r, m)
    challenge = _challenge(suite, b, m, z, t2, t3)
    response = ristretto.scalar_sub(r, ristretto.scalar_mul(challenge, key))
    return challenge + response


def _elements(elements: Sequence[bytes]) -> list[bytes]:
    return [ristretto.decode_element(element) for element in elements]


def generate_proof(
    k: bytes,
    a: bytes,
    b: bytes,
    c: Sequence[bytes],
    d: Sequence[bytes],
    *,
    mode: int,
    proof_random: bytes | None = None,
) -> bytes:
    """GenerateProof: a DLEQ proof that `B = k*A` and `D[i] = k*C[i]` for all i (`c || s`)."""
    suite = _suite(mode)
    _require(len(c) > 0 and len(c) == len(d), "batch mismatch")
    key = ristretto.decode_nonzero_scalar(k)
    return _generate_proof(
        suite,
        key,
        a=ristretto.decode_element(a),
        b=ristretto.decode_element(b),
        c=_elements(c),
        d=_elements(d),
        r=_random(proof_random),
    )


def verify_proof(
    a: bytes,
    b: bytes,
    c: Sequence[bytes],
    d: Sequence[bytes],
    proof: bytes,
    *,
    mode: int,
) -> None:
    """VerifyProof. Returns None if the proof holds; raises `InvalidProof` otherwise.

    Malformed elements in the statement raise `InvalidElement`; anything wrong with the proof
    itself (length, non-canonical scalars, identity intermediates) is `InvalidProof`.
    """
    suite = _suite(mode)
    _require(len(c) > 0 and len(c) == len(d), "batch mismatch")
    a, b = ristretto.decode_element(a), ristretto.decode_element(b)
    c, d = _elements(c), _elements(d)
    if len(proof) != OPRF_PROOF_BYTES:
        raise InvalidProof("a proof is 64 bytes")
    try:
        challenge = ristretto.decode_scalar(proof[:SCALAR_BYTES])
        response = ristretto.decode_scalar(proof[SCALAR_BYTES:])
        m, z = _composites(suite, b, c, d, None)
        t2 = ristretto.element_add(
            ristretto.scalarmult(response, a), ristretto.scalarmult(challenge, b)
        )
        t3 = ristretto.element_add(
            ristretto.scalarmult(response, m), ristretto.scalarmult(challenge, z)
        )
    except (InvalidScalar, InvalidElement) as error:
        raise InvalidProof("proof does not verify") from error
    if not hmac.compare_digest(_challenge(suite, b, m, z, t2, t3), challenge):
        raise InvalidProof("proof does not verify")
