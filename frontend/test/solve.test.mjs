// Smoke test: the ALTCHA widget library (JS) and the Python server library
// agree on the PoW v2 wire format.
//
//   node --test frontend/test/
//
// Python is CHORUS_PYTHON, or .venv/bin/python relative to the repository root.
// The Python side creates a v2 challenge exactly as GET /pow/challenge does
// (PBKDF2/SHA-256, deterministic counter, expiry, hmac_secret + hmac_key_secret);
// Node solves it with altcha's own solver and builds the payload the way the
// widget does; Python verifies it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { randomBytes, randomInt } from 'node:crypto';
import { solveChallenge, pbkdf2 } from 'altcha/lib';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const envPython = process.env.CHORUS_PYTHON;
const python = envPython
  ? isAbsolute(envPython) || !envPython.includes('/') ? envPython : resolve(repo, envPython)
  : join(repo, '.venv', 'bin', 'python');

const HMAC_SECRET = randomBytes(16).toString('hex');
const HMAC_KEY_SECRET = randomBytes(16).toString('hex');

function py(code, input = '', env = {}) {
  const r = spawnSync(python, ['-c', code], {
    input,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `python failed (${python}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const CREATE = `
import json, os, time, altcha
c = altcha.create_challenge(
    algorithm="PBKDF2/SHA-256",
    cost=int(os.environ["COST"]),
    counter=int(os.environ["COUNTER"]),
    expires_at=int(time.time()) + 300,
    hmac_secret=os.environ["HMAC_SECRET"],
    hmac_key_secret=os.environ["HMAC_KEY_SECRET"] or None,
)
print(json.dumps(c.to_dict()))
`;

const VERIFY = `
import json, os, sys, altcha
r = altcha.verify_solution(
    sys.stdin.read().strip(),
    os.environ["HMAC_SECRET"],
    hmac_key_secret=os.environ["HMAC_KEY_SECRET"] or None,
)
print(json.dumps({"verified": r.verified, "expired": r.expired,
                  "invalid_signature": r.invalid_signature, "invalid_solution": r.invalid_solution}))
`;

function createChallenge({ counter, keySecret = HMAC_KEY_SECRET, cost = 50 }) {
  return py(CREATE, '', {
    COST: String(cost),
    COUNTER: String(counter),
    HMAC_SECRET: HMAC_SECRET,
    HMAC_KEY_SECRET: keySecret,
  });
}

function verify(payload, keySecret = HMAC_KEY_SECRET) {
  return py(VERIFY, payload, { HMAC_SECRET: HMAC_SECRET, HMAC_KEY_SECRET: keySecret });
}

// Exactly what the widget puts into the "altcha" form field for a v2 challenge.
function widgetPayload(challenge, solution) {
  return btoa(
    JSON.stringify({
      challenge: { parameters: challenge.parameters, signature: challenge.signature },
      solution,
    }),
  );
}

async function solve(challenge) {
  const solution = await solveChallenge({
    challenge,
    deriveKey: pbkdf2.deriveKey,
    counterMode: 'uint32', // what the widget uses for v2 challenges
    timeout: 30_000,
  });
  assert.ok(solution, 'no solution found');
  return solution;
}

test('v2 challenge from Python is solved by altcha JS and verified by Python', async () => {
  const counter = randomInt(0, 40);
  const challenge = createChallenge({ counter });
  assert.equal(challenge.parameters.algorithm, 'PBKDF2/SHA-256');
  assert.ok(challenge.parameters.keySignature, 'expected a key signature (hmac_key_secret)');

  const solution = await solve(challenge);
  assert.equal(solution.counter, counter, 'deterministic mode: the solver finds the server counter');

  const payload = widgetPayload(challenge, solution);
  assert.deepEqual(verify(payload), {
    verified: true,
    expired: false,
    invalid_signature: false,
    invalid_solution: false,
  });
});

test('verification by re-derivation (no hmac_key_secret) also agrees', async () => {
  const counter = randomInt(0, 40);
  const challenge = createChallenge({ counter, keySecret: '' });
  assert.equal(challenge.parameters.keySignature, undefined);
  const solution = await solve(challenge);
  assert.equal(verify(widgetPayload(challenge, solution), '').verified, true);
});

test('tampered payloads are rejected', async () => {
  const counter = randomInt(1, 40);
  const challenge = createChallenge({ counter });
  const solution = await solve(challenge);

  // Wrong derived key (fast path, key signature).
  const flipped = (solution.derivedKey[0] === '0' ? '1' : '0') + solution.derivedKey.slice(1);
  const badKey = verify(widgetPayload(challenge, { ...solution, derivedKey: flipped }));
  assert.equal(badKey.verified, false);
  assert.equal(badKey.invalid_solution, true);

  // Cheaper challenge parameters than the server signed.
  const cheaper = { ...challenge, parameters: { ...challenge.parameters, cost: 1 } };
  const badSig = verify(widgetPayload(cheaper, solution));
  assert.equal(badSig.verified, false);
  assert.equal(badSig.invalid_signature, true);

  // Wrong counter, checked by re-derivation (no key secret on either side).
  const plain = createChallenge({ counter, keySecret: '' });
  const plainSolution = await solve(plain);
  const badCounter = verify(widgetPayload(plain, { ...plainSolution, counter: counter - 1 }), '');
  assert.equal(badCounter.verified, false);
  assert.equal(badCounter.invalid_solution, true);

  // Garbage.
  assert.equal(verify(btoa('{"challenge":{}}')).verified, false);
});

// The worker file the browser actually loads, run in a bare VM context that
// stands in for a DedicatedWorkerGlobalScope.
const builtWorker = join(repo, 'src', 'chorus', 'static', 'chorus', 'altcha-pbkdf2.js');

test('the built PBKDF2 worker solves a Python challenge', { skip: !existsSync(builtWorker) && 'worker not built' }, async () => {
  const counter = randomInt(0, 40);
  const challenge = createChallenge({ counter });
  const solution = await new Promise((resolvePromise, reject) => {
    const self = {
      postMessage: (data) => (data && data.error ? reject(data.error) : resolvePromise(data)),
    };
    const context = vm.createContext({
      self,
      crypto: globalThis.crypto,
      performance: globalThis.performance,
      TextEncoder,
      Uint8Array,
      DataView,
      ArrayBuffer,
      AbortController,
      setTimeout,
      console,
    });
    vm.runInContext(readFileSync(builtWorker, 'utf8'), context, { filename: 'altcha-pbkdf2.js' });
    self.onmessage({ data: { type: 'work', challenge, counterMode: 'uint32', counterStart: 0, counterStep: 1, timeout: 30_000 } });
  });
  assert.equal(solution.counter, counter);
  assert.equal(verify(widgetPayload(challenge, solution)).verified, true);
});
