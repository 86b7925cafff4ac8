"""Crypto figures for ``make bench``: Python (libsodium via pysodium, pyca) and the browser bundle
under Node. One JSON line per figure. Usage: ``python -m bench.crypto [--seconds S]``.

Figures: raw ristretto255 scalar multiplications per second; ``blind_evaluate`` per second (mode 0,
target at least 0.9 of the raw rate) and with its proof (mode 1); client ``blind`` + ``finalize``
per second in Python and in the bundle (modes 0 and 1); Lagrange recovery time at t = 2, 5, 10;
HPKE seal and open per second. Each figure runs for ``--seconds`` of wall time.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pysodium

from chorus.crypto import escrow, oprf, seal
from chorus.crypto.suites import Mode

REPO = Path(__file__).resolve().parent.parent


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn``, measured over about ``seconds`` after a short warm-up."""
    for _ in range(50):
        fn()
    n, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(100):
            fn()
        n += 100
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start)


def emit(figure: str, **values: Any) -> None:
    print(json.dumps({"figure": figure, **values}), flush=True)


def python_figures(seconds: float) -> None:
    kp = oprf.generate_key_pair()
    point = oprf.blind(b"bench", mode=Mode.OPRF).blinded_element
    scalar = pysodium.crypto_core_ristretto255_scalar_random()
    raw = rate(lambda: pysodium.crypto_scalarmult_ristretto255(scalar, point), seconds)
    emit("ristretto255_scalarmult_py", ops_per_s=round(raw))

    be0 = rate(lambda: oprf.blind_evaluate(kp.sk, point, mode=Mode.OPRF), seconds)
    emit(
        "oprf_blind_evaluate_py", mode=0, ops_per_s=round(be0), ratio_to_raw=round(be0 / raw, 3),
        target={"min_ratio_to_raw": 0.9}, **{"pass": be0 / raw >= 0.9},
    )  # fmt: skip
    vpoint = oprf.blind(b"bench", mode=Mode.VOPRF).blinded_element
    be1 = rate(lambda: oprf.blind_evaluate(kp.sk, vpoint, mode=Mode.VOPRF, pk=kp.pk), seconds)
    emit("oprf_blind_evaluate_py", mode=1, ops_per_s=round(be1), note="with DLEQ proof")

    for mode in (Mode.OPRF, Mode.VOPRF):
        verifiable = mode == Mode.VOPRF
        blinded = oprf.blind(b"someone@example.org", mode=mode)
        evaluated = oprf.blind_evaluate(
            kp.sk, blinded.blinded_element, mode=mode, pk=kp.pk if verifiable else None
        )
        extra = (
            {"pk": kp.pk, "blinded_element": blinded.blinded_element, "proof": evaluated.proof}
            if verifiable
            else {}
        )

        # The client's work: a fresh blind, then finalize a server answer prepared beforehand.
        def client(
            mode: Mode = mode,
            blinded: Any = blinded,
            evaluated: Any = evaluated,
            extra: Any = extra,
        ) -> None:
            oprf.blind(b"someone@example.org", mode=mode)
            oprf.finalize(
                b"someone@example.org", blinded.blind, evaluated.evaluated_element, mode=mode,
                **extra,
            )  # fmt: skip

        emit(
            "oprf_client_blind_finalize_py", mode=int(mode), ops_per_s=round(rate(client, seconds))
        )

    for t in (2, 5, 10):
        derivation = escrow.derive(secrets.token_bytes(64), ctx=b"deployment", t=t)
        shares = [escrow.share(derivation, sid=secrets.token_bytes(32)) for _ in range(t)]

        def interpolate(shares: list[escrow.Share] = shares, t: int = t) -> None:
            escrow.recover(shares, t=t)

        per_s = rate(interpolate, seconds / 3)
        emit("escrow_interpolate_py", t=t, microseconds=round(1e6 / per_s, 1))

    recipient = seal.generate_key_pair()
    message = secrets.token_bytes(256)
    sealed = seal.seal(recipient.pk, message, purpose="record", ctx=b"deployment")
    ctx = b"deployment"
    seal_rate = rate(lambda: seal.seal(recipient.pk, message, purpose="record", ctx=ctx), seconds)
    open_rate = rate(lambda: seal.unseal(recipient.sk, sealed, purpose="record", ctx=ctx), seconds)
    emit("hpke_seal_py", bytes=256, ops_per_s=round(seal_rate))
    emit("hpke_open_py", bytes=256, ops_per_s=round(open_rate))


def node_figures(seconds: float) -> None:
    result = subprocess.run(
        ["node", str(REPO / "bench" / "crypto_node.mjs"), str(seconds)],
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    for line in result.stdout.splitlines():
        print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.crypto")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    print("crypto figures: Python, then the bundle under Node", file=sys.stderr)
    python_figures(args.seconds)
    node_figures(args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
