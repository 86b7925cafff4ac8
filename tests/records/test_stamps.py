"""The deployment's time stamps on records, and where its signing key comes from."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from chorus.config.env import ConfigError, load
from chorus.records.errors import StampInvalidError
from chorus.records.stamps import (
    STAMP_LABEL,
    stamp_make,
    stamp_public_key,
    stamp_time_text,
    stamp_verify,
)

NOW = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)


def test_a_stamp_signs_the_hash_and_the_second() -> None:
    stamp = stamp_make(envelope=b"\x01sealed", now=NOW)
    assert stamp.digest == hashlib.sha256(b"\x01sealed").digest()
    assert stamp.time_text == "2026-03-04T05:06:07Z"
    message = STAMP_LABEL + stamp.digest + b"2026-03-04T05:06:07Z"
    Ed25519PublicKey.from_public_bytes(stamp_public_key()).verify(stamp.signature, message)
    stamp_verify(digest=stamp.digest, time_text=stamp.time_text, signature=stamp.signature)


@pytest.mark.parametrize("change", ["digest", "time", "signature", "format"])
def test_a_changed_stamp_does_not_verify(change: str) -> None:
    stamp = stamp_make(envelope=b"\x01sealed", now=NOW)
    digest, time_text, signature = stamp.digest, stamp.time_text, stamp.signature
    if change == "digest":
        digest = hashlib.sha256(b"\x01other").digest()
    elif change == "time":
        time_text = "2026-03-04T05:06:08Z"
    elif change == "signature":
        signature = bytes([signature[0] ^ 1]) + signature[1:]
    else:
        time_text = "4 March 2026"
    with pytest.raises(StampInvalidError, match="do not belong together"):
        stamp_verify(digest=digest, time_text=time_text, signature=signature)


def test_another_deployments_key_does_not_verify() -> None:
    stamp = stamp_make(envelope=b"\x01sealed", now=NOW)
    other = bytes.fromhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
    with pytest.raises(StampInvalidError):
        stamp_verify(
            digest=stamp.digest,
            time_text=stamp.time_text,
            signature=stamp.signature,
            public_key=other,
        )


def test_times_are_printed_in_utc() -> None:
    assert stamp_time_text(datetime(2026, 1, 1, 12, tzinfo=UTC)) == "2026-01-01T12:00:00Z"


PROD = {
    "CHORUS_ENV": "production",
    "CHORUS_SECRET_KEY": "x" * 60,
    "CHORUS_DATABASE_URL": "postgres://chorus@db/chorus",
    "CHORUS_ALLOWED_HOSTS": "chorus.example.org",
    "CHORUS_OPRF_KEY": "01" + "00" * 31,
}


def test_production_without_a_record_signing_key_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="CHORUS_RECORD_SIGNING_KEY is not set"):
        load(PROD)


def test_production_record_signing_key_is_read_from_hex_or_a_file(tmp_path: Path) -> None:
    assert load({**PROD, "CHORUS_RECORD_SIGNING_KEY": "ab" * 32}).record_signing_key == (
        b"\xab" * 32
    )
    secret = tmp_path / "key"
    secret.write_text("cd" * 32 + "\n")
    config = load({**PROD, "CHORUS_RECORD_SIGNING_KEY_FILE": str(secret)})
    assert config.record_signing_key == b"\xcd" * 32


@pytest.mark.parametrize("value", ["zz" * 32, "ab" * 31])
def test_a_malformed_record_signing_key_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="CHORUS_RECORD_SIGNING_KEY must be"):
        load({**PROD, "CHORUS_RECORD_SIGNING_KEY": value})


def test_development_record_signing_key_is_random_per_install_and_kept(tmp_path: Path) -> None:
    first = load({"CHORUS_VAR_DIR": str(tmp_path / "a")}).record_signing_key
    assert load({"CHORUS_VAR_DIR": str(tmp_path / "a")}).record_signing_key == first
    assert load({"CHORUS_VAR_DIR": str(tmp_path / "b")}).record_signing_key != first
    assert (tmp_path / "a" / "dev-record-signing-key").stat().st_mode & 0o777 == 0o600
