// Escrow derivations (spec §4, §6, §7) and the share plaintext (§8).
//
// From the OPRF output y: the index π, the secret a0 and the coefficients a1..a(t-1)
// of a degree t-1 polynomial over GF(L), and the entry key K. A survivor's share is
// (U, f(U)) with U derived from their survivor id; any t shares with distinct U
// give back a0 by Lagrange interpolation at 0, and so K.
//
// JavaScript BigInt arithmetic is not constant time; every value here is either
// public to the party computing it or (for the advocate) already in their hands.

import { ristretto255 } from '@noble/curves/ed25519.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concat, i2osp, le32, lp, os2ip, readScalar, reduceLE, requireBytes, utf8 } from './_bytes.js';
import {
  DecryptionFailed,
  DuplicateShare,
  InvalidEnvelope,
  InvalidScalar,
  NotEnoughShares,
  UnsupportedVersion,
} from './errors.js';
import {
  ENTRY_KEY_LENGTH,
  ENVELOPE_VERSION,
  ESCROW_SALT,
  INDEX_LENGTH,
  LABEL_COEFFICIENT,
  LABEL_ENTRY_KEY,
  LABEL_INDEX,
  LABEL_SECRET,
  LABEL_SURVIVOR,
  OPRF_OUTPUT_LENGTH,
  SURVIVOR_ID_LENGTH,
  THRESHOLD_MAX,
  THRESHOLD_MIN,
} from './labels.js';

const Fn = ristretto255.Point.Fn;

export function checkThreshold(t) {
  if (!Number.isInteger(t) || t < THRESHOLD_MIN || t > THRESHOLD_MAX)
    throw new RangeError(`threshold t must be an integer in ${THRESHOLD_MIN}..${THRESHOLD_MAX}, got ${t}`);
  return t;
}

const bytesArg = (x, what) => {
  requireBytes(x, what);
  if (x.length > 0xffff) throw new RangeError(`${what}: longer than 65535 bytes`);
  return x;
};

// ---------------------------------------------------------------- §4

/** K = HKDF-Expand(HKDF-Extract(salt = ESCROW_SALT, IKM = LE32(a0)), LABEL_ENTRY_KEY, 32). */
export function entryKeyFromSecret(secret) {
  const a0 = secret instanceof Uint8Array ? readScalar(secret) : secret;
  if (typeof a0 !== 'bigint' || a0 < 0n || a0 >= Fn.ORDER) throw new InvalidScalar('secret: not a canonical scalar');
  const prk = extract(sha512, le32(a0), utf8(ESCROW_SALT));
  return expand(sha512, prk, utf8(LABEL_ENTRY_KEY), ENTRY_KEY_LENGTH);
}

// The polynomial as bigints [a0, a1, ..., a(t-1)] plus π and K.
function derivePolynomial(output, ctx, t) {
  checkThreshold(t);
  requireBytes(output, 'OPRF output', OPRF_OUTPUT_LENGTH);
  bytesArg(ctx, 'ctx');
  const prk = extract(sha512, output, concat(utf8(ESCROW_SALT), lp(ctx)));
  const index = expand(sha512, prk, concat(utf8(LABEL_INDEX), i2osp(t, 1)), INDEX_LENGTH);
  const coefficients = [reduceLE(expand(sha512, prk, utf8(LABEL_SECRET), 64))];
  for (let j = 1; j < t; j++)
    coefficients.push(reduceLE(expand(sha512, prk, concat(utf8(LABEL_COEFFICIENT), i2osp(j, 2)), 64)));
  return { index, coefficients };
}

/**
 * §4: from the 64-byte OPRF output y, the scope ctx and the threshold t, returns
 * {index (32 bytes), secret (LE32(a0)), coefficients ([LE32(a1) .. LE32(a(t-1))]), entryKey (32 bytes)}.
 */
export function derive(output, ctx, t) {
  const { index, coefficients } = derivePolynomial(output, ctx, t);
  return {
    index,
    secret: le32(coefficients[0]),
    coefficients: coefficients.slice(1).map(le32),
    entryKey: entryKeyFromSecret(coefficients[0]),
  };
}

// ---------------------------------------------------------------- §6

/**
 * U = OS2IP_LE(SHA-512(LABEL_SURVIVOR || lp(sid) || π)) mod L as LE32; U = 0 is InvalidScalar.
 * π is in the hash so that one survivor's U differs from group to group (unlinkable).
 */
export function survivorValue(sid, index) {
  requireBytes(sid, 'survivor id', SURVIVOR_ID_LENGTH);
  requireBytes(index, 'index', INDEX_LENGTH);
  const u = reduceLE(sha512(concat(utf8(LABEL_SURVIVOR), lp(sid), index)));
  if (u === 0n) throw new InvalidScalar('survivor value U is zero');
  return le32(u);
}

/** §6: the survivor's share {u, s} (LE32 each) with s = f(U) = a0 + a1 U + ... + a(t-1) U^(t-1). */
export function share(output, ctx, t, sid) {
  const { index, coefficients } = derivePolynomial(output, ctx, t);
  const uBytes = survivorValue(sid, index);
  const u = readScalar(uBytes);
  let s = 0n;
  for (let j = coefficients.length - 1; j >= 0; j--) s = Fn.add(Fn.mul(s, u), coefficients[j]); // Horner
  return { u: uBytes, s: le32(s) };
}

// ---------------------------------------------------------------- §7

