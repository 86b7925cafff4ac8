"""Python and the browser implementation agree: random cases through both harnesses (spec 12).

Python answers in process (`chorus.crypto.interop.handle`); the browser bundle answers under
Node (`node frontend/test/interop.mjs`, JSON lines on stdin/stdout, answers in order).
Deterministic operations must give identical responses, errors included (a `BadRequest`'s free
text `detail` aside); seals are checked by opening them on the other side, in both directions,
for both sealing suites (1: X25519, 2: MLKEM768-X25519 / X-Wing), and so are key derivations.
The random seed is in every failure message; set CHORUS_INTEROP_SEED to replay one.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chorus.crypto import escrow, interop, oprf, seal
from chorus.crypto.hazmat import ristretto
from chorus.crypto.suites import (
    GROUP_ORDER,
    SEAL_SUITE_MLKEM768_X25519_CHACHA20,
    SEAL_SUITE_X25519_CHACHA20,
    Mode,
)

ROOT = Path(__file__).resolve().parents[2]
NODE_HARNESS = ROOT / "frontend" / "test" / "interop.mjs"
SEED = int(os.environ.get("CHORUS_INTEROP_SEED", random.SystemRandom().randrange(2**32)))
PURPOSES = ["escrow-share", "record", "report"]

pytestmark = pytest.mark.skipif(
    not NODE_HARNESS.exists(),
    reason="frontend/test/interop.mjs (the browser implementation's harness) does not exist yet",
)

Check = Callable[[dict[str, Any], dict[str, Any]], None]


def _comparable(response: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key != "detail"}


def _same(request: dict[str, Any], node: dict[str, Any]) -> None:
    assert _comparable(node) == _comparable(interop.handle(request)), request


def _expect(expected: dict[str, Any]) -> Check:
    def check(request: dict[str, Any], node: dict[str, Any]) -> None:
        assert _comparable(node) == expected, request

    return check


class Cases:
    """Requests for both sides, and what to check once Node has answered."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.requests: list[dict[str, Any]] = []
        self.checks: list[tuple[str, Check]] = []

    def randbytes(self, n: int) -> bytes:
        return self.rng.randbytes(n)

    def scalar(self) -> bytes:
        return ristretto.scalar_from_int(self.rng.randrange(1, GROUP_ORDER))

    def purpose(self) -> str:
        return self.rng.choice(PURPOSES)

    def add(self, kind: str, request: dict[str, Any], check: Check = _same) -> None:
        self.requests.append(request)
        self.checks.append((kind, check))


def _oprf_cases(cases: Cases) -> None:
    for mode in (Mode.OPRF, Mode.VOPRF):
        verifiable = mode is Mode.VOPRF
        for _ in range(12):
            sk, blind, proof_random = cases.scalar(), cases.scalar(), cases.scalar()
            private_input = cases.randbytes(cases.rng.choice([0, 1, 17, 64, 300]))
            blinded = oprf.blind(private_input, mode=mode, blind=blind).blinded_element
            evaluated = oprf.blind_evaluate(
                sk, blinded, mode=mode, proof_random=proof_random if verifiable else None
            )
            common = {"mode": int(mode), "input": private_input.hex()}
            cases.add("oprf", {"op": "oprf_evaluate", **common, "sk": sk.hex()})
            cases.add("oprf", {"op": "oprf_blind", **common, "blind": blind.hex()})
            request = {
                "op": "oprf_blind_evaluate",
                "mode": int(mode),
                "sk": sk.hex(),
                "blinded": blinded.hex(),
            }
            if verifiable:
                request["proof_random"] = proof_random.hex()
            cases.add("oprf", request)
            finalize = {
                "op": "oprf_finalize",
                **common,
                "blind": blind.hex(),
                "evaluated": evaluated.evaluated_element.hex(),
            }
            if verifiable:
                assert evaluated.proof is not None
                finalize |= {
                    "pk": oprf.public_key(sk).hex(),
                    "blinded": blinded.hex(),
                    "proof": evaluated.proof.hex(),
                }
                tampered = bytearray(evaluated.proof)
                tampered[cases.rng.randrange(64)] ^= 1 << cases.rng.randrange(8)
                cases.add("oprf", {**finalize, "proof": bytes(tampered).hex()})
            cases.add("oprf", finalize)
        identity = {
            "op": "oprf_blind_evaluate",
            "mode": int(mode),
            "sk": cases.scalar().hex(),
            "blinded": "00" * 32,
        }
        cases.add("oprf", identity)


