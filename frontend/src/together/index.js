// Reports "together" in the browser (docs/protocols/reports.md §7.6).
//
// Survivor's page (/reports/together/new): name the person by one identifier (normalised as the
// escrow page does), evaluate it through POST /escrow/oprf and check every key server's proof,
// derive the organisation's index, entry key and this survivor's share, box the report and the
// case key, seal the share to each member key, and POST it to /reports/together. What was typed
// never leaves this device in a readable form.
// Member's page (/workspace/orgs/<slug>/together/<id>): unwrap the private key with the
// passphrase, open the group (crypto.js) and POST the case keys sealed to the member's own key.

import * as chorus from '/static/chorus/crypto.js';
import { IdentifierError, normalise, oprfInput } from '/static/chorus/identifiers.js';
import { fromBase64, reportBody } from '../reports/envelope.js';
import { decodeRecord, RECORD_CTX, recordKey } from '../records/envelope.js';
import { togetherCrypto } from './crypto.js';
import { formView } from '../ui/form-view.js';
import { oprfOutput, postJson, readSid } from '../ui/survivor.js';

const MAX_CLAIMS = 8;
const { toHex, fromHex, utf8 } = chorus.bytes;
const together = togetherCrypto(chorus);

const MESSAGES = {
  none: 'Give one way to identify the person: an email address, a phone number or a full name.',
  many: 'Give only one way to identify the person in one report.',
  text: 'Say what happened, in a few words at least.',
  network: 'The site could not be reached. Please check your connection and try again. Nothing was stored.',
  keyserver: 'The key server gave an answer that could not be checked. Nothing was stored. Please try again later.',
  record: 'Your record could not be opened on this device. Nothing was sent.',
  everyone: 'At least one person at the organisation must be able to receive the report.',
  tooLarge: 'This report is too large to send. Shorten it. Nothing was stored.',
  working: 'Locking your report on this device…',
  sending: 'Sending the locked report…',
  fields: 'Please check the fields marked below. Nothing was sent.',
};

const post = (root, url, body) => postJson(root, url, body, MESSAGES);

// ---------------------------------------------------------------- survivor

/** The one identifier given: {identifier} or {error, field}. */
export function collectIdentifier(form) {
  const value = (selector) => (form.querySelector(selector)?.value ?? '').trim();
  const options = { defaultRegion: value('[data-region]') || null, organisation: value('[data-organisation]') };
  const given = [...form.querySelectorAll('[data-identifier]')].filter((input) => input.value.trim() !== '');
  if (given.length === 0) return { error: MESSAGES.none };
  if (given.length > 1) return { error: MESSAGES.many };
  const [input] = given;
  try {
    return { identifier: normalise(input.dataset.identifier, input.value, options) };
  } catch (err) {
    if (!(err instanceof IdentifierError)) throw err;
    return { error: err.message, field: input.dataset.identifier };
  }
}

async function recordAnswers(setup, sid) {
  const response = await fetch(setup.record_url, { credentials: 'same-origin', cache: 'no-store' });
  if (!response.ok) throw new Error('record');
  const data = await response.json();
  const plain = chorus.box.open(recordKey(sid), chorus.labels.PURPOSE_RECORD, RECORD_CTX, new Uint8Array(0), fromBase64(data.envelope));
  // The record's answers only: its attachments would pass the report's size limit.
  return decodeRecord(plain).answers;
}

function survivorUi(root) {
  return formView(root, '[data-together-error]', '[data-together-status]');
}

async function survivorSubmit(root, setup, form) {
  const view = survivorUi(root);
  view.clear();
  const sid = readSid();
  if (sid === null) {
    window.location.assign(setup.signin_url);
    return;
  }
  const found = collectIdentifier(form);
  const text = form.querySelector('[data-text]').value.trim();
  if (found.error) {
    if (found.field) {
      view.field(found.field, found.error);
      view.fail(MESSAGES.fields);
    } else view.fail(found.error);
    return;
  }
  if (!setup.record_url && text === '') {
    view.field('text', MESSAGES.text);
    view.fail(MESSAGES.fields);
    return;
  }
  const excluded = [...form.querySelectorAll('[data-exclude]')].filter((b) => b.checked).map((b) => Number(b.dataset.exclude));
  if (excluded.length >= setup.keys.length) {
    view.fail(MESSAGES.everyone);
    return;
  }
  view.busy(MESSAGES.working);
  let answers = {};
  if (setup.record_url) {
    try {
      answers = await recordAnswers(setup, sid);
    } catch {
      view.fail(MESSAGES.record);
      return;
    }
  }
  if (text !== '') answers = { ...answers, what: answers.what ? `${answers.what}\n\n${text}` : text };
  const result = await oprfOutput(root, setup, oprfInput(found.identifier), MESSAGES);
  if (result.status === 403) {
    window.location.assign(setup.signin_url);
    return;
  }
  if (result.error) {
    view.fail(result.error);
    return;
  }
  const { request } = together.makeHeld({
    output: result.output,
    ctx: setup.ctx,
    threshold: setup.threshold,
    slug: setup.org.slug,
    keys: setup.keys,
    excluded,
    sid,
    body: reportBody({ mode: 'together', answers }),
  });
  if (utf8(JSON.stringify(request)).length > setup.max_body_bytes) {
    view.fail(MESSAGES.tooLarge);
    return;
  }
  view.busy(MESSAGES.sending);
  const answer = await post(root, setup.send_url, request);
  if (!answer.ok) {
    view.fail(answer.data.message || MESSAGES.network);
    return;
  }
  window.location.assign(setup.done_url);
}

