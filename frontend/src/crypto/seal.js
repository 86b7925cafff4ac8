// Sealing to a recipient (spec §8): RFC 9180 HPKE, base mode, suite
// DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305 (0x0020, 0x0001, 0x0003),
// single-shot, sequence number 0, aad empty.
//
//   sealed = 0x01 || suite (0x01) || enc (32) || ct
//   info   = SEAL_INFO_PREFIX || 0x01 || suite || lp(purpose) || lp(ctx)
//
// HPKE is composed here from audited noble primitives (x25519 from @noble/curves,
// HKDF/HMAC/SHA-256 from @noble/hashes, ChaCha20-Poly1305 from @noble/ciphers), step by
// step after RFC 9180 §4 and §5. It is checked against every value of the RFC's
// A.2.1 base-mode vector (including all encryptions and exports) and, both ways,
// against @hpke/core (a test-only dependency): see frontend/README.md for why it is
// not @hpke/core itself.

import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { asBytes, asLabel, concat, i2osp, lp, requireBytes, utf8 } from './_bytes.js';
import { DecryptionFailed, InvalidElement, InvalidEnvelope, InvalidScalar, UnsupportedVersion } from './errors.js';
import {
  AEAD_TAG_LENGTH,
  ENVELOPE_VERSION,
  HPKE_AEAD_CHACHA20POLY1305,
  HPKE_KDF_HKDF_SHA256,
  HPKE_KEM_X25519_HKDF_SHA256,
  SEAL_INFO_PREFIX,
  SEAL_SUITE_X25519_CHACHA20POLY1305,
  X25519_KEY_LENGTH,
} from './labels.js';

const MODE_BASE = 0x00;
const N_SECRET = 32; // KEM Nsecret, KDF Nh
const N_K = 32; // AEAD key
const N_N = 12; // AEAD nonce
const HPKE_V1 = utf8('HPKE-v1');
const EMPTY = new Uint8Array(0);
const KEM_SUITE_ID = concat(utf8('KEM'), i2osp(HPKE_KEM_X25519_HKDF_SHA256, 2));
const HPKE_SUITE_ID = concat(
  utf8('HPKE'),
  i2osp(HPKE_KEM_X25519_HKDF_SHA256, 2),
  i2osp(HPKE_KDF_HKDF_SHA256, 2),
  i2osp(HPKE_AEAD_CHACHA20POLY1305, 2),
);

// RFC 9180 §4: LabeledExtract / LabeledExpand with HKDF-SHA256.
const labeledExtract = (suiteId, salt, label, ikm) =>
  extract(sha256, concat(HPKE_V1, suiteId, utf8(label), ikm), salt);
const labeledExpand = (suiteId, prk, label, info, L) =>
  expand(sha256, prk, concat(i2osp(L, 2), HPKE_V1, suiteId, utf8(label), info), L);

// ---------------------------------------------------------------- DHKEM(X25519, HKDF-SHA256), §4.1, §7.1

/** DeriveKeyPair(ikm) of RFC 9180 §7.1.3: {secretKey, publicKey}. */
export function deriveKeyPair(ikm) {
  requireBytes(ikm, 'ikm');
  const dkpPrk = labeledExtract(KEM_SUITE_ID, EMPTY, 'dkp_prk', ikm);
  const secretKey = labeledExpand(KEM_SUITE_ID, dkpPrk, 'sk', EMPTY, N_SECRET);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** A fresh recipient key pair (GenerateKeyPair = DeriveKeyPair(random 32 bytes)). */
export function generateKeyPair() {
  return deriveKeyPair(randomBytes(32));
}

/** The X25519 public key of a 32-byte private key. */
export function publicKey(secretKey) {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== X25519_KEY_LENGTH)
    throw new InvalidScalar('X25519 private key: expected 32 bytes');
  return x25519.getPublicKey(secretKey);
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

function encap(pkR, ikmE) {
  const { secretKey: skE, publicKey: enc } = ikmE === undefined ? generateKeyPair() : deriveKeyPair(ikmE);
  const dhValue = dh(skE, pkR, () => new InvalidElement('recipient public key: low-order point'));
  return { sharedSecret: extractAndExpand(dhValue, concat(enc, pkR)), enc };
}

function decap(enc, skR) {
  const dhValue = dh(skR, enc, () => new DecryptionFailed('enc: low-order point'));
  return extractAndExpand(dhValue, concat(enc, x25519.getPublicKey(skR)));
}

// ---------------------------------------------------------------- key schedule, §5.1 (base mode)

function keySchedule(sharedSecret, info) {
  const pskIdHash = labeledExtract(HPKE_SUITE_ID, EMPTY, 'psk_id_hash', EMPTY);
  const infoHash = labeledExtract(HPKE_SUITE_ID, EMPTY, 'info_hash', info);
  const keyScheduleContext = concat(Uint8Array.of(MODE_BASE), pskIdHash, infoHash);
  const secret = labeledExtract(HPKE_SUITE_ID, sharedSecret, 'secret', EMPTY);
  return {
    keyScheduleContext,
    secret,
    key: labeledExpand(HPKE_SUITE_ID, secret, 'key', keyScheduleContext, N_K),
    baseNonce: labeledExpand(HPKE_SUITE_ID, secret, 'base_nonce', keyScheduleContext, N_N),
    exporterSecret: labeledExpand(HPKE_SUITE_ID, secret, 'exp', keyScheduleContext, N_SECRET),
  };
}

// A base-mode context: seal/open with an explicit sequence number (§5.2), export (§5.3).
function context(sharedSecret, info) {
  const ks = keySchedule(sharedSecret, info);
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
    export: (exporterContext, L) => labeledExpand(HPKE_SUITE_ID, ks.exporterSecret, 'sec', exporterContext, L),
  };
}

