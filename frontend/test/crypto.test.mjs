// Property-style tests of the escrow protocol (docs/protocols/escrow.md §4-§8) through
// src/crypto/: thresholds, recovery, duplicates, the two key servers, envelope binding
// and strict parsing. Random cases draw fresh randomness on every run.
//
//   node --test frontend/test/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';

import * as C from '../src/crypto/index.js';

const { oprf, keyservers, escrow, seal, box, passphrase, labels } = C;
const x = (b) => Buffer.from(b).toString('hex');
const rb = (n) => new Uint8Array(randomBytes(n));
const L = labels.GROUP_ORDER;
const le32 = (n) => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
};
const fromLE = (b) => b.reduceRight((acc, v) => (acc << 8n) | BigInt(v), 0n);
const randomScalar = () => le32((fromLE(rb(64)) % (L - 1n)) + 1n);
const sample = (arr, k) => {
  const a = [...arr];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
};

// ---------------------------------------------------------------- labels

test('labels: the values of spec §3', () => {
  assert.equal(labels.ESCROW_SALT, 'chorus/escrow/v1');
  assert.equal(labels.LABEL_INDEX, 'chorus/escrow/v1/index');
  assert.equal(labels.LABEL_SECRET, 'chorus/escrow/v1/secret');
  assert.equal(labels.LABEL_COEFFICIENT, 'chorus/escrow/v1/coefficient');
  assert.equal(labels.LABEL_SURVIVOR, 'chorus/escrow/v1/survivor');
  assert.equal(labels.LABEL_ENTRY_KEY, 'chorus/escrow/v1/entry-key');
  assert.equal(labels.SEAL_INFO_PREFIX, 'chorus/seal/v1/');
  assert.equal(labels.PURPOSE_ESCROW_SHARE, 'escrow-share');
  assert.equal(labels.PURPOSE_RECORD, 'record');
  assert.equal(labels.PURPOSE_REPORT, 'report');
  assert.equal(labels.PASSPHRASE_LABEL, 'chorus/passphrase/v1');
  assert.equal(L, 2n ** 252n + 27742317777372353535851937790883648493n);
  // §2, §8: the sealing suites
  assert.deepEqual(
    [labels.SEAL_SUITE_X25519_CHACHA20POLY1305, labels.HPKE_KEM_X25519_HKDF_SHA256, labels.X25519_KEY_LENGTH],
    [0x01, 0x0020, 32],
  );
  assert.deepEqual(
    [labels.SEAL_SUITE_MLKEM768_X25519_CHACHA20POLY1305, labels.HPKE_KEM_MLKEM768_X25519],
    [0x02, 0x647a],
  );
  assert.deepEqual([labels.XWING_SEED_LENGTH, labels.XWING_PUBLIC_KEY_LENGTH, labels.XWING_ENC_LENGTH], [32, 1216, 1120]);
  assert.deepEqual([labels.HPKE_KDF_HKDF_SHA256, labels.HPKE_AEAD_CHACHA20POLY1305], [0x0001, 0x0003]);
  assert.deepEqual(C.ERROR_NAMES, [
    'InvalidElement', 'InvalidScalar', 'InvalidProof', 'InvalidEnvelope',
    'UnsupportedVersion', 'DecryptionFailed', 'DuplicateShare', 'NotEnoughShares',
  ]);
  for (const name of C.ERROR_NAMES) {
    const err = new C[name]('m');
    assert.equal(err.name, name);
    assert.ok(err instanceof C.ChorusCryptoError && err instanceof Error);
  }
});

// ---------------------------------------------------------------- escrow §4, §6, §7

