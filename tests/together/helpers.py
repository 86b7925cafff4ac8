"""Reports "together" in Python, as frontend/src/together/crypto.js makes and opens them."""

from __future__ import annotations

import base64
import itertools
import json
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA512
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from chorus.crypto import box, escrow, oprf, seal
from chorus.crypto.suites import (
    PURPOSE_CASE_KEY,
    PURPOSE_ESCROW_SHARE,
    PURPOSE_REPORT,
    REPORT_SALT,
)
from chorus.orgs.models import HandlerKey, Organisation

_combinations = itertools.combinations


def escrow_ctx(organisation: Organisation) -> bytes:
    return b"org:" + str(organisation.pk).encode()


def case_ctx(organisation: Organisation) -> bytes:
    return b"chorus/case/v1/" + organisation.slug.encode()


def phone(canonical: str = "+442079460958") -> bytes:
    return f"chorus-id-v1\x00phone\x00{canonical}".encode()


def reporter_key(sid: bytes) -> bytes:
    return HKDF(algorithm=SHA512(), length=32, salt=REPORT_SALT, info=b"").derive(sid)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass
class Held:
    data: dict[str, Any]
    case_key: bytes
    case_ref: bytes
    index: bytes


def held_request(
    *,
    organisation: Organisation,
    keys: list[HandlerKey],
    sid: bytes,
    identifier: bytes | None = None,
    text: str = "He cornered me in the lift.",
    excluded: list[HandlerKey] | None = None,
    t: int | None = None,
) -> Held:
    """The JSON the survivor's page posts to /reports/together."""
    excluded = excluded or []
    ctx = escrow_ctx(organisation)
    output = oprf.evaluate(settings.CONFIG.oprf_key, identifier or phone(), mode=1)
    derivation = escrow.derive(output, ctx=ctx, t=t or settings.CONFIG.escrow_threshold)
    case_key, case_ref = secrets.token_bytes(32), secrets.token_bytes(16)
    entry = box.box_seal(
        derivation.entry_key,
        b"\x01" + case_key + case_ref,
        purpose=PURPOSE_ESCROW_SHARE,
        ctx=ctx,
        index=derivation.index,
    )
    plaintext = escrow.encode_share_plaintext(
        escrow.share(derivation, sid=sid), t=derivation.threshold, entry=entry
    )
    report = json.dumps({"v": 1, "mode": "together", "answers": {"what": text}}).encode()
    data = {
        "org": organisation.slug,
        "case_ref": case_ref.hex(),
        "index": derivation.index.hex(),
        "body": b64(
            box.box_seal(
                case_key, report, purpose=PURPOSE_REPORT, ctx=case_ctx(organisation), index=case_ref
            )
        ),
        "reporter_box": b64(
            box.box_seal(
                reporter_key(sid),
                case_key,
                purpose=PURPOSE_CASE_KEY,
                ctx=case_ctx(organisation),
                index=case_ref,
            )
        ),
        "envelopes": [
            {
                "key": key.pk,
                "sealed": b64(
                    seal.seal(
                        bytes(key.public_key),
                        plaintext,
                        purpose=PURPOSE_ESCROW_SHARE,
                        ctx=ctx,
                        suite=key.suite,
                    )
                ),
            }
            for key in keys
            if key not in excluded
        ],
        "excluded": [key.pk for key in excluded],
    }
    return Held(data=data, case_key=case_key, case_ref=case_ref, index=derivation.index)


def group_claims(data: dict[str, Any], sk: bytes) -> list[dict[str, str]]:
    """What the member's browser does with …/together/<id>/shares: open the shares, recover K
    from t of them (robust recovery), open each entry, check case_ref and that CK opens the
    report, and seal CK to the member's own key."""
    ctx, index = bytes.fromhex(data["ctx"]), bytes.fromhex(data["index"])
    suite, t = data["key"]["suite"], data["threshold"]
    opened = [
        (
            item,
            escrow.parse_share_plaintext(
                seal.unseal(
                    sk,
                    base64.b64decode(item["sealed"]),
                    purpose=PURPOSE_ESCROW_SHARE,
                    ctx=ctx,
                    suite=suite,
                )
            ),
        )
        for item in data["cases"]
    ]
    key = None
    for subset in _combinations(opened, t):
        candidate = escrow.entry_key(escrow.recover([s.share for _, s in subset], t=t))
        try:
            for _, s in subset:
                box.box_open(candidate, s.entry, purpose=PURPOSE_ESCROW_SHARE, ctx=ctx, index=index)
        except Exception:  # noqa: S112 - the next subset (robust recovery)
            continue
        key = candidate
        break
    assert key is not None
    claims = []
    for item, s in opened:
        plain = box.box_open(key, s.entry, purpose=PURPOSE_ESCROW_SHARE, ctx=ctx, index=index)
        assert plain[0] == 1
        assert len(plain) == 49
        case_key, case_ref = plain[1:33], plain[33:]
        assert case_ref.hex() == item["case"]
        org_ctx = b"chorus/case/v1/" + data["slug"].encode()
        box.box_open(
            case_key,
            base64.b64decode(item["body"]),
            purpose=PURPOSE_REPORT,
            ctx=org_ctx,
            index=case_ref,
        )
        sealed = seal.seal(
            bytes.fromhex(data["key"]["public_key"]),
            b"\x01" + case_key + case_ref,
            purpose=PURPOSE_CASE_KEY,
            ctx=org_ctx,
            suite=suite,
        )
        claims.append({"case": item["case"], "sealed": b64(sealed)})
    return claims
