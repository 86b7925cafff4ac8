// A record's key and its envelope (docs/protocols/records.md §2-3).
//
//   record key = HKDF-SHA512(salt "chorus/record/v1", ikm sid, info "") -> 32 bytes
//   envelope   = box(record key, purpose "record", ctx "chorus/record/v1", index empty,
//                    UTF-8 JSON of the record)
//
// The sid is the survivor id the account page keeps in sessionStorage: it survives recovery
// with a new codename, so a recovered account still opens its records.

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';

export const RECORD_SALT = new TextEncoder().encode('chorus/record/v1');
export const RECORD_CTX = RECORD_SALT;
export const PLAINTEXT_VERSION = 1;
export const QUESTIONS = Object.freeze(['what', 'when', 'where', 'who', 'witnesses', 'impact']);

export function recordKey(sid) {
  return hkdf(sha512, sid, RECORD_SALT, new Uint8Array(0), 32);
}

export function toBase64(bytes) {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
}

export function fromBase64(text) {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** {answers: {what: "...", ...}, attachments: [{name, type, bytes}]} -> plaintext bytes. */
export function encodeRecord({ answers, attachments }) {
  const clean = {};
  for (const q of QUESTIONS) clean[q] = typeof answers[q] === 'string' ? answers[q] : '';
  return new TextEncoder().encode(
    JSON.stringify({
      v: PLAINTEXT_VERSION,
      answers: clean,
      attachments: attachments.map((a) => ({ name: a.name, type: a.type, data: toBase64(a.bytes) })),
    }),
  );
}

export function decodeRecord(plaintext) {
  const data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  if (!data || data.v !== PLAINTEXT_VERSION || typeof data.answers !== 'object' || !Array.isArray(data.attachments)) {
    throw new Error('record: unknown format');
  }
  const answers = {};
  for (const q of QUESTIONS) answers[q] = typeof data.answers[q] === 'string' ? data.answers[q] : '';
  const attachments = data.attachments.map((a) => ({ name: String(a.name), type: String(a.type), bytes: fromBase64(a.data) }));
  return { answers, attachments };
}
