// Supporter invitation links (docs/protocols/reports.md §8, §11.1).
//
//   s    = 32 random bytes, in the fragment:  #<s base64url, no padding>
//   t    = HKDF-SHA512(salt SUPPORT_SALT, ikm s, info SUPPORT_ACCEPT_INFO, L 32)  (accept token)
//   i    = SHA-256(t)[:16], in the path:       /support/<i hex>
//   box  = box(HKDF-SHA512(salt SUPPORT_SALT, ikm s, info "", L 32), "case-key", ctx_O, case_ref, CK)
//
// The fragment is never sent by a browser, so the server keeps SHA-256(i) and a box it cannot
// open. Accepting sends t, which the server checks against i: whoever saw only the path (a
// browser history, a screen) cannot spend the link. The supporter's page reads `s`, keeps it in
// this tab's sessionStorage only while it is needed (so signing in first does not lose it), and
// removes it from the address bar.

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { SUPPORT_ACCEPT_INFO, SUPPORT_SALT } from '../crypto/labels.js';

export const INVITE_ID_LENGTH = 16;
export const SECRET_LENGTH = 32;
const SECRET_TEXT_LENGTH = 43; // ceil(32 * 4 / 3), no padding
const STASH_PREFIX = 'chorus.support.';

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function toBase64Url(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The 32-byte secret from base64url text without padding, or null for anything else. */
export function secretFromText(text) {
  if (typeof text !== 'string' || text.length !== SECRET_TEXT_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let binary;
  try {
    binary = atob(text.replaceAll('-', '+').replaceAll('_', '/') + '=');
  } catch {
    return null;
  }
  const out = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  // Only the canonical encoding: the last character's two spare bits must be zero.
  return out.length === SECRET_LENGTH && toBase64Url(out) === text ? out : null;
}

const encoder = new TextEncoder();

/** The accept token t: proves to the server that the accepting browser holds the fragment. */
export function acceptToken(secret) {
  return hkdf(sha512, secret, encoder.encode(SUPPORT_SALT), encoder.encode(SUPPORT_ACCEPT_INFO), 32);
}

/** The link's id for a secret: SHA-256(t)[:16]. */
export function inviteIdFor(secret) {
  return sha256(acceptToken(secret)).slice(0, INVITE_ID_LENGTH);
}

/** A new invitation: {inviteId, secret} from the given random source. */
export function makeInvite(random) {
  const secret = random(SECRET_LENGTH);
  if (secret.length !== SECRET_LENGTH) throw new Error('random: wrong length');
  return { inviteId: inviteIdFor(secret), secret };
}

/** Whether a secret belongs to the link's id (a damaged or mixed-up fragment does not). */
export function secretMatches(secret, inviteHex) {
  return hex(inviteIdFor(secret)) === inviteHex;
}

/** The link the reporter sends: origin + /support/<i hex>#<s base64url>. */
export function inviteLink(origin, inviteId, secret) {
  return `${origin}/support/${hex(inviteId)}#${toBase64Url(secret)}`;
}

/** The invitation id (hex) from a /support/<i hex> path, or null. */
export function inviteIdFromPath(pathname) {
  const m = /^\/support\/([0-9a-f]{32})\/?$/.exec(pathname);
  return m ? m[1] : null;
}

/**
 * Takes the secret from the page's fragment (or, when the fragment is gone, from this tab's
 * stash), stashes it for this tab and removes the fragment from the address bar.
 * `win` is the window (location, history, sessionStorage). Returns the secret or null.
 */
export function takeSecret(win, inviteHex) {
  const key = STASH_PREFIX + inviteHex;
  const fragment = win.location.hash.startsWith('#') ? win.location.hash.slice(1) : '';
  if (fragment) {
    // Out of the address bar (and the tab's history entry) before anything else happens.
    win.history.replaceState(null, '', win.location.pathname + win.location.search);
  }
  let secret = fragment ? secretFromText(fragment) : null;
  try {
    if (secret) win.sessionStorage.setItem(key, toBase64Url(secret));
    else secret = secretFromText(win.sessionStorage.getItem(key));
  } catch {
    // Storage refused (private mode): the secret still works on this page load.
  }
  return secret;
}

/** Forget the stashed secret once the invitation is spent. */
export function forgetSecret(win, inviteHex) {
  try {
    win.sessionStorage.removeItem(STASH_PREFIX + inviteHex);
  } catch {
    // nothing stashed
  }
}
