"""RFC 9180 Appendix A.2.1 (base mode, X25519 / HKDF-SHA256 / ChaCha20-Poly1305).

pyca/cryptography's public HPKE API neither takes an ephemeral key nor an `aad`, so:
- seq 0 is opened with `skRm` through pyca's own binding (its private `_decrypt_with_aad`);
- the whole key schedule is re-derived here, test-only, from pyca's HKDF and X25519, and checked
  against every value of the vector (key pairs from ikm, shared secret, key schedule context,
  secret, key, base nonce, exporter secret, all six encryptions, all three exports);
- that re-derivation then opens envelopes made by `chorus.crypto.seal`, which shows `seal` is
  RFC 9180 base mode with the spec's `info` and an empty `aad`.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest
from cryptography.hazmat.bindings._rust import openssl as rust_openssl
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from chorus.crypto import seal
from chorus.crypto.suites import HPKE_AEAD_ID, HPKE_KDF_ID, HPKE_KEM_ID

from .conftest import load_vectors, unhex

V = load_vectors("rfc9180-x25519-sha256-chacha20.json")
KEM_SUITE_ID = b"KEM" + HPKE_KEM_ID.to_bytes(2, "big")
HPKE_SUITE_ID = (
    b"HPKE"
    + HPKE_KEM_ID.to_bytes(2, "big")
    + HPKE_KDF_ID.to_bytes(2, "big")
    + HPKE_AEAD_ID.to_bytes(2, "big")
)
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)


# --- a test-only RFC 9180 key schedule -----------------------------------------------------


def labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return hmac.digest(salt or bytes(32), b"HPKE-v1" + suite_id + label + ikm, hashlib.sha256)


def labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    labeled_info = length.to_bytes(2, "big") + b"HPKE-v1" + suite_id + label + info
    return HKDFExpand(hashes.SHA256(), length, labeled_info).derive(prk)


def derive_key_pair(ikm: bytes) -> tuple[bytes, bytes]:
    prk = labeled_extract(KEM_SUITE_ID, b"", b"dkp_prk", ikm)
    sk = labeled_expand(KEM_SUITE_ID, prk, b"sk", b"", 32)
    pk = (
        X25519PrivateKey.from_private_bytes(sk)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    return sk, pk


def shared_secret(dh: bytes, enc: bytes, pk_r: bytes) -> bytes:
    eae_prk = labeled_extract(KEM_SUITE_ID, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE_ID, eae_prk, b"shared_secret", enc + pk_r, 32)


def key_schedule(
    secret_in: bytes, info: bytes, suite_id: bytes = HPKE_SUITE_ID
) -> dict[str, bytes]:
    """RFC 9180 section 5.1, base mode, HKDF-SHA256 and a 32-byte-key AEAD; any KEM's secret."""
    psk_id_hash = labeled_extract(suite_id, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(suite_id, b"", b"info_hash", info)
    context = b"\x00" + psk_id_hash + info_hash
    secret = labeled_extract(suite_id, secret_in, b"secret", b"")
    return {
        "key_schedule_context": context,
        "secret": secret,
        "key": labeled_expand(suite_id, secret, b"key", context, 32),
        "base_nonce": labeled_expand(suite_id, secret, b"base_nonce", context, 12),
        "exporter_secret": labeled_expand(suite_id, secret, b"exp", context, 32),
    }


def receiver_context(sk_r: bytes, enc: bytes, info: bytes) -> dict[str, bytes]:
    private = X25519PrivateKey.from_private_bytes(sk_r)
    dh = private.exchange(X25519PublicKey.from_public_bytes(enc))
    pk_r = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return key_schedule(shared_secret(dh, enc, pk_r), info)


def nonce_for(base_nonce: bytes, sequence: int) -> bytes:
    return bytes(a ^ b for a, b in zip(base_nonce, sequence.to_bytes(12, "big"), strict=True))


# --- the vector --------------------------------------------------------------------------


def test_the_vector_is_the_suite_chorus_uses():
    assert (V["mode"], V["kem_id"], V["kdf_id"], V["aead_id"]) == (0, 0x20, 0x01, 0x03)
    assert (HPKE_KEM_ID, HPKE_KDF_ID, HPKE_AEAD_ID) == (0x20, 0x01, 0x03)


def test_seq_0_opens_with_the_recipient_key():
    private = X25519PrivateKey.from_private_bytes(unhex(V["skRm"]))
    first = V["encryptions"][0]
    assert first["sequence_number"] == 0
    plaintext = rust_openssl.hpke._decrypt_with_aad(
        SUITE, unhex(V["enc"]) + unhex(first["ct"]), private, unhex(V["info"]), unhex(first["aad"])
    )
    assert plaintext == unhex(first["pt"])


@pytest.mark.parametrize(("ikm", "sk", "pk"), [("ikmE", "skEm", "pkEm"), ("ikmR", "skRm", "pkRm")])
def test_derive_key_pair_matches(ikm, sk, pk):
    assert derive_key_pair(unhex(V[ikm])) == (unhex(V[sk]), unhex(V[pk]))


def test_encap_and_decap_give_the_shared_secret():
    ephemeral = X25519PrivateKey.from_private_bytes(unhex(V["skEm"]))
    dh = ephemeral.exchange(X25519PublicKey.from_public_bytes(unhex(V["pkRm"])))
    assert unhex(V["enc"]) == unhex(V["pkEm"])
    assert shared_secret(dh, unhex(V["enc"]), unhex(V["pkRm"])).hex() == V["shared_secret"]


def test_the_key_schedule_matches():
    context = receiver_context(unhex(V["skRm"]), unhex(V["enc"]), unhex(V["info"]))
    for name, value in context.items():
        assert value.hex() == V[name], name


@pytest.mark.parametrize("encryption", V["encryptions"], ids=lambda e: f"seq{e['sequence_number']}")
def test_every_encryption_matches(encryption):
    context = receiver_context(unhex(V["skRm"]), unhex(V["enc"]), unhex(V["info"]))
    nonce = nonce_for(context["base_nonce"], encryption["sequence_number"])
    assert nonce.hex() == encryption["nonce"]
    ciphertext = ChaCha20Poly1305(context["key"]).encrypt(
        nonce, unhex(encryption["pt"]), unhex(encryption["aad"])
    )
    assert ciphertext.hex() == encryption["ct"]


@pytest.mark.parametrize("export", V["exports"], ids=lambda e: e["exporter_context"] or "empty")
def test_every_export_matches(export):
    context = receiver_context(unhex(V["skRm"]), unhex(V["enc"]), unhex(V["info"]))
    value = labeled_expand(
        HPKE_SUITE_ID,
        context["exporter_secret"],
        b"sec",
        unhex(export["exporter_context"]),
        export["L"],
    )
    assert value.hex() == export["exported_value"]


def test_pycas_public_decrypt_agrees_with_the_key_schedule():
    # Seq 0 with an empty aad, made by the re-derived schedule, opens through the public API.
    context = receiver_context(unhex(V["skRm"]), unhex(V["enc"]), unhex(V["info"]))
    ciphertext = ChaCha20Poly1305(context["key"]).encrypt(context["base_nonce"], b"chorus", b"")
    private = X25519PrivateKey.from_private_bytes(unhex(V["skRm"]))
    assert SUITE.decrypt(unhex(V["enc"]) + ciphertext, private, unhex(V["info"])) == b"chorus"


@pytest.mark.parametrize("purpose", ["escrow-share", "record", "report"])
def test_chorus_seal_is_rfc9180_base_mode_with_the_spec_info(purpose):
    ctx = b"org:5"
    sealed = seal.seal(unhex(V["pkRm"]), b"for the advocate", purpose=purpose, ctx=ctx)
    enc, ciphertext = sealed[2:34], sealed[34:]
    info = b"chorus/seal/v1/" + b"\x01\x01" + len(purpose).to_bytes(2, "big") + purpose.encode()
    info += len(ctx).to_bytes(2, "big") + ctx
    assert seal.seal_info(purpose, ctx) == info
    context = receiver_context(unhex(V["skRm"]), enc, info)
    plaintext = ChaCha20Poly1305(context["key"]).decrypt(context["base_nonce"], ciphertext, b"")
    assert plaintext == b"for the advocate"
    assert seal.unseal(unhex(V["skRm"]), sealed, purpose=purpose, ctx=ctx) == plaintext
