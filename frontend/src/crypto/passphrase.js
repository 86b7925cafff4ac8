// Passphrase-derived keys (spec §2, §8): Argon2id (RFC 9106, version 0x13) in pure
// JavaScript from @noble/hashes, because the site's CSP forbids WebAssembly.
//
//   key     = Argon2id(passphrase (UTF-8), salt (16), m KiB, t, p) -> 32 bytes
//   wrapped = 0x01 || salt (16) || I2OSP(m_KiB, 4) || I2OSP(t, 1) || I2OSP(p, 1) || box
//
// The box is the §8 AEAD box under that key with purpose PASSPHRASE_LABEL, the caller's
// scope `ctx` and an empty index. The parameters travel with the envelope so they can
// be raised later; opening refuses parameters below the spec's floor (a tampered,
// weakened envelope) and absurdly large ones (a browser-hanging envelope).

import { argon2id, argon2idAsync } from '@noble/hashes/argon2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { asBytes, concat, i2osp, os2ip, requireBytes } from './_bytes.js';
import { open as boxOpen, seal as boxSeal } from './box.js';
import { InvalidEnvelope, UnsupportedVersion } from './errors.js';
import {
  ARGON2_MEMORY_KIB,
  ARGON2_OUTPUT_LENGTH,
  ARGON2_PARALLELISM,
  ARGON2_SALT_LENGTH,
  ARGON2_TIME_COST,
  ENVELOPE_VERSION,
  PASSPHRASE_LABEL,
} from './labels.js';

/** The spec's parameters (OWASP's minimum for Argon2id). */
export const DEFAULT_PARAMS = Object.freeze({ mKiB: ARGON2_MEMORY_KIB, tCost: ARGON2_TIME_COST, p: ARGON2_PARALLELISM });
/** Largest memory cost an envelope may ask for: 1 GiB. */
export const MAX_MEMORY_KIB = 1024 * 1024;
const HEADER_LENGTH = 1 + ARGON2_SALT_LENGTH + 4 + 1 + 1;

function argonOptions(salt, { mKiB, tCost, p }) {
  requireBytes(salt, 'salt', ARGON2_SALT_LENGTH);
  if (!Number.isInteger(p) || p < 1 || p > 255) throw new RangeError('p: 1..255');
  if (!Number.isInteger(tCost) || tCost < 1 || tCost > 255) throw new RangeError('t_cost: 1..255');
  // noble caps its allocation below 4 GiB; so does this KDF (m < 2^22 KiB).
  if (!Number.isInteger(mKiB) || mKiB < 8 * p || mKiB >= 2 ** 22) throw new RangeError('m_kib: 8p..2^22-1');
  return { m: mKiB, t: tCost, p, dkLen: ARGON2_OUTPUT_LENGTH, version: 0x13, maxmem: 2 ** 32 - 1 };
}

// A string with a lone surrogate has no UTF-8 encoding (TextEncoder would silently put
// U+FFFD in its place, and two different passphrases would give one key): refuse it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function passphraseBytes(passphrase) {
  if (typeof passphrase === 'string' && LONE_SURROGATE.test(passphrase))
    throw new RangeError('passphrase: not valid Unicode text');
  return asBytes(passphrase, 'passphrase');
}

/** Argon2id(passphrase, salt) -> 32-byte key. `passphrase` is a string (UTF-8) or bytes. */
export function deriveKey(passphrase, salt, params = DEFAULT_PARAMS) {
  return argon2id(passphraseBytes(passphrase), salt, argonOptions(salt, params));
}

/**
 * Same as deriveKey without blocking the page: yields to the event loop every
 * `asyncTick` ms and reports progress (0..1) through `onProgress`.
 */
export function deriveKeyAsync(passphrase, salt, params = DEFAULT_PARAMS, { onProgress, asyncTick = 10 } = {}) {
  const opts = { ...argonOptions(salt, params), asyncTick };
  if (onProgress) opts.onProgress = onProgress;
  return argon2idAsync(passphraseBytes(passphrase), salt, opts);
}

