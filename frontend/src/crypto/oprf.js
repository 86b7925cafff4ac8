// RFC 9497 OPRF (mode 0) and VOPRF (mode 1), suite ristretto255-SHA512, as a thin
// layer over @noble/curves' ristretto255_oprf (spec §2, §5).
//
// What this layer adds to noble:
// - typed errors (InvalidElement, InvalidScalar, InvalidProof) checked before noble runs;
// - injectable blinds and proof nonces (for test vectors and the interop harness);
// - VerifyProof on its own (RFC 9497 §2.2.2), which noble keeps internal: the
//   two-key-server client (keyservers.js) verifies each server's proof and only then
//   adds the evaluations.
//
// Byte strings are Uint8Array throughout; scalars are 32 bytes little-endian, canonical (< L).

import { ristretto255, ristretto255_hasher, ristretto255_oprf } from '@noble/curves/ed25519.js';
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concat, i2osp, lp, requireBytes, utf8 } from './_bytes.js';
import { InvalidElement, InvalidProof, InvalidScalar } from './errors.js';
import { MODE_OPRF, MODE_VOPRF, OPRF_SUITE, PROOF_LENGTH } from './labels.js';

const Point = ristretto255.Point;
const Fn = Point.Fn;
const MAX_INPUT = 0xffff;

export { MODE_OPRF, MODE_VOPRF };

function suite(mode) {
  if (mode === MODE_OPRF) return ristretto255_oprf.oprf;
  if (mode === MODE_VOPRF) return ristretto255_oprf.voprf;
  throw new RangeError(`OPRF mode must be 0 or 1, got ${mode}`);
}

/** contextString = "OPRFV1-" || I2OSP(mode, 1) || "-" || identifier (RFC 9497 §3.1). */
export function contextString(mode) {
  suite(mode);
  return concat(utf8('OPRFV1-'), Uint8Array.of(mode), utf8('-' + OPRF_SUITE));
}

function requireInput(input) {
  requireBytes(input, 'input');
  if (input.length > MAX_INPUT) throw new RangeError('input: longer than 65535 bytes');
  return input;
}

/**
 * DeserializeElement with the checks of spec §5: 32 bytes, canonical ristretto255
 * encoding, not the identity. Returns a noble RistrettoPoint; throws InvalidElement.
 */
export function decodeElement(bytes, what = 'element') {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32)
    throw new InvalidElement(`${what}: expected 32 bytes`);
  let point;
  try {
    point = Point.fromBytes(bytes);
  } catch {
    throw new InvalidElement(`${what}: not a canonical ristretto255 encoding`);
  }
  if (point.equals(Point.ZERO)) throw new InvalidElement(`${what}: the identity`);
  return point;
}

/** DeserializeScalar: 32 bytes little-endian, < L; non-zero unless allowZero. Returns a bigint. */
export function decodeScalar(bytes, what = 'scalar', { allowZero = false } = {}) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32)
    throw new InvalidScalar(`${what}: expected 32 bytes`);
  const s = bytesToNumberLE(bytes);
  if (s >= Fn.ORDER) throw new InvalidScalar(`${what}: not canonical (>= L)`);
  if (s === 0n && !allowZero) throw new InvalidScalar(`${what}: zero`);
  return s;
}

// noble draws a scalar as (OS2IP_LE(rng(48)) mod (L - 1)) + 1, so feeding it
// LE(s - 1) over 48 bytes yields exactly s (1 <= s < L). Used only when a caller
// fixes the blind or the proof nonce; otherwise noble uses the platform CSPRNG.
function fixedScalarRng(s) {
  const bytes = numberToBytesLE(s - 1n, 48);
  let used = false;
  return (n) => {
    if (n !== 48 || used) throw new Error('fixed scalar source: unexpected request');
    used = true;
    return bytes;
  };
}

// ---------------------------------------------------------------- keys