test('escrow: any t distinct shares recover a0 and K; t-1 cannot (random t in 2..10)', () => {
  for (let round = 0; round < 12; round++) {
    const t = randomInt(2, 11);
    const y = rb(64);
    const ctx = round % 2 ? C.bytes.utf8('deployment') : C.bytes.utf8(`org:${randomInt(1e6)}`);
    const d = escrow.derive(y, ctx, t);
    assert.equal(d.index.length, 32);
    assert.equal(d.secret.length, 32);
    assert.equal(d.coefficients.length, t - 1);
    assert.equal(d.entryKey.length, 32);
    assert.ok(fromLE(d.secret) < L);
    assert.equal(x(escrow.entryKeyFromSecret(d.secret)), x(d.entryKey));

    const n = t + 3;
    const shares = Array.from({ length: n }, () => escrow.share(y, ctx, t, rb(32)));
    for (let k = 0; k < 4; k++) {
      const pick = sample(shares, t);
      assert.equal(x(escrow.recover(pick, { t })), x(d.secret), `t=${t}`);
      assert.equal(x(escrow.recover(pick)), x(d.secret));
    }
    // all n > t shares agree too (the polynomial has degree t-1)
    assert.equal(x(escrow.recover(shares, { t })), x(d.secret));
    // t-1 shares: refused with the threshold, and interpolate to something else without it
    const fewer = sample(shares, t - 1);
    assert.throws(() => escrow.recover(fewer, { t }), C.NotEnoughShares);
    if (t - 1 >= 2) assert.notEqual(x(escrow.recover(fewer)), x(d.secret));

    // the index depends on t and on ctx; the output of another identifier shares nothing
    assert.notEqual(x(escrow.derive(y, ctx, t === 10 ? 9 : t + 1).index), x(d.index));
    assert.notEqual(x(escrow.derive(y, C.bytes.utf8('other'), t).index), x(d.index));
    assert.notEqual(x(escrow.derive(rb(64), ctx, t).secret), x(d.secret));
  }
});

test('escrow: the same survivor naming the same person gives the same share; duplicates are rejected', () => {
  const y = rb(64);
  const ctx = C.bytes.utf8('deployment');
  const t = 3;
  const sid = rb(32);
  const a = escrow.share(y, ctx, t, sid);
  const b = escrow.share(y, ctx, t, sid);
  assert.deepEqual(a, b);
  assert.equal(x(a.u), x(escrow.survivorValue(sid, escrow.derive(y, ctx, t).index)));
  // π is in U: the same survivor has unrelated U values in different groups
  assert.notEqual(x(escrow.share(rb(64), ctx, t, sid).u), x(a.u));
  const other = escrow.share(y, ctx, t, rb(32));
  assert.throws(() => escrow.recover([a, b, other], { t }), C.DuplicateShare);
  assert.throws(() => escrow.recover([a, b]), C.DuplicateShare);
  // the same U with a different s (a forged share) is a duplicate too
  assert.throws(() => escrow.recover([a, { u: a.u, s: other.s }, other]), C.DuplicateShare);
  assert.throws(() => escrow.recover([a]), C.NotEnoughShares);
  assert.throws(() => escrow.recover([]), C.NotEnoughShares);
});

test('escrow: share scalars are checked', () => {
  const good = escrow.share(rb(64), C.bytes.utf8('deployment'), 2, rb(32));
  const other = escrow.share(rb(64), C.bytes.utf8('deployment'), 2, rb(32));
  const big = le32(L); // not canonical
  assert.throws(() => escrow.recover([good, { u: big, s: other.s }]), C.InvalidScalar);
  assert.throws(() => escrow.recover([good, { u: other.u, s: big }]), C.InvalidScalar);
  assert.throws(() => escrow.recover([good, { u: new Uint8Array(32), s: other.s }]), C.InvalidScalar);
  assert.throws(() => escrow.recover([good, { u: other.u.slice(1), s: other.s }]), C.InvalidScalar);
  assert.throws(() => escrow.derive(rb(64), C.bytes.utf8('x'), 1), RangeError);
  assert.throws(() => escrow.derive(rb(64), C.bytes.utf8('x'), 17), RangeError);
  assert.throws(() => escrow.derive(rb(63), C.bytes.utf8('x'), 2), RangeError);
  assert.throws(() => escrow.share(rb(64), C.bytes.utf8('x'), 2, rb(31)), RangeError);
});

