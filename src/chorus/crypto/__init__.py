"""Chorus cryptography: the escrow protocol of docs/protocols/escrow.md, and nothing else.

Pure Python over libsodium (pysodium) and pyca/cryptography: no Django, no other Chorus
package. Import recipes from here; `chorus.crypto.hazmat` holds the primitives underneath and
is for this package alone.

- `oprf`: RFC 9497 OPRF/VOPRF (ristretto255-SHA512), functions named after the RFC.
- `keyservers`: the OPRF key split between two key servers.
- `escrow`: derivations, shares, recovery and the share envelope.
- `seal`: HPKE to a recipient (`seal.seal`, `seal.unseal`).
- `box`: AEAD under a key both sides derive (`box.box_seal`, `box.box_open`).
- `passphrase`: secrets wrapped under a passphrase with Argon2id.
"""

from __future__ import annotations

from chorus.crypto import box, escrow, keyservers, oprf, passphrase, seal
from chorus.crypto.errors import (
    CryptoError,
    DecryptionFailed,
    DuplicateShare,
    InvalidElement,
    InvalidEnvelope,
    InvalidParameter,
    InvalidProof,
    InvalidScalar,
    NotEnoughShares,
    UnsupportedVersion,
)
from chorus.crypto.suites import Mode

__all__ = [
    "CryptoError",
    "DecryptionFailed",
    "DuplicateShare",
    "InvalidElement",
    "InvalidEnvelope",
    "InvalidParameter",
    "InvalidProof",
    "InvalidScalar",
    "Mode",
    "NotEnoughShares",
    "UnsupportedVersion",
    "box",
    "escrow",
    "keyservers",
    "oprf",
    "passphrase",
    "seal",
]