/** A fresh random key pair {secretKey, publicKey} (RFC 9497 §3.2). */
export function generateKeyPair() {
  return ristretto255_oprf.voprf.generateKeyPair();
}

/** DeriveKeyPair(seed[32], info) for the given mode (RFC 9497 §3.2.1). */
export function deriveKeyPair(mode, seed, info) {
  requireBytes(seed, 'seed', 32);
  requireBytes(info, 'info');
  return suite(mode).deriveKeyPair(seed, info);
}

/** pkS = skS * G. */
export function publicKey(secretKey) {
  return Point.BASE.multiply(decodeScalar(secretKey, 'secret key')).toBytes();
}

// ---------------------------------------------------------------- client

/**
 * Blind(input): returns {blind, blinded}. `options.blind` (32-byte scalar) fixes the
 * blind instead of drawing it at random (test vectors, interop).
 */
export function blind(mode, input, options = {}) {
  const s = suite(mode);
  requireInput(input);
  if (options.blind === undefined) return s.blind(input);
  const b = decodeScalar(options.blind, 'blind');
  const out = s.blind(input, fixedScalarRng(b));
  if (bytesToNumberLE(out.blind) !== b) throw new Error('blind injection failed');
  return out;
}

/**
 * Finalize (RFC 9497 §3.3.1 / §3.3.2). Mode 1 needs {pk, blinded, proof} and verifies
 * the proof first (noble's VOPRF Finalize). Returns the 64-byte output.
 */
export function finalize(mode, input, blindScalar, evaluated, options = {}) {
  const s = suite(mode);
  requireInput(input);
  decodeScalar(blindScalar, 'blind');
  decodeElement(evaluated, 'evaluated element');
  if (mode === MODE_OPRF) return s.finalize(input, blindScalar, evaluated);
  const { pk, blinded, proof } = options;
  decodeElement(pk, 'public key');
  decodeElement(blinded, 'blinded element');
  decodeProof(proof);
  try {
    return s.finalize(input, blindScalar, evaluated, blinded, pk, proof);
  } catch {
    // Every input was decoded above, so the only failure left is the proof check.
    throw new InvalidProof('proof verification failed');
  }
}

/** VOPRF FinalizeBatch: items [{input, blind, blinded, evaluated}], one proof for all. */
export function finalizeBatch(items, pk, proof) {
  for (const it of items) {
    requireInput(it.input);
    decodeScalar(it.blind, 'blind');
    decodeElement(it.blinded, 'blinded element');
    decodeElement(it.evaluated, 'evaluated element');
  }
  decodeElement(pk, 'public key');
  decodeProof(proof);
  try {
    return ristretto255_oprf.voprf.finalizeBatch(items, pk, proof);
  } catch {
    throw new InvalidProof('proof verification failed');
  }
}

/**
 * The unblind-and-hash step of Finalize without a proof check:
 * SHA-512(lp(input) || lp(blind^-1 * Z) || "Finalize"). It is the same in modes 0 and 1
 * (the finalize hash carries no context string); keyservers.js calls it after it has
 * verified both servers' proofs itself.
 */
export function unblindAndHash(input, blindScalar, evaluated) {
  requireInput(input);
  decodeScalar(blindScalar, 'blind');
  decodeElement(evaluated, 'evaluated element');
  return ristretto255_oprf.oprf.finalize(input, blindScalar, evaluated);
}

// ---------------------------------------------------------------- server

/**
 * BlindEvaluate. Mode 0 returns {evaluated}; mode 1 returns {evaluated, proof}, where
 * `options.proofRandom` fixes the proof nonce r and `options.pk` saves recomputing skS*G.
 */
export function blindEvaluate(mode, secretKey, blinded, options = {}) {
  const s = suite(mode);
  const k = decodeScalar(secretKey, 'secret key');
  decodeElement(blinded, 'blinded element');
  if (mode === MODE_OPRF) return { evaluated: s.blindEvaluate(secretKey, blinded) };
  const res = blindEvaluateBatch(secretKey, [blinded], { ...options, _k: k });
  return { evaluated: res.evaluated[0], proof: res.proof };
}