test('escrow: share plaintext encodes and parses strictly', () => {
  const sh = escrow.share(rb(64), C.bytes.utf8('deployment'), 4, rb(32));
  const entry = rb(randomInt(0, 300));
  const pt = escrow.encodeSharePlaintext({ ...sh, t: 4, entry });
  assert.equal(pt.length, 1 + 32 + 32 + 1 + 2 + entry.length);
  const back = escrow.parseSharePlaintext(pt);
  assert.deepEqual([x(back.u), x(back.s), back.t, x(back.entry)], [x(sh.u), x(sh.s), 4, x(entry)]);
  const withByte = (i, v) => {
    const c = Uint8Array.from(pt);
    c[i] = v;
    return c;
  };
  assert.throws(() => escrow.parseSharePlaintext(withByte(0, 2)), C.UnsupportedVersion);
  assert.throws(() => escrow.parseSharePlaintext(new Uint8Array([...pt, 0])), C.InvalidEnvelope);
  assert.throws(() => escrow.parseSharePlaintext(pt.slice(0, -1 - (entry.length ? 0 : 1))), C.InvalidEnvelope);
  assert.throws(() => escrow.parseSharePlaintext(withByte(65, 1)), C.InvalidEnvelope);
  assert.throws(() => escrow.parseSharePlaintext(withByte(65, 17)), C.InvalidEnvelope);
  assert.throws(() => escrow.parseSharePlaintext(withByte(32, 0xff)), C.InvalidScalar);
});

// ---------------------------------------------------------------- OPRF and the two key servers §5

test('two key servers: the combined output equals the VOPRF output under kA + kB', () => {
  for (let round = 0; round < 4; round++) {
    const a = oprf.generateKeyPair();
    const b = oprf.generateKeyPair();
    const k = le32((fromLE(a.secretKey) + fromLE(b.secretKey)) % L);
    const input = rb(randomInt(0, 64));
    const { blind, blinded } = keyservers.blind(input);
    const ra = keyservers.serverEvaluate(a.secretKey, blinded);
    const rbResp = keyservers.serverEvaluate(b.secretKey, blinded);
    assert.equal(ra.length, 96);
    const y = keyservers.combine(input, blind, blinded, [
      { pk: a.publicKey, response: ra },
      { pk: b.publicKey, ...keyservers.parseResponse(rbResp) },
    ]);
    assert.equal(x(y), x(oprf.evaluate(1, k, input)));
    assert.equal(x(keyservers.combinePublicKeys([a.publicKey, b.publicKey])), x(oprf.publicKey(k)));

    // a server that evaluates under another key is caught by its proof
    const rogue = oprf.generateKeyPair();
    const rr = keyservers.serverEvaluate(rogue.secretKey, blinded);
    assert.throws(
      () => keyservers.combine(input, blind, blinded, [{ pk: a.publicKey, response: ra }, { pk: b.publicKey, response: rr }]),
      C.InvalidProof,
    );
    // responses swapped between the servers' keys fail as well
    assert.throws(
      () => keyservers.combine(input, blind, blinded, [{ pk: b.publicKey, response: ra }, { pk: a.publicKey, response: rbResp }]),
      C.InvalidProof,
    );
    assert.throws(() => keyservers.parseResponse(ra.slice(1)), C.InvalidElement);
  }
});

test('OPRF: element and scalar decoding is strict', () => {
  const kp = oprf.generateKeyPair();
  const { blinded } = oprf.blind(0, C.bytes.utf8('x'));
  const identity = new Uint8Array(32);
  const nonCanonical = new Uint8Array(32).fill(0xff);
  for (const bad of [identity, nonCanonical, blinded.slice(1), new Uint8Array(33)])
    assert.throws(() => oprf.blindEvaluate(0, kp.secretKey, bad), C.InvalidElement);
  assert.throws(() => oprf.blindEvaluate(0, le32(L), blinded), C.InvalidScalar);
  assert.throws(() => oprf.blindEvaluate(0, new Uint8Array(32), blinded), C.InvalidScalar);
  assert.throws(() => oprf.blind(1, C.bytes.utf8('x'), { blind: new Uint8Array(32) }), C.InvalidScalar);
  assert.throws(() => oprf.blind(1, C.bytes.utf8('x'), { blind: le32(L + 1n) }), C.InvalidScalar);
  assert.throws(() => oprf.finalize(0, C.bytes.utf8('x'), randomScalar(), identity), C.InvalidElement);
  assert.throws(() => oprf.blind(2, C.bytes.utf8('x')), RangeError);
  const ev = oprf.blindEvaluate(1, kp.secretKey, blinded);
  assert.throws(() => oprf.verifyProof(kp.publicKey, [blinded], [ev.evaluated], ev.proof.slice(1)), C.InvalidProof);
  const nc = Uint8Array.from(ev.proof);
  nc.set(le32(L), 32);
  assert.throws(() => oprf.verifyProof(kp.publicKey, [blinded], [ev.evaluated], nc), C.InvalidProof);
  assert.throws(() => oprf.verifyProof(identity, [blinded], [ev.evaluated], ev.proof), C.InvalidElement);
});

