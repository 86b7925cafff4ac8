"""Python and the browser implementation agree: random cases through both harnesses (spec 12).

Python answers in process (`chorus.crypto.interop.handle`); the browser bundle answers under
Node (`node frontend/test/interop.mjs`, JSON lines on stdin/stdout, answers in order).
Deterministic operations must give identical responses, errors included (a `BadRequest`'s free
text `detail` aside); seals are checked by opening them on the other side, in both directions.
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
from chorus.crypto.suites import GROUP_ORDER, Mode

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


def _seal_cases(cases: Cases) -> None:
    for _ in range(8):
        keys = seal.generate_key_pair()
        purpose = cases.purpose()
        ctx = cases.randbytes(cases.rng.randrange(0, 20))
        plaintext = cases.randbytes(cases.rng.randrange(0, 300))
        fields = {"purpose": purpose.encode().hex(), "ctx": ctx.hex()}

        # Python seals, Node opens, and refuses the envelope for another purpose.
        sealed = seal.seal(keys.pk, plaintext, purpose=purpose, ctx=ctx).hex()
        opening = {"op": "open", "sk": keys.sk.hex(), **fields, "sealed": sealed}
        cases.add("seal", opening, _expect({"plaintext": plaintext.hex()}))
        wrong = {**opening, "purpose": b"wrong".hex()}
        cases.add("seal", wrong, _expect({"error": "DecryptionFailed"}))

        # Node seals, Python opens.
        def python_opens(
            request: dict[str, Any],
            node: dict[str, Any],
            *,
            keys: seal.SealKeyPair = keys,
            purpose: str = purpose,
            ctx: bytes = ctx,
            plaintext: bytes = plaintext,
        ) -> None:
            assert set(node) == {"sealed"}, (request, node)
            opened = seal.unseal(keys.sk, bytes.fromhex(node["sealed"]), purpose=purpose, ctx=ctx)
            assert opened == plaintext

        sealing = {"op": "seal", "pk": keys.pk.hex(), **fields, "plaintext": plaintext.hex()}
        cases.add("seal", sealing, python_opens)


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


@pytest.mark.parametrize("kind", ["oprf", "escrow", "box", "passphrase", "seal"])
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
