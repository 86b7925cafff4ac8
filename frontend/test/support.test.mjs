// Supporter invitation links (docs/protocols/reports.md §8, §11.1): the link's shape, the secret's
// strict parsing, the fragment taken out of the address bar, and the key chain
// reporter → link → supporter against Python's chorus.crypto.
// tests/browser/test_support.py runs the built pages end to end.
//
//   node --test frontend/test/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as chorus from '../src/crypto/index.js';
import { caseCrypto } from '../src/reports/envelope.js';
import {
  acceptToken,
  forgetSecret,
  inviteIdFor,
  inviteIdFromPath,
  inviteLink,
  makeInvite,
  secretFromText,
  secretMatches,
  takeSecret,
  toBase64Url,
} from '../src/support/link.js';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const S = Uint8Array.from({ length: 32 }, (_, i) => 200 + i);
const REF = Uint8Array.from({ length: 16 }, (_, i) => 100 + i);
const CK = new Uint8Array(32).fill(7);
const cases = caseCrypto(chorus);

test('the link key and box match Python', () => {
  // chorus.crypto.hazmat.kdf: hkdf_expand(hkdf_extract(SUPPORT_SALT, s), b"", 32), and
  // chorus.crypto.box.box_seal(key, CK, purpose="case-key", ctx=b"chorus/case/v1/acme",
  // index=REF, nonce=bytes(12)).
  assert.equal(hex(cases.supportKey(S)), 'a0df936deaa4e6f012c62f13a79c00edb666dcb6f610574342d084cc89d29cae');
  const boxed = chorus.box.seal(cases.supportKey(S), 'case-key', cases.caseCtx('acme'), REF, CK, { nonce: new Uint8Array(12) });
  assert.equal(
    hex(boxed),
    '010000000000000000000000004cdab162e4361cf808c61c6bbf13fb58406dcd519fd5cac69361992eaeae3794ed4b7b5780e97e87f2f785e64ad4dbe1',
  );
});

test('the accept token and the link id match Python', () => {
  // tests/reports/test_support.py: HKDF-SHA512(SUPPORT_SALT, s, SUPPORT_ACCEPT_INFO) and
  // SHA-256 of it, cut to 16 bytes.
  assert.equal(hex(acceptToken(S)), '72c67e225a59d231fffdd96e030743569c5dd7a61e56c1bc85d171caf558568a');
  assert.equal(hex(inviteIdFor(S)), '784d4be66a1247a94f9ac6be771b36f3');
  assert.ok(secretMatches(S, '784d4be66a1247a94f9ac6be771b36f3'));
  assert.ok(!secretMatches(chorus.bytes.random(32), '784d4be66a1247a94f9ac6be771b36f3'));
  // The token is not the box key: the server, which sees the token, cannot open the box.
  assert.notEqual(hex(acceptToken(S)), hex(cases.supportKey(S)));
});

test('an invitation link carries i in the path and s in the fragment only', () => {
  const { inviteId, secret } = makeInvite((n) => new Uint8Array(n).fill(1));
  assert.equal(inviteId.length, 16);
  assert.equal(secret.length, 32);
  assert.deepEqual(inviteId, inviteIdFor(secret));
  const link = inviteLink('https://chorus.example', inviteId, secret);
  const url = new URL(link);
  assert.equal(url.pathname, `/support/${hex(inviteId)}`);
  assert.equal(url.hash, `#${toBase64Url(secret)}`);
  assert.equal(url.search, '');
  assert.deepEqual(secretFromText(url.hash.slice(1)), secret);
  assert.equal(inviteIdFromPath(url.pathname), hex(inviteId));
  assert.ok(!link.includes(hex(acceptToken(secret))));
  assert.throws(() => makeInvite((n) => new Uint8Array(n - 1)), /wrong length/);
});

