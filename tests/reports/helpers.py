"""The reporter's side of a report in Python, as frontend/src/reports/ does it."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from chorus.crypto.box import box_open, box_seal
from chorus.crypto.seal import seal, unseal
from chorus.crypto.suites import PURPOSE_REPORT


def case_ctx(slug: str) -> bytes:
    return b"chorus/case/v1/" + slug.encode()


def report_request(
    *, slug: str, keys: list[tuple[int, int, bytes]], text: str = "He followed me home."
) -> tuple[dict[str, Any], bytes, bytes]:
    """The JSON the page posts, the case key and case_ref. `keys`: (id, suite, public key)."""
    case_key = secrets.token_bytes(32)
    case_ref = secrets.token_bytes(16)
    ctx = case_ctx(slug)
    plaintext = json.dumps({"v": 1, "mode": "anonymous", "answers": {"what": text}}).encode()
    body = box_seal(case_key, plaintext, purpose=PURPOSE_REPORT, ctx=ctx, index=case_ref)
    sealed = [
        {
            "key": key_id,
            "sealed": base64.b64encode(
                seal(
                    pk, b"\x01" + case_key + case_ref, purpose=PURPOSE_REPORT, ctx=ctx, suite=suite
                )
            ).decode(),
        }
        for key_id, suite, pk in keys
    ]
    data = {
        "org": slug,
        "case_ref": case_ref.hex(),
        "ciphertext": base64.b64encode(body).decode(),
        "keys": sealed,
    }
    return data, case_key, case_ref


def report_read(*, slug: str, sk: bytes, sealed: bytes, body: bytes, suite: int = 1) -> Any:
    """What a handler's browser does: open the case key, check case_ref, open the report."""
    opened = unseal(sk, sealed, purpose=PURPOSE_REPORT, ctx=case_ctx(slug), suite=suite)
    assert opened[0] == 1
    assert len(opened) == 49
    case_key, case_ref = opened[1:33], opened[33:]
    plaintext = box_open(case_key, body, purpose=PURPOSE_REPORT, ctx=case_ctx(slug), index=case_ref)
    return json.loads(plaintext)
