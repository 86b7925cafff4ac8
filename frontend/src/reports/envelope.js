// A case's envelopes (docs/protocols/reports.md §11.1), shared by the reporter's, the supporter's
// and the organisation member's pages.
//
//   ctx_O        = "chorus/case/v1/" ‖ slug
//   body         = box(CK, "report", ctx_O, index = case_ref, UTF-8 JSON of the report)
//   member env.  = seal(pk_k, 0x01 ‖ CK ‖ case_ref, "case-key", ctx_O, suite_k)
//   reporter_box = box(HKDF-SHA512(salt "chorus/report/v1", ikm sid, L 32), "case-key", ctx_O, case_ref, CK)
//   message n    = box(CK, "case-message", ctx_O, index = case_ref ‖ u32be(n), {"v":1,"text":…})
//   note n       = box(CK, "case-note",    ctx_O, index = case_ref ‖ u32be(n), {"v":1,"text":…})
//
// The box and seal primitives come from the crypto module the caller passes in (the page passes
// '/static/chorus/crypto.js', the tests frontend/src/crypto/index.js), so the page bundle does
// not carry a second copy of them.

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';

export const CASE_KEY_LENGTH = 32;
export const CASE_REF_LENGTH = 16;
export const BODY_VERSION = 1;
export const ENTRY_VERSION = 1;
/** The server's largest stored report body (chorus.reports.services.MAX_BODY_BYTES). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** The server's largest message or note box (chorus.reports.services.MAX_MESSAGE_BYTES). */
export const MAX_ENTRY_BYTES = 11 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const EMPTY = new Uint8Array(0);

/** A case whose envelopes do not belong together: wrong case, a gap in the numbers, bad JSON. */
export class CaseIntegrityError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CaseIntegrityError';
  }
}

export function toBase64(bytes) {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
}

