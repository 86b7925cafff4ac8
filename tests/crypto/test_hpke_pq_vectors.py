"""Sealing suite 2, MLKEM768-X25519 (X-Wing) / HKDF-SHA256 / ChaCha20-Poly1305, against vectors.

- draft-connolly-cfrg-xwing-kem-10 Appendix C: the public key of each seed through
  `chorus.crypto.seal`, and the shared secret of each ciphertext through a test-only X-Wing
  decapsulation (pyca's ML-KEM-768 and X25519, SHA3-256 combiner) — pyca's HPKE does not expose
  the hybrid KEM itself, and neither pyca nor hashlib can derandomise an encapsulation (the
  browser's tests check `eseed -> ct` for the same vectors);
- draft-ietf-hpke-pq-05 Appendix A.5 (exactly suite 2): the recipient key, the shared secret,
  the whole RFC 9180 key schedule with suite_id "HPKE" 0x647A 0x0001 0x0003 (test-only
  re-derivation, shared with test_hpke_vectors.py), every encryption and export, seq 0 opened
  with `skRm` through pyca's HPKE binding, and envelopes of `chorus.crypto.seal` opened by the
  re-derivation (so suite 2 is the draft's base mode with the spec's `info` and an empty `aad`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.bindings._rust import openssl as rust_openssl
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from chorus.crypto import seal
from chorus.crypto.suites import (
    HPKE_AEAD_ID,
    HPKE_KDF_ID,
    HPKE_KEM_ID_MLKEM768_X25519,
    SEAL_SUITE_MLKEM768_X25519_CHACHA20,
)

from .conftest import VECTORS, load_vectors, unhex
from .test_hpke_vectors import key_schedule, labeled_expand, nonce_for

XWING_FILE = "draft-connolly-cfrg-xwing-kem-10.json"
A5_FILE = "draft-ietf-hpke-pq-05-a5-mlkem768-x25519-sha256-chacha20.json"
BROWSER_VECTORS = Path(__file__).resolve().parents[2] / "frontend" / "test" / "vectors"
XWING = load_vectors(XWING_FILE)
A5 = load_vectors(A5_FILE)
SUITE2 = SEAL_SUITE_MLKEM768_X25519_CHACHA20
SUITE_ID = (
    b"HPKE"
    + HPKE_KEM_ID_MLKEM768_X25519.to_bytes(2, "big")
    + HPKE_KDF_ID.to_bytes(2, "big")
    + HPKE_AEAD_ID.to_bytes(2, "big")
)
XWING_LABEL = b"\\.//^\\"


def xwing_decapsulate(seed: bytes, ct: bytes) -> bytes:
    """X-Wing Decapsulate (draft -10, section 5.4), test-only, from pyca's components."""
    expanded = hashlib.shake_256(seed).digest(96)
    mlkem_key = mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:64])
    x25519_key = X25519PrivateKey.from_private_bytes(expanded[64:])
    ct_m, ct_x = ct[:1088], ct[1088:]
    ss_m = mlkem_key.decapsulate(ct_m)
    ss_x = x25519_key.exchange(X25519PublicKey.from_public_bytes(ct_x))
    pk_x = x25519_key.public_key().public_bytes_raw()
    return hashlib.sha3_256(ss_m + ss_x + ct_x + pk_x + XWING_LABEL).digest()


# --- X-Wing draft -10 ----------------------------------------------------------------------


def test_the_xwing_label_and_vector_count():
    assert XWING_LABEL.hex() == "5c2e2f2f5e5c"
    assert len(XWING["vectors"]) == 3


@pytest.mark.parametrize("vector", XWING["vectors"], ids=lambda v: v["seed"][:8])
def test_xwing_public_key_of_the_seed(vector):
    assert seal.public_key(unhex(vector["seed"]), suite=SUITE2).hex() == vector["pk"]


@pytest.mark.parametrize("vector", XWING["vectors"], ids=lambda v: v["seed"][:8])
def test_xwing_decapsulation(vector):
    assert (len(unhex(vector["eseed"])), len(unhex(vector["ct"]))) == (64, 1120)
    assert xwing_decapsulate(unhex(vector["seed"]), unhex(vector["ct"])).hex() == vector["ss"]


