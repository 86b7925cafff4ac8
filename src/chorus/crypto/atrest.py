"""Small secrets the server must read back (a staff member's TOTP secret), sealed at rest under
a key derived from the server's secret key (docs/protocols/at-rest.md).

    key = HKDF-Expand(HKDF-Extract(AT_REST_SALT, server_secret), AT_REST_LABEL_KEY, 32)
    sealed = box(key, plaintext, purpose, ctx = the row's scope, index = empty)

A copy of the database alone then reveals none of them; the scope binds each to its row, so a
sealed value moved to another row does not open there.
"""

from __future__ import annotations

from collections.abc import Iterable

from chorus.crypto.box import box_open, box_seal
from chorus.crypto.errors import DecryptionFailed, InvalidParameter
from chorus.crypto.hazmat.kdf import hkdf_expand, hkdf_extract
from chorus.crypto.suites import AEAD_KEY_BYTES, AT_REST_LABEL_KEY, AT_REST_SALT


def at_rest_key(server_secret: bytes) -> bytes:
    """The at-rest key of a server secret (at least 32 bytes of it)."""
    if len(server_secret) < 32:
        raise InvalidParameter("a server secret is at least 32 bytes")
    return hkdf_expand(hkdf_extract(AT_REST_SALT, server_secret), AT_REST_LABEL_KEY, AEAD_KEY_BYTES)


def at_rest_seal(
    server_secret: bytes,
    plaintext: bytes,
    *,
    purpose: str,
    scope: bytes,
    nonce: bytes | None = None,
) -> bytes:
    """Seal `plaintext` for the row `scope`; `nonce` injects the nonce (tests only)."""
    return box_seal(
        at_rest_key(server_secret), plaintext, purpose=purpose, ctx=scope, index=b"", nonce=nonce
    )


def at_rest_open(
    server_secrets: Iterable[bytes], sealed: bytes, *, purpose: str, scope: bytes
) -> bytes:
    """Open with the first server secret that fits (the current one, then older ones being
    rotated out); `DecryptionFailed` if none does."""
    for secret in server_secrets:
        try:
            return box_open(at_rest_key(secret), sealed, purpose=purpose, ctx=scope, index=b"")
        except DecryptionFailed:
            continue
    raise DecryptionFailed("no server secret opens this value")