function checkFloor({ mKiB, tCost, p }, fail) {
  if (mKiB < ARGON2_MEMORY_KIB || tCost < ARGON2_TIME_COST || p < 1 || mKiB > MAX_MEMORY_KIB)
    throw fail(`Argon2id parameters m=${mKiB} KiB, t=${tCost}, p=${p} outside the allowed range`);
}

function header(salt, { mKiB, tCost, p }) {
  return concat(Uint8Array.of(ENVELOPE_VERSION), salt, i2osp(mKiB, 4), i2osp(tCost, 1), i2osp(p, 1));
}

/** Strict parse of a passphrase-wrapped envelope: {salt, params, box}. */
export function parseWrapped(envelope) {
  requireBytes(envelope, 'envelope');
  if (envelope.length < 1) throw new InvalidEnvelope('wrapped key: empty');
  if (envelope[0] !== ENVELOPE_VERSION) throw new UnsupportedVersion(`wrapped key: version ${envelope[0]}`);
  if (envelope.length < HEADER_LENGTH + 1) throw new InvalidEnvelope('wrapped key: truncated');
  const salt = envelope.slice(1, 1 + ARGON2_SALT_LENGTH);
  let o = 1 + ARGON2_SALT_LENGTH;
  const params = { mKiB: os2ip(envelope.subarray(o, o + 4)), tCost: envelope[o + 4], p: envelope[o + 5] };
  checkFloor(params, (m) => new InvalidEnvelope(m));
  if (params.mKiB < 8 * params.p) throw new InvalidEnvelope('wrapped key: m < 8p');
  return { salt, params, box: envelope.slice(HEADER_LENGTH) };
}

function wrapWithKey(key, salt, params, plaintext, ctx, nonce) {
  const box = boxSeal(key, PASSPHRASE_LABEL, ctx, new Uint8Array(0), plaintext, nonce ? { nonce } : {});
  return concat(header(salt, params), box);
}

/**
 * Wraps `plaintext` (e.g. an advocate's HPKE private key or a survivor id) under the
 * passphrase. `options`: ctx (scope bytes/string, default empty), params
 * ({mKiB, tCost, p}, default the spec's), salt and nonce (tests only).
 */
export function wrap(passphrase, plaintext, options = {}) {
  const params = options.params ?? DEFAULT_PARAMS;
  checkFloor(params, (m) => new RangeError(m));
  const salt = options.salt ?? randomBytes(ARGON2_SALT_LENGTH);
  requireBytes(salt, 'salt', ARGON2_SALT_LENGTH);
  requireBytes(plaintext, 'plaintext');
  const key = deriveKey(passphrase, salt, params);
  return wrapWithKey(key, salt, params, plaintext, options.ctx ?? '', options.nonce);
}

/** wrap() without blocking the page. */
export async function wrapAsync(passphrase, plaintext, options = {}) {
  const params = options.params ?? DEFAULT_PARAMS;
  checkFloor(params, (m) => new RangeError(m));
  const salt = options.salt ?? randomBytes(ARGON2_SALT_LENGTH);
  requireBytes(salt, 'salt', ARGON2_SALT_LENGTH);
  requireBytes(plaintext, 'plaintext');
  const key = await deriveKeyAsync(passphrase, salt, params, options);
  return wrapWithKey(key, salt, params, plaintext, options.ctx ?? '', options.nonce);
}

/** Opens a wrapped envelope: DecryptionFailed for a wrong passphrase or scope. */
export function unwrap(passphrase, envelope, options = {}) {
  const { salt, params, box } = parseWrapped(envelope);
  const key = deriveKey(passphrase, salt, params);
  return boxOpen(key, PASSPHRASE_LABEL, options.ctx ?? '', new Uint8Array(0), box);
}

/** unwrap() without blocking the page. */
export async function unwrapAsync(passphrase, envelope, options = {}) {
  const { salt, params, box } = parseWrapped(envelope);
  const key = await deriveKeyAsync(passphrase, salt, params, options);
  return boxOpen(key, PASSPHRASE_LABEL, options.ctx ?? '', new Uint8Array(0), box);
}
