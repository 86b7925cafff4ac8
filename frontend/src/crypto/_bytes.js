// Byte helpers shared by the crypto modules (internal; not part of the public API).

import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { GROUP_ORDER } from './labels.js';

const encoder = new TextEncoder();

/** UTF-8 encoding of a string. */
export const utf8 = (s) => encoder.encode(s);

/** Accepts a Uint8Array (copied) or a string (UTF-8); anything else is a TypeError. */
export function asBytes(value, what = 'value') {
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (typeof value === 'string') return utf8(value);
  throw new TypeError(`${what}: expected Uint8Array or string`);
}

/** A label (purpose): an ASCII string or ASCII bytes, as bytes; RangeError otherwise. */
export function asLabel(value, what = 'purpose') {
  const b = asBytes(value, what);
  if (b.some((c) => c > 0x7f)) throw new RangeError(`${what}: labels are ASCII`);
  return b;
}

/** Requires a Uint8Array, optionally of an exact length; returns it unchanged. */
export function requireBytes(value, what, length) {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what}: expected Uint8Array`);
  if (length !== undefined && value.length !== length)
    throw new RangeError(`${what}: expected ${length} bytes, got ${value.length}`);
  return value;
}

export function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** I2OSP(n, w): big-endian, exactly w bytes. */
export function i2osp(n, w) {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 2 ** (8 * w))
    throw new RangeError(`i2osp: ${n} does not fit in ${w} bytes`);
  const out = new Uint8Array(w);
  for (let i = w - 1; i >= 0; i--) {
    out[i] = n & 0xff;
    n = Math.floor(n / 256);
  }
  return out;
}

/** Big-endian reading of up to 6 bytes. */
export function os2ip(bytes) {
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

/** lp(x) = I2OSP(len(x), 2) || x. */
export function lp(x) {
  if (x.length > 0xffff) throw new RangeError('lp: longer than 65535 bytes');
  return concat(i2osp(x.length, 2), x);
}

/** OS2IP_LE(b) mod L. */
export const reduceLE = (bytes) => bytesToNumberLE(bytes) % GROUP_ORDER;

/** LE32(s): 32-byte little-endian encoding of a scalar already reduced mod L. */
export const le32 = (s) => numberToBytesLE(s, 32);

/** Reads a canonical 32-byte little-endian scalar; returns a bigint or null if not canonical. */
export function readScalar(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) return null;
  const s = bytesToNumberLE(bytes);
  return s < GROUP_ORDER ? s : null;
}

export const modL = (x) => {
  const r = x % GROUP_ORDER;
  return r < 0n ? r + GROUP_ORDER : r;
};
