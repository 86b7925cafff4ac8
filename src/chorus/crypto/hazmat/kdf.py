"""HKDF-SHA512 (RFC 5869) and SHA-512, as the escrow derivations use them."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand


def sha512(data: bytes) -> bytes:
    return hashlib.sha512(data).digest()


def hkdf_extract(salt: bytes, ikm: bytes) -> bytes:
    """HKDF-Extract with SHA-512: `HMAC-SHA512(salt, ikm)`."""
    return hmac.digest(salt, ikm, "sha512")


def hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    """HKDF-Expand with SHA-512 (pyca/cryptography)."""
    return HKDFExpand(hashes.SHA512(), length, info).derive(prk)
