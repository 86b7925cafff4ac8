// Sealing to a recipient (spec §8): RFC 9180 HPKE, base mode, single-shot, sequence number 0,
// aad empty, with HKDF-SHA256 and ChaCha20-Poly1305 (KDF 0x0001, AEAD 0x0003) and one of two KEMs:
//
//   suite 1: DHKEM(X25519, HKDF-SHA256), KEM 0x0020; keys are raw 32-byte X25519 keys, enc 32 bytes.
//   suite 2: MLKEM768-X25519 = X-Wing (draft-connolly-cfrg-xwing-kem, draft-ietf-hpke-pq), KEM
//            0x647A; the private key is the 32-byte X-Wing seed, the public key pk_M || pk_X
//            (1216 bytes), enc ct_M || ct_X (1120 bytes). Its shared secret enters the same
//            RFC 9180 key schedule, with suite_id "HPKE" || 0x647A || 0x0001 || 0x0003.
//
//   sealed = 0x01 || suite || enc || ct
//   info   = SEAL_INFO_PREFIX || 0x01 || suite || lp(purpose) || lp(ctx)
//
// HPKE is composed here from noble primitives (x25519 from @noble/curves, HKDF/HMAC/SHA-256
// from @noble/hashes, ChaCha20-Poly1305 from @noble/ciphers, X-Wing from @noble/post-quantum's
// ml_kem768_x25519), step by step after RFC 9180 §4 and §5. Suite 1 is checked against every
// value of RFC 9180 A.2.1 and, both ways, against @hpke/core (a test-only dependency); suite 2
// against every value of draft-ietf-hpke-pq-05 A.5 and the X-Wing draft's vectors, and against
// pyca/cryptography (tests/crypto/test_cross_implementation.py). See frontend/README.md.
//
// A key belongs to one suite: open() is told the suite of its key (default 1) and refuses an
// envelope of another suite before using the key (UnsupportedVersion).

import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { ml_kem768_x25519 as xwing } from '@noble/post-quantum/hybrid.js';
import { asBytes, asLabel, concat, i2osp, lp, requireBytes, utf8 } from './_bytes.js';
import { DecryptionFailed, InvalidElement, InvalidEnvelope, InvalidScalar, UnsupportedVersion } from './errors.js';
import {
  AEAD_TAG_LENGTH,
  ENVELOPE_VERSION,
  HPKE_AEAD_CHACHA20POLY1305,
  HPKE_KDF_HKDF_SHA256,
  HPKE_KEM_MLKEM768_X25519,
  HPKE_KEM_X25519_HKDF_SHA256,
  SEAL_INFO_PREFIX,
  SEAL_SUITE_MLKEM768_X25519_CHACHA20POLY1305,
  SEAL_SUITE_X25519_CHACHA20POLY1305,
  X25519_KEY_LENGTH,
  XWING_ENC_LENGTH,
  XWING_PUBLIC_KEY_LENGTH,
  XWING_SEED_LENGTH,
} from './labels.js';

const MODE_BASE = 0x00;
const N_SECRET = 32; // KEM Nsecret (both KEMs), KDF Nh
const N_K = 32; // AEAD key
const N_N = 12; // AEAD nonce
const HPKE_V1 = utf8('HPKE-v1');
const EMPTY = new Uint8Array(0);
const hpkeSuiteId = (kemId) =>
  concat(utf8('HPKE'), i2osp(kemId, 2), i2osp(HPKE_KDF_HKDF_SHA256, 2), i2osp(HPKE_AEAD_CHACHA20POLY1305, 2));
const KEM_SUITE_ID = concat(utf8('KEM'), i2osp(HPKE_KEM_X25519_HKDF_SHA256, 2));

// RFC 9180 §4: LabeledExtract / LabeledExpand with HKDF-SHA256.
const labeledExtract = (suiteId, salt, label, ikm) =>
  extract(sha256, concat(HPKE_V1, suiteId, utf8(label), ikm), salt);