test('OPRF: standalone VerifyProof agrees with noble on random cases', () => {
  for (let i = 0; i < 6; i++) {
    const kp = oprf.generateKeyPair();
    const input = rb(i * 7);
    const { blind, blinded } = oprf.blind(1, input);
    const ev = oprf.blindEvaluate(1, kp.secretKey, blinded);
    oprf.verifyProof(kp.publicKey, [blinded], [ev.evaluated], ev.proof);
    const viaNoble = ristretto255_oprf.voprf.finalize(input, blind, ev.evaluated, blinded, kp.publicKey, ev.proof);
    assert.equal(x(oprf.unblindAndHash(input, blind, ev.evaluated)), x(viaNoble));
    assert.equal(x(oprf.evaluate(1, kp.secretKey, input)), x(viaNoble));
    const bad = Uint8Array.from(ev.proof);
    bad[randomInt(64)] ^= 1 << randomInt(8);
    let nobleRejects = false;
    try {
      ristretto255_oprf.voprf.finalize(input, blind, ev.evaluated, blinded, kp.publicKey, bad);
    } catch {
      nobleRejects = true;
    }
    assert.ok(nobleRejects);
    assert.throws(() => oprf.verifyProof(kp.publicKey, [blinded], [ev.evaluated], bad), C.InvalidProof);
    // mode 0 and mode 1 give different outputs for the same key and input
    assert.notEqual(x(oprf.evaluate(0, kp.secretKey, input)), x(oprf.evaluate(1, kp.secretKey, input)));
  }
});

// ---------------------------------------------------------------- envelopes §8