def _escrow_cases(cases: Cases) -> None:
    for _ in range(12):
        t = cases.rng.randrange(2, 17)
        output = cases.randbytes(64)
        ctx = cases.rng.choice([b"deployment", f"org:{cases.rng.randrange(10**6)}".encode()])
        common = {"output": output.hex(), "ctx": ctx.hex(), "t": t}
        cases.add("escrow", {"op": "escrow_derive", **common})
        derivation = escrow.derive(output, ctx=ctx, t=t)
        sids = [cases.randbytes(32) for _ in range(t + 1)]
        for sid in sids:
            cases.add("escrow", {"op": "escrow_share", **common, "sid": sid.hex()})
        shares = [escrow.share(derivation, sid=sid) for sid in sids]
        chosen = [{"u": s.u.hex(), "s": s.s.hex()} for s in cases.rng.sample(shares, t)]
        cases.add("escrow", {"op": "escrow_recover", "shares": chosen})
        cases.add("escrow", {"op": "escrow_recover", "shares": chosen[:-1]})
        cases.add("escrow", {"op": "escrow_recover", "shares": [*chosen[:-1], chosen[0]]})


def _symmetric_cases(cases: Cases) -> None:
    for _ in range(8):
        fields = {
            "key": cases.randbytes(32).hex(),
            "purpose": cases.purpose().encode().hex(),
            "ctx": cases.randbytes(cases.rng.randrange(0, 20)).hex(),
            "index": cases.randbytes(32).hex(),
        }
        plaintext = cases.randbytes(cases.rng.randrange(0, 200)).hex()
        nonce = cases.randbytes(12).hex()
        boxed = interop.handle({"op": "box_seal", **fields, "plaintext": plaintext, "nonce": nonce})
        cases.add("box", {"op": "box_seal", **fields, "plaintext": plaintext, "nonce": nonce})
        cases.add("box", {"op": "box_open", **fields, "box": boxed["box"]})
        cases.add("box", {"op": "box_open", **fields, "purpose": b"x".hex(), "box": boxed["box"]})
    for phrase in ("correct horse", "pässwörd ✓", ""):
        request = {
            "op": "passphrase_key",
            "passphrase": phrase,
            "salt": cases.randbytes(16).hex(),
            "m_kib": cases.rng.choice([8, 64, 256]),
            "t_cost": cases.rng.choice([1, 2]),
            "p": 1,
        }
        cases.add("passphrase", request)


def _python_opens(
    keys: seal.SealKeyPair, purpose: str, ctx: bytes, plaintext: bytes, suite: int
) -> Check:
    """Node sealed; the envelope must open in Python with the pair's private key."""

    def check(request: dict[str, Any], node: dict[str, Any]) -> None:
        assert set(node) == {"sealed"}, (request, node)
        sealed = bytes.fromhex(node["sealed"])
        assert sealed[:2] == bytes([1, suite]), (request, node)
        opened = seal.unseal(keys.sk, sealed, purpose=purpose, ctx=ctx, suite=suite)
        assert opened == plaintext

    return check


def _node_keys_are_sound(suite: int) -> Check:
    """A fresh pair from Node: its public key is the one Python derives from its private key."""

    def check(request: dict[str, Any], node: dict[str, Any]) -> None:
        assert set(node) == {"sk", "pk"}, (request, node)
        assert seal.public_key(bytes.fromhex(node["sk"]), suite=suite).hex() == node["pk"]

    return check


def _seal_cases_of(cases: Cases, suite: int, kind: str) -> None:
    # Suite 1 requests leave `suite` out (its default), suite 2 requests name it.
    named = {} if suite == SEAL_SUITE_X25519_CHACHA20 else {"suite": suite}
    header = 2
    for _ in range(6):
        keys = seal.generate_key_pair(suite)
        purpose = cases.purpose()
        ctx = cases.randbytes(cases.rng.randrange(0, 20))
        plaintext = cases.randbytes(cases.rng.randrange(0, 300))
        fields = {"purpose": purpose.encode().hex(), "ctx": ctx.hex(), **named}

        # Both sides derive the same public key from the same private key.
        cases.add(kind, {"op": "seal_keygen", "sk": keys.sk.hex(), **named})

        # Python seals, Node opens, and refuses it for another purpose, tampered or truncated.
        sealed = seal.seal(keys.pk, plaintext, purpose=purpose, ctx=ctx, suite=suite)
        opening = {"op": "open", "sk": keys.sk.hex(), **fields, "sealed": sealed.hex()}
        cases.add(kind, opening, _expect({"plaintext": plaintext.hex()}))
        wrong = {**opening, "purpose": b"wrong".hex()}
        cases.add(kind, wrong, _expect({"error": "DecryptionFailed"}))
        tampered = bytearray(sealed)
        tampered[cases.rng.randrange(header, len(sealed))] ^= 1 << cases.rng.randrange(8)
        cases.add(kind, {**opening, "sealed": bytes(tampered).hex()})
        cut = cases.rng.randrange(0, len(sealed))
        cases.add(kind, {**opening, "sealed": sealed[:cut].hex()})

        # Node seals, Python opens.
        sealing = {"op": "seal", "pk": keys.pk.hex(), **fields, "plaintext": plaintext.hex()}
        cases.add(kind, sealing, _python_opens(keys, purpose, ctx, plaintext, suite))

    cases.add(kind, {"op": "seal_keygen", **named}, _node_keys_are_sound(suite))


