// Normalisation and key derivation for codenames and recovery codes (docs/protocols/accounts.md),
// the twin of chorus.accounts.codename; no wordlist here, so Node tests can import it
// (frontend/test/account.test.mjs runs the vectors Python also passes).

import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// Labels: mirrors of chorus.crypto.suites (and frontend/src/crypto/labels.js).
const ACCOUNT_SALT = 'chorus/account/v1';
const ACCOUNT_RECOVERY_SALT = 'chorus/account/v1/recovery';
const KEY_LENGTH = 32;

/** NFKC, lowercase, words split on whitespace or hyphens and joined by one space. */
export function codenameNormalise(text) {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[\s-]+/u)
    .filter(Boolean)
    .join(' ');
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
