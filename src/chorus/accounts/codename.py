"""Codenames, recovery codes and the keys derived from them (docs/protocols/accounts.md).

The browser does all of this (frontend/src/account/codename.js); the Python twin exists so tests,
the CLI and the benchmarks can act as a survivor's browser, and so both sides are checked against
the same cases. The server itself never sees a codename or a recovery code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from functools import cache
from importlib import resources
from typing import NamedTuple

from chorus.crypto.box import box_open, box_seal
from chorus.crypto.suites import (
    ACCOUNT_KEY_BYTES,
    ACCOUNT_LABEL_AUTH,
    ACCOUNT_LABEL_WRAP,
    ACCOUNT_RECOVERY_SALT,
    ACCOUNT_SALT,
    PURPOSE_ACCOUNT_SID,
    SID_BYTES,
)

CODENAME_WORDS = 7
RECOVERY_BITS = 128
#: Crockford's base32 alphabet: no I, L, O or U.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_CHARS = 26  # 130 bits of base32 holding 128: the first character is 0..7
_CROCKFORD_READS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-]+")


class AccountKeys(NamedTuple):
    """What a secret gives: `auth` (the server stores SHA-256 of it) and `wrap` (seals sid)."""

    auth: bytes
    wrap: bytes


@cache
def wordlist() -> tuple[str, ...]:
    """The EFF large wordlist (7776 words), as vendored in eff_large_wordlist.txt."""
    text = resources.files("chorus.accounts").joinpath("eff_large_wordlist.txt").read_text("utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def codename_generate() -> str:
    """Seven words drawn uniformly (log2(7776^7) = 90.5 bits)."""
    words = wordlist()
    return " ".join(secrets.choice(words) for _ in range(CODENAME_WORDS))


def codename_normalise(codename: str) -> str:
    """NFKC, lowercase, words split on whitespace or hyphens and joined by one space."""
    text = unicodedata.normalize("NFKC", codename).lower()
    return " ".join(word for word in _SEPARATORS.split(text) if word)


def recovery_generate() -> str:
    """128 random bits in Crockford base32, shown in groups of four."""
    value = secrets.randbits(RECOVERY_BITS)
    chars = "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(RECOVERY_CHARS)))
    return " ".join(chars[i : i + 4] for i in range(0, RECOVERY_CHARS, 4))


def recovery_normalise(code: str) -> str:
    """Uppercase, spaces and hyphens dropped, O read as 0 and I, L as 1."""
    text = unicodedata.normalize("NFKC", code).upper()
    return _SEPARATORS.sub("", text).translate(_CROCKFORD_READS)


def _keys(salt: bytes, secret: str) -> AccountKeys:
    # HKDF-SHA512 (RFC 5869): one block of Expand gives 64 bytes, more than the 32 taken.
    root = hmac.digest(salt, secret.encode("utf-8"), "sha512")
    auth = hmac.digest(root, ACCOUNT_LABEL_AUTH + b"\x01", "sha512")[:ACCOUNT_KEY_BYTES]
    wrap = hmac.digest(root, ACCOUNT_LABEL_WRAP + b"\x01", "sha512")[:ACCOUNT_KEY_BYTES]
    return AccountKeys(auth, wrap)


def codename_keys(codename: str) -> AccountKeys:
    return _keys(ACCOUNT_SALT, codename_normalise(codename))


def recovery_keys(code: str) -> AccountKeys:
    return _keys(ACCOUNT_RECOVERY_SALT, recovery_normalise(code))


def lookup(auth: bytes) -> bytes:
    """What the server stores for an `auth` key."""
    return hashlib.sha256(auth).digest()


def sid_generate() -> bytes:
    return secrets.token_bytes(SID_BYTES)


def sid_wrap(*, wrap: bytes, sid: bytes, recovery: bool = False) -> bytes:
    ctx = ACCOUNT_RECOVERY_SALT if recovery else ACCOUNT_SALT
    return box_seal(wrap, sid, purpose=PURPOSE_ACCOUNT_SID, ctx=ctx, index=b"")


def sid_unwrap(*, wrap: bytes, wrapped: bytes, recovery: bool = False) -> bytes:
    ctx = ACCOUNT_RECOVERY_SALT if recovery else ACCOUNT_SALT
    return box_open(wrap, wrapped, purpose=PURPOSE_ACCOUNT_SID, ctx=ctx, index=b"")