function readShare(sh, i) {
  const u = readScalar(sh?.u);
  const s = readScalar(sh?.s);
  if (u === null) throw new InvalidScalar(`share ${i}: U is not a canonical 32-byte scalar`);
  if (s === null) throw new InvalidScalar(`share ${i}: s is not a canonical 32-byte scalar`);
  if (u === 0n) throw new InvalidScalar(`share ${i}: U is zero`);
  return { u, s };
}

/**
 * §7: a0 = Σ s_i Π_{j≠i} U_j / (U_j − U_i) mod L from shares [{u, s}] (LE32 each).
 * DuplicateShare if two shares have the same U; NotEnoughShares if fewer than
 * `options.t` (default 2) shares. All given shares are used. Returns LE32(a0).
 */
export function recover(shares, options = {}) {
  if (!Array.isArray(shares)) throw new TypeError('shares: expected an array');
  const t = options.t === undefined ? THRESHOLD_MIN : checkThreshold(options.t);
  const pts = shares.map(readShare);
  const seen = new Set();
  for (const { u } of pts) {
    if (seen.has(u)) throw new DuplicateShare('two shares with the same U');
    seen.add(u);
  }
  if (pts.length < t) throw new NotEnoughShares(`${pts.length} share(s), threshold ${t}`);
  let a0 = 0n;
  for (let i = 0; i < pts.length; i++) {
    let num = 1n;
    let den = 1n;
    for (let j = 0; j < pts.length; j++) {
      if (j === i) continue;
      num = Fn.mul(num, pts[j].u);
      den = Fn.mul(den, Fn.sub(pts[j].u, pts[i].u));
    }
    a0 = Fn.add(a0, Fn.mul(pts[i].s, Fn.div(num, den)));
  }
  return le32(a0);
}

function* subsets(n, k, start = 0, prefix = []) {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = start; i <= n - (k - prefix.length); i++) yield* subsets(n, k, i + 1, [...prefix, i]);
}

/**
 * Robust recovery (§7, Callisto's Algorithm 1): tries t-subsets of the shares in order
 * until `tryOpen(entryKey, subset)` returns without throwing DecryptionFailed.
 * Returns {secret, entryKey, subset (indexes into shares), value (what tryOpen returned),
 * unused (indexes of shares outside the subset that opened)}. Shares with a duplicate U
 * are skipped after the first. NotEnoughShares if no subset opens, or none of the first
 * `options.maxAttempts` (default 100000) subsets does.
 */
export function robustRecover(shares, t, tryOpen, options = {}) {
  const maxAttempts = options.maxAttempts ?? 100000;
  checkThreshold(t);
  const pts = shares.map(readShare);
  const distinct = [];
  const seen = new Set();
  pts.forEach((p, i) => {
    if (!seen.has(p.u)) {
      seen.add(p.u);
      distinct.push(i);
    }
  });
  if (distinct.length < t) throw new NotEnoughShares(`${distinct.length} distinct share(s), threshold ${t}`);
  let attempts = 0;
  for (const pick of subsets(distinct.length, t)) {
    if (++attempts > maxAttempts) throw new NotEnoughShares(`no subset opened in ${maxAttempts} attempts`);
    const subset = pick.map((k) => distinct[k]);
    const secret = recover(subset.map((i) => shares[i]), { t });
    const entryKey = entryKeyFromSecret(secret);
    try {
      const value = tryOpen(entryKey, subset);
      const used = new Set(subset);
      return { secret, entryKey, subset, value, unused: shares.map((_, i) => i).filter((i) => !used.has(i)) };
    } catch (err) {
      if (!(err instanceof DecryptionFailed)) throw err;
    }
  }
  throw new NotEnoughShares('no t-subset of the shares opens the entry');
}

// ---------------------------------------------------------------- §8 share plaintext

/** 0x01 || LE32(U) || LE32(s) || I2OSP(t, 1) || lp(entry). */
export function encodeSharePlaintext({ u, s, t, entry }) {
  if (readScalar(u) === null || readScalar(u) === 0n) throw new InvalidScalar('U: not a canonical non-zero scalar');
  if (readScalar(s) === null) throw new InvalidScalar('s: not a canonical scalar');
  checkThreshold(t);
  bytesArg(entry, 'entry');
  return concat(Uint8Array.of(ENVELOPE_VERSION), u, s, i2osp(t, 1), lp(entry));
}

/** Strict parse of the share plaintext: returns {u, s, t, entry}. */
export function parseSharePlaintext(bytes) {
  requireBytes(bytes, 'share plaintext');
  if (bytes.length < 1) throw new InvalidEnvelope('share plaintext: empty');
  if (bytes[0] !== ENVELOPE_VERSION) throw new UnsupportedVersion(`share plaintext: version ${bytes[0]}`);
  if (bytes.length < 1 + 32 + 32 + 1 + 2) throw new InvalidEnvelope('share plaintext: truncated');
  const u = bytes.slice(1, 33);
  const s = bytes.slice(33, 65);
  const t = bytes[65];
  const len = os2ip(bytes.subarray(66, 68));
  if (bytes.length !== 68 + len) throw new InvalidEnvelope('share plaintext: wrong length');
  const uv = readScalar(u);
  if (uv === null || uv === 0n) throw new InvalidScalar('share plaintext: U not a canonical non-zero scalar');
  if (readScalar(s) === null) throw new InvalidScalar('share plaintext: s not canonical');
  if (t < THRESHOLD_MIN || t > THRESHOLD_MAX) throw new InvalidEnvelope(`share plaintext: threshold ${t}`);
  return { u, s, t, entry: bytes.slice(68) };
}
