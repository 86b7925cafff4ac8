"""Codenames, recovery codes and their keys (docs/protocols/accounts.md)."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import strategies as st

from chorus.accounts import codename as cn
from chorus.crypto.errors import DecryptionFailed
from tests.accounts import make_vectors


def test_the_wordlist_is_the_eff_large_list() -> None:
    words = cn.wordlist()
    assert len(words) == 7776
    assert len(set(words)) == 7776
    assert words[0] == "abacus"
    assert words[-1] == "zoom"
    # The file as published by the EFF (via xkcdpass 1.30.0), one word per line.
    assert (
        hashlib.sha256(("\n".join(words) + "\n").encode()).hexdigest()
        == "6d557f0693958fb5e650b68b5bee585eb82cf4da32965505c789e924743bc522"
    )


def test_a_codename_is_seven_listed_words() -> None:
    words = cn.codename_generate().split(" ")
    assert len(words) == 7
    assert set(words) <= set(cn.wordlist())


def test_codename_normalisation_ignores_case_spacing_and_hyphens() -> None:
    assert cn.codename_normalise("  Abacus--ZOOM\tyo-yo\n ") == "abacus zoom yo yo"
    assert cn.codename_normalise("\uff21\uff22\uff21\uff23\uff35\uff33 zoom") == "abacus zoom"


def test_a_recovery_code_is_128_bits_of_crockford_base32() -> None:
    code = cn.recovery_generate()
    groups = code.split(" ")
    assert [len(g) for g in groups] == [4, 4, 4, 4, 4, 4, 2]
    flat = "".join(groups)
    assert set(flat) <= set(cn.CROCKFORD)
    assert flat[0] in "01234567"


def test_recovery_normalisation_reads_look_alike_characters() -> None:
    assert cn.recovery_normalise("o1il-abcd efgh") == "0111ABCDEFGH"


def _hkdf(salt: bytes, secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA512(), length=32, salt=salt, info=info).derive(secret)


@given(st.text(max_size=60))
def test_keys_are_hkdf_sha512_of_the_normalised_codename(text: str) -> None:
    keys = cn.codename_keys(text)
    secret = cn.codename_normalise(text).encode()
    assert keys.auth == _hkdf(b"chorus/account/v1", secret, b"auth")
    assert keys.wrap == _hkdf(b"chorus/account/v1", secret, b"wrap")
    assert keys.auth != keys.wrap


@given(st.text(alphabet="0123456789abcdefghjkmnpqrstvwxyz -", max_size=40))
def test_recovery_keys_use_their_own_salt(text: str) -> None:
    keys = cn.recovery_keys(text)
    secret = cn.recovery_normalise(text).encode()
    assert keys.auth == _hkdf(b"chorus/account/v1/recovery", secret, b"auth")
    assert keys.wrap == _hkdf(b"chorus/account/v1/recovery", secret, b"wrap")


def test_a_sid_locked_under_the_codename_does_not_open_as_a_recovery_box() -> None:
    keys = cn.codename_keys("abacus zoom")
    sid = cn.sid_generate()
    wrapped = cn.sid_wrap(wrap=keys.wrap, sid=sid)
    assert len(wrapped) == 61
    assert cn.sid_unwrap(wrap=keys.wrap, wrapped=wrapped) == sid
    with pytest.raises(DecryptionFailed):
        cn.sid_unwrap(wrap=keys.wrap, wrapped=wrapped, recovery=True)


def test_the_shared_vectors_are_what_this_implementation_gives() -> None:
    # frontend/test/account.test.mjs checks the browser's twin against the same file.
    assert make_vectors.PATH.read_text(encoding="utf-8") == make_vectors.render()
