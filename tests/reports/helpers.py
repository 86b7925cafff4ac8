"""The reporter's and readers' side of a case in Python, as frontend/src/reports/ does it
(reports.md §11.1): the browser's envelopes, made and opened the same way."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA512
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from chorus.crypto.box import box_open, box_seal
from chorus.crypto.seal import seal, unseal
from chorus.crypto.suites import (
    CASE_CTX_PREFIX,
    PURPOSE_CASE_KEY,
    PURPOSE_CASE_MESSAGE,
    PURPOSE_CASE_NOTE,
    PURPOSE_REPORT,
    REPORT_SALT,
)


def case_ctx(slug: str) -> bytes:
    return CASE_CTX_PREFIX + slug.encode()


def reporter_key(sid: bytes) -> bytes:
    """HKDF-SHA512(salt = REPORT_SALT, ikm = sid, info = "", L = 32)."""
    return HKDF(algorithm=SHA512(), length=32, salt=REPORT_SALT, info=b"").derive(sid)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def sealed_case_key(*, pk: bytes, suite: int, slug: str, case_ref: bytes, case_key: bytes) -> bytes:
    """A member envelope (also a grant): seal(pk, 0x01 ‖ CK ‖ case_ref, "case-key", ctx_O)."""
    return seal(
        pk, b"\x01" + case_key + case_ref, purpose=PURPOSE_CASE_KEY, ctx=case_ctx(slug), suite=suite
    )


def report_request(
    *,
    slug: str,
    keys: Sequence[tuple[int, int, bytes]],
    excluded: Sequence[int] = (),
    mode: str = "anonymous",
    text: str = "He followed me home.",
    sid: bytes = b"\x07" * 32,
) -> tuple[dict[str, Any], bytes, bytes]:
    """The JSON the page posts, the case key and case_ref. `keys`: (id, suite, public key) of
    the recipients; `excluded`: key ids the reporter excluded."""
    case_key = secrets.token_bytes(32)
    case_ref = secrets.token_bytes(16)
    ctx = case_ctx(slug)
    plaintext = json.dumps({"v": 1, "mode": mode, "answers": {"what": text}}).encode()
    body = box_seal(case_key, plaintext, purpose=PURPOSE_REPORT, ctx=ctx, index=case_ref)
    envelopes = [
        {
            "key": key_id,
            "sealed": b64(
                sealed_case_key(pk=pk, suite=suite, slug=slug, case_ref=case_ref, case_key=case_key)
            ),
        }
        for key_id, suite, pk in keys
    ]
    reporter_box = box_seal(
        reporter_key(sid), case_key, purpose=PURPOSE_CASE_KEY, ctx=ctx, index=case_ref
    )
    data = {
        "org": slug,
        "case_ref": case_ref.hex(),
        "mode": mode,
        "body": b64(body),
        "reporter_box": b64(reporter_box),
        "envelopes": envelopes,
        "excluded": list(excluded),
    }
    return data, case_key, case_ref


def case_key_open(*, slug: str, sk: bytes, sealed: bytes, suite: int = 1) -> tuple[bytes, bytes]:
    """What a member's browser does with its envelope: (CK, case_ref)."""
    opened = unseal(sk, sealed, purpose=PURPOSE_CASE_KEY, ctx=case_ctx(slug), suite=suite)
    assert opened[0] == 1
    assert len(opened) == 49
    return opened[1:33], opened[33:]


def report_read(*, slug: str, sk: bytes, sealed: bytes, body: bytes, suite: int = 1) -> Any:
    """What a handler's browser does: open the case key, check case_ref, open the report."""
    case_key, case_ref = case_key_open(slug=slug, sk=sk, sealed=sealed, suite=suite)
    plaintext = box_open(case_key, body, purpose=PURPOSE_REPORT, ctx=case_ctx(slug), index=case_ref)
    return json.loads(plaintext)


def reporter_box_open(*, slug: str, sid: bytes, case_ref: bytes, box: bytes) -> bytes:
    """What the reporter's browser does with its own copy: CK."""
    return box_open(
        reporter_key(sid), box, purpose=PURPOSE_CASE_KEY, ctx=case_ctx(slug), index=case_ref
    )


def _index(case_ref: bytes, n: int) -> bytes:
    return case_ref + n.to_bytes(4, "big")


def entry_box(
    *, case_key: bytes, slug: str, case_ref: bytes, n: int, text: str, note: bool = False
) -> bytes:
    """Message (or note) n: box(CK, "case-message"|"case-note", ctx_O, case_ref ‖ u32be(n))."""
    purpose = PURPOSE_CASE_NOTE if note else PURPOSE_CASE_MESSAGE
    plaintext = json.dumps({"v": 1, "text": text}).encode()
    return box_seal(
        case_key, plaintext, purpose=purpose, ctx=case_ctx(slug), index=_index(case_ref, n)
    )


def entry_open(
    *, case_key: bytes, slug: str, case_ref: bytes, n: int, box: bytes, note: bool = False
) -> str:
    purpose = PURPOSE_CASE_NOTE if note else PURPOSE_CASE_MESSAGE
    plaintext = box_open(
        case_key, box, purpose=purpose, ctx=case_ctx(slug), index=_index(case_ref, n)
    )
    text: str = json.loads(plaintext)["text"]
    return text


def entry_request(
    *, case_key: bytes, slug: str, case_ref: bytes, n: int, text: str, note: bool = False
) -> str:
    """The JSON body of POST …/messages or …/notes."""
    box = entry_box(case_key=case_key, slug=slug, case_ref=case_ref, n=n, text=text, note=note)
    return json.dumps({"n": n, "box": b64(box)})
