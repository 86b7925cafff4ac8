"""The JSON-lines harness of spec section 12, in process and as `python -m`."""

from __future__ import annotations

import io
import json
import runpy
import subprocess
import sys
from typing import Any

import pytest

from chorus.crypto import escrow, interop, oprf, seal
from chorus.crypto.errors import ERROR_NAMES
from chorus.crypto.suites import Mode

from .conftest import load_vectors

RFC = load_vectors("rfc9497-ristretto255-sha512.json")


def call(**request: Any) -> dict[str, Any]:
    return interop.handle(request)


@pytest.mark.parametrize(("name", "mode"), [("oprf", 0), ("voprf", 1)])
def test_oprf_ops_replay_the_rfc(name, mode):
    suite, vector = RFC[name], RFC[name]["vectors"][0]
    sk, data, blind = suite["skSm"], vector["Input"], vector["Blind"]
    assert call(op="oprf_evaluate", mode=mode, sk=sk, input=data) == {"output": vector["Output"]}
    assert call(op="oprf_blind", mode=mode, input=data, blind=blind) == {
        "blinded": vector["BlindedElement"]
    }
    request = {
        "op": "oprf_blind_evaluate",
        "mode": mode,
        "sk": sk,
        "blinded": vector["BlindedElement"],
    }
    if mode == 1:
        request["proof_random"] = vector["Proof"]["r"]
    evaluated = interop.handle(request)
    expected = {"evaluated": vector["EvaluationElement"]}
    if mode == 1:
        expected["proof"] = vector["Proof"]["proof"]
    assert evaluated == expected
    finalize = {
        "op": "oprf_finalize",
        "mode": mode,
        "input": data,
        "blind": blind,
        "evaluated": vector["EvaluationElement"],
    }
    if mode == 1:
        finalize |= {
            "pk": suite["pkSm"],
            "blinded": vector["BlindedElement"],
            "proof": vector["Proof"]["proof"],
        }
    assert interop.handle(finalize) == {"output": vector["Output"]}


def test_mode_0_ignores_proof_random_and_mode_1_draws_one():
    sk = RFC["oprf"]["skSm"]
    blinded = RFC["oprf"]["vectors"][0]["BlindedElement"]
    response = call(op="oprf_blind_evaluate", mode=0, sk=sk, blinded=blinded, proof_random="zz")
    assert set(response) == {"evaluated"}
    response = call(op="oprf_blind_evaluate", mode=1, sk=sk, blinded=blinded)
    assert set(response) == {"evaluated", "proof"}


def test_escrow_ops():
    output = bytes(range(64)).hex()
    derived = call(op="escrow_derive", output=output, ctx=b"deployment".hex(), t=3)
    derivation = escrow.derive(bytes(range(64)), ctx=b"deployment", t=3)
    assert derived == {
        "index": derivation.index.hex(),
        "secret": derivation.secret.hex(),
        "coefficients": [c.hex() for c in derivation.coefficients[1:]],
        "entry_key": derivation.entry_key.hex(),
    }
    shares = [
        call(op="escrow_share", output=output, ctx=b"deployment".hex(), t=3, sid=f"{i:02x}" * 32)
        for i in range(3)
    ]
    assert call(op="escrow_recover", shares=shares) == {"secret": derivation.secret.hex()}
    assert call(op="escrow_recover", shares=shares[:1]) == {"error": "NotEnoughShares"}
    assert call(op="escrow_recover", shares=[]) == {"error": "NotEnoughShares"}
    assert call(op="escrow_recover", shares=[shares[0], shares[0]]) == {"error": "DuplicateShare"}
    assert call(op="escrow_recover", shares=[shares[0], 5])["error"] == "BadRequest"
    assert call(op="escrow_derive", output=output, ctx="", t=1)["error"] == "BadRequest"


def test_seal_and_open_ops():
    keys = seal.generate_key_pair()
    record, report = b"record".hex(), b"report".hex()
    sealed = call(op="seal", pk=keys.pk.hex(), purpose=record, ctx="6f7267", plaintext="cafe")
    assert seal.unseal(keys.sk, bytes.fromhex(sealed["sealed"]), purpose="record", ctx=b"org") == (
        b"\xca\xfe"
    )
    opened = call(op="open", sk=keys.sk.hex(), purpose=record, ctx="6f7267", **sealed)
    assert opened == {"plaintext": "cafe"}
    wrong = call(op="open", sk=keys.sk.hex(), purpose=report, ctx="6f7267", **sealed)
    assert wrong == {"error": "DecryptionFailed"}
    future = "02" + sealed["sealed"][2:]
    assert call(op="open", sk=keys.sk.hex(), purpose=record, ctx="", sealed=future) == {
        "error": "UnsupportedVersion"
    }
    assert call(op="open", sk=keys.sk.hex(), purpose=record, ctx="", sealed="01") == {
        "error": "InvalidEnvelope"
    }
    non_ascii = call(op="seal", pk=keys.pk.hex(), purpose="ff", ctx="", plaintext="")
    assert non_ascii["error"] == "BadRequest"


