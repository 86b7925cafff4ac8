// Identifier normalisation (docs/protocols/identifiers.md) in the BUILT bundle,
// src/chorus/static/chorus/identifiers.js, against the table that the Python implementation
// also passes (tests/escrow/identifier_cases.json). tests/escrow/test_identifiers_cross.py
// compares the two implementations on many more inputs.
//
//   node --test frontend/test/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bundle = join(repo, 'src', 'chorus', 'static', 'chorus', 'identifiers.js');
const { normalise, oprfInput, IdentifierError, MESSAGES, KINDS, PLATFORMS, EXCLUDED, UNICODE_VERSION } = await import(
  pathToFileURL(bundle).href
);
const table = JSON.parse(readFileSync(join(repo, 'tests', 'escrow', 'identifier_cases.json'), 'utf8'));
const hex = (bytes) => Buffer.from(bytes).toString('hex');

function run(c) {
  try {
    const id = normalise(c.kind, c.raw, {
      defaultRegion: c.region ?? null,
      platform: c.platform ?? null,
      organisation: c.organisation ?? null,
    });
    assert.ok(Object.isFrozen(id));
    return { canonical: id.canonical, kind: id.kind };
  } catch (error) {
    if (!(error instanceof IdentifierError)) throw error;
    assert.equal(error.message, MESSAGES[error.code]);
    return { error: error.code };
  }
}

test('every case of the shared table', () => {
  assert.ok(table.cases.length >= 80);
  for (const c of table.cases) {
    const got = run(c);
    const label = `${c.kind} ${JSON.stringify(c.raw).slice(0, 80)} (${c.note})`;
    if ('error' in c) assert.deepEqual(got, { error: c.error }, label);
    else assert.deepEqual(got, { canonical: c.canonical, kind: c.kind }, label);
  }
});

test('the browser side of the known library disagreements', () => {
  for (const c of table.library_disagreements) {
    const got = run(c);
    if ('error' in c.browser) assert.deepEqual(got, { error: c.browser.error }, c.note);
    else assert.deepEqual(got, { canonical: c.browser.canonical, kind: c.kind }, c.note);
  }
});

test('oprfInput is the label, the kind and the canonical form', () => {
  for (const v of table.oprf_inputs) assert.equal(hex(oprfInput({ kind: v.kind, canonical: v.canonical })), v.hex);
  const id = normalise('email', 'Jane@Example.org');
  assert.equal(Buffer.from(oprfInput(id)).toString('utf8'), 'chorus-id-v1\u0000email\u0000jane@example.org');
});

test('kinds, platforms and messages: every error code has a message and a case', () => {
  assert.deepEqual([...KINDS], ['email', 'phone', 'profile', 'name']);
  assert.equal(PLATFORMS.length, 7);
  const codes = new Set(table.cases.filter((c) => 'error' in c).map((c) => c.error));
  assert.deepEqual([...codes].sort(), Object.keys(MESSAGES).sort());
});

test('the repertoire is the one of src/chorus/escrow/_repertoire.py', () => {
  const python = readFileSync(join(repo, 'src', 'chorus', 'escrow', '_repertoire.py'), 'utf8');
  const body = python.split('EXCLUDED: Final = (')[1].split(')')[0];
  assert.equal([...body.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join(''), EXCLUDED);
  assert.match(python, new RegExp(`UNICODE_VERSION: Final = "${UNICODE_VERSION.replaceAll('.', '\\.')}"`));
});

test('random strings give an identifier or an IdentifierError, never anything else', () => {
  const pool = [...'aZ0+@.-_/:%é\u0430\u03bf\u200b\u202e\u00a0\ufeff\u0301\u0130\uff21', '\ud800', '\u{1fae9}', 'xn--', 'https://'];
  for (let i = 0; i < 3000; i++) {
    let raw = '';
    for (let j = Math.floor(Math.random() * 20); j > 0; j--) raw += pool[Math.floor(Math.random() * pool.length)];
    for (const kind of KINDS) {
      const got = run({ kind, raw, region: 'GB', platform: i % 2 ? 'instagram' : null, organisation: raw });
      if (got.canonical !== undefined) {
        assert.doesNotMatch(got.canonical, /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|^ | $| {2}/u, JSON.stringify(raw));
      }
    }
  }
});

test('a non-string raw value is a programming error', () => {
  assert.throws(() => normalise('email', null), TypeError);
});
