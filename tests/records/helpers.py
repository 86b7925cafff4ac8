"""The survivor's side of a record in Python, as frontend/src/records/envelope.js does it."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA512
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from chorus.crypto.box import box_open, box_seal
from chorus.crypto.suites import PURPOSE_RECORD

RECORD_SALT = b"chorus/record/v1"
RECORD_CTX = b"chorus/record/v1"


def record_key(sid: bytes) -> bytes:
    return HKDF(algorithm=SHA512(), length=32, salt=RECORD_SALT, info=b"").derive(sid)


def record_seal(sid: bytes, record: dict[str, Any]) -> bytes:
    plaintext = json.dumps(record).encode()
    return box_seal(record_key(sid), plaintext, purpose=PURPOSE_RECORD, ctx=RECORD_CTX, index=b"")


def record_open(sid: bytes, envelope: bytes) -> dict[str, Any]:
    opened = box_open(record_key(sid), envelope, purpose=PURPOSE_RECORD, ctx=RECORD_CTX, index=b"")
    result: dict[str, Any] = json.loads(opened)
    return result


def record_body(sid: bytes, *, record: int | None = None, what: str = "It happened.") -> str:
    answers = {"what": what, "when": "", "where": "", "who": "", "witnesses": "", "impact": ""}
    envelope = record_seal(sid, {"v": 1, "answers": answers, "attachments": []})
    return json.dumps(
        {"format": 1, "record": record, "envelope": base64.b64encode(envelope).decode()}
    )
