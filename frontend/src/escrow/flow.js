// The survivor's escrow entry (docs/protocols/escrow.md §4-§8 and §13), all on this device.
//
// For each identifier the survivor gives: normalise it (identifiers.js), blind it, have the key
// server(s) evaluate it through POST /escrow/oprf, check every server's proof against the public
// keys printed on the page, finalize; derive the index π, the entry key K and this survivor's
// share; box the contact details under K; seal the share plaintext to every active advocate key;
// POST the indexes and envelopes to /escrow/entries. The identifiers and the contact details
// never leave the browser in a readable form.

import * as chorus from '/static/chorus/crypto.js';
import { IdentifierError, normalise, oprfInput } from '/static/chorus/identifiers.js';
import { formView } from '../ui/form-view.js';
import { oprfOutput, postJson, readSid } from '../ui/survivor.js';

const MAX_CONTACT_CHARS = 1000;
// The server refuses bodies over the entries route's allowance (settings.BODY_SIZE_ALLOWANCES),
// which the page states in setup.max_body_bytes; 16 KiB, the site-wide limit, if it does not.
const DEFAULT_MAX_BODY_BYTES = 16 * 1024;
const { toHex, fromHex, utf8 } = chorus.bytes;

const MESSAGES = {
  none: 'Give at least one way to identify the person: an email address, a phone number, a profile or a full name.',
  contact: 'Say how an advocate may reach you, for example an email address or a phone number and a good time to call.',
  contactLong: `Keep this under ${MAX_CONTACT_CHARS} characters.`,
  network: 'The site could not be reached. Please check your connection and try again. Nothing was stored.',
  keyserver: 'The key server gave an answer that could not be checked. Nothing was stored. Please try again later.',
  working: 'Locking your entry on this device…',
  tooLarge:
    'This is too much to send at once. Send fewer identifiers or a shorter contact note now, and the others afterwards. Nothing was stored.',
  sending: 'Sending the locked entry…',
};

function base64(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

const post = (root, url, body) => postJson(root, url, body, MESSAGES);

/** Reads every identifier field; returns {identifiers, errors} with errors keyed by field. */
export function collectIdentifiers(form) {
  const value = (selector) => (form.querySelector(selector)?.value ?? '').trim();
  const region = value('[data-region]') || null;
  const platform = value('[data-platform]') || null;
  const organisation = value('[data-organisation]');
  const identifiers = [];
  const errors = {};
  for (const input of form.querySelectorAll('[data-identifier]')) {
    const kind = input.dataset.identifier;
    const raw = input.value;
    if (raw.trim() === '' && !(kind === 'name' && organisation !== '')) continue;
    const options = { defaultRegion: region, platform, organisation };
    try {
      const id = normalise(kind, raw, options);
      if (!identifiers.some((seen) => seen.kind === id.kind && seen.canonical === id.canonical)) identifiers.push(id);
    } catch (err) {
      if (!(err instanceof IdentifierError)) throw err;
      errors[kind] = err.message;
    }
  }
  return { identifiers, errors };
}

/** One entry: the index and the share plaintext sealed to every advocate key (§4, §6, §8). */
export function sealEntry(setup, output, sid, contact) {
  const { ctx, threshold } = setup;
  const ctxBytes = utf8(ctx);
  const derived = chorus.escrow.derive(output, ctxBytes, threshold);
  const share = chorus.escrow.share(output, ctxBytes, threshold, sid);
  const plaintext = utf8(JSON.stringify({ v: 1, contact }));
  const purpose = chorus.labels.PURPOSE_ESCROW_SHARE;
  const entry = chorus.box.seal(derived.entryKey, purpose, ctxBytes, derived.index, plaintext);
  const sharePlaintext = chorus.escrow.encodeSharePlaintext({ u: share.u, s: share.s, t: threshold, entry });
  return {
    index: toHex(derived.index),
    envelopes: setup.advocate_keys.map((key) => ({
      key: key.id,
      sealed: base64(chorus.seal.seal(fromHex(key.public_key), purpose, ctxBytes, sharePlaintext, { suite: key.suite })),
    })),
  };
}

function ui(root) {
  return formView(root, '[data-escrow-error]', '[data-escrow-status]');
}

async function submit(root, setup, form) {
  const view = ui(root);
  view.clear();
  const sid = readSid();
  if (sid === null) {
    window.location.assign(setup.signin_url);
    return;
  }
  const { identifiers, errors } = collectIdentifiers(form);
  const contact = form.querySelector('[data-contact]').value.trim();
  for (const [name, message] of Object.entries(errors)) view.field(name, message);
  if (contact === '') view.field('contact', MESSAGES.contact);
  else if (contact.length > MAX_CONTACT_CHARS) view.field('contact', MESSAGES.contactLong);
  const invalid = Object.keys(errors).length > 0 || contact === '' || contact.length > MAX_CONTACT_CHARS;
  if (identifiers.length === 0 && Object.keys(errors).length === 0) {
    view.fail(MESSAGES.none);
    return;
  }
  if (invalid) {
    view.fail('Please check the fields marked below. Nothing was sent.');
    return;
  }
  view.busy(MESSAGES.working);
  const entries = [];
  for (const identifier of identifiers) {
    const input = oprfInput(identifier);
    const result = await oprfOutput(root, setup, input, MESSAGES);
    if (result.status === 403) {
      window.location.assign(setup.signin_url);
      return;
    }
    if (result.error) {
      view.fail(result.error);
      return;
    }
    entries.push(sealEntry(setup, result.output, sid, contact));
  }
  const maxBody = Number.isInteger(setup.max_body_bytes) ? setup.max_body_bytes : DEFAULT_MAX_BODY_BYTES;
  if (utf8(JSON.stringify({ entries })).length > maxBody) {
    view.fail(MESSAGES.tooLarge);
    return;
  }
  view.busy(MESSAGES.sending);
  const answer = await post(root, setup.entries_url, { entries });
  if (!answer.ok) {
    view.fail(answer.data.message || MESSAGES.network);
    return;
  }
  window.location.assign(setup.done_url);
}

function start() {
  const root = document.querySelector('[data-chorus-escrow]');
  const data = document.getElementById('escrow-setup');
  if (!root || !data) return;
  const setup = JSON.parse(data.textContent);
  if (readSid() === null) {
    window.location.assign(setup.signin_url);
    return;
  }
  root.hidden = false;
  const form = root.querySelector('[data-escrow-form]');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('[data-escrow-submit]');
    button.disabled = true;
    submit(root, setup, form)
      .catch(() => ui(root).fail('Something went wrong on this device. Nothing was stored. Please try again.'))
      .finally(() => {
        button.disabled = false;
      });
  });
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
