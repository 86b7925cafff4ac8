"""The crypto bundle as browsers load it: official vectors and Python agreement, in Chromium.

The page is the real site with its real CSP; the bundle is imported from /static like any page
would, so this also shows the bundle needs nothing the CSP forbids (eval, WebAssembly, blobs).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from chorus.crypto import escrow, oprf, seal
from chorus.crypto.suites import Mode
from tests.browser.conftest import Watched, dump

VECTORS = json.loads(
    (
        Path(__file__).resolve().parents[1]
        / "crypto"
        / "vectors"
        / "rfc9497-ristretto255-sha512.json"
    ).read_text()
)
HEX = """
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const bin = (h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
const c = await import('/static/chorus/crypto.js');
"""


def run(page: Page, body: str, arg: object) -> Any:
    return page.evaluate(f"async (arg) => {{ {HEX} {body} }}", arg)


@pytest.fixture
def page(watched: Watched, live_server: Any) -> Page:
    watched.page.goto(live_server.url + "/help")
    return watched.page


def test_official_rfc9497_vectors_in_chromium(page: Page, watched: Watched) -> None:
    cases = [
        {"mode": suite["mode"], "sk": suite["skSm"], "input": v["Input"], "output": v["Output"]}
        for suite in (VECTORS["oprf"], VECTORS["voprf"])
        for v in suite["vectors"]
        if v["Batch"] == 1
    ]
    results = run(
        page,
        "return arg.map((v) => hex(c.oprf.evaluate(v.mode, bin(v.sk), bin(v.input))));",
        cases,
    )
    assert results == [case["output"] for case in cases]
    assert len(cases) >= 4
    assert watched.errors == [], dump(watched.errors)


def test_chromium_and_python_agree_on_outputs_shares_and_envelopes(
    page: Page, watched: Watched
) -> None:
    sk = oprf.generate_key_pair().sk
    inputs = [secrets.token_bytes(n) for n in (0, 1, 17, 300)]
    ctx, t, sid = b"deployment", 3, secrets.token_bytes(32)
    recipient = seal.generate_key_pair()
    python_sealed = seal.seal(recipient.pk, b"from python", purpose="record", ctx=ctx)
    result = run(
        page,
        """
        const outputs = arg.inputs.map((i) => hex(c.oprf.evaluate(1, bin(arg.sk), bin(i))));
        const share = c.escrow.share(bin(outputs[2]), bin(arg.ctx), arg.t, bin(arg.sid));
        const text = new TextEncoder().encode('from chromium');
        const sealed = c.seal.seal(bin(arg.pk), 'record', bin(arg.ctx), text);
        const plain = c.seal.open(bin(arg.sk_r), 'record', bin(arg.ctx), bin(arg.sealed));
        const opened = new TextDecoder().decode(plain);
        return { outputs, u: hex(share.u), s: hex(share.s), sealed: hex(sealed), opened };
        """,
        {
            "sk": sk.hex(), "inputs": [i.hex() for i in inputs], "ctx": ctx.hex(), "t": t,
            "sid": sid.hex(), "pk": recipient.pk.hex(), "sk_r": recipient.sk.hex(),
            "sealed": python_sealed.hex(),
        },
    )  # fmt: skip
    expected = [oprf.evaluate(sk, i, mode=Mode.VOPRF).hex() for i in inputs]
    assert result["outputs"] == expected
    python_share = escrow.share(escrow.derive(bytes.fromhex(expected[2]), ctx=ctx, t=t), sid=sid)
    assert (result["u"], result["s"]) == (python_share.u.hex(), python_share.s.hex())
    assert result["opened"] == "from python"
    opened = seal.unseal(recipient.sk, bytes.fromhex(result["sealed"]), purpose="record", ctx=ctx)
    assert opened == b"from chromium"
    assert watched.errors == [], dump(watched.errors)