def _seal_cases(cases: Cases) -> None:
    _seal_cases_of(cases, SEAL_SUITE_X25519_CHACHA20, "seal")
    _seal_cases_of(cases, SEAL_SUITE_MLKEM768_X25519_CHACHA20, "seal2")

    # Keys of one suite do not open envelopes of the other; bad keys and suites are refused alike.
    classic = seal.generate_key_pair()
    hybrid = seal.generate_key_pair(SEAL_SUITE_MLKEM768_X25519_CHACHA20)
    labels = {"purpose": b"record".hex(), "ctx": ""}
    by_classic = seal.seal(classic.pk, b"x", purpose="record", ctx=b"").hex()
    by_hybrid = seal.seal(hybrid.pk, b"x", purpose="record", ctx=b"", suite=2).hex()
    bad_modulus = (b"\xff" * 1152 + hybrid.pk[1152:]).hex()
    low_order_x25519 = (hybrid.pk[:1184] + bytes(32)).hex()
    requests: list[dict[str, Any]] = [
        {"op": "open", "suite": 2, "sk": hybrid.sk.hex(), **labels, "sealed": by_classic},
        {"op": "open", "suite": 1, "sk": classic.sk.hex(), **labels, "sealed": by_hybrid},
        {"op": "open", "sk": hybrid.sk.hex(), **labels, "sealed": by_hybrid},
        {"op": "open", "suite": 2, "sk": hybrid.sk.hex()[2:], **labels, "sealed": by_hybrid},
        {"op": "seal", "suite": 2, "pk": classic.pk.hex(), **labels, "plaintext": ""},
        {"op": "seal", "suite": 2, "pk": bad_modulus, **labels, "plaintext": ""},
        {"op": "seal", "suite": 2, "pk": low_order_x25519, **labels, "plaintext": ""},
        {"op": "seal", "suite": 3, "pk": hybrid.pk.hex(), **labels, "plaintext": ""},
        {"op": "seal_keygen", "suite": 0},
        {"op": "seal_keygen", "suite": 2, "sk": "00" * 33},
    ]
    for request in requests:
        cases.add("seal2", request)


@pytest.fixture(scope="module")
def exchange() -> tuple[Cases, list[dict[str, Any]]]:
    node = shutil.which("node")
    assert node, "node is needed to run frontend/test/interop.mjs"
    cases = Cases(random.Random(SEED))  # noqa: S311 - reproducible test cases, not secrets
    for build in (_oprf_cases, _escrow_cases, _symmetric_cases, _seal_cases):
        build(cases)
    result = subprocess.run(
        [node, str(NODE_HARNESS)],
        input="".join(json.dumps(request) + "\n" for request in cases.requests),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, (SEED, result.stderr[-4000:])
    responses = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(responses) == len(cases.requests), (SEED, result.stderr[-4000:])
    return cases, responses


@pytest.mark.parametrize("kind", ["oprf", "escrow", "box", "passphrase", "seal", "seal2"])
def test_both_implementations_agree(exchange, kind):
    cases, responses = exchange
    failures = []
    checked = 0
    for request, (case_kind, check), response in zip(
        cases.requests, cases.checks, responses, strict=True
    ):
        if case_kind != kind:
            continue
        checked += 1
        try:
            check(request, response)
        except AssertionError as error:
            failures.append(f"{request['op']}: {error}\n  node: {response}")
    assert checked > 0
    assert not failures, f"seed {SEED}, {len(failures)} of {checked} differ:\n" + "\n".join(
        failures[:5]
    )