/**
 * SetupBaseS(pkR, info) (§5.1.1). `ikmE` fixes the ephemeral key (test vectors only).
 * Returns {enc, ...context}; exposed for the RFC 9180 vector test, not for callers.
 */
export function _setupBaseSender(pkR, info, ikmE) {
  requireRecipientKey(pkR);
  const { sharedSecret, enc } = encap(pkR, ikmE);
  return { enc, ...context(sharedSecret, info) };
}

/** SetupBaseR(enc, skR, info) (§5.1.1); exposed for the vector test. */
export function _setupBaseRecipient(enc, skR, info) {
  return context(decap(enc, skR), info);
}

function requireRecipientKey(pk) {
  if (!(pk instanceof Uint8Array) || pk.length !== X25519_KEY_LENGTH)
    throw new InvalidElement('recipient public key: expected 32 bytes');
}

// ---------------------------------------------------------------- the Chorus envelope, spec §8

/** info = SEAL_INFO_PREFIX || 0x01 || suite || lp(purpose) || lp(ctx). */
export function sealInfo(purpose, ctx, suite = SEAL_SUITE_X25519_CHACHA20POLY1305) {
  return concat(
    utf8(SEAL_INFO_PREFIX),
    Uint8Array.of(ENVELOPE_VERSION, suite),
    lp(asLabel(purpose)),
    lp(asBytes(ctx, 'ctx')),
  );
}

/**
 * Seals `plaintext` to the recipient's X25519 public key for (purpose, ctx):
 * 0x01 || 0x01 || enc || ct. `options.ikmE` fixes the ephemeral key (tests only).
 */
export function seal(pk, purpose, ctx, plaintext, options = {}) {
  requireBytes(plaintext, 'plaintext');
  const info = sealInfo(purpose, ctx);
  const sender = _setupBaseSender(pk, info, options.ikmE);
  const ct = sender.seal(0, EMPTY, plaintext);
  return concat(Uint8Array.of(ENVELOPE_VERSION, SEAL_SUITE_X25519_CHACHA20POLY1305), sender.enc, ct);
}

/**
 * Opens a sealed envelope with the recipient's 32-byte X25519 private key. Strict:
 * UnsupportedVersion for an unknown version or suite, InvalidEnvelope when too short,
 * DecryptionFailed for a wrong key, purpose or scope or any tampering.
 */
export function open(sk, purpose, ctx, sealed) {
  if (!(sk instanceof Uint8Array) || sk.length !== X25519_KEY_LENGTH)
    throw new InvalidScalar('X25519 private key: expected 32 bytes');
  requireBytes(sealed, 'sealed');
  if (sealed.length < 1) throw new InvalidEnvelope('sealed: empty');
  if (sealed[0] !== ENVELOPE_VERSION) throw new UnsupportedVersion(`sealed: version ${sealed[0]}`);
  if (sealed.length < 2) throw new InvalidEnvelope('sealed: truncated');
  if (sealed[1] !== SEAL_SUITE_X25519_CHACHA20POLY1305) throw new UnsupportedVersion(`sealed: suite ${sealed[1]}`);
  if (sealed.length < 2 + X25519_KEY_LENGTH + AEAD_TAG_LENGTH) throw new InvalidEnvelope('sealed: truncated');
  const enc = sealed.subarray(2, 2 + X25519_KEY_LENGTH);
  const ct = sealed.subarray(2 + X25519_KEY_LENGTH);
  const recipient = _setupBaseRecipient(enc, sk, sealInfo(purpose, ctx));
  try {
    return recipient.open(0, EMPTY, ct);
  } catch {
    throw new DecryptionFailed('sealed: authentication failed');
  }
}