# --- draft-ietf-hpke-pq-05 A.5 -------------------------------------------------------------


def test_the_vector_is_suite_2():
    assert (A5["mode"], A5["kem_id"], A5["kdf_id"], A5["aead_id"]) == (0, 0x647A, 0x01, 0x03)
    assert SUITE_ID.hex() == "48504b45647a00010003"


def test_recipient_key_and_shared_secret():
    assert seal.public_key(unhex(A5["skRm"]), suite=SUITE2).hex() == A5["pkRm"]
    assert xwing_decapsulate(unhex(A5["skRm"]), unhex(A5["enc"])).hex() == A5["shared_secret"]


def test_the_key_schedule_matches():
    schedule = key_schedule(unhex(A5["shared_secret"]), unhex(A5["info"]), SUITE_ID)
    for name in ("key", "base_nonce", "exporter_secret"):
        assert schedule[name].hex() == A5[name], name


@pytest.mark.parametrize(
    "encryption", A5["encryptions"], ids=lambda e: f"seq{e['sequence_number']}"
)
def test_every_encryption_matches(encryption):
    schedule = key_schedule(unhex(A5["shared_secret"]), unhex(A5["info"]), SUITE_ID)
    nonce = nonce_for(schedule["base_nonce"], encryption["sequence_number"])
    assert nonce.hex() == encryption["nonce"]
    ciphertext = ChaCha20Poly1305(schedule["key"]).encrypt(
        nonce, unhex(encryption["pt"]), unhex(encryption["aad"])
    )
    assert ciphertext.hex() == encryption["ct"]


@pytest.mark.parametrize("export", A5["exports"], ids=lambda e: e["exporter_context"])
def test_every_export_matches(export):
    schedule = key_schedule(unhex(A5["shared_secret"]), unhex(A5["info"]), SUITE_ID)
    value = labeled_expand(
        SUITE_ID,
        schedule["exporter_secret"],
        b"sec",
        unhex(export["exporter_context"]),
        export["L"],
    )
    assert value.hex() == export["exported_value"]


def test_seq_0_opens_through_pycas_hpke_with_the_recipient_seed():
    expanded = hashlib.shake_256(unhex(A5["skRm"])).digest(96)
    private = hpke.MLKEM768X25519PrivateKey(
        mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:64]),
        X25519PrivateKey.from_private_bytes(expanded[64:]),
    )
    suite = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
    first = A5["encryptions"][0]
    plaintext = rust_openssl.hpke._decrypt_with_aad(
        suite,
        unhex(A5["enc"]) + unhex(first["ct"]),
        private,
        unhex(A5["info"]),
        unhex(first["aad"]),
    )
    assert plaintext == unhex(first["pt"])


@pytest.mark.parametrize("purpose", ["escrow-share", "record", "report"])
def test_chorus_suite_2_is_hpke_pq_base_mode_with_the_spec_info(purpose):
    ctx = b"org:5"
    sealed = seal.seal(unhex(A5["pkRm"]), b"for the advocate", purpose=purpose, ctx=ctx, suite=2)
    assert sealed[:2] == b"\x01\x02"
    enc, ciphertext = sealed[2:1122], sealed[1122:]
    info = b"chorus/seal/v1/" + b"\x01\x02" + len(purpose).to_bytes(2, "big") + purpose.encode()
    info += len(ctx).to_bytes(2, "big") + ctx
    assert seal.seal_info(purpose, ctx, suite=2) == info
    schedule = key_schedule(xwing_decapsulate(unhex(A5["skRm"]), enc), info, SUITE_ID)
    opened = ChaCha20Poly1305(schedule["key"]).decrypt(schedule["base_nonce"], ciphertext, b"")
    assert opened == b"for the advocate"
    assert seal.unseal(unhex(A5["skRm"]), sealed, purpose=purpose, ctx=ctx, suite=2) == opened


@pytest.mark.parametrize("name", [XWING_FILE, A5_FILE])
def test_the_browser_checks_the_same_vector_files(name):
    assert (BROWSER_VECTORS / name).read_bytes() == (VECTORS / name).read_bytes()
