// Reports "together" (docs/protocols/reports.md §7.6): the escrow of escrow.md §4-§8 under an
// organisation's scope, carrying a case key instead of contact details.
//
//   ctx_E       = "org:" ‖ organisation id (decimal)          the organisation's escrow scope
//   π, K, (U,s) = derive / share (escrow.md §4, §6) from the OPRF output, ctx_E, t
//   entry       = box(K, "escrow-share", ctx_E, index = π, 0x01 ‖ CK ‖ case_ref)
//   share env.  = seal(pk_k, share plaintext (escrow.md §8) with `entry`, "escrow-share", ctx_E, suite_k)
//   body, reporter_box, and the member's claimed envelope: reports.md §11.1 under ctx_O
//
// The crypto module is passed in (the page passes '/static/chorus/crypto.js', the tests
// frontend/src/crypto/index.js), as frontend/src/reports/envelope.js does.

import { CASE_KEY_LENGTH, CASE_REF_LENGTH, CaseIntegrityError, caseCrypto, toBase64 } from '../reports/envelope.js';

const encoder = new TextEncoder();
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** 0x01 ‖ CK ‖ case_ref: the entry plaintext (and a member's sealed case key plaintext). */
export function entryPlaintext(ck, caseRef) {
  const plain = new Uint8Array(1 + CASE_KEY_LENGTH + CASE_REF_LENGTH);
  plain[0] = 0x01;
  plain.set(ck, 1);
  plain.set(caseRef, 1 + CASE_KEY_LENGTH);
  return plain;
}

/** The strict inverse: {ck, caseRef}. */
export function parseEntryPlaintext(plain) {
  if (plain.length !== 1 + CASE_KEY_LENGTH + CASE_REF_LENGTH || plain[0] !== 0x01) {
    throw new CaseIntegrityError('the together entry has an unknown format');
  }
  return { ck: plain.slice(1, 1 + CASE_KEY_LENGTH), caseRef: plain.slice(1 + CASE_KEY_LENGTH) };
}

export function togetherCrypto(chorus) {
  const { escrow, seal, box, labels, bytes } = chorus;
  const cases = caseCrypto(chorus);

  /**
   * Everything POST /reports/together needs, from the OPRF output of the named person.
   * `keys`: [{id, suite, public_key hex}]; `excluded`: key ids that receive no share.
   */
  function makeHeld({ output, ctx, threshold, slug, keys, excluded = [], sid, body }) {
    const out = new Set(excluded);
    const recipients = keys.filter((k) => !out.has(k.id));
    if (recipients.length === 0) throw new CaseIntegrityError('at least one person must receive the report');
    const ctxBytes = encoder.encode(ctx);
    const derived = escrow.derive(output, ctxBytes, threshold);
    const share = escrow.share(output, ctxBytes, threshold, sid);
    const ck = bytes.random(CASE_KEY_LENGTH);
    const caseRef = bytes.random(CASE_REF_LENGTH);
    const purpose = labels.PURPOSE_ESCROW_SHARE;
    const entry = box.seal(derived.entryKey, purpose, ctxBytes, derived.index, entryPlaintext(ck, caseRef));
    const plaintext = escrow.encodeSharePlaintext({ u: share.u, s: share.s, t: threshold, entry });
    const request = {
      org: slug,
      case_ref: bytes.toHex(caseRef),
      index: bytes.toHex(derived.index),
      body: toBase64(cases.boxReport(ck, slug, caseRef, body)),
      reporter_box: toBase64(cases.boxCaseKey(cases.reporterKey(sid), slug, caseRef, ck)),
      envelopes: recipients.map((k) => ({
        key: k.id,
        sealed: toBase64(seal.seal(bytes.fromHex(k.public_key), purpose, ctxBytes, plaintext, { suite: k.suite })),
      })),
      excluded: keys.filter((k) => out.has(k.id)).map((k) => k.id),
    };
    return { request, ck, caseRef };
  }

  /**
   * The member's side: open every share sealed to their key, recover K from t of them (robust
   * recovery, escrow.md §7, with the threshold the server released the group under, never a
   * share's own claim), open each entry to CK, check that the case reference inside is the
   * case's and that CK opens the report, and seal CK to the member's own key.
   * `data`: the …/together/<id>/shares answer. Returns {claims: [{case, sealed}], failed: [ref]}.
   */
  function openGroup(data, secretKey, fromBase64) {
    const ctx = bytes.fromHex(data.ctx);
    const index = bytes.fromHex(data.index);
    const t = data.threshold;
    if (!Number.isInteger(t) || t < labels.THRESHOLD_MIN || t > labels.THRESHOLD_MAX) {
      throw new Error('the group has no valid threshold');
    }
    const opened = [];
    const failed = [];
    for (const item of data.cases) {
      try {
        const plain = seal.open(secretKey, labels.PURPOSE_ESCROW_SHARE, ctx, fromBase64(item.sealed), {
          suite: data.key.suite,
        });
        const share = escrow.parseSharePlaintext(plain);
        if (share.t !== t) throw new Error('another threshold');
        opened.push({ item, ...share });
      } catch {
        failed.push(item.case);
      }
    }
    const openBox = (key, o) => box.open(key, labels.PURPOSE_ESCROW_SHARE, ctx, index, o.entry);
    const openEntry = (key, o) => {
      const { ck, caseRef } = parseEntryPlaintext(openBox(key, o));
      if (!equal(caseRef, bytes.fromHex(o.item.case))) throw new CaseIntegrityError('the entry belongs to another case');
      cases.openReport(ck, data.slug, caseRef, fromBase64(o.item.body));
      return ck;
    };
    // Only the AEAD decides whether a t-subset gave the right K; the checks of each case follow.
    const result = escrow.robustRecover(opened, t, (key, subset) => subset.map((i) => openBox(key, opened[i])));
    const claims = [];
    for (const o of opened) {
      try {
        const ck = openEntry(result.entryKey, o);
        if (o.item.claimed) continue;
        const caseRef = bytes.fromHex(o.item.case);
        const sealed = cases.sealCaseKey(bytes.fromHex(data.key.public_key), data.key.suite, data.slug, caseRef, ck);
        claims.push({ case: o.item.case, sealed: toBase64(sealed) });
      } catch {
        failed.push(o.item.case);
      }
    }
    return { claims, failed };
  }

  return { makeHeld, openGroup };
}
