"""The record key and envelope in Python, against the values frontend/test/records.test.mjs
checks in the browser's twin (docs/protocols/records.md §2-3)."""

from __future__ import annotations

from chorus.crypto.box import box_seal
from chorus.crypto.suites import PURPOSE_RECORD
from tests.records.helpers import RECORD_CTX, record_key

SID = bytes(range(32))


def test_the_record_key_and_envelope_match_the_browser() -> None:
    key = record_key(SID)
    assert key.hex() == "a2b624ff72e9cc76dccdec92a73c309db1c58d81c98c72c4f170f578afd09a38"
    box = box_seal(
        key, b'{"v":1}', purpose=PURPOSE_RECORD, ctx=RECORD_CTX, index=b"", nonce=bytes(12)
    )
    assert box.hex() == "01000000000000000000000000051d8158e6a8dbf047d45f03fb0b3f22bb43095c02b877"
