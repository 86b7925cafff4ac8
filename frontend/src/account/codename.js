// Codenames, recovery codes and their keys (docs/protocols/accounts.md); the same rules as
// chorus.accounts.codename in Python. The EFF large wordlist (CC BY 3.0 US) is bundled from
// src/chorus/accounts/eff_large_wordlist.txt, the file Python reads.

import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import wordlistText from '../../../src/chorus/accounts/eff_large_wordlist.txt';

export const CODENAME_WORDS = 7;
export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_CHARS = 26;

// Labels: mirrors of chorus.crypto.suites (and frontend/src/crypto/labels.js).
const ACCOUNT_SALT = 'chorus/account/v1';
const ACCOUNT_RECOVERY_SALT = 'chorus/account/v1/recovery';
const KEY_LENGTH = 32;

export const WORDS = Object.freeze(
  wordlistText
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#')),
);

function uniformIndex(n) {
  // Rejection sampling: every index below n is equally likely.
  const limit = Math.floor(2 ** 32 / n) * n;
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf[0] < limit) return buf[0] % n;
  }
}

/** Seven words drawn uniformly from the 7776 (90.5 bits). */
export function codenameGenerate() {
  if (WORDS.length !== 7776) throw new Error('wordlist: expected 7776 words');
  return Array.from({ length: CODENAME_WORDS }, () => WORDS[uniformIndex(WORDS.length)]).join(' ');
}

/** NFKC, lowercase, words split on whitespace or hyphens and joined by one space. */
export function codenameNormalise(text) {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[\s-]+/u)
    .filter(Boolean)
    .join(' ');
}

/** 128 random bits in Crockford base32 (26 characters), in groups of four. */
export function recoveryGenerate() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  let chars = '';
  for (let i = RECOVERY_CHARS - 1; i >= 0; i--) chars += CROCKFORD[Number((value >> BigInt(5 * i)) & 31n)];
  return chars.match(/.{1,4}/g).join(' ');
}

/** Uppercase, spaces and hyphens dropped, O read as 0 and I, L as 1. */
export function recoveryNormalise(text) {
  return text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s-]+/gu, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

function keys(salt, secret) {
  const root = extract(sha512, utf8ToBytes(secret), utf8ToBytes(salt));
  return {
    auth: expand(sha512, root, utf8ToBytes('auth'), KEY_LENGTH),
    wrap: expand(sha512, root, utf8ToBytes('wrap'), KEY_LENGTH),
  };
}

export const codenameKeys = (codename) => keys(ACCOUNT_SALT, codenameNormalise(codename));
export const recoveryKeys = (code) => keys(ACCOUNT_RECOVERY_SALT, recoveryNormalise(code));
export const SALTS = Object.freeze({ codename: ACCOUNT_SALT, recovery: ACCOUNT_RECOVERY_SALT });