/** VOPRF BlindEvaluateBatch: one DLEQ proof over all blinded elements (RFC 9497 §3.3.2). */
export function blindEvaluateBatch(secretKey, blindedList, options = {}) {
  const k = options._k ?? decodeScalar(secretKey, 'secret key');
  blindedList.forEach((b, i) => decodeElement(b, `blinded element ${i}`));
  const pk = options.pk ?? Point.BASE.multiply(k).toBytes();
  const rng =
    options.proofRandom === undefined
      ? undefined
      : fixedScalarRng(decodeScalar(options.proofRandom, 'proof random scalar'));
  return ristretto255_oprf.voprf.blindEvaluateBatch(secretKey, pk, blindedList, rng);
}

/** Evaluate(skS, input) without blinding (RFC 9497 §3.3.1 / §3.3.2). */
export function evaluate(mode, secretKey, input) {
  const s = suite(mode);
  decodeScalar(secretKey, 'secret key');
  requireInput(input);
  return s.evaluate(secretKey, input);
}

// ---------------------------------------------------------------- proofs

function decodeProof(proof) {
  if (!(proof instanceof Uint8Array) || proof.length !== PROOF_LENGTH)
    throw new InvalidProof('proof: expected 64 bytes');
  const c = bytesToNumberLE(proof.subarray(0, 32));
  const s = bytesToNumberLE(proof.subarray(32));
  if (c >= Fn.ORDER || s >= Fn.ORDER) throw new InvalidProof('proof: scalar not canonical');
  return [c, s];
}

const VOPRF_CTX = contextString(MODE_VOPRF);
const hashToScalar = (msg) =>
  ristretto255_hasher.hashToScalar(msg, { DST: concat(utf8('HashToScalar-'), VOPRF_CTX) });

/**
 * VerifyProof(G, pkS, C[], D[], proof) of RFC 9497 §2.2.2 for mode 1: checks that
 * D[i] = k * C[i] for the k with pkS = k * G. Throws InvalidElement for a bad
 * encoding and InvalidProof when the proof does not verify.
 */
export function verifyProof(pk, blindedList, evaluatedList, proof) {
  const B = decodeElement(pk, 'public key');
  if (!Array.isArray(blindedList) || blindedList.length === 0 || blindedList.length !== evaluatedList.length)
    throw new RangeError('verifyProof: blinded and evaluated lists must have the same non-zero length');
  const C = blindedList.map((b, i) => decodeElement(b, `blinded element ${i}`));
  const D = evaluatedList.map((e, i) => decodeElement(e, `evaluated element ${i}`));
  const [c, s] = decodeProof(proof);

  // ComputeComposites (§2.2.1)
  const Bm = B.toBytes();
  const seed = sha512(concat(lp(Bm), lp(concat(utf8('Seed-'), VOPRF_CTX))));
  const weights = C.map((Ci, i) =>
    hashToScalar(concat(lp(seed), i2osp(i, 2), lp(Ci.toBytes()), lp(D[i].toBytes()), utf8('Composite'))),
  );
  const M = mulAddUnsafe(Point, C, weights);
  const Z = mulAddUnsafe(Point, D, weights);

  // t2 = s*G + c*pkS, t3 = s*M + c*Z; everything here is public, so variable time is fine.
  const t2 = mulAddUnsafe(Point, [Point.BASE, B], [s, c]);
  const t3 = mulAddUnsafe(Point, [M, Z], [s, c]);
  const expected = hashToScalar(
    concat(lp(Bm), lp(M.toBytes()), lp(Z.toBytes()), lp(t2.toBytes()), lp(t3.toBytes()), utf8('Challenge')),
  );
  if (expected !== c) throw new InvalidProof('proof verification failed');
}
