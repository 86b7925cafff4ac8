#!/usr/bin/env node
// Interoperability harness of docs/protocols/escrow.md §12, for the browser side.
//
//   node frontend/test/interop.mjs  < requests.jsonl  > responses.jsonl
//
// One JSON request per line on stdin, one JSON response per line on stdout, in order;
// exits at end of input. Byte strings are lowercase hex (also `purpose` and `ctx`);
// `passphrase` is UTF-8 text; `mode`, `t`, `m_kib`, `t_cost`, `p`, `suite` are integers
// (`suite`, of seal_keygen/seal/open, is optional: 1 when missing).
// Errors: {"error": "<TypedErrorName>"} with the names of §12; a request this harness
// cannot even read (bad JSON, unknown op, missing or malformed field, out-of-range
// integer) gets {"error": "BadRequest", "detail": "..."}. Blank lines are skipped.
//
// It imports the BUILT bundle, src/chorus/static/chorus/crypto.js, so that
// tests/crypto/test_cross_implementation.py checks exactly what browsers load.
//
// `node --test frontend/test/` also runs this file (Node treats every script in a test/
// directory as a test file): under the test runner (NODE_TEST_CONTEXT is set) it does not
// read stdin but tests itself, feeding its own harness RFC vectors and random requests
// and comparing the answers with the source modules in src/crypto/.

import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bundle = process.env.CHORUS_CRYPTO_BUNDLE || join(repo, 'src', 'chorus', 'static', 'chorus', 'crypto.js');
const C = await import(pathToFileURL(bundle).href);
const { oprf, escrow, seal, box, passphrase } = C;

class BadRequest extends Error {}

function hexField(req, name, { optional = false } = {}) {
  const v = req[name];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v.length % 2 !== 0 || !/^[0-9a-f]*$/.test(v))
    throw new BadRequest(`${name}: expected lowercase hex`);
  return Uint8Array.from(Buffer.from(v, 'hex'));
}

function intField(req, name) {
  const v = req[name];
  if (!Number.isSafeInteger(v)) throw new BadRequest(`${name}: expected an integer`);
  return v;
}

// `suite` (spec §12): optional, 1 when missing or null; an unknown suite is the API's RangeError.
function suiteField(req) {
  return req.suite === undefined || req.suite === null ? 1 : intField(req, 'suite');
}

function modeField(req) {
  const mode = intField(req, 'mode');
  if (mode !== 0 && mode !== 1) throw new BadRequest('mode: expected 0 or 1');
  return mode;
}

const hex = (b) => Buffer.from(b).toString('hex');

