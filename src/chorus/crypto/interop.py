"""The JSON-lines interoperability harness of spec section 12: `python -m chorus.crypto.interop`.

One request object per line on standard input, one response per line on standard output,
in order. Byte strings (`purpose` and `ctx` too) are lowercase hex; `passphrase` is text;
`mode`, `t`, `m_kib`, `t_cost`, `p` and `suite` are numbers (`suite` is optional, default 1).
Errors are `{"error": "<TypedErrorName>"}` with the spec's names, or
`{"error": "BadRequest", "detail": "…"}` for a request the harness cannot use (not JSON, unknown
op, missing or malformed field) or an argument out of its range (`InvalidParameter` on this
side, an unknown `suite` included).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping
from typing import IO, Any

from chorus.crypto import box, escrow, oprf, passphrase, seal
from chorus.crypto.errors import CryptoError, InvalidParameter
from chorus.crypto.suites import SEAL_SUITE_X25519_CHACHA20, THRESHOLD_MIN, Mode

_HEX = re.compile(r"(?:[0-9a-f]{2})*")


class BadRequest(Exception):  # noqa: N818 - the harness protocol's name
    """The request is not well formed; not a cryptographic error."""


class _Fields:
    def __init__(self, request: Mapping[str, Any]) -> None:
        self._request = request

    def _get(self, name: str, kind: type | tuple[type, ...]) -> Any:
        value = self._request.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise BadRequest(f"{name}: missing or of the wrong type")
        return value

    def hex(self, name: str) -> bytes:
        value = self._get(name, str)
        if not _HEX.fullmatch(value):
            raise BadRequest(f"{name}: not lowercase hex")
        return bytes.fromhex(value)

    def optional_hex(self, name: str) -> bytes | None:
        return None if self._request.get(name) is None else self.hex(name)

    def label(self, name: str) -> str:
        """A purpose: hex on the wire, ASCII text to the API."""
        return self.hex(name).decode("latin-1")

    def text(self, name: str) -> str:
        value: str = self._get(name, str)
        return value

    def number(self, name: str) -> int:
        value: int = self._get(name, int)
        return value

    def optional_number(self, name: str, default: int) -> int:
        return default if self._request.get(name) is None else self.number(name)

    def items(self, name: str) -> list[Any]:
        value: list[Any] = self._get(name, list)
        return value


def _oprf_evaluate(f: _Fields) -> dict[str, Any]:
    return {"output": oprf.evaluate(f.hex("sk"), f.hex("input"), mode=f.number("mode")).hex()}


def _oprf_blind(f: _Fields) -> dict[str, Any]:
    blinded = oprf.blind(f.hex("input"), mode=f.number("mode"), blind=f.hex("blind"))
    return {"blinded": blinded.blinded_element.hex()}


def _oprf_blind_evaluate(f: _Fields) -> dict[str, Any]:
    mode = f.number("mode")
    proof_random = f.optional_hex("proof_random") if mode == Mode.VOPRF else None
    result = oprf.blind_evaluate(
        f.hex("sk"), f.hex("blinded"), mode=mode, proof_random=proof_random
    )
    response = {"evaluated": result.evaluated_element.hex()}
    if result.proof is not None:
        response["proof"] = result.proof.hex()
    return response


def _oprf_finalize(f: _Fields) -> dict[str, Any]:
    mode = f.number("mode")
    verifiable = mode == Mode.VOPRF
    output = oprf.finalize(
        f.hex("input"),
        f.hex("blind"),
        f.hex("evaluated"),
        mode=mode,
        pk=f.hex("pk") if verifiable else None,
        blinded_element=f.hex("blinded") if verifiable else None,
        proof=f.hex("proof") if verifiable else None,
    )
    return {"output": output.hex()}


def _escrow_derive(f: _Fields) -> dict[str, Any]:
    derivation = escrow.derive(f.hex("output"), ctx=f.hex("ctx"), t=f.number("t"))
    return {
        "index": derivation.index.hex(),
        "secret": derivation.secret.hex(),
        "coefficients": [c.hex() for c in derivation.coefficients[1:]],
        "entry_key": derivation.entry_key.hex(),
    }


def _escrow_share(f: _Fields) -> dict[str, Any]:
    derivation = escrow.derive(f.hex("output"), ctx=f.hex("ctx"), t=f.number("t"))
    share = escrow.share(derivation, sid=f.hex("sid"))
    return {"u": share.u.hex(), "s": share.s.hex()}


def _escrow_recover(f: _Fields) -> dict[str, Any]:
    shares = []
    for item in f.items("shares"):
        if not isinstance(item, dict):
            raise BadRequest("shares: a list of {u, s} objects")
        fields = _Fields(item)
        shares.append(escrow.Share(fields.hex("u"), fields.hex("s")))
    # The harness has no `t`: all shares are used, and fewer than two are too few.
    return {"secret": escrow.recover(shares, t=THRESHOLD_MIN).hex()}


def _suite(f: _Fields) -> int:
    return f.optional_number("suite", SEAL_SUITE_X25519_CHACHA20)


def _seal_keygen(f: _Fields) -> dict[str, Any]:
    suite = _suite(f)
    sk = f.optional_hex("sk")
    if sk is None:
        keys = seal.generate_key_pair(suite)
        return {"sk": keys.sk.hex(), "pk": keys.pk.hex()}
    return {"sk": sk.hex(), "pk": seal.public_key(sk, suite=suite).hex()}


def _seal(f: _Fields) -> dict[str, Any]:
    sealed = seal.seal(
        f.hex("pk"),
        f.hex("plaintext"),
        purpose=f.label("purpose"),
        ctx=f.hex("ctx"),
        suite=_suite(f),
    )
    return {"sealed": sealed.hex()}


def _open(f: _Fields) -> dict[str, Any]:
    plaintext = seal.unseal(
        f.hex("sk"),
        f.hex("sealed"),
        purpose=f.label("purpose"),
        ctx=f.hex("ctx"),
        suite=_suite(f),
    )
    return {"plaintext": plaintext.hex()}


def _box_seal(f: _Fields) -> dict[str, Any]:
    sealed = box.box_seal(
        f.hex("key"),
        f.hex("plaintext"),
        purpose=f.label("purpose"),
        ctx=f.hex("ctx"),
        index=f.hex("index"),
        nonce=f.hex("nonce"),
    )
    return {"box": sealed.hex()}


def _box_open(f: _Fields) -> dict[str, Any]:
    plaintext = box.box_open(
        f.hex("key"),
        f.hex("box"),
        purpose=f.label("purpose"),
        ctx=f.hex("ctx"),
        index=f.hex("index"),
    )
    return {"plaintext": plaintext.hex()}


def _passphrase_key(f: _Fields) -> dict[str, Any]:
    params = passphrase.Argon2Params(f.number("m_kib"), f.number("t_cost"), f.number("p"))
    key = passphrase.passphrase_key(f.text("passphrase"), f.hex("salt"), params)
    return {"key": key.hex()}


OPS: dict[str, Callable[[_Fields], dict[str, Any]]] = {
    "oprf_evaluate": _oprf_evaluate,
    "oprf_blind": _oprf_blind,
    "oprf_blind_evaluate": _oprf_blind_evaluate,
    "oprf_finalize": _oprf_finalize,
    "escrow_derive": _escrow_derive,
    "escrow_share": _escrow_share,
    "escrow_recover": _escrow_recover,
    "seal_keygen": _seal_keygen,
    "seal": _seal,
    "open": _open,
    "box_seal": _box_seal,
    "box_open": _box_open,
    "passphrase_key": _passphrase_key,
}


def handle(request: Any) -> dict[str, Any]:
    """One request object to one response object."""
    try:
        if not isinstance(request, dict):
            raise BadRequest("a request is a JSON object")
        op = request.get("op")
        operation = OPS.get(op) if isinstance(op, str) else None
        if operation is None:
            raise BadRequest(f"unknown op {op!r}")
        return operation(_Fields(request))
    except (BadRequest, InvalidParameter) as error:
        return {"error": BadRequest.__name__, "detail": str(error)}
    except CryptoError as error:
        return {"error": type(error).__name__}


def handle_line(line: str) -> str:
    """One line of JSON in, one line of JSON out (without the newline)."""
    try:
        request = json.loads(line)
    except ValueError:
        request = None
    return json.dumps(handle(request), separators=(",", ":"))


def main(stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    source = sys.stdin if stdin is None else stdin
    sink = sys.stdout if stdout is None else stdout
    for line in source:
        if line.strip():
            sink.write(handle_line(line) + "\n")
            sink.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