function survivorPage(root, setup) {
  if (readSid() === null) {
    window.location.assign(setup.signin_url);
    return;
  }
  root.hidden = false;
  const form = root.querySelector('[data-together-form]');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('[data-together-submit]');
    button.disabled = true;
    survivorSubmit(root, setup, form)
      .catch(() => survivorUi(root).fail('Something went wrong on this device. Nothing was stored. Please try again.'))
      .finally(() => {
        button.disabled = false;
      });
  });
}

// ---------------------------------------------------------------- member

function memberPage(form) {
  const status = document.getElementById('together-status');
  const bar = document.getElementById('together-progress');
  const button = form.querySelector('button[type=submit]');
  const msg = (name) => status.dataset[name] ?? name;
  button.disabled = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.textContent = msg('working');
    try {
      const response = await fetch(form.dataset.shares, { credentials: 'same-origin', cache: 'no-store' });
      const data = await response.json();
      if (!response.ok) throw new Error(data.message || response.statusText);
      let secretKey;
      try {
        bar.hidden = false;
        secretKey = await chorus.passphrase.unwrapAsync(
          document.getElementById('field-passphrase').value,
          fromHex(data.wrapped_private_key),
          {
            ctx: fromHex(data.key_ctx),
            onProgress: (p) => {
              bar.value = Math.round(p * 100);
            },
          },
        );
      } catch (err) {
        if (err.name === 'DecryptionFailed') throw new Error(msg('wrongPassphrase'));
        throw err;
      }
      let opened;
      try {
        opened = together.openGroup(data, secretKey, fromBase64);
      } finally {
        secretKey.fill(0); // also when opening fails: the key must not outlive this attempt
      }
      // The server takes at most MAX_CLAIMS cases per request (chorus.together.services).
      for (let i = 0; i < opened.claims.length; i += MAX_CLAIMS) {
        const answer = await post(form, form.dataset.claim, { cases: opened.claims.slice(i, i + MAX_CLAIMS) });
        if (!answer.ok) throw new Error(answer.data.message || MESSAGES.network);
      }
      const ready = data.cases.map((c) => c.case).filter((ref) => !opened.failed.includes(ref));
      for (const ref of ready) {
        document.querySelector(`[data-state="${ref}"]`).textContent = msg('opened');
        document.querySelector(`[data-case-link="${ref}"]`).hidden = false;
      }
      for (const ref of opened.failed) {
        const el = document.querySelector(`[data-state="${ref}"]`);
        if (el) el.textContent = msg('unreadable');
      }
      document.getElementById('field-passphrase').value = '';
      bar.hidden = true;
      status.textContent = msg('done');
    } catch (err) {
      status.textContent = `${msg('failed')} ${err.message}`;
      bar.hidden = true;
    } finally {
      button.disabled = false;
    }
  });
}

/** The organisation's short name came in the address (?org=); keep it out of the browser's
 * history, where someone looking at the device would read whom the survivor reports to. */
function forgetOrgInAddress() {
  const params = new URLSearchParams(window.location.search);
  if (!params.has('org')) return;
  params.delete('org');
  const query = params.toString();
  window.history.replaceState(window.history.state, '', window.location.pathname + (query ? `?${query}` : ''));
}

function start() {
  const root = document.querySelector('[data-chorus-together]');
  const data = document.getElementById('together-setup');
  if (root && data) {
    forgetOrgInAddress();
    survivorPage(root, JSON.parse(data.textContent));
  }
  const form = document.getElementById('together-open-form');
  if (form) memberPage(form);
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
