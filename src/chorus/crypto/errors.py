"""Typed errors of `chorus.crypto`.

The class names are part of the protocol: the interoperability harness (spec section 12)
reports them verbatim, and the browser implementation raises errors of the same names.
Verification raises one of these; nothing in this package returns False for "invalid".
"""

# The class names are the protocol's (spec section 12), shared with the browser: no Error suffix.
# ruff: noqa: N818

from __future__ import annotations


class CryptoError(Exception):
    """Root of every error this package raises on purpose."""


class InvalidElement(CryptoError):
    """A group element (or public key) is not canonical, not in the group, or the identity."""


class InvalidScalar(CryptoError):
    """A scalar is the wrong length, not reduced below the group order, or a forbidden zero."""


class InvalidProof(CryptoError):
    """A VOPRF proof does not verify against the given public key and elements."""


class InvalidEnvelope(CryptoError):
    """An envelope is malformed: wrong length, bad field, or bytes trailing."""


class UnsupportedVersion(CryptoError):
    """An envelope names a version or suite this implementation does not know."""


class DecryptionFailed(CryptoError):
    """Authenticated decryption failed: wrong key, purpose, scope or index, or tampered bytes."""


class DuplicateShare(CryptoError):
    """Two shares offered for recovery have the same x-coordinate U."""


class NotEnoughShares(CryptoError):
    """Fewer shares than the threshold were offered for recovery."""


class InvalidParameter(CryptoError, ValueError):
    """An argument is outside its allowed range (threshold, mode, Argon2 costs, label length)."""


#: The typed errors of spec section 12, in its order. `InvalidParameter` is this side's name
#: for an argument out of range; the harness reports it as `BadRequest`, as the browser does.
ERROR_NAMES: tuple[str, ...] = (
    "InvalidElement",
    "InvalidScalar",
    "InvalidProof",
    "InvalidEnvelope",
    "UnsupportedVersion",
    "DecryptionFailed",
    "DuplicateShare",
    "NotEnoughShares",
)