const labeledExpand = (suiteId, prk, label, info, L) =>
  expand(sha256, prk, concat(i2osp(L, 2), HPKE_V1, suiteId, utf8(label), info), L);

// ---------------------------------------------------------------- DHKEM(X25519, HKDF-SHA256), §4.1, §7.1

/** DeriveKeyPair(ikm) of RFC 9180 §7.1.3 (suite 1): {secretKey, publicKey}. */
export function deriveKeyPair(ikm) {
  requireBytes(ikm, 'ikm');
  const dkpPrk = labeledExtract(KEM_SUITE_ID, EMPTY, 'dkp_prk', ikm);
  const secretKey = labeledExpand(KEM_SUITE_ID, dkpPrk, 'sk', EMPTY, N_SECRET);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

// DH with the RFC 9180 §7.1.4 check: low-order points (an all-zero result) are refused
// (noble refuses them before the ladder runs).
function dh(sk, pk, onFail) {
  try {
    return x25519.getSharedSecret(sk, pk);
  } catch {
    throw onFail();
  }
}

function extractAndExpand(dhValue, kemContext) {
  const eaePrk = labeledExtract(KEM_SUITE_ID, EMPTY, 'eae_prk', dhValue);
  return labeledExpand(KEM_SUITE_ID, eaePrk, 'shared_secret', kemContext, N_SECRET);
}

const dhkemX25519 = {
  name: 'X25519',
  suiteId: hpkeSuiteId(HPKE_KEM_X25519_HKDF_SHA256),
  nSk: X25519_KEY_LENGTH,
  nPk: X25519_KEY_LENGTH,
  nEnc: X25519_KEY_LENGTH,
  // GenerateKeyPair = DeriveKeyPair(random 32 bytes)
  generateKeyPair: () => deriveKeyPair(randomBytes(32)),
  publicKey: (sk) => x25519.getPublicKey(sk),
  encap(pkR, ikmE) {
    const { secretKey: skE, publicKey: enc } = deriveKeyPair(ikmE ?? randomBytes(32));
    const dhValue = dh(skE, pkR, () => new InvalidElement('recipient public key: low-order point'));
    return { sharedSecret: extractAndExpand(dhValue, concat(enc, pkR)), enc };
  },
  decap(enc, skR) {
    const dhValue = dh(skR, enc, () => new DecryptionFailed('enc: low-order point'));
    return extractAndExpand(dhValue, concat(enc, x25519.getPublicKey(skR)));
  },
};

// ---------------------------------------------------------------- MLKEM768-X25519 (X-Wing)

// noble's ml_kem768_x25519 is X-Wing: seed -> SHAKE256 -> (ML-KEM-768 d || z, X25519 sk);
// ss = SHA3-256(ss_M || ss_X || ct_X || pk_X || "\.//^\"). Encapsulation refuses an ML-KEM key
// that fails FIPS 203's modulus check and a low-order X25519 key; decapsulation refuses a
// low-order ct_X (ML-KEM rejects implicitly: a tampered ct_M gives another secret).
const xwingKem = {
  name: 'MLKEM768-X25519',
  suiteId: hpkeSuiteId(HPKE_KEM_MLKEM768_X25519),
  nSk: XWING_SEED_LENGTH,
  nPk: XWING_PUBLIC_KEY_LENGTH,
  nEnc: XWING_ENC_LENGTH,
  generateKeyPair: () => xwing.keygen(),
  publicKey: (sk) => xwing.getPublicKey(sk),
  // ikmE: the 64-byte X-Wing encapsulation randomness (test vectors only).
  encap(pkR, ikmE) {
    let res;
    try {
      res = ikmE === undefined ? xwing.encapsulate(pkR) : xwing.encapsulate(pkR, ikmE);
    } catch {
      throw new InvalidElement('recipient public key: not a usable ML-KEM-768 + X25519 key');
    }
    return { sharedSecret: res.sharedSecret, enc: res.cipherText };
  },
  decap(enc, skR) {
    try {
      return xwing.decapsulate(enc, skR);
    } catch {
      throw new DecryptionFailed('enc: low-order X25519 point');
    }
  },
};

const KEMS = new Map([
  [SEAL_SUITE_X25519_CHACHA20POLY1305, dhkemX25519],
  [SEAL_SUITE_MLKEM768_X25519_CHACHA20POLY1305, xwingKem],
]);

/** The sealing suites this implementation knows, by suite byte. */
export const SUITES = Object.freeze([...KEMS.keys()]);

function kemOf(suite) {
  const kem = KEMS.get(suite);
  if (kem === undefined) throw new RangeError(`unknown sealing suite ${suite}`);
  return kem;
}

function requireSecretKey(kem, sk) {
  if (!(sk instanceof Uint8Array) || sk.length !== kem.nSk)
    throw new InvalidScalar(`${kem.name} private key: expected ${kem.nSk} bytes`);
  return sk;
}

function requireRecipientKey(kem, pk) {
  if (!(pk instanceof Uint8Array) || pk.length !== kem.nPk)
    throw new InvalidElement(`${kem.name} recipient public key: expected ${kem.nPk} bytes`);
  return pk;
}

/**
 * A fresh recipient key pair of `suite` (default 1): {secretKey, publicKey}. Suite 2's
 * secretKey is the 32-byte X-Wing seed, its publicKey pk_M || pk_X.
 */
export function generateKeyPair(suite = SEAL_SUITE_X25519_CHACHA20POLY1305) {
  const { secretKey, publicKey } = kemOf(suite).generateKeyPair();
  return { secretKey, publicKey };
}

/** The public key of a private key of `suite` (default 1). */
export function publicKey(secretKey, suite = SEAL_SUITE_X25519_CHACHA20POLY1305) {
  const kem = kemOf(suite);
  return kem.publicKey(requireSecretKey(kem, secretKey));
}

// ---------------------------------------------------------------- key schedule, §5.1 (base mode)

function keySchedule(suiteId, sharedSecret, info) {
  const pskIdHash = labeledExtract(suiteId, EMPTY, 'psk_id_hash', EMPTY);
  const infoHash = labeledExtract(suiteId, EMPTY, 'info_hash', info);
  const keyScheduleContext = concat(Uint8Array.of(MODE_BASE), pskIdHash, infoHash);
  const secret = labeledExtract(suiteId, sharedSecret, 'secret', EMPTY);
  return {
    keyScheduleContext,
    secret,
    key: labeledExpand(suiteId, secret, 'key', keyScheduleContext, N_K),
    baseNonce: labeledExpand(suiteId, secret, 'base_nonce', keyScheduleContext, N_N),
    exporterSecret: labeledExpand(suiteId, secret, 'exp', keyScheduleContext, N_SECRET),
  };
}

// A base-mode context: seal/open with an explicit sequence number (§5.2), export (§5.3).
function context(suiteId, sharedSecret, info) {
  const ks = keySchedule(suiteId, sharedSecret, info);
  const nonce = (seq) => {
    const n = Uint8Array.from(ks.baseNonce);
    const s = i2osp(seq, 6); // I2OSP(seq, Nn) with seq < 2^48; the leading bytes are zero
    for (let i = 0; i < s.length; i++) n[N_N - s.length + i] ^= s[i];
    return n;
  };
  return {
    ...ks,
    sharedSecret,
    nonce,
    seal: (seq, aad, pt) => chacha20poly1305(ks.key, nonce(seq), aad).encrypt(pt),
    open: (seq, aad, ct) => chacha20poly1305(ks.key, nonce(seq), aad).decrypt(ct),
    export: (exporterContext, L) => labeledExpand(suiteId, ks.exporterSecret, 'sec', exporterContext, L),
  };
}

/**
 * SetupBaseS(pkR, info) (§5.1.1) for `suite` (default 1). `ikmE` fixes the ephemeral
 * randomness (test vectors only: suite 1's DeriveKeyPair input, suite 2's 64-byte X-Wing
 * eseed). Returns {enc, ...context}; exposed for the vector tests, not for callers.
 */
export function _setupBaseSender(pkR, info, ikmE, suite = SEAL_SUITE_X25519_CHACHA20POLY1305) {
  const kem = kemOf(suite);
  const { sharedSecret, enc } = kem.encap(requireRecipientKey(kem, pkR), ikmE);
  return { enc, ...context(kem.suiteId, sharedSecret, info) };
}

/** SetupBaseR(enc, skR, info) (§5.1.1) for `suite` (default 1); exposed for the vector tests. */
export function _setupBaseRecipient(enc, skR, info, suite = SEAL_SUITE_X25519_CHACHA20POLY1305) {
  const kem = kemOf(suite);
  return context(kem.suiteId, kem.decap(enc, skR), info);
}

// ---------------------------------------------------------------- the Chorus envelope, spec §8

/** info = SEAL_INFO_PREFIX || 0x01 || suite || lp(purpose) || lp(ctx). */
export function sealInfo(purpose, ctx, suite = SEAL_SUITE_X25519_CHACHA20POLY1305) {
  kemOf(suite);
  return concat(
    utf8(SEAL_INFO_PREFIX),
    Uint8Array.of(ENVELOPE_VERSION, suite),
    lp(asLabel(purpose)),
    lp(asBytes(ctx, 'ctx')),
  );
}

/**
 * Seals `plaintext` to the recipient's public key for (purpose, ctx):
 * 0x01 || suite || enc || ct. `options.suite` is the key's suite (default 1);
 * `options.ikmE` fixes the ephemeral randomness (tests only).
 */
export function seal(pk, purpose, ctx, plaintext, options = {}) {
  const suite = options.suite ?? SEAL_SUITE_X25519_CHACHA20POLY1305;
  requireBytes(plaintext, 'plaintext');
  const info = sealInfo(purpose, ctx, suite);
  const sender = _setupBaseSender(pk, info, options.ikmE, suite);
  const ct = sender.seal(0, EMPTY, plaintext);
  return concat(Uint8Array.of(ENVELOPE_VERSION, suite), sender.enc, ct);
}

/**
 * Opens a sealed envelope with the recipient's private key of `options.suite` (default 1).
 * Strict: UnsupportedVersion for an unknown version or an envelope of another suite,
 * InvalidEnvelope when too short, DecryptionFailed for a wrong key, purpose or scope or any
 * tampering.
 */
export function open(sk, purpose, ctx, sealed, options = {}) {
  const suite = options.suite ?? SEAL_SUITE_X25519_CHACHA20POLY1305;
  const kem = kemOf(suite);
  requireSecretKey(kem, sk);
  requireBytes(sealed, 'sealed');
  if (sealed.length < 1) throw new InvalidEnvelope('sealed: empty');
  if (sealed[0] !== ENVELOPE_VERSION) throw new UnsupportedVersion(`sealed: version ${sealed[0]}`);
  if (sealed.length < 2) throw new InvalidEnvelope('sealed: truncated');
  if (sealed[1] !== suite) throw new UnsupportedVersion(`sealed: suite ${sealed[1]}, the key's is ${suite}`);
  if (sealed.length < 2 + kem.nEnc + AEAD_TAG_LENGTH) throw new InvalidEnvelope('sealed: truncated');
  const enc = sealed.subarray(2, 2 + kem.nEnc);
  const ct = sealed.subarray(2 + kem.nEnc);
  const recipient = _setupBaseRecipient(enc, sk, sealInfo(purpose, ctx, suite), suite);
  try {
    return recipient.open(0, EMPTY, ct);
  } catch {
    throw new DecryptionFailed('sealed: authentication failed');
  }
}