export function fromBase64(text) {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function u32be(n) {
  if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new CaseIntegrityError(`bad number ${n}`);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** The box index of message or note n: case_ref ‖ u32be(n). */
export function entryIndex(caseRef, n) {
  const out = new Uint8Array(caseRef.length + 4);
  out.set(caseRef);
  out.set(u32be(n), caseRef.length);
  return out;
}

/** The JSON a report body holds; anonymous reports carry no name at all. */
export function reportBody({ mode, answers, name, attachments = [], record = null }) {
  const body = { v: BODY_VERSION, mode, answers };
  if (mode === 'named') body.name = name;
  body.attachments = attachments.map((a) => ({ name: a.name, type: a.type, data: toBase64(a.bytes) }));
  if (record) body.record = { digest: record.digest, time: record.time, signature: record.signature };
  return body;
}

/** The case crypto over the given crypto module ({box, seal, labels, bytes}). */
export function caseCrypto(chorus) {
  const { box, seal, labels, bytes } = chorus;
  const caseCtx = (slug) => encoder.encode(labels.CASE_CTX_PREFIX + slug);
  const hkdf32 = (salt, ikm) => hkdf(sha512, ikm, encoder.encode(salt), EMPTY, 32);

  const reporterKey = (sid) => hkdf32(labels.REPORT_SALT, sid);
  const supportKey = (s) => hkdf32(labels.SUPPORT_SALT, s);

  const boxCaseKey = (key, slug, caseRef, ck) => box.seal(key, labels.PURPOSE_CASE_KEY, caseCtx(slug), caseRef, ck);

  function openCaseKeyBox(key, slug, caseRef, boxed) {
    const ck = box.open(key, labels.PURPOSE_CASE_KEY, caseCtx(slug), caseRef, boxed);
    if (ck.length !== CASE_KEY_LENGTH) throw new CaseIntegrityError('the case key has the wrong length');
    return ck;
  }

  function sealCaseKey(publicKey, suite, slug, caseRef, ck) {
    const plain = new Uint8Array(1 + CASE_KEY_LENGTH + CASE_REF_LENGTH);
    plain[0] = 0x01;
    plain.set(ck, 1);
    plain.set(caseRef, 1 + CASE_KEY_LENGTH);
    return seal.seal(publicKey, labels.PURPOSE_CASE_KEY, caseCtx(slug), plain, { suite });
  }

  /** A member's envelope: 0x01 ‖ CK ‖ case_ref, and case_ref must be this case's. */
  function openSealedCaseKey(secretKey, suite, slug, caseRef, sealed) {
    const plain = seal.open(secretKey, labels.PURPOSE_CASE_KEY, caseCtx(slug), sealed, { suite });
    if (plain.length !== 1 + CASE_KEY_LENGTH + CASE_REF_LENGTH || plain[0] !== 0x01) {
      throw new CaseIntegrityError('the case key envelope has an unknown format');
    }
    if (!equal(plain.subarray(1 + CASE_KEY_LENGTH), caseRef)) {
      throw new CaseIntegrityError('the case key envelope belongs to another case');
    }
    return plain.slice(1, 1 + CASE_KEY_LENGTH);
  }

  const boxReport = (ck, slug, caseRef, body) =>
    box.seal(ck, labels.PURPOSE_REPORT, caseCtx(slug), caseRef, encoder.encode(JSON.stringify(body)));

  function openReport(ck, slug, caseRef, boxed) {
    const body = JSON.parse(decoder.decode(box.open(ck, labels.PURPOSE_REPORT, caseCtx(slug), caseRef, boxed)));
    if (!body || body.v !== BODY_VERSION || typeof body.answers !== 'object' || body.answers === null) {
      throw new CaseIntegrityError('the report has an unknown format');
    }
    return body;
  }

  const purposeOf = (kind) => {
    if (kind === 'message') return labels.PURPOSE_CASE_MESSAGE;
    if (kind === 'note') return labels.PURPOSE_CASE_NOTE;
    throw new Error(`unknown entry kind ${kind}`);
  };

  /** Boxes message or note n; CaseIntegrityError('too long') past the server's limit. */
  function boxEntry(kind, ck, slug, caseRef, n, text) {
    const plain = encoder.encode(JSON.stringify({ v: ENTRY_VERSION, text }));
    const boxed = box.seal(ck, purposeOf(kind), caseCtx(slug), entryIndex(caseRef, n), plain);
    if (boxed.length > MAX_ENTRY_BYTES) throw new CaseIntegrityError('too long');
    return boxed;
  }

  /**
   * Opens messages or notes [{n, box (base64), …}]. Their numbers must run 1, 2, 3 … with no
   * gap (a missing or reordered one throws CaseIntegrityError); each box must open under its own
   * number, else that entry comes back with `text: null` (shown as unreadable).
   */
  function openEntries(kind, ck, slug, caseRef, entries) {
    const purpose = purposeOf(kind);
    return entries.map((entry, i) => {
      if (entry.n !== i + 1) throw new CaseIntegrityError(`${kind} ${i + 1} is missing`);
      try {
        const plain = box.open(ck, purpose, caseCtx(slug), entryIndex(caseRef, entry.n), fromBase64(entry.box));
        const data = JSON.parse(decoder.decode(plain));
        if (!data || data.v !== ENTRY_VERSION || typeof data.text !== 'string') throw new Error('format');
        return { ...entry, text: data.text };
      } catch {
        return { ...entry, text: null };
      }
    });
  }

  /**
   * Everything POST /reports needs. `keys`: the /orgs/<slug>/keys list ({id, suite,
   * public_key hex}); `excluded`: the key ids that must not receive the case key.
   */
  function makeReport({ slug, keys, excluded, mode, sid, body }) {
    const out = new Set(excluded);
    const recipients = keys.filter((k) => !out.has(k.id));
    if (recipients.length === 0) throw new CaseIntegrityError('at least one person must receive the report');
    const ck = bytes.random(CASE_KEY_LENGTH);
    const caseRef = bytes.random(CASE_REF_LENGTH);
    const boxed = boxReport(ck, slug, caseRef, body);
    if (boxed.length > MAX_BODY_BYTES) throw new CaseIntegrityError('too large');
    const request = {
      org: slug,
      case_ref: bytes.toHex(caseRef),
      mode,
      body: toBase64(boxed),
      reporter_box: toBase64(boxCaseKey(reporterKey(sid), slug, caseRef, ck)),
      envelopes: recipients.map((k) => ({
        key: k.id,
        sealed: toBase64(sealCaseKey(bytes.fromHex(k.public_key), k.suite, slug, caseRef, ck)),
      })),
      excluded: keys.filter((k) => out.has(k.id)).map((k) => k.id),
    };
    return { request, ck, caseRef };
  }

  return {
    caseCtx,
    reporterKey,
    supportKey,
    boxCaseKey,
    openCaseKeyBox,
    sealCaseKey,
    openSealedCaseKey,
    boxReport,
    openReport,
    boxEntry,
    openEntries,
    makeReport,
  };
}
