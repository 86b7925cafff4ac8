"""The server's time stamp on a record version (docs/protocols/records.md §4).

stamp message = STAMP_LABEL || SHA-256(envelope) (32 bytes) || time, where time is the UTC
second in ASCII, ``YYYY-MM-DDTHH:MM:SSZ`` (20 bytes). The deployment signs it with Ed25519.
Anyone holding the printed fingerprint, time and signature, and the deployment's public key,
can check that the server saw exactly that ciphertext at that time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.utils.translation import gettext as _

from chorus.records.errors import StampInvalidError

STAMP_LABEL = b"chorus/record-stamp/v1\n"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True, slots=True)
class Stamp:
    digest: bytes
    time: datetime
    signature: bytes

    @property
    def time_text(self) -> str:
        return stamp_time_text(self.time)


def stamp_time_text(time: datetime) -> str:
    return time.astimezone(UTC).strftime(TIME_FORMAT)


def stamp_message(*, digest: bytes, time_text: str) -> bytes:
    return STAMP_LABEL + digest + time_text.encode("ascii")


def _private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(settings.CONFIG.record_signing_key)


def stamp_public_key() -> bytes:
    """The deployment's Ed25519 public key (32 bytes), printed beside every stamp."""
    return _private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def stamp_make(*, envelope: bytes, now: datetime) -> Stamp:
    """Hash `envelope` and sign (hash, time) with the time truncated to the second."""
    time = now.astimezone(UTC).replace(microsecond=0)
    digest = hashlib.sha256(envelope).digest()
    signature = _private_key().sign(stamp_message(digest=digest, time_text=stamp_time_text(time)))
    return Stamp(digest=digest, time=time, signature=signature)


def stamp_verify(
    *, digest: bytes, time_text: str, signature: bytes, public_key: bytes | None = None
) -> None:
    """Raise StampInvalidError unless `signature` signs (digest, time) under the key."""
    key = Ed25519PublicKey.from_public_bytes(public_key or stamp_public_key())
    try:
        datetime.strptime(time_text, TIME_FORMAT)  # noqa: DTZ007 - the Z says UTC
        key.verify(signature, stamp_message(digest=digest, time_text=time_text))
    except (InvalidSignature, ValueError):
        raise StampInvalidError(
            _("This fingerprint, time and signature do not belong together.")
        ) from None
