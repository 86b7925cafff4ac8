// Codename and recovery-code keys (docs/protocols/accounts.md) in the browser's twin,
// frontend/src/account/keys.js, against the vectors the Python implementation writes and passes
// (tests/accounts/account_vectors.json). tests/browser/test_accounts.py checks the built page
// module end to end.
//
//   node --test frontend/test/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codenameKeys, codenameNormalise, recoveryKeys, recoveryNormalise } from '../src/account/keys.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vectors = JSON.parse(readFileSync(join(repo, 'tests', 'accounts', 'account_vectors.json'), 'utf8'));
const hex = (bytes) => Buffer.from(bytes).toString('hex');

test('codenames normalise and derive as in Python', () => {
  assert.ok(vectors.codenames.length >= 5);
  for (const v of vectors.codenames) {
    assert.equal(codenameNormalise(v.raw), v.normalised, JSON.stringify(v.raw));
    const keys = codenameKeys(v.raw);
    assert.equal(hex(keys.auth), v.auth);
    assert.equal(hex(keys.wrap), v.wrap);
  }
});

test('recovery codes normalise and derive as in Python', () => {
  assert.ok(vectors.recovery_codes.length >= 3);
  for (const v of vectors.recovery_codes) {
    assert.equal(recoveryNormalise(v.raw), v.normalised, JSON.stringify(v.raw));
    const keys = recoveryKeys(v.raw);
    assert.equal(hex(keys.auth), v.auth);
    assert.equal(hex(keys.wrap), v.wrap);
  }
});