test('the secret is parsed strictly', () => {
  const text = toBase64Url(S);
  assert.equal(text.length, 43);
  assert.deepEqual(secretFromText(text), S);
  assert.equal(secretFromText(text.slice(1)), null); // too short
  assert.equal(secretFromText(`${text}A`), null); // too long
  assert.equal(secretFromText(`${text}=`), null); // padding
  assert.equal(secretFromText(`${text.slice(0, 42)}+`), null); // standard base64, not url
  assert.equal(secretFromText(`${text.slice(0, 42)}!`), null);
  // The same bytes with the spare low bits of the last character set: not canonical.
  const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bumped = last[last.indexOf(text[42]) + 1];
  assert.equal(secretFromText(text.slice(0, 42) + bumped), null);
  assert.equal(secretFromText(null), null);
  assert.equal(secretFromText(undefined), null);
  assert.equal(inviteIdFromPath('/support/ABCDEF'), null);
  assert.equal(inviteIdFromPath(`/support/${'0'.repeat(31)}`), null);
});

function fakeWindow(hash) {
  const store = new Map();
  const win = {
    replaced: [],
    location: { pathname: `/support/${'ab'.repeat(16)}`, search: '', hash },
    history: {
      replaceState(_state, _title, url) {
        win.replaced.push(url);
        win.location.hash = '';
      },
    },
    sessionStorage: {
      getItem: (k) => (store.has(k) ? store.get(k) : null),
      setItem: (k, v) => store.set(k, String(v)),
      removeItem: (k) => store.delete(k),
    },
  };
  return { win, store };
}

test('the fragment leaves the address bar at once and stays in this tab only while needed', () => {
  const invite = 'ab'.repeat(16);
  const { win, store } = fakeWindow(`#${toBase64Url(S)}`);
  assert.deepEqual(takeSecret(win, invite), S);
  assert.deepEqual(win.replaced, [`/support/${invite}`]);
  assert.equal(win.location.hash, '');
  assert.equal(store.get(`chorus.support.${invite}`), toBase64Url(S));
  // Back on the page after signing in: no fragment, the tab's stash answers.
  assert.deepEqual(takeSecret(win, invite), S);
  assert.equal(win.replaced.length, 1);
  forgetSecret(win, invite);
  assert.equal(takeSecret(win, invite), null);
  // A damaged fragment is removed as well, and gives no secret.
  const damaged = fakeWindow('#not-a-secret');
  assert.equal(takeSecret(damaged.win, invite), null);
  assert.equal(damaged.win.replaced.length, 1);
  assert.equal(damaged.store.size, 0);
});

test('reporter → link → supporter: the supporter ends with CK under their own key', () => {
  const reporterSid = chorus.bytes.random(32);
  const supporterSid = chorus.bytes.random(32);
  const reporterBox = cases.boxCaseKey(cases.reporterKey(reporterSid), 'acme', REF, CK);
  // The reporter's panel: open their own copy, box it for the link.
  const ck = cases.openCaseKeyBox(cases.reporterKey(reporterSid), 'acme', REF, reporterBox);
  const { inviteId, secret } = makeInvite(chorus.bytes.random);
  const linkBox = cases.boxCaseKey(cases.supportKey(secret), 'acme', REF, ck);
  const link = new URL(inviteLink('https://chorus.example', inviteId, secret));
  // The supporter's page: the secret from the fragment, re-boxed under their sid.
  const s = secretFromText(link.hash.slice(1));
  const theirs = cases.boxCaseKey(cases.reporterKey(supporterSid), 'acme', REF, cases.openCaseKeyBox(cases.supportKey(s), 'acme', REF, linkBox));
  assert.deepEqual(cases.openCaseKeyBox(cases.reporterKey(supporterSid), 'acme', REF, theirs), CK);
  // The link's box does not open with another secret, another case or another organisation.
  assert.throws(() => cases.openCaseKeyBox(cases.supportKey(chorus.bytes.random(32)), 'acme', REF, linkBox));
  assert.throws(() => cases.openCaseKeyBox(cases.supportKey(s), 'acme', new Uint8Array(16), linkBox));
  assert.throws(() => cases.openCaseKeyBox(cases.supportKey(s), 'other', REF, linkBox));
  // Length of every case-key box: what chorus.reports.support.CASE_KEY_BOX_BYTES expects.
  assert.equal(linkBox.length, 61);
  assert.equal(theirs.length, 61);
});