def test_seal_ops_of_suite_2_and_seal_keygen():
    keys = seal.generate_key_pair(2)
    record = b"record".hex()
    assert call(op="seal_keygen", suite=2, sk=keys.sk.hex()) == {
        "sk": keys.sk.hex(),
        "pk": keys.pk.hex(),
    }
    fresh = call(op="seal_keygen", suite=2)
    assert seal.public_key(bytes.fromhex(fresh["sk"]), suite=2).hex() == fresh["pk"]
    classic = call(op="seal_keygen", suite=None)
    assert seal.public_key(bytes.fromhex(classic["sk"])).hex() == classic["pk"]
    sealed = call(op="seal", suite=2, pk=keys.pk.hex(), purpose=record, ctx="", plaintext="cafe")
    assert sealed["sealed"].startswith("0102")
    assert len(sealed["sealed"]) == 2 * (2 + 1120 + 2 + 16)
    opened = call(op="open", suite=2, sk=keys.sk.hex(), purpose=record, ctx="", **sealed)
    assert opened == {"plaintext": "cafe"}
    assert call(op="open", sk=keys.sk.hex(), purpose=record, ctx="", **sealed) == {
        "error": "UnsupportedVersion"
    }
    assert call(op="seal", suite=2, pk="00" * 32, purpose=record, ctx="", plaintext="") == {
        "error": "InvalidElement"
    }
    assert call(op="seal_keygen", suite=2, sk="00" * 31) == {"error": "InvalidScalar"}
    for suite in (0, 3, "2", True):
        response = call(op="seal_keygen", suite=suite)
        assert response["error"] == "BadRequest", suite


def test_box_ops():
    fields = {"key": "11" * 32, "purpose": b"escrow-share".hex(), "ctx": "", "index": "22" * 32}
    boxed = call(op="box_seal", plaintext="00ff", nonce="33" * 12, **fields)
    assert boxed["box"].startswith("01" + "33" * 12)
    assert call(op="box_open", box=boxed["box"], **fields) == {"plaintext": "00ff"}
    assert call(op="box_open", box=boxed["box"], **{**fields, "index": ""}) == {
        "error": "DecryptionFailed"
    }


def test_passphrase_key_op():
    response = call(op="passphrase_key", passphrase="pw", salt="00" * 16, m_kib=64, t_cost=1, p=1)
    assert len(bytes.fromhex(response["key"])) == 32
    bad = call(op="passphrase_key", passphrase="pw", salt="00" * 16, m_kib=4, t_cost=1, p=1)
    assert bad["error"] == "BadRequest"
    assert "Argon2id" in bad["detail"]


def test_errors_use_the_spec_names():
    sk = oprf.generate_key_pair().sk.hex()
    cases = [
        (
            {"op": "oprf_blind_evaluate", "mode": 0, "sk": sk, "blinded": "00" * 32},
            "InvalidElement",
        ),
        ({"op": "oprf_evaluate", "mode": 0, "sk": "00" * 32, "input": ""}, "InvalidScalar"),
    ]
    for request, name in cases:
        assert name in ERROR_NAMES
        assert interop.handle(request) == {"error": name}
    blinded = oprf.blind(b"x", mode=Mode.VOPRF)
    evaluated = oprf.blind_evaluate(bytes.fromhex(sk), blinded.blinded_element, mode=Mode.VOPRF)
    finalize = {
        "op": "oprf_finalize",
        "mode": 1,
        "input": "78",
        "blind": blinded.blind.hex(),
        "evaluated": evaluated.evaluated_element.hex(),
        "pk": oprf.generate_key_pair().pk.hex(),
        "blinded": blinded.blinded_element.hex(),
        "proof": (evaluated.proof or b"").hex(),
    }
    assert interop.handle(finalize) == {"error": "InvalidProof"}


@pytest.mark.parametrize(
    "request_",
    [
        [],
        {"op": "nope"},
        {"op": ["list"]},
        {},
        {"op": "oprf_evaluate", "mode": 0, "input": ""},
        {"op": "oprf_evaluate", "mode": 0, "sk": "AB" * 32, "input": ""},
        {"op": "oprf_evaluate", "mode": 0, "sk": "abc", "input": ""},
        {"op": "oprf_evaluate", "mode": True, "sk": "ab" * 32, "input": ""},
        {"op": "oprf_evaluate", "mode": "0", "sk": "ab" * 32, "input": ""},
        {"op": "oprf_evaluate", "mode": 2, "sk": "ab" * 32, "input": ""},
        {"op": "seal", "pk": "00" * 32, "purpose": 7, "ctx": "", "plaintext": ""},
        {"op": "escrow_recover", "shares": "nope"},
    ],
)
def test_malformed_requests_and_out_of_range_arguments_are_bad_request(request_):
    response = interop.handle(request_)
    assert response["error"] == "BadRequest"
    assert set(response) == {"error", "detail"}


def test_lines_in_lines_out():
    blind = "01" + "00" * 31
    stdin = io.StringIO(
        '{"op": "nope"}\n\nnot json\n{"op":"oprf_blind","mode":0,"input":"","blind":"'
        + blind
        + '"}\n'
    )
    stdout = io.StringIO()
    assert interop.main(stdin, stdout) == 0
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [line.get("error") for line in lines] == ["BadRequest", "BadRequest", None]
    assert lines[2] == interop.handle({"op": "oprf_blind", "mode": 0, "input": "", "blind": blind})


def test_module_entry_point_reads_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"op": "escrow_recover", "shares": []}\n'))
    monkeypatch.delitem(sys.modules, "chorus.crypto.interop")  # run a fresh copy as __main__
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("chorus.crypto.interop", run_name="__main__", alter_sys=False)
    assert exit_info.value.code == 0
    assert json.loads(capsys.readouterr().out) == {"error": "NotEnoughShares"}


def test_python_dash_m_serves_requests():
    request = {"op": "escrow_recover", "shares": []}
    result = subprocess.run(
        [sys.executable, "-m", "chorus.crypto.interop"],
        input=json.dumps(request) + "\n",
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(result.stdout) == {"error": "NotEnoughShares"}
