// The advocates' workspace in the browser (docs/protocols/workspace.md).
//
// Key page: make an HPKE key pair here, wrap the private key under the advocate's passphrase
// (Argon2id, a few seconds, with progress) and send only the public key and the wrapped key.
// Match page: fetch the envelopes sealed to this advocate's key and the wrapped private key,
// unwrap it with the passphrase, open each share, recover the entry key from t shares (robust
// decryption over t-subsets, escrow.md §7) and show each survivor's contact details. Nothing
// decrypted is sent anywhere.

import { bytes, escrow, labels, passphrase, seal, box } from '/static/chorus/crypto.js';

const SUITE = 1;
const MIN_PASSPHRASE = 12;

const msg = (el, name) => el.dataset[name] ?? name;

function csrfToken() {
  const input = document.querySelector('input[name=csrfmiddlewaretoken]');
  return input ? input.value : '';
}

function progressTo(bar) {
  bar.hidden = false;
  bar.value = 0;
  return (p) => {
    bar.value = Math.round(p * 100);
  };
}

/** Unwraps a member's (or advocate's) private key with their passphrase, showing progress on
 * `bar`. Used by the organisation's case page (cases.js); DecryptionFailed for a wrong one. */
export function unlockPrivateKey(phrase, wrappedHex, ctxHex, bar) {
  return passphrase.unwrapAsync(phrase, bytes.fromHex(wrappedHex), {
    ctx: bytes.fromHex(ctxHex),
    onProgress: progressTo(bar),
  });
}

// The passphrase fields have no name and the submit buttons stay disabled until this module has
// taken over the form: a passphrase is never sent anywhere by a native form submission, even if
// this module loads late or not at all.
const passphraseOf = (id) => document.getElementById(id).value;

// ---------------------------------------------------------------- key page

function keyPage(form) {
  const status = document.getElementById('key-status');
  const bar = document.getElementById('key-progress');
  const button = form.querySelector('button[type=submit]');
  button.disabled = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const phrase = passphraseOf('field-passphrase');
    if (phrase.length < MIN_PASSPHRASE) {
      status.textContent = msg(status, 'tooShort');
      return;
    }
    if (phrase !== passphraseOf('field-passphrase-again')) {
      status.textContent = msg(status, 'differ');
      return;
    }
    button.disabled = true;
    status.textContent = msg(status, 'working');
    try {
      const pair = seal.generateKeyPair(SUITE);
      const wrapped = await passphrase.wrapAsync(phrase, pair.secretKey, {
        ctx: bytes.fromHex(form.dataset.keyCtx),
        onProgress: progressTo(bar),
      });
      pair.secretKey.fill(0);
      const response = await fetch(form.dataset.post, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
        body: JSON.stringify({
          suite: SUITE,
          public_key: bytes.toHex(pair.publicKey),
          wrapped_private_key: bytes.toHex(wrapped),
        }),
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.message || response.statusText);
      status.textContent = msg(status, 'done');
      bar.hidden = true;
      window.location.assign(form.dataset.next);
    } catch (err) {
      status.textContent = `${msg(status, 'failed')} ${err.message}`;
      button.disabled = false;
    }
  });
}

// ---------------------------------------------------------------- match page

/** Opens every entry it can: robust recovery over t-subsets, then each entry with K. */
export function openMatch(data, secretKey) {
  const ctx = bytes.fromHex(data.ctx);
  const index = bytes.fromHex(data.index);
  const opened = [];
  const failed = [];
  for (const { id, sealed } of data.entries) {
    try {
      const plain = seal.open(secretKey, labels.PURPOSE_ESCROW_SHARE, ctx, bytes.fromHex(sealed), { suite: data.suite });
      opened.push({ id, ...escrow.parseSharePlaintext(plain) });
    } catch {
      failed.push(id);
    }
  }
  // The threshold is the one the server made the match under, never a share's own claim: a
  // malicious first share with another t would otherwise make the whole match fail to open.
  const t = data.threshold;
  if (!Number.isInteger(t) || t < labels.THRESHOLD_MIN || t > labels.THRESHOLD_MAX) {
    throw new Error('the match has no valid threshold');
  }
  const same = opened.filter((o) => o.t === t);
  for (const o of opened) if (o.t !== t) failed.push(o.id);
  const openEntry = (key, item) => {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(
      box.open(key, labels.PURPOSE_ESCROW_SHARE, ctx, index, item.entry),
    );
    const entry = JSON.parse(text);
    if (!entry || entry.v !== 1 || typeof entry.contact !== 'string') throw new Error('unknown entry format');
    return entry.contact;
  };
  const result = escrow.robustRecover(same, t, (key, subset) => subset.map((i) => openEntry(key, same[i])));
  const contacts = new Map();
  for (const item of same) {
    try {
      contacts.set(item.id, openEntry(result.entryKey, item));
    } catch {
      failed.push(item.id);
    }
  }
  return { contacts, failed };
}

function matchPage(form) {
  const status = document.getElementById('open-status');
  const bar = document.getElementById('open-progress');
  const button = form.querySelector('button[type=submit]');
  button.disabled = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.textContent = msg(status, 'working');
    try {
      const response = await fetch(form.dataset.envelopes, { credentials: 'same-origin', cache: 'no-store' });
      const data = await response.json();
      if (!response.ok) throw new Error(data.message || response.statusText);
      let secretKey;
      try {
        secretKey = await passphrase.unwrapAsync(passphraseOf('field-passphrase'), bytes.fromHex(data.wrapped_private_key), {
          ctx: bytes.fromHex(data.key_ctx),
          onProgress: progressTo(bar),
        });
      } catch (err) {
        if (err.name === 'DecryptionFailed') throw new Error(msg(status, 'wrongPassphrase'));
        throw err;
      }
      let opened;
      try {
        opened = openMatch(data, secretKey);
      } finally {
        secretKey.fill(0); // also when opening fails: the key must not outlive this attempt
      }
      const { contacts, failed } = opened;
      for (const el of document.querySelectorAll('.contact[data-entry]')) {
        const id = Number(el.dataset.entry);
        if (contacts.has(id)) el.textContent = contacts.get(id);
        else if (failed.includes(id)) el.textContent = msg(status, 'unreadable');
      }
      document.getElementById('field-passphrase').value = '';
      bar.hidden = true;
      status.textContent = msg(status, 'done');
    } catch (err) {
      status.textContent = `${msg(status, 'failed')} ${err.message}`;
      bar.hidden = true;
    } finally {
      button.disabled = false;
    }
  });
}

// Outreach forms work without JavaScript (a plain POST and a reload); with it, they post in the
// background so the contact details opened on this page stay on screen.
function outreachForms(status) {
  for (const form of document.querySelectorAll('form.outreach-form')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const checked = form.querySelector('input[name=outreach]:checked');
      if (!checked) return;
      const response = await fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        body: new FormData(form),
      });
      if (response.ok) {
        const label = form.querySelector(`label[for="${checked.id}"]`);
        form.querySelector('.outreach-state').textContent = label ? label.textContent : checked.value;
      } else {
        status.textContent = msg(status, 'outreachFailed');
      }
    });
  }
}

const keyForm = document.getElementById('key-form');
if (keyForm) keyPage(keyForm);
const openForm = document.getElementById('open-form');
if (openForm) {
  matchPage(openForm);
  outreachForms(document.getElementById('open-status'));
}
