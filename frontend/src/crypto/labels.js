// Constants of the escrow protocol, docs/protocols/escrow.md (spec §2, §3, §8).
// The Python twin is chorus.crypto.suites; both must agree byte for byte.
//
// Labels are ASCII strings; the modules encode them with TextEncoder where the
// spec concatenates them into hash or KDF inputs.

// §3 Labels
export const ESCROW_SALT = 'chorus/escrow/v1';
export const LABEL_INDEX = 'chorus/escrow/v1/index';
export const LABEL_SECRET = 'chorus/escrow/v1/secret';
export const LABEL_COEFFICIENT = 'chorus/escrow/v1/coefficient';
export const LABEL_SURVIVOR = 'chorus/escrow/v1/survivor';
export const LABEL_ENTRY_KEY = 'chorus/escrow/v1/entry-key';
export const SEAL_INFO_PREFIX = 'chorus/seal/v1/';
export const PURPOSE_ESCROW_SHARE = 'escrow-share';
export const PURPOSE_RECORD = 'record';
export const PURPOSE_REPORT = 'report';
// Reports to organisations (docs/protocols/reports.md §4.4, §7, §8).
export const PURPOSE_CASE_KEY = 'case-key';
export const PURPOSE_CASE_MESSAGE = 'case-message';
export const PURPOSE_CASE_NOTE = 'case-note';
export const CASE_CTX_PREFIX = 'chorus/case/v1/';
export const REPORT_SALT = 'chorus/report/v1';
export const SUPPORT_SALT = 'chorus/support/v1';
/** HKDF info of a supporter invitation's accept token; the link's id is SHA-256(token)[:16]. */
export const SUPPORT_ACCEPT_INFO = 'chorus/support/v1/accept';
export const PASSPHRASE_LABEL = 'chorus/passphrase/v1';

// §2 Primitives and parameters
/** Order of the ristretto255 group (and of GF(L), the field for shares). */
export const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;
export const SCALAR_LENGTH = 32;
export const ELEMENT_LENGTH = 32;
export const OPRF_OUTPUT_LENGTH = 64;
export const PROOF_LENGTH = 64;
export const OPRF_SUITE = 'ristretto255-SHA512';
export const MODE_OPRF = 0x00;
export const MODE_VOPRF = 0x01;

export const THRESHOLD_MIN = 2;
export const THRESHOLD_MAX = 16;
export const THRESHOLD_DEFAULT = 2;

// §8 Envelopes
export const ENVELOPE_VERSION = 0x01;
/** Sealing suite 1: DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256 + ChaCha20-Poly1305. */
export const SEAL_SUITE_X25519_CHACHA20POLY1305 = 0x01;
/** Sealing suite 2: MLKEM768-X25519 (X-Wing) + HKDF-SHA256 + ChaCha20-Poly1305. */
export const SEAL_SUITE_MLKEM768_X25519_CHACHA20POLY1305 = 0x02;
export const HPKE_KEM_X25519_HKDF_SHA256 = 0x0020;
/** HPKE KEM id of MLKEM768-X25519 = X-Wing (draft-ietf-hpke-pq; IANA "X-Wing"). */
export const HPKE_KEM_MLKEM768_X25519 = 0x647a;
export const HPKE_KDF_HKDF_SHA256 = 0x0001;
export const HPKE_AEAD_CHACHA20POLY1305 = 0x0003;
export const X25519_KEY_LENGTH = 32;
/** Suite 2 private key: the 32-byte X-Wing seed. */
export const XWING_SEED_LENGTH = 32;
/** Suite 2 public key: pk_M (ML-KEM-768, 1184) || pk_X (X25519, 32). */
export const XWING_PUBLIC_KEY_LENGTH = 1216;
/** Suite 2 enc: ct_M (ML-KEM-768, 1088) || ct_X (X25519, 32). */
export const XWING_ENC_LENGTH = 1120;
export const AEAD_KEY_LENGTH = 32;
export const AEAD_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;
export const ENTRY_KEY_LENGTH = 32;
export const INDEX_LENGTH = 32;
/** A survivor id: 32 random bytes made at account creation (spec §1). */
export const SURVIVOR_ID_LENGTH = 32;

// §2 Passphrase KDF: Argon2id (RFC 9106, version 0x13)
export const ARGON2_MEMORY_KIB = 19456;
export const ARGON2_TIME_COST = 2;
export const ARGON2_PARALLELISM = 1;
export const ARGON2_SALT_LENGTH = 16;
export const ARGON2_OUTPUT_LENGTH = 32;

// Codename accounts (docs/protocols/accounts.md); mirrors chorus.crypto.suites.
export const ACCOUNT_SALT = 'chorus/account/v1';
export const ACCOUNT_RECOVERY_SALT = 'chorus/account/v1/recovery';
export const ACCOUNT_LABEL_AUTH = 'auth';
export const ACCOUNT_LABEL_WRAP = 'wrap';
export const ACCOUNT_KEY_LENGTH = 32;
export const PURPOSE_ACCOUNT_SID = 'account-sid';
export const SID_LENGTH = 32;
