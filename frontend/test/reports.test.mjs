// The case envelopes' pure parts (docs/protocols/reports.md §11.1): the reporter's key and boxes
// against values computed with chorus.crypto in Python, a whole report from the reporter's side
// opened from a member's, the exclusions, and the message numbering rules.
// tests/browser/test_reports.py runs the built pages end to end.
//
//   node --test frontend/test/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as chorus from '../src/crypto/index.js';
import { CaseIntegrityError, caseCrypto, entryIndex, fromBase64, reportBody, toBase64 } from '../src/reports/envelope.js';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const SID = Uint8Array.from({ length: 32 }, (_, i) => i);
const REF = Uint8Array.from({ length: 16 }, (_, i) => 100 + i);
const CK = new Uint8Array(32).fill(7);
const cases = caseCrypto(chorus);

test('the reporter key and boxes match Python', () => {
  // Values from chorus.crypto.box.box_seal with a zero nonce (see the commit adding this test).
  assert.equal(hex(cases.reporterKey(SID)), '26c213da40b2577476f7425e69e8042e44eecb2782719f50506ae65474d638d5');
  const boxed = chorus.box.seal(cases.reporterKey(SID), 'case-key', cases.caseCtx('acme'), REF, CK, { nonce: new Uint8Array(12) });
  assert.equal(
    hex(boxed),
    '01000000000000000000000000536e3b5c3086321e625490b9732ccdb5f05d02abb5364026130a6c93670cfb29e3e227ac0174cf99e8d869a04342320a',
  );
  const message = chorus.box.seal(CK, 'case-message', cases.caseCtx('acme'), entryIndex(REF, 2), new TextEncoder().encode('{"v":1,"text":"hi"}'), {
    nonce: new Uint8Array(12),
  });
  assert.equal(hex(message), '010000000000000000000000004ca65f2e5a5a28dfb4177c74eb5bc10edfc86952aa8a939fd2386d6e2f2a4490ac8652');
  assert.deepEqual(cases.openCaseKeyBox(cases.reporterKey(SID), 'acme', REF, boxed), CK);
  assert.equal(cases.openEntries('message', CK, 'acme', REF, [{ n: 1, box: toBase64(cases.boxEntry('message', CK, 'acme', REF, 1, 'a')) }])[0].text, 'a');
});

test('a report is sealed to every key but the excluded, and opens for a member', () => {
  const alice = chorus.seal.generateKeyPair(1);
  const bob = chorus.seal.generateKeyPair(2);
  const eve = chorus.seal.generateKeyPair(1);
  const keys = [
    { id: 1, suite: 1, public_key: hex(alice.publicKey), display_name: 'Alice' },
    { id: 2, suite: 2, public_key: hex(bob.publicKey), display_name: 'Bob' },
    { id: 3, suite: 1, public_key: hex(eve.publicKey), display_name: 'Eve' },
  ];
  const body = reportBody({ mode: 'anonymous', answers: { what: 'He followed me.' }, name: 'Kim', record: { digest: 'aa', time: 't', signature: 'bb' } });
  assert.equal('name' in body, false);
  const { request, ck, caseRef } = cases.makeReport({ slug: 'acme', keys, excluded: [3], mode: 'anonymous', sid: SID, body });
  assert.deepEqual(request.excluded, [3]);
  assert.deepEqual(request.envelopes.map((e) => e.key), [1, 2]);
  assert.equal(request.case_ref, hex(caseRef));
  assert.equal(request.org, 'acme');
  for (const [pair, suite, i] of [[alice, 1, 0], [bob, 2, 1]]) {
    const opened = cases.openSealedCaseKey(pair.secretKey, suite, 'acme', caseRef, fromBase64(request.envelopes[i].sealed));
    assert.deepEqual(opened, ck);
    const report = cases.openReport(opened, 'acme', caseRef, fromBase64(request.body));
    assert.equal(report.answers.what, 'He followed me.');
    assert.equal(report.record.digest, 'aa');
  }
  // The reporter's own copy opens with their sid only; the excluded key has no envelope at all.
  assert.deepEqual(cases.openCaseKeyBox(cases.reporterKey(SID), 'acme', caseRef, fromBase64(request.reporter_box)), ck);
  assert.throws(() => cases.openCaseKeyBox(cases.reporterKey(new Uint8Array(32)), 'acme', caseRef, fromBase64(request.reporter_box)), /authentication/);
  // Bound to the organisation and to the case.
  assert.throws(() => cases.openSealedCaseKey(alice.secretKey, 1, 'other', caseRef, fromBase64(request.envelopes[0].sealed)), /authentication/);
  assert.throws(() => cases.openSealedCaseKey(alice.secretKey, 1, 'acme', REF, fromBase64(request.envelopes[0].sealed)), CaseIntegrityError);
  assert.throws(() => cases.openReport(ck, 'acme', REF, fromBase64(request.body)), /authentication/);
});

test('a named report carries the name; nobody left to receive it is refused', () => {
  const body = reportBody({ mode: 'named', answers: {}, name: 'Kim Lee' });
  assert.equal(body.name, 'Kim Lee');
  const pair = chorus.seal.generateKeyPair(1);
  const keys = [{ id: 9, suite: 1, public_key: hex(pair.publicKey) }];
  assert.throws(() => cases.makeReport({ slug: 'acme', keys, excluded: [9], mode: 'named', sid: SID, body }), /at least one/);
});

test('messages must run 1..k with no gap, each under its own number', () => {
  const entry = (n, text, at = n) => ({ n, box: toBase64(cases.boxEntry('message', CK, 'acme', REF, at, text)) });
  const opened = cases.openEntries('message', CK, 'acme', REF, [entry(1, 'one'), entry(2, 'two')]);
  assert.deepEqual(opened.map((m) => m.text), ['one', 'two']);
  assert.throws(() => cases.openEntries('message', CK, 'acme', REF, [entry(1, 'one'), entry(3, 'three')]), CaseIntegrityError);
  assert.throws(() => cases.openEntries('message', CK, 'acme', REF, [entry(2, 'two')]), CaseIntegrityError);
  // A box moved to another number, or a note shown as a message, does not open.
  const moved = cases.openEntries('message', CK, 'acme', REF, [entry(1, 'one'), entry(2, 'moved', 1)]);
  assert.equal(moved[1].text, null);
  const note = { n: 1, box: toBase64(cases.boxEntry('note', CK, 'acme', REF, 1, 'private')) };
  assert.equal(cases.openEntries('message', CK, 'acme', REF, [note])[0].text, null);
  assert.equal(cases.openEntries('note', CK, 'acme', REF, [note])[0].text, 'private');
  assert.throws(() => entryIndex(REF, 0), CaseIntegrityError);
  // What the server would refuse (11 KiB boxes) is refused here first.
  assert.throws(() => cases.boxEntry('message', CK, 'acme', REF, 1, 'é'.repeat(6000)), /too long/);
  assert.equal(cases.boxEntry('message', CK, 'acme', REF, 1, 'x'.repeat(10000)).length, 29 + '{"v":1,"text":""}'.length + 10000);
});

test('a report too large for the server is refused before sending', () => {
  const pair = chorus.seal.generateKeyPair(1);
  const keys = [{ id: 1, suite: 1, public_key: hex(pair.publicKey) }];
  const big = reportBody({ mode: 'anonymous', answers: {}, attachments: [{ name: 'x', type: 'image/png', bytes: new Uint8Array(900_000) }] });
  assert.throws(() => cases.makeReport({ slug: 'acme', keys, excluded: [], mode: 'anonymous', sid: SID, body: big }), /too large/);
});