const ops = {
  oprf_evaluate(req) {
    return { output: hex(oprf.evaluate(modeField(req), hexField(req, 'sk'), hexField(req, 'input'))) };
  },
  oprf_blind(req) {
    const { blinded } = oprf.blind(modeField(req), hexField(req, 'input'), { blind: hexField(req, 'blind') });
    return { blinded: hex(blinded) };
  },
  oprf_blind_evaluate(req) {
    const mode = modeField(req);
    const opts = mode === 1 ? { proofRandom: hexField(req, 'proof_random', { optional: true }) } : {};
    const res = oprf.blindEvaluate(mode, hexField(req, 'sk'), hexField(req, 'blinded'), opts);
    return mode === 1 ? { evaluated: hex(res.evaluated), proof: hex(res.proof) } : { evaluated: hex(res.evaluated) };
  },
  oprf_finalize(req) {
    const mode = modeField(req);
    const opts =
      mode === 1
        ? { pk: hexField(req, 'pk'), blinded: hexField(req, 'blinded'), proof: hexField(req, 'proof') }
        : {};
    const out = oprf.finalize(mode, hexField(req, 'input'), hexField(req, 'blind'), hexField(req, 'evaluated'), opts);
    return { output: hex(out) };
  },
  escrow_derive(req) {
    const d = escrow.derive(hexField(req, 'output'), hexField(req, 'ctx'), intField(req, 't'));
    return {
      index: hex(d.index),
      secret: hex(d.secret),
      coefficients: d.coefficients.map(hex),
      entry_key: hex(d.entryKey),
    };
  },
  escrow_share(req) {
    const { u, s } = escrow.share(hexField(req, 'output'), hexField(req, 'ctx'), intField(req, 't'), hexField(req, 'sid'));
    return { u: hex(u), s: hex(s) };
  },
  escrow_recover(req) {
    if (!Array.isArray(req.shares)) throw new BadRequest('shares: expected a list');
    const shares = req.shares.map((sh) => {
      if (sh === null || typeof sh !== 'object') throw new BadRequest('shares: expected objects {u, s}');
      return { u: hexField(sh, 'u'), s: hexField(sh, 's') };
    });
    return { secret: hex(escrow.recover(shares)) };
  },
  seal_keygen(req) {
    const suite = suiteField(req);
    const sk = hexField(req, 'sk', { optional: true });
    if (sk === undefined) {
      const kp = seal.generateKeyPair(suite);
      return { sk: hex(kp.secretKey), pk: hex(kp.publicKey) };
    }
    return { sk: hex(sk), pk: hex(seal.publicKey(sk, suite)) };
  },
  seal(req) {
    const sealed = seal.seal(hexField(req, 'pk'), hexField(req, 'purpose'), hexField(req, 'ctx'), hexField(req, 'plaintext'), {
      suite: suiteField(req),
    });
    return { sealed: hex(sealed) };
  },
  open(req) {
    const pt = seal.open(hexField(req, 'sk'), hexField(req, 'purpose'), hexField(req, 'ctx'), hexField(req, 'sealed'), {
      suite: suiteField(req),
    });
    return { plaintext: hex(pt) };
  },
  box_seal(req) {
    const b = box.seal(
      hexField(req, 'key'),
      hexField(req, 'purpose'),
      hexField(req, 'ctx'),
      hexField(req, 'index'),
      hexField(req, 'plaintext'),
      { nonce: hexField(req, 'nonce') },
    );
    return { box: hex(b) };
  },
  box_open(req) {
    const pt = box.open(hexField(req, 'key'), hexField(req, 'purpose'), hexField(req, 'ctx'), hexField(req, 'index'), hexField(req, 'box'));
    return { plaintext: hex(pt) };
  },
  passphrase_key(req) {
    if (typeof req.passphrase !== 'string') throw new BadRequest('passphrase: expected text');
    const key = passphrase.deriveKey(req.passphrase, hexField(req, 'salt'), {
      mKiB: intField(req, 'm_kib'),
      tCost: intField(req, 't_cost'),
      p: intField(req, 'p'),
    });
    return { key: hex(key) };
  },
};

function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return { error: 'BadRequest', detail: 'not JSON' };
  }
  if (req === null || typeof req !== 'object' || !Object.hasOwn(ops, req.op))
    return { error: 'BadRequest', detail: `unknown op ${JSON.stringify(req?.op)}` };
  try {
    return ops[req.op](req);
  } catch (err) {
    if (err instanceof C.ChorusCryptoError) return { error: err.name };
    return { error: 'BadRequest', detail: String(err?.message ?? err) };
  }
}

async function serve() {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    // stdout to a pipe is synchronous on Linux, so each answer is out before the next read.
    process.stdout.write(JSON.stringify(handle(line)) + '\n');
  }
}

// ---------------------------------------------------------------- self-test (node --test only)

