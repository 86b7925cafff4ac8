"""Every RFC 9497 ristretto255-SHA512 vector, modes 0 and 1, batch sizes 1 and 2."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chorus.crypto import oprf
from chorus.crypto.suites import Mode

from .conftest import load_vectors, unhex

_VECTORS = load_vectors("rfc9497-ristretto255-sha512.json")


def _cases() -> Iterator[Any]:
    for name, mode in (("oprf", Mode.OPRF), ("voprf", Mode.VOPRF)):
        suite = _VECTORS[name]
        for number, vector in enumerate(suite["vectors"], start=1):
            yield pytest.param(mode, suite, vector, id=f"{name}-{number}-batch{vector['Batch']}")


def _split(value: str) -> list[bytes]:
    return [unhex(part) for part in value.split(",")]


@pytest.mark.parametrize(("name", "mode"), [("oprf", Mode.OPRF), ("voprf", Mode.VOPRF)])
def test_derive_key_pair_matches(name, mode):
    suite = _VECTORS[name]
    assert (
        suite["groupDST"]
        == (b"HashToGroup-OPRFV1-" + bytes([mode]) + b"-ristretto255-SHA512").hex()
    )
    pair = oprf.derive_key_pair(unhex(suite["seed"]), unhex(suite["keyInfo"]), mode=mode)
    assert pair.sk.hex() == suite["skSm"]
    assert oprf.public_key(pair.sk) == pair.pk
    if mode is Mode.VOPRF:
        assert pair.pk.hex() == suite["pkSm"]


@pytest.mark.parametrize(("mode", "suite", "vector"), list(_cases()))
def test_vector_replays_end_to_end(mode, suite, vector):
    sk = unhex(suite["skSm"])
    inputs, blinds = _split(vector["Input"]), _split(vector["Blind"])
    assert len(inputs) == vector["Batch"]

    blinded = [oprf.blind(i, mode=mode, blind=b) for i, b in zip(inputs, blinds, strict=True)]
    assert [b.blind for b in blinded] == blinds
    blinded_elements = [b.blinded_element for b in blinded]
    assert blinded_elements == _split(vector["BlindedElement"])

    proof_random = unhex(vector["Proof"]["r"]) if mode is Mode.VOPRF else None
    batch = oprf.blind_evaluate_batch(sk, blinded_elements, mode=mode, proof_random=proof_random)
    assert batch.evaluated_elements == _split(vector["EvaluationElement"])

    if mode is Mode.VOPRF:
        pk = unhex(suite["pkSm"])
        assert batch.proof == unhex(vector["Proof"]["proof"])
        assert (
            oprf.generate_proof(
                sk,
                oprf.GENERATOR,
                pk,
                blinded_elements,
                batch.evaluated_elements,
                mode=mode,
                proof_random=proof_random,
            )
            == batch.proof
        )
        oprf.verify_proof(
            oprf.GENERATOR, pk, blinded_elements, batch.evaluated_elements, batch.proof, mode=mode
        )
        outputs = oprf.finalize_batch(
            inputs,
            blinds,
            batch.evaluated_elements,
            mode=mode,
            pk=pk,
            blinded_elements=blinded_elements,
            proof=batch.proof,
        )
    else:
        assert batch.proof is None
        outputs = oprf.finalize_batch(inputs, blinds, batch.evaluated_elements, mode=mode)
    assert outputs == _split(vector["Output"])
    assert [oprf.evaluate(sk, i, mode=mode) for i in inputs] == outputs


@pytest.mark.parametrize(
    ("mode", "suite", "vector"), [c for c in _cases() if c.values[2]["Batch"] == 1]
)
def test_single_forms_replay_batch_one_vectors(mode, suite, vector):
    sk, private_input, blind = unhex(suite["skSm"]), unhex(vector["Input"]), unhex(vector["Blind"])
    blinded = oprf.blind(private_input, mode=mode, blind=blind).blinded_element
    verifiable = mode is Mode.VOPRF
    evaluated = oprf.blind_evaluate(
        sk,
        blinded,
        mode=mode,
        pk=unhex(suite["pkSm"]) if verifiable else None,
        proof_random=unhex(vector["Proof"]["r"]) if verifiable else None,
    )
    assert evaluated.evaluated_element.hex() == vector["EvaluationElement"]
    assert (evaluated.proof.hex() if evaluated.proof else None) == (
        vector["Proof"]["proof"] if verifiable else None
    )
    output = oprf.finalize(
        private_input,
        blind,
        evaluated.evaluated_element,
        mode=mode,
        pk=unhex(suite["pkSm"]) if verifiable else None,
        blinded_element=blinded if verifiable else None,
        proof=evaluated.proof,
    )
    assert output.hex() == vector["Output"]
