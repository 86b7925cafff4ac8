// AEAD box (spec §8): 0x01 || nonce (12) || ChaCha20-Poly1305(K, nonce, plaintext, aad)
// with aad = 0x01 || lp(purpose) || lp(ctx) || π. Purpose, scope and index are bound
// through the aad, so a box moved to another purpose, deployment or index fails to open.

import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { asBytes, asLabel, concat, lp, requireBytes } from './_bytes.js';
import { DecryptionFailed, InvalidEnvelope, UnsupportedVersion } from './errors.js';
import { AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, ENVELOPE_VERSION } from './labels.js';

/** aad = 0x01 || lp(purpose) || lp(ctx) || index. `index` may be empty (no π). */
export function boxAad(purpose, ctx, index = new Uint8Array(0)) {
  return concat(
    Uint8Array.of(ENVELOPE_VERSION),
    lp(asLabel(purpose)),
    lp(asBytes(ctx, 'ctx')),
    requireBytes(index, 'index'),
  );
}

/**
 * Seals `plaintext` under the 32-byte key. `options.nonce` fixes the 12-byte nonce
 * (tests and interop only: a repeated nonce under one key breaks ChaCha20-Poly1305).
 */
export function seal(key, purpose, ctx, index, plaintext, options = {}) {
  requireBytes(key, 'key', AEAD_KEY_LENGTH);
  requireBytes(plaintext, 'plaintext');
  const nonce = options.nonce === undefined ? randomBytes(AEAD_NONCE_LENGTH) : requireBytes(options.nonce, 'nonce', AEAD_NONCE_LENGTH);
  const ct = chacha20poly1305(key, nonce, boxAad(purpose, ctx, index)).encrypt(plaintext);
  return concat(Uint8Array.of(ENVELOPE_VERSION), nonce, ct);
}

/** Opens a box; UnsupportedVersion, InvalidEnvelope (too short) or DecryptionFailed. */
export function open(key, purpose, ctx, index, box) {
  requireBytes(key, 'key', AEAD_KEY_LENGTH);
  requireBytes(box, 'box');
  if (box.length < 1) throw new InvalidEnvelope('box: empty');
  if (box[0] !== ENVELOPE_VERSION) throw new UnsupportedVersion(`box: version ${box[0]}`);
  if (box.length < 1 + AEAD_NONCE_LENGTH + AEAD_TAG_LENGTH) throw new InvalidEnvelope('box: truncated');
  const nonce = box.subarray(1, 1 + AEAD_NONCE_LENGTH);
  const aad = boxAad(purpose, ctx, index);
  try {
    return chacha20poly1305(key, nonce, aad).decrypt(box.subarray(1 + AEAD_NONCE_LENGTH));
  } catch {
    throw new DecryptionFailed('box: authentication failed');
  }
}
