// Codenames, recovery codes and their keys (docs/protocols/accounts.md); the same rules as
// chorus.accounts.codename in Python. The EFF large wordlist (CC BY 3.0 US) is bundled from
// src/chorus/accounts/eff_large_wordlist.txt, the file Python reads.

import wordlistText from '../../../src/chorus/accounts/eff_large_wordlist.txt';
import { CROCKFORD } from './keys.js';

export { CROCKFORD, codenameKeys, codenameNormalise, recoveryKeys, recoveryNormalise, SALTS } from './keys.js';

export const CODENAME_WORDS = 7;
export const RECOVERY_CHARS = 26;

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

/** 128 random bits in Crockford base32 (26 characters), in groups of four. */
export function recoveryGenerate() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  let chars = '';
  for (let i = RECOVERY_CHARS - 1; i >= 0; i--) chars += CROCKFORD[Number((value >> BigInt(5 * i)) & 31n)];
  return chars.match(/.{1,4}/g).join(' ');
}

