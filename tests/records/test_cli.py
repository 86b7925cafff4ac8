"""`chorus record-verify`: a printed stamp checks out, a changed one does not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chorus.cli import main as cli
from chorus.records.stamps import stamp_make, stamp_public_key

STAMP = stamp_make(envelope=b"\x01sealed record", now=datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC))


def test_a_printed_stamp_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["record-verify", STAMP.digest.hex(), STAMP.time_text, STAMP.signature.hex()]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert (
        f"valid: a record with fingerprint {STAMP.digest.hex()} was saved at 2026-03-04T05:06:07Z"
        in out
    )
    assert stamp_public_key().hex() in out
    assert cli.main([*argv, "--public-key", stamp_public_key().hex()]) == 0


def test_a_changed_time_does_not_verify(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["record-verify", STAMP.digest.hex(), "2026-03-04T05:06:08Z", STAMP.signature.hex()]
    assert cli.main(argv) == 1
    assert "not valid: This fingerprint, time and signature do not belong together." in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["zz", STAMP.time_text, STAMP.signature.hex()], "the fingerprint must be 32 bytes"),
        ([STAMP.digest.hex(), STAMP.time_text, "ab"], "the signature must be 64 bytes"),
        (
            [STAMP.digest.hex(), STAMP.time_text, STAMP.signature.hex(), "--public-key", "00"],
            "the public key must be 32 bytes",
        ),
    ],
)
def test_malformed_arguments_are_named(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["record-verify", *argv]) == 2
    assert message in capsys.readouterr().err
