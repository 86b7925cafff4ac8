"""Checks on a staff key pair made in a browser (advocates' and organisation members' alike).

The server cannot see the private key; it checks what it can: the suite, the public key's
length and that it can be sealed to (which catches low-order and out-of-range keys), and the
layout, version and Argon2id costs of the passphrase-wrapped private key (escrow.md §8).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chorus.core.errors import ChorusError
from chorus.crypto.errors import CryptoError
from chorus.crypto.passphrase import Argon2Params
from chorus.crypto.seal import seal
from chorus.crypto.suites import (
    ARGON2_SALT_BYTES,
    ENVELOPE_VERSION,
    SEAL_SUITE_MLKEM768_X25519_CHACHA20,
    SEAL_SUITE_X25519_CHACHA20,
)

PUBLIC_KEY_BYTES = {SEAL_SUITE_X25519_CHACHA20: 32, SEAL_SUITE_MLKEM768_X25519_CHACHA20: 1216}
PRIVATE_KEY_BYTES = 32
# version, salt, m (4), t (1), p (1), then the AEAD box: version, nonce (12), key, tag (16).
WRAPPED_KEY_BYTES = 1 + ARGON2_SALT_BYTES + 6 + 1 + 12 + PRIVATE_KEY_BYTES + 16
#: The scope of the check seal below; nothing sealed under it is ever stored.
KEY_CHECK_CTX = b"chorus/key-check/v1"


def public_key_check(public_key: bytes, suite: int, *, error: type[ChorusError]) -> None:
    want = PUBLIC_KEY_BYTES.get(suite)
    if want is None:
        raise error(_("Unknown key suite: it must be 1 or 2."))
    if len(public_key) != want:
        raise error(
            _("A suite %(suite)d public key is %(want)d bytes, not %(got)d.")
            % {"suite": suite, "want": want, "got": len(public_key)}
        )
    try:  # sealing to it is the one check that covers low-order and out-of-range keys
        seal(public_key, b"", purpose="key-check", ctx=KEY_CHECK_CTX, suite=suite)
    except CryptoError:
        raise error(_("This public key cannot be sealed to.")) from None


def wrapped_key_check(wrapped: bytes, *, error: type[ChorusError]) -> None:
    if len(wrapped) != WRAPPED_KEY_BYTES:
        raise error(
            _("The wrapped private key is %(got)d bytes long; it should be %(want)d.")
            % {"got": len(wrapped), "want": WRAPPED_KEY_BYTES}
        )
    box_at = 1 + ARGON2_SALT_BYTES + 6
    if wrapped[0] != ENVELOPE_VERSION or wrapped[box_at] != ENVELOPE_VERSION:
        raise error(_("The wrapped private key is of an unknown version."))
    o = 1 + ARGON2_SALT_BYTES
    try:
        params = Argon2Params(int.from_bytes(wrapped[o : o + 4]), wrapped[o + 4], wrapped[o + 5])
    except CryptoError:
        params = None
    if params is None or not params.allowed_in_envelopes:
        raise error(_("The wrapped private key's Argon2id costs are out of range."))