async function selfTest() {
  const { test } = await import('node:test');
  const assert = (await import('node:assert/strict')).default;
  const { spawnSync } = await import('node:child_process');
  const { randomBytes, randomInt } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  const S = await import('../src/crypto/index.js');
  const here = dirname(fileURLToPath(import.meta.url));
  const v = JSON.parse(readFileSync(join(here, 'vectors', 'rfc9497-ristretto255-sha512.json'), 'utf8'));
  const rh = (n) => randomBytes(n).toString('hex');
  const u8 = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
  const txt = (s) => Buffer.from(s).toString('hex');

  const run = (requests) => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const res = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
      input: requests.map((r) => JSON.stringify(r)).join('\n') + '\n\n',
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(res.status, 0, res.stderr);
    const lines = res.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.equal(lines.length, requests.length);
    return lines;
  };

  test('interop harness (built crypto.js): RFC 9497 vectors, both modes', () => {
    const reqs = [];
    const want = [];
    for (const [section, mode] of [['oprf', 0], ['voprf', 1]]) {
      const sk = v[section].skSm;
      for (const vec of v[section].vectors.filter((t) => t.Batch === 1)) {
        reqs.push({ op: 'oprf_evaluate', mode, sk, input: vec.Input });
        want.push({ output: vec.Output });
        reqs.push({ op: 'oprf_blind', mode, input: vec.Input, blind: vec.Blind });
        want.push({ blinded: vec.BlindedElement });
        const be = { op: 'oprf_blind_evaluate', mode, sk, blinded: vec.BlindedElement };
        if (mode === 1) be.proof_random = vec.Proof.r;
        reqs.push(be);
        want.push(mode === 1 ? { evaluated: vec.EvaluationElement, proof: vec.Proof.proof } : { evaluated: vec.EvaluationElement });
        const fin = { op: 'oprf_finalize', mode, input: vec.Input, blind: vec.Blind, evaluated: vec.EvaluationElement };
        if (mode === 1) Object.assign(fin, { pk: v.voprf.pkSm, blinded: vec.BlindedElement, proof: vec.Proof.proof });
        reqs.push(fin);
        want.push({ output: vec.Output });
        if (mode === 1) {
          reqs.push({ ...fin, proof: '00' + vec.Proof.proof.slice(2) });
          want.push({ error: 'InvalidProof' });
        }
      }
    }
    assert.deepEqual(run(reqs), want);
  });

  test('interop harness (built crypto.js) agrees with src/crypto on random requests of every op', () => {
    const hex = (b) => Buffer.from(b).toString('hex');
    const reqs = [];
    const want = [];
    for (let i = 0; i < 6; i++) {
      const t = randomInt(2, 11);
      const output = rh(64);
      const ctx = txt(i % 2 ? 'deployment' : `org:${i}`);
      const d = S.escrow.derive(u8(output), u8(ctx), t);
      reqs.push({ op: 'escrow_derive', output, ctx, t });
      want.push({ index: hex(d.index), secret: hex(d.secret), coefficients: d.coefficients.map(hex), entry_key: hex(d.entryKey) });
      const shares = [];
      for (let k = 0; k < t; k++) {
        const sid = rh(32);
        const sh = S.escrow.share(u8(output), u8(ctx), t, u8(sid));
        reqs.push({ op: 'escrow_share', output, ctx, t, sid });
        want.push({ u: hex(sh.u), s: hex(sh.s) });
        shares.push({ u: hex(sh.u), s: hex(sh.s) });
      }
      reqs.push({ op: 'escrow_recover', shares });
      want.push({ secret: hex(d.secret) });
      reqs.push({ op: 'escrow_recover', shares: [shares[0], shares[0]] });
      want.push({ error: 'DuplicateShare' });
      reqs.push({ op: 'escrow_recover', shares: [shares[0]] });
      want.push({ error: 'NotEnoughShares' });

      const key = rh(32);
      const index = rh(32);
      const plaintext = rh(randomInt(0, 80));
      const nonce = rh(12);
      const purpose = txt('record');
      const b = hex(S.box.seal(u8(key), u8(purpose), u8(ctx), u8(index), u8(plaintext), { nonce: u8(nonce) }));
      reqs.push({ op: 'box_seal', key, purpose, ctx, index, plaintext, nonce });
      want.push({ box: b });
      reqs.push({ op: 'box_open', key, purpose, ctx, index, box: b });
      want.push({ plaintext });
      reqs.push({ op: 'box_open', key, purpose: txt('report'), ctx, index, box: b });
      want.push({ error: 'DecryptionFailed' });

      // the harness opens what the source seals (sealing is randomized, so not compared byte for byte)
      const kp = S.seal.generateKeyPair();
      const sealed = hex(S.seal.seal(kp.publicKey, u8(txt('escrow-share')), u8(ctx), u8(plaintext)));
      reqs.push({ op: 'open', sk: hex(kp.secretKey), purpose: txt('escrow-share'), ctx, sealed });
      want.push({ plaintext });
      reqs.push({ op: 'open', sk: hex(kp.secretKey), purpose: txt('record'), ctx, sealed });
      want.push({ error: 'DecryptionFailed' });
      reqs.push({ op: 'open', sk: hex(kp.secretKey), purpose: txt('escrow-share'), ctx, sealed: '02' + sealed.slice(2) });
      want.push({ error: 'UnsupportedVersion' });

      const salt = rh(16);
      reqs.push({ op: 'passphrase_key', passphrase: `pass phrase ${i} é`, salt, m_kib: 64, t_cost: 1, p: 1 });
      want.push({ key: hex(S.passphrase.deriveKey(`pass phrase ${i} é`, u8(salt), { mKiB: 64, tCost: 1, p: 1 })) });
    }
    const answers = run(reqs);
    assert.deepEqual(answers, want);
  });

  test('interop harness (built crypto.js): its sealed envelopes open in src/crypto', () => {
    const kp = S.seal.generateKeyPair();
    const pt = rh(33);
    const [res] = run([{ op: 'seal', pk: Buffer.from(kp.publicKey).toString('hex'), purpose: txt('report'), ctx: txt('deployment'), plaintext: pt }]);
    const back = S.seal.open(kp.secretKey, 'report', 'deployment', u8(res.sealed));
    assert.equal(Buffer.from(back).toString('hex'), pt);
  });

  test('interop harness (built crypto.js): suite 2 (MLKEM768-X25519) keys, seals and opens', () => {
    const hex = (b) => Buffer.from(b).toString('hex');
    const kp = S.seal.generateKeyPair(2);
    const pt = rh(40);
    const common = { purpose: txt('record'), ctx: txt('org:7') };
    const mine = hex(S.seal.seal(kp.publicKey, 'record', 'org:7', u8(pt), { suite: 2 }));
    const answers = run([
      { op: 'seal_keygen', suite: 2, sk: hex(kp.secretKey) },
      { op: 'seal_keygen', suite: 2 },
      { op: 'seal_keygen' },
      { op: 'seal', suite: 2, pk: hex(kp.publicKey), ...common, plaintext: pt },
      { op: 'open', suite: 2, sk: hex(kp.secretKey), ...common, sealed: mine },
      { op: 'open', sk: hex(kp.secretKey), ...common, sealed: mine },
      { op: 'open', suite: 2, sk: hex(kp.secretKey), ...common, sealed: mine.slice(0, 2 * 1130) },
      { op: 'seal', suite: 2, pk: hex(kp.publicKey).slice(2), ...common, plaintext: pt },
      { op: 'seal_keygen', suite: 2, sk: rh(31) },
      { op: 'seal', suite: 3, pk: hex(kp.publicKey), ...common, plaintext: pt },
      { op: 'open', suite: 'two', sk: hex(kp.secretKey), ...common, sealed: mine },
    ]);
    assert.deepEqual(answers[0], { sk: hex(kp.secretKey), pk: hex(kp.publicKey) });
    assert.deepEqual([answers[1].sk.length, answers[1].pk.length], [64, 2432]);
    assert.equal(answers[1].pk, hex(S.seal.publicKey(u8(answers[1].sk), 2)));
    assert.deepEqual([answers[2].sk.length, answers[2].pk.length], [64, 64]);
    assert.equal(hex(S.seal.open(kp.secretKey, 'record', 'org:7', u8(answers[3].sealed), { suite: 2 })), pt);
    assert.deepEqual(answers[4], { plaintext: pt });
    assert.deepEqual(
      answers.slice(5).map((a) => a.error),
      ['UnsupportedVersion', 'InvalidEnvelope', 'InvalidElement', 'InvalidScalar', 'BadRequest', 'BadRequest'],
    );
  });

  test('interop harness: malformed requests get BadRequest, typed errors keep their names', () => {
    const answers = run([
      { op: 'no_such_op' },
      { op: 'oprf_evaluate', mode: 2, sk: rh(32), input: '' },
      { op: 'oprf_evaluate', mode: 0, sk: 'zz', input: '' },
      { op: 'oprf_evaluate', mode: 0, sk: 'ff'.repeat(32), input: '' },
      { op: 'oprf_blind_evaluate', mode: 1, sk: v.voprf.skSm, blinded: '00'.repeat(32) },
      { op: 'escrow_derive', output: rh(64), ctx: '', t: 1 },
      { op: 'box_open', key: rh(32), purpose: '', ctx: '', index: '', box: '01' + rh(10) },
    ]);
    assert.deepEqual(
      answers.map((a) => a.error),
      ['BadRequest', 'BadRequest', 'BadRequest', 'InvalidScalar', 'InvalidElement', 'BadRequest', 'InvalidEnvelope'],
    );
  });
}

if (process.env.NODE_TEST_CONTEXT) await selfTest();
else await serve();
