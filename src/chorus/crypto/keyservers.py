"""The OPRF key split between two key servers (spec section 5).

`k = kA + kB mod L`. Each server evaluates with its own share and proves it against its own
public key (mode 1, `oprf.blind_evaluate`); the browser verifies both proofs, adds the two
evaluations and finalizes: the output equals `VOPRF(kA + kB, input)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from typing import NamedTuple

from chorus.crypto import oprf
from chorus.crypto.errors import InvalidParameter, InvalidScalar
from chorus.crypto.hazmat import ristretto
from chorus.crypto.suites import Mode


class KeyShares(NamedTuple):
    share_a: bytes
    share_b: bytes


class ServerEvaluation(NamedTuple):
    """What one key server returns, with the public key the browser has pinned for it."""

    pk: bytes
    evaluated_element: bytes
    proof: bytes


def split_key(sk: bytes, *, share_a: bytes | None = None) -> KeyShares:
    """Split `sk` into two non-zero additive shares; `share_a` injects the first (tests only)."""
    key = ristretto.decode_nonzero_scalar(sk)
    first = (
        ristretto.random_scalar() if share_a is None else ristretto.decode_nonzero_scalar(share_a)
    )
    second = ristretto.scalar_sub(key, first)
    if ristretto.is_zero(second):
        raise InvalidScalar("the second share would be zero")
    return KeyShares(first, second)


def combine_public_keys(public_keys: Sequence[bytes]) -> bytes:
    """`pk = pkA + pkB`: the public key of the combined OPRF key."""
    if not public_keys:
        raise InvalidParameter("no public keys")
    return reduce(ristretto.element_add, (ristretto.decode_element(pk) for pk in public_keys))


def finalize(
    private_input: bytes,
    blind: bytes,
    blinded_element: bytes,
    evaluations: Sequence[ServerEvaluation],
) -> bytes:
    """Verify each server's proof against its own key, add the evaluations and finalize.

    Raises `InvalidProof` naming no server; callers that need to know which one failed call
    `oprf.verify_proof` per server themselves.
    """
    if not evaluations:
        raise InvalidParameter("no evaluations")
    for evaluation in evaluations:
        oprf.verify_proof(
            oprf.GENERATOR,
            evaluation.pk,
            [blinded_element],
            [evaluation.evaluated_element],
            evaluation.proof,
            mode=Mode.VOPRF,
        )
    combined = reduce(ristretto.element_add, (e.evaluated_element for e in evaluations))
    return oprf.unblind_output(private_input, blind, combined)
