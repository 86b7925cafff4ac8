"""The browser's together envelopes (frontend/src/together/crypto.js, run under Node) and
Python's (tests/together/helpers.py, as the server-side tests make them) open each other: a
group of one survivor from each side recovers K in both directions."""

from __future__ import annotations

import base64
import json
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from chorus.crypto import box, oprf, seal
from chorus.crypto.suites import PURPOSE_CASE_KEY, PURPOSE_REPORT
from chorus.orgs.models import HandlerKey
from tests.orgs.helpers import Org, key_for, org_with_staff
from tests.together.helpers import case_ctx, escrow_ctx, group_claims, held_request, phone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("node") is None, reason="needs Node"),
]

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"

_SCRIPT = """
import * as chorus from './src/crypto/index.js';
import { fromBase64, reportBody } from './src/reports/envelope.js';
import { togetherCrypto } from './src/together/crypto.js';
let text = '';
for await (const chunk of process.stdin) text += chunk;
const input = JSON.parse(text);
const t = togetherCrypto(chorus);
const hex = chorus.bytes.fromHex;
const out = {};
if (input.make) {
  const m = input.make;
  const body = reportBody({ mode: 'together', answers: { what: m.text } });
  out.made = t.makeHeld({
    output: hex(m.output), ctx: m.ctx, threshold: m.threshold, slug: m.slug,
    keys: m.keys, excluded: [], sid: hex(m.sid), body,
  }).request;
}
if (input.open) out.opened = t.openGroup(input.open.data, hex(input.open.sk), fromBase64);
process.stdout.write(JSON.stringify(out));
"""


def node(payload: dict[str, Any]) -> Any:
    result = subprocess.run(
        ["node", "--input-type=module", "-e", _SCRIPT],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=FRONTEND,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


def shares_answer(org: Org, key: HandlerKey, made: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "threshold": settings.CONFIG.escrow_threshold,
        "ctx": escrow_ctx(org.organisation).hex(),
        "index": made[0]["index"],
        "slug": org.organisation.slug,
        "key": {"id": key.pk, "suite": key.suite, "public_key": bytes(key.public_key).hex()},
        "cases": [
            {
                "case": m["case_ref"],
                "sealed": next(e["sealed"] for e in m["envelopes"] if e["key"] == key.pk),
                "body": m["body"],
                "claimed": False,
            }
            for m in made
        ],
    }


@pytest.mark.parametrize("suite", [1, 2])
def test_browser_and_python_survivors_form_one_group_opened_on_both_sides(suite: int) -> None:
    org = org_with_staff("Acme Ltd", prefix="acme")
    key, sk = key_for(org.handler, suite=suite)
    python_side = held_request(
        organisation=org.organisation, keys=[key], sid=secrets.token_bytes(32), text="python"
    )
    output = oprf.evaluate(settings.CONFIG.oprf_key, phone(), mode=1)
    browser = node(
        {
            "make": {
                "output": output.hex(),
                "ctx": escrow_ctx(org.organisation).decode(),
                "threshold": settings.CONFIG.escrow_threshold,
                "slug": org.organisation.slug,
                "keys": [{"id": key.pk, "suite": suite, "public_key": bytes(key.public_key).hex()}],
                "sid": secrets.token_bytes(32).hex(),
                "text": "browser",
            }
        }
    )["made"]
    assert browser["index"] == python_side.data["index"]
    assert set(browser) == set(python_side.data)
    made = [python_side.data, browser]
    data = shares_answer(org, key, made)
    # Python opens the browser's share.
    claims = group_claims(data, sk)
    # The browser opens Python's share and seals case keys Python opens.
    opened = node({"open": {"data": data, "sk": sk.hex()}})["opened"]
    assert opened["failed"] == []
    texts = []
    for claim_ in [*claims, *opened["claims"]]:
        ref = bytes.fromhex(claim_["case"])
        plain = seal.unseal(
            sk,
            base64.b64decode(claim_["sealed"]),
            purpose=PURPOSE_CASE_KEY,
            ctx=case_ctx(org.organisation),
            suite=suite,
        )
        assert plain[33:] == ref
        body = next(m["body"] for m in made if m["case_ref"] == claim_["case"])
        report = box.box_open(
            plain[1:33],
            base64.b64decode(body),
            purpose=PURPOSE_REPORT,
            ctx=case_ctx(org.organisation),
            index=ref,
        )
        texts.append(json.loads(report)["answers"]["what"])
    assert sorted(texts) == ["browser", "browser", "python", "python"]
