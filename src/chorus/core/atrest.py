"""Text the server must read back, sealed at rest under a key derived from ``SECRET_KEY``.

A copy of the database (a backup, a dump) then does not carry it: it needs the secret key too,
which lives in the environment, not the database (chorus.crypto.atrest,
docs/protocols/at-rest.md). Keys listed in ``SECRET_KEY_FALLBACKS`` still open what they
sealed, so the secret key can be rotated; ``text_seal`` always uses the current one.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings

from chorus.crypto.atrest import at_rest_open, at_rest_seal
from chorus.crypto.errors import CryptoError

PREFIX = "s1:"  # a sealed value's text form: this, then the box in unpadded URL-safe base64


class SealedTextError(ValueError):
    """A sealed value that no configured secret key opens, or that is not a sealed value."""


def _secrets() -> list[bytes]:
    return [key.encode() for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]


def text_seal(*, plaintext: str, purpose: str, scope: str) -> str:
    box = at_rest_seal(_secrets()[0], plaintext.encode(), purpose=purpose, scope=scope.encode())
    return PREFIX + base64.urlsafe_b64encode(box).decode().rstrip("=")


def text_open(*, sealed: str, purpose: str, scope: str) -> str:
    return _open(sealed, purpose=purpose, scope=scope, secrets=_secrets())


def text_reseal(*, sealed: str, purpose: str, scope: str) -> str | None:
    """The value sealed again under the current secret key if only a fallback opens it (to
    store in its place, so that the fallback can be retired); None if the current key opens it."""
    current, *fallbacks = _secrets()
    try:
        _open(sealed, purpose=purpose, scope=scope, secrets=[current])
    except SealedTextError:
        plaintext = _open(sealed, purpose=purpose, scope=scope, secrets=fallbacks)
        return text_seal(plaintext=plaintext, purpose=purpose, scope=scope)
    return None


def _open(sealed: str, *, purpose: str, scope: str, secrets: list[bytes]) -> str:
    if not sealed.startswith(PREFIX):
        raise SealedTextError("not a sealed value")
    body = sealed.removeprefix(PREFIX)
    try:
        box = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return at_rest_open(secrets, box, purpose=purpose, scope=scope.encode()).decode()
    except (binascii.Error, ValueError, CryptoError) as exc:
        raise SealedTextError(
            "this value does not open with the secret key or its fallbacks "
            "(was CHORUS_SECRET_KEY changed without listing the old one in "
            "CHORUS_SECRET_KEY_FALLBACKS?)"
        ) from exc