test('seal: opens only with the same key, purpose and scope; strict parsing', () => {
  const kp = seal.generateKeyPair();
  const other = seal.generateKeyPair();
  const pt = rb(100);
  const s = seal.seal(kp.publicKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', pt);
  assert.equal(s.length, 2 + 32 + pt.length + 16);
  assert.deepEqual([s[0], s[1]], [1, 1]);
  assert.equal(x(seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', s)), x(pt));
  // string and byte forms of purpose/ctx are the same thing
  assert.equal(x(seal.open(kp.secretKey, C.bytes.utf8('escrow-share'), C.bytes.utf8('org:1'), s)), x(pt));
  assert.throws(() => seal.open(other.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', s), C.DecryptionFailed);
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_RECORD, 'org:1', s), C.DecryptionFailed);
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:2', s), C.DecryptionFailed);
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'deployment', s), C.DecryptionFailed);
  // lp() keeps purpose/scope boundaries: ("ab","c") is not ("a","bc")
  const s2 = seal.seal(kp.publicKey, 'ab', 'c', pt);
  assert.throws(() => seal.open(kp.secretKey, 'a', 'bc', s2), C.DecryptionFailed);
  for (let i = 2; i < s.length; i += 7) {
    const t = Uint8Array.from(s);
    t[i] ^= 0x80;
    assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', t), C.DecryptionFailed);
  }
  const v2 = Uint8Array.from(s);
  v2[0] = 2;
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', v2), C.UnsupportedVersion);
  const suite2 = Uint8Array.from(s);
  suite2[1] = 2;
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', suite2), C.UnsupportedVersion);
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', s.slice(0, 49)), C.InvalidEnvelope);
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', new Uint8Array([...s, 0])), C.DecryptionFailed);
  // a low-order recipient key is refused; a low-order enc cannot be opened
  assert.throws(() => seal.seal(new Uint8Array(32), 'record', 'x', pt), C.InvalidElement);
  const lowEnc = Uint8Array.from(s);
  lowEnc.set(new Uint8Array(32), 2);
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', lowEnc), C.DecryptionFailed);
  // fresh ephemeral key every time
  assert.notEqual(x(seal.seal(kp.publicKey, 'record', 'x', pt)), x(seal.seal(kp.publicKey, 'record', 'x', pt)));
});

test('seal suite 2 (MLKEM768-X25519): opens only with the same key, purpose and scope; strict parsing', () => {
  const S2 = { suite: 2 };
  const kp = seal.generateKeyPair(2);
  assert.deepEqual([kp.secretKey.length, kp.publicKey.length], [32, 1216]);
  assert.equal(x(seal.publicKey(kp.secretKey, 2)), x(kp.publicKey));
  assert.deepEqual(seal.SUITES, [1, 2]);
  const other = seal.generateKeyPair(2);
  const pt = rb(100);
  const s = seal.seal(kp.publicKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', pt, S2);
  assert.equal(s.length, 2 + 1120 + pt.length + 16);
  assert.deepEqual([s[0], s[1]], [1, 2]);
  assert.equal(x(seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', s, S2)), x(pt));
  assert.throws(() => seal.open(other.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', s, S2), C.DecryptionFailed);
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_RECORD, 'org:1', s, S2), C.DecryptionFailed);
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:2', s, S2), C.DecryptionFailed);
  const s2 = seal.seal(kp.publicKey, 'ab', 'c', pt, S2);
  assert.throws(() => seal.open(kp.secretKey, 'a', 'bc', s2, S2), C.DecryptionFailed);
  // tampering anywhere after the header: ct_M (implicit rejection), ct_X, ciphertext, tag
  for (const i of [2, 500, 1089, 1090, 1121, 1122, 1150, s.length - 1]) {
    const t = Uint8Array.from(s);
    t[i] ^= 0x01;
    assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', t, S2), C.DecryptionFailed);
  }
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', new Uint8Array([...s, 0]), S2), C.DecryptionFailed);
  for (const n of [0, 1, 2, 1122, 2 + 1120 + 15])
    assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', s.slice(0, n), S2), C.InvalidEnvelope);
  // a key is used only for its own suite
  const k1 = seal.generateKeyPair();
  const s1 = seal.seal(k1.publicKey, 'record', 'x', pt);
  assert.throws(() => seal.open(kp.secretKey, 'record', 'x', s1, S2), C.UnsupportedVersion);
  assert.throws(() => seal.open(k1.secretKey, 'record', 'x', s), C.UnsupportedVersion);
  for (const [v, u] of [[0, 2], [2, 2], [1, 0], [1, 3]]) {
    const t = Uint8Array.from(s);
    t[0] = v;
    t[1] = u;
    assert.throws(() => seal.open(kp.secretKey, 'record', 'x', t, S2), C.UnsupportedVersion);
  }
  // lengths and unusable keys
  assert.throws(() => seal.seal(kp.publicKey.subarray(1), 'record', 'x', pt, S2), C.InvalidElement);
  assert.throws(() => seal.seal(k1.publicKey, 'record', 'x', pt, S2), C.InvalidElement);
  assert.throws(() => seal.open(kp.secretKey.subarray(1), 'record', 'x', s, S2), C.InvalidScalar);
  assert.throws(() => seal.publicKey(new Uint8Array(33), 2), C.InvalidScalar);
  const badModulus = Uint8Array.from(kp.publicKey);
  badModulus.fill(0xff, 0, 1152);
  assert.throws(() => seal.seal(badModulus, 'record', 'x', pt, S2), C.InvalidElement);
  const lowX = Uint8Array.from(kp.publicKey);
  lowX.fill(0, 1184);
  assert.throws(() => seal.seal(lowX, 'record', 'x', pt, S2), C.InvalidElement);
  const lowCtX = Uint8Array.from(s);
  lowCtX.fill(0, 2 + 1088, 2 + 1120);
  assert.throws(() => seal.open(kp.secretKey, labels.PURPOSE_ESCROW_SHARE, 'org:1', lowCtX, S2), C.DecryptionFailed);
  // unknown suites are a caller's mistake
  for (const suite of [0, 3, '2', true]) {
    assert.throws(() => seal.seal(kp.publicKey, 'record', 'x', pt, { suite }), RangeError);
    assert.throws(() => seal.open(kp.secretKey, 'record', 'x', s, { suite }), RangeError);
    assert.throws(() => seal.generateKeyPair(suite), RangeError);
    assert.throws(() => seal.publicKey(kp.secretKey, suite), RangeError);
    assert.throws(() => seal.sealInfo('record', 'x', suite), RangeError);
  }
  // the suite byte is in info: the same purpose and scope give different info per suite
  assert.notEqual(x(seal.sealInfo('record', 'x', 1)), x(seal.sealInfo('record', 'x', 2)));
  // fresh encapsulation every time
  assert.notEqual(x(seal.seal(kp.publicKey, 'record', 'x', pt, S2)), x(seal.seal(kp.publicKey, 'record', 'x', pt, S2)));
});

test('box: binds purpose, scope and index; strict parsing', () => {
  const key = rb(32);
  const idx = rb(32);
  const pt = rb(50);
  const b = box.seal(key, labels.PURPOSE_RECORD, 'deployment', idx, pt);
  assert.equal(b.length, 1 + 12 + pt.length + 16);
  assert.equal(x(box.open(key, labels.PURPOSE_RECORD, 'deployment', idx, b)), x(pt));
  assert.throws(() => box.open(rb(32), labels.PURPOSE_RECORD, 'deployment', idx, b), C.DecryptionFailed);
  assert.throws(() => box.open(key, labels.PURPOSE_REPORT, 'deployment', idx, b), C.DecryptionFailed);
  assert.throws(() => box.open(key, labels.PURPOSE_RECORD, 'org:1', idx, b), C.DecryptionFailed);
  assert.throws(() => box.open(key, labels.PURPOSE_RECORD, 'deployment', rb(32), b), C.DecryptionFailed);
  assert.throws(() => box.open(key, labels.PURPOSE_RECORD, 'deployment', idx, new Uint8Array([...b, 0])), C.DecryptionFailed);
  assert.throws(() => box.open(key, labels.PURPOSE_RECORD, 'deployment', idx, b.slice(0, 28)), C.InvalidEnvelope);
  const v = Uint8Array.from(b);
  v[0] = 0;
  assert.throws(() => box.open(key, labels.PURPOSE_RECORD, 'deployment', idx, v), C.UnsupportedVersion);
  const nonce = rb(12);
  assert.equal(x(box.seal(key, 'record', 'x', idx, pt, { nonce })), x(box.seal(key, 'record', 'x', idx, pt, { nonce })));
});

test('passphrase: wrap/unwrap with the spec parameters; wrong passphrase, scope or weakened parameters fail', () => {
  const secret = rb(32);
  const w = passphrase.wrap('correct horse battery staple', secret, { ctx: 'advocate:7' });
  assert.equal(w.length, 1 + 16 + 4 + 1 + 1 + 1 + 12 + 32 + 16);
  const { params } = passphrase.parseWrapped(w);
  assert.deepEqual(params, { mKiB: 19456, tCost: 2, p: 1 });
  assert.equal(x(passphrase.unwrap('correct horse battery staple', w, { ctx: 'advocate:7' })), x(secret));
  assert.throws(() => passphrase.unwrap('wrong', w, { ctx: 'advocate:7' }), C.DecryptionFailed);
  assert.throws(() => passphrase.unwrap('correct horse battery staple', w, { ctx: 'advocate:8' }), C.DecryptionFailed);
  const weak = Uint8Array.from(w);
  weak.set([0, 0, 0, 64], 17); // m = 64 KiB
  assert.throws(() => passphrase.unwrap('x', weak), C.InvalidEnvelope);
  const huge = Uint8Array.from(w);
  huge.set([0xff, 0xff, 0xff, 0xff], 17);
  assert.throws(() => passphrase.unwrap('x', huge), C.InvalidEnvelope);
  const v = Uint8Array.from(w);
  v[0] = 9;
  assert.throws(() => passphrase.unwrap('x', v), C.UnsupportedVersion);
  assert.throws(() => passphrase.unwrap('x', w.slice(0, 23)), C.InvalidEnvelope);
  assert.throws(() => passphrase.wrap('x', secret, { params: { mKiB: 1024, tCost: 2, p: 1 } }), RangeError);
  // a lone surrogate has no UTF-8 form: refused rather than silently replaced by U+FFFD
  assert.throws(() => passphrase.deriveKey('pass\ud800word', rb(16)), RangeError);
  assert.throws(() => passphrase.deriveKey('pw', rb(8)), RangeError);
});

test('passphrase: the async KDF gives the same key and reports progress', async () => {
  const salt = rb(16);
  let progress = 0;
  const k = await passphrase.deriveKeyAsync('pw', salt, passphrase.DEFAULT_PARAMS, { onProgress: (p) => (progress = p) });
  assert.equal(x(k), x(passphrase.deriveKey('pw', salt)));
  assert.ok(progress > 0.99);
});

// ---------------------------------------------------------------- end to end

test('end to end: t survivors name one person; the advocate recovers every entry, skipping a bad share', () => {
  const t = 3;
  const ctx = C.bytes.utf8('deployment');
  const a = oprf.generateKeyPair();
  const b = oprf.generateKeyPair();
  const advocate = seal.generateKeyPair();
  const identifier = C.bytes.utf8('someone@example.org');

  const submit = (sid, contact) => {
    const { blind, blinded } = keyservers.blind(identifier);
    const y = keyservers.combine(identifier, blind, blinded, [
      { pk: a.publicKey, response: keyservers.serverEvaluate(a.secretKey, blinded) },
      { pk: b.publicKey, response: keyservers.serverEvaluate(b.secretKey, blinded) },
    ]);
    const d = escrow.derive(y, ctx, t);
    const { u, s } = escrow.share(y, ctx, t, sid);
    const entry = box.seal(d.entryKey, labels.PURPOSE_ESCROW_SHARE, ctx, d.index, C.bytes.utf8(contact));
    const plaintext = escrow.encodeSharePlaintext({ u, s, t, entry });
    return { index: d.index, sealed: seal.seal(advocate.publicKey, labels.PURPOSE_ESCROW_SHARE, ctx, plaintext) };
  };
  const subs = ['alice', 'bob', 'carol'].map((c) => submit(rb(32), `contact of ${c}`));
  assert.equal(new Set(subs.map((s) => x(s.index))).size, 1, 'all entries group under one index');

  // a malicious extra "share" with a valid shape
  const junk = escrow.encodeSharePlaintext({ u: randomScalar(), s: randomScalar(), t, entry: rb(40) });
  const all = [seal.seal(advocate.publicKey, labels.PURPOSE_ESCROW_SHARE, ctx, junk), ...subs.map((s) => s.sealed)];
  const opened = all.map((env) => escrow.parseSharePlaintext(seal.open(advocate.secretKey, labels.PURPOSE_ESCROW_SHARE, ctx, env)));
  const index = subs[0].index;
  const res = escrow.robustRecover(opened, t, (K) => box.open(K, labels.PURPOSE_ESCROW_SHARE, ctx, index, opened[1].entry));
  assert.deepEqual(res.subset, [1, 2, 3]);
  assert.deepEqual(res.unused, [0]);
  assert.equal(new TextDecoder().decode(res.value), 'contact of alice');
  for (const [i, who] of [[2, 'bob'], [3, 'carol']])
    assert.equal(new TextDecoder().decode(box.open(res.entryKey, labels.PURPOSE_ESCROW_SHARE, ctx, index, opened[i].entry)), `contact of ${who}`);
  // below the threshold nothing opens
  assert.throws(
    () => escrow.robustRecover(opened.slice(0, 3), t, (K) => box.open(K, labels.PURPOSE_ESCROW_SHARE, ctx, index, opened[1].entry)),
    C.NotEnoughShares,
  );
});
