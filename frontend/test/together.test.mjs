// Reports "together" (docs/protocols/reports.md §7.6): the survivor's held report and the member's
// opening of a released group, with the robust recovery of escrow.md §7.
// tests/together/test_cross.py opens these envelopes in Python; tests/browser/test_together.py
// runs the built pages end to end.
//
//   node --test frontend/test/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as chorus from '../src/crypto/index.js';
import { caseCrypto, fromBase64, reportBody } from '../src/reports/envelope.js';
import { entryPlaintext, parseEntryPlaintext, togetherCrypto } from '../src/together/crypto.js';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const together = togetherCrypto(chorus);
const cases = caseCrypto(chorus);
const OUTPUT = new Uint8Array(64).fill(9);
const CTX = 'org:7';

function setup() {
  const alice = chorus.seal.generateKeyPair(1);
  const bob = chorus.seal.generateKeyPair(2);
  const keys = [
    { id: 1, suite: 1, public_key: hex(alice.publicKey) },
    { id: 2, suite: 2, public_key: hex(bob.publicKey) },
  ];
  return { alice, bob, keys };
}

function held(keys, { output = OUTPUT, excluded = [], text = 'in the lift', threshold = 2 } = {}) {
  return together.makeHeld({
    output,
    ctx: CTX,
    threshold,
    slug: 'acme',
    keys,
    excluded,
    sid: chorus.bytes.random(32),
    body: reportBody({ mode: 'together', answers: { what: text } }),
  });
}

// What GET …/together/<id>/shares answers for one member key.
function sharesFor(made, keyId, key) {
  return {
    threshold: 2,
    ctx: hex(new TextEncoder().encode(CTX)),
    index: made[0].request.index,
    slug: 'acme',
    key: { id: keyId, suite: key.suite, public_key: key.public_key },
    cases: made.map((m) => ({
      case: m.request.case_ref,
      sealed: m.request.envelopes.find((e) => e.key === keyId).sealed,
      body: m.request.body,
      claimed: false,
    })),
  };
}

test('the entry plaintext is 0x01, the case key and the case reference, parsed strictly', () => {
  const ck = new Uint8Array(32).fill(1);
  const ref = new Uint8Array(16).fill(2);
  const plain = entryPlaintext(ck, ref);
  assert.equal(plain.length, 49);
  assert.deepEqual(parseEntryPlaintext(plain), { ck, caseRef: ref });
  assert.throws(() => parseEntryPlaintext(plain.subarray(1)), /unknown format/);
  const other = plain.slice();
  other[0] = 2;
  assert.throws(() => parseEntryPlaintext(other), /unknown format/);
});

test('a held report carries the index, a share per key but the excluded, and the reporter copy', () => {
  const { keys } = setup();
  const one = held(keys, { excluded: [2] });
  const two = held(keys);
  assert.equal(one.request.index, two.request.index); // the same person, the same π
  assert.notEqual(one.request.case_ref, two.request.case_ref);
  assert.deepEqual(one.request.envelopes.map((e) => e.key), [1]);
  assert.deepEqual(one.request.excluded, [2]);
  assert.equal(fromBase64(one.request.reporter_box).length, 61);
  assert.equal(fromBase64(two.request.envelopes[0].sealed).length, 2 + 32 + 146 + 16);
  assert.equal(fromBase64(two.request.envelopes[1].sealed).length, 2 + 1120 + 146 + 16);
  assert.notEqual(held(keys, { output: new Uint8Array(64).fill(8) }).request.index, one.request.index);
  assert.throws(() => held(keys, { excluded: [1, 2] }), /at least one person/);
});

test('a member recovers K from t shares, opens every case and seals its key to themselves', () => {
  const { alice, bob, keys } = setup();
  const made = [held(keys, { text: 'first' }), held(keys, { text: 'second' })];
  for (const [keyId, pair, key] of [
    [1, alice, keys[0]],
    [2, bob, keys[1]],
  ]) {
    const { claims, failed } = together.openGroup(sharesFor(made, keyId, key), pair.secretKey, fromBase64);
    assert.deepEqual(failed, []);
    assert.equal(claims.length, 2);
    claims.forEach((claim, i) => {
      const ref = chorus.bytes.fromHex(claim.case);
      const ck = cases.openSealedCaseKey(pair.secretKey, key.suite, 'acme', ref, fromBase64(claim.sealed));
      assert.deepEqual(ck, made[i].ck);
      assert.equal(cases.openReport(ck, 'acme', ref, fromBase64(made[i].request.body)).answers.what, i ? 'second' : 'first');
    });
  }
});

test('one share alone recovers nothing', () => {
  const { alice, keys } = setup();
  const data = sharesFor([held(keys)], 1, keys[0]);
  assert.throws(() => together.openGroup(data, alice.secretKey, fromBase64), (err) => err.name === 'NotEnoughShares');
});

test('a bad share is skipped (robust recovery) and a swapped case reference is refused', () => {
  const { alice, keys } = setup();
  const made = [held(keys), held(keys), held(keys, { output: new Uint8Array(64).fill(3) })];
  const data = sharesFor(made, 1, keys[0]);
  data.cases[2].sealed = made[2].request.envelopes[0].sealed; // a share of another polynomial
  const opened = together.openGroup(data, alice.secretKey, fromBase64);
  assert.deepEqual(opened.failed, [made[2].request.case_ref]);
  assert.equal(opened.claims.length, 2);
  // The server swaps the references of two cases: both are refused, nothing is claimed for them.
  const swapped = sharesFor(made.slice(0, 2), 1, keys[0]);
  [swapped.cases[0].case, swapped.cases[1].case] = [swapped.cases[1].case, swapped.cases[0].case];
  const refused = together.openGroup(swapped, alice.secretKey, fromBase64);
  assert.equal(refused.claims.length, 0);
  assert.equal(refused.failed.length, 2);
});

test('the threshold is the server release threshold, never a share claim', () => {
  const { alice, keys } = setup();
  const made = [held(keys), held(keys)];
  const data = sharesFor(made, 1, keys[0]);
  data.threshold = 17;
  assert.throws(() => together.openGroup(data, alice.secretKey, fromBase64), /no valid threshold/);
  data.threshold = 3; // shares made for t = 2 do not count under t = 3
  assert.throws(() => together.openGroup(data, alice.secretKey, fromBase64), (err) => err.name === 'NotEnoughShares');
});

test('already claimed cases are opened but not claimed again', () => {
  const { alice, keys } = setup();
  const made = [held(keys), held(keys)];
  const data = sharesFor(made, 1, keys[0]);
  data.cases[0].claimed = true;
  const { claims, failed } = together.openGroup(data, alice.secretKey, fromBase64);
  assert.deepEqual(failed, []);
  assert.deepEqual(claims.map((c) => c.case), [made[1].request.case_ref]);
});
