"""Every label, domain-separation string and parameter of `chorus.crypto`, in one place.

Spec: docs/protocols/escrow.md. The browser mirrors this module in
frontend/src/crypto/labels.js; a value changed here without the same change there breaks
interoperability (tests/crypto/test_cross_implementation.py catches it).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

# --- ristretto255 (RFC 9496) -------------------------------------------------------------

#: Order of the ristretto255 group.
GROUP_ORDER: Final = 2**252 + 27742317777372353535851937790883648493
ELEMENT_BYTES: Final = 32
SCALAR_BYTES: Final = 32
#: Input length of `from_hash` and of wide scalar reduction.
WIDE_BYTES: Final = 64

# --- RFC 9497 OPRF, suite ristretto255-SHA512 ---------------------------------------------


class Mode(IntEnum):
    """RFC 9497 protocol variants implemented here (POPRF, mode 2, is not)."""

    OPRF = 0x00
    VOPRF = 0x01


OPRF_SUITE_ID: Final = b"ristretto255-SHA512"
OPRF_CONTEXT_PREFIX: Final = b"OPRFV1-"
OPRF_HASH_TO_GROUP_DST_PREFIX: Final = b"HashToGroup-"
OPRF_HASH_TO_SCALAR_DST_PREFIX: Final = b"HashToScalar-"
#: RFC 9497 section 3.2.1: no hyphen after "DeriveKeyPair".
OPRF_DERIVE_KEY_PAIR_DST_PREFIX: Final = b"DeriveKeyPair"
OPRF_SEED_DST_PREFIX: Final = b"Seed-"
OPRF_LABEL_COMPOSITE: Final = b"Composite"
OPRF_LABEL_CHALLENGE: Final = b"Challenge"
OPRF_LABEL_FINALIZE: Final = b"Finalize"
#: Nh: length of an OPRF output (SHA-512).
OPRF_OUTPUT_BYTES: Final = 64
#: Proof = c || s.
OPRF_PROOF_BYTES: Final = 2 * SCALAR_BYTES
#: Inputs are length-prefixed with two bytes.
OPRF_MAX_INPUT_BYTES: Final = 2**16 - 1
#: DeriveKeyPair seeds are Ns bytes.
OPRF_SEED_BYTES: Final = SCALAR_BYTES

# --- Escrow (spec sections 3, 4, 6) --------------------------------------------------------

ESCROW_SALT: Final = b"chorus/escrow/v1"
LABEL_INDEX: Final = b"chorus/escrow/v1/index"
LABEL_SECRET: Final = b"chorus/escrow/v1/secret"
LABEL_COEFFICIENT: Final = b"chorus/escrow/v1/coefficient"
LABEL_SURVIVOR: Final = b"chorus/escrow/v1/survivor"
LABEL_ENTRY_KEY: Final = b"chorus/escrow/v1/entry-key"
INDEX_BYTES: Final = 32
ENTRY_KEY_BYTES: Final = 32
THRESHOLD_MIN: Final = 2
THRESHOLD_MAX: Final = 16
THRESHOLD_DEFAULT: Final = 2

# --- Sealing (spec section 8) --------------------------------------------------------------

SEAL_INFO_PREFIX: Final = b"chorus/seal/v1/"
PURPOSE_ESCROW_SHARE: Final = "escrow-share"
PURPOSE_RECORD: Final = "record"
PURPOSE_REPORT: Final = "report"
#: Reports to organisations (docs/protocols/reports.md §4.4, §7, §8): the case key sealed to a
#: member or boxed for the reporter or a supporter; a message of the conversation; a note.
PURPOSE_CASE_KEY: Final = "case-key"
PURPOSE_CASE_MESSAGE: Final = "case-message"
PURPOSE_CASE_NOTE: Final = "case-note"
#: ctx of every envelope of a case: the prefix followed by the organisation's slug.
CASE_CTX_PREFIX: Final = b"chorus/case/v1/"
#: HKDF-SHA512 salts: the reporter's (and an accepted supporter's) case-key box key from `sid`,
#: and an invitation's box key from the secret in the link's fragment.
REPORT_SALT: Final = b"chorus/report/v1"
SUPPORT_SALT: Final = b"chorus/support/v1"
#: HKDF-SHA512 info (salt SUPPORT_SALT, ikm the link's secret) of an invitation's accept token t;
#: the link's id is SHA-256(t)[:16], so only someone who holds the fragment can spend the link.
SUPPORT_ACCEPT_INFO: Final = b"chorus/support/v1/accept"

#: The version byte every envelope of this spec starts with.
ENVELOPE_VERSION: Final = 0x01
#: HPKE suite 1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305.
SEAL_SUITE_X25519_CHACHA20: Final = 0x01
#: HPKE suite 2: MLKEM768-X25519 (X-Wing), HKDF-SHA256, ChaCha20-Poly1305.
SEAL_SUITE_MLKEM768_X25519_CHACHA20: Final = 0x02
#: HPKE KEM id of suite 1, DHKEM(X25519, HKDF-SHA256).
HPKE_KEM_ID: Final = 0x0020
#: HPKE KEM id of suite 2, MLKEM768-X25519 = X-Wing (draft-ietf-hpke-pq, IANA "X-Wing").
HPKE_KEM_ID_MLKEM768_X25519: Final = 0x647A
HPKE_KDF_ID: Final = 0x0001
HPKE_AEAD_ID: Final = 0x0003
X25519_KEY_BYTES: Final = 32
#: Suite 1's `enc`: the ephemeral X25519 public key.
HPKE_ENC_BYTES: Final = 32
#: An X-Wing private key: the 32-byte seed the decapsulation key is expanded from.
XWING_SEED_BYTES: Final = 32
#: SHAKE256(seed) output: ML-KEM-768 seed d || z (64), then the X25519 private key (32).
XWING_EXPANDED_SEED_BYTES: Final = 96
MLKEM768_SEED_BYTES: Final = 64
MLKEM768_PUBLIC_KEY_BYTES: Final = 1184
MLKEM768_CIPHERTEXT_BYTES: Final = 1088
#: An X-Wing public key: pk_M (ML-KEM-768 encapsulation key) || pk_X (X25519).
XWING_PUBLIC_KEY_BYTES: Final = MLKEM768_PUBLIC_KEY_BYTES + X25519_KEY_BYTES
#: Suite 2's `enc`, the X-Wing ciphertext: ct_M (ML-KEM-768) || ct_X (X25519).
XWING_ENC_BYTES: Final = MLKEM768_CIPHERTEXT_BYTES + X25519_KEY_BYTES
AEAD_KEY_BYTES: Final = 32
AEAD_NONCE_BYTES: Final = 12
AEAD_TAG_BYTES: Final = 16

# --- Passphrases (spec section 8) ----------------------------------------------------------

PASSPHRASE_LABEL: Final = b"chorus/passphrase/v1"
ARGON2_MEMORY_KIB: Final = 19456
ARGON2_TIME_COST: Final = 2
ARGON2_PARALLELISM: Final = 1
ARGON2_SALT_BYTES: Final = 16
ARGON2_KEY_BYTES: Final = 32
#: Largest memory cost `passphrase_key` accepts (below noble's 4 GiB allocation cap).
ARGON2_MEMORY_KIB_MAX: Final = 2**22 - 1
#: Largest memory cost a passphrase envelope may carry (1 GiB): bounds the work a stored
#: envelope can make the browser do; raising it needs a spec change.
ARGON2_ENVELOPE_MEMORY_KIB_MAX: Final = 2**20

# --- Codename accounts (docs/protocols/accounts.md) -----------------------------------------

#: HKDF-Extract salt for a codename; the recovery code has its own.
ACCOUNT_SALT: Final = b"chorus/account/v1"
ACCOUNT_RECOVERY_SALT: Final = b"chorus/account/v1/recovery"
#: HKDF-Expand labels: the key whose SHA-256 the server stores, and the key that wraps `sid`.
ACCOUNT_LABEL_AUTH: Final = b"auth"
ACCOUNT_LABEL_WRAP: Final = b"wrap"
ACCOUNT_KEY_BYTES: Final = 32
#: AEAD box purpose of the survivor id wrapped under a `wrap` key (ctx: the salt, index: empty).
PURPOSE_ACCOUNT_SID: Final = "account-sid"
SID_BYTES: Final = 32

# --- Server secrets at rest (docs/protocols/at-rest.md) -------------------------------------

#: HKDF-Extract salt turning the server's secret key into the at-rest key.
AT_REST_SALT: Final = b"chorus/at-rest/v1"
#: HKDF-Expand label of the at-rest key (ctx of a box: the row it belongs to).
AT_REST_LABEL_KEY: Final = b"key"
#: AEAD box purposes of the secrets the server keeps at rest and must read back.
PURPOSE_TOTP_SECRET: Final = "totp-secret"  # noqa: S105  (a label, not a password)
