// Codename account pages (docs/protocols/accounts.md). Every key is derived here, on the
// survivor's device; the server receives `auth` keys (it stores only their SHA-256) and the
// survivor id `sid` locked under a `wrap` key. After signing in, the unlocked sid is kept in
// sessionStorage under "chorus.sid" (hex) for the escrow pages; it is gone when the tab closes,
// on sign-out and on "Leave this site".

import * as chorus from '/static/chorus/crypto.js';
import {
  codenameGenerate,
  codenameKeys,
  codenameNormalise,
  recoveryGenerate,
  recoveryKeys,
  SALTS,
} from './codename.js';

const SID_KEY = 'chorus.sid';
const PURPOSE = 'account-sid';
const NO_INDEX = new Uint8Array(0);
const { toHex, fromHex, utf8 } = chorus.bytes;

const wrapSid = (wrap, sid, salt) => chorus.box.seal(wrap, PURPOSE, utf8(salt), NO_INDEX, sid);
const unwrapSid = (wrap, boxed, salt) => chorus.box.open(wrap, PURPOSE, utf8(salt), NO_INDEX, boxed);

function storeSid(sid) {
  try {
    window.sessionStorage.setItem(SID_KEY, toHex(sid));
  } catch {
    // Private modes may refuse; the escrow pages then ask to sign in again.
  }
}

function forgetSid() {
  try {
    window.sessionStorage.removeItem(SID_KEY);
  } catch {
    // nothing stored
  }
}

function csrfToken(root) {
  const field = root.querySelector('input[name="csrfmiddlewaretoken"]');
  return field ? field.value : '';
}

async function post(root, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(root) },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, data: { message: 'The site could not be reached. Please check your connection and try again.' } };
  }
  let data = {};
  try {
    data = await response.json();
  } catch {
    // Not JSON: a proxy's error page, or the CSRF check of a page left open too long.
    data = {
      message:
        response.status === 403
          ? 'This page has expired. Please reload it and try again.'
          : `The site answered with an error (${response.status}). Please try again.`,
    };
  }
  return { ok: response.ok, data };
}

function ui(root) {
  const error = root.querySelector('[data-account-error]');
  const status = root.querySelector('[data-account-status]');
  return {
    fail(message) {
      if (status) status.textContent = '';
      if (!error) return;
      error.textContent = message;
      error.hidden = false;
      error.focus?.();
    },
    busy(message) {
      if (error) error.hidden = true;
      if (status) status.textContent = message;
    },
  };
}

function showStep(root, name) {
  for (const step of root.querySelectorAll('[data-step]')) step.hidden = step.dataset.step !== name;
  const shown = root.querySelector(`[data-step="${name}"]`);
  const heading = shown && shown.querySelector('h2');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
  const input = shown && shown.querySelector('input:not([type="hidden"])');
  if (input && !heading) input.focus();
}

// Shows the codename with a show/hide control, and wires the step buttons and the practice form.
// `onPractised` runs once the survivor has typed the codename back correctly.
function codenameSteps(root, codename, onPractised) {
  const shown = root.querySelector('[data-codename]');
  const toggle = root.querySelector('[data-toggle]');
  let visible = true;
  const render = () => {
    shown.textContent = visible ? codename : codename.replace(/[^ ]/g, '\u2022');
    shown.classList.toggle('is-hidden', !visible);
    toggle.textContent = visible ? toggle.dataset.hideLabel : toggle.dataset.showLabel;
  };
  toggle.addEventListener('click', () => {
    visible = !visible;
    render();
  });
  render();
  for (const button of root.querySelectorAll('[data-goto]')) {
    button.addEventListener('click', () => showStep(root, button.dataset.goto));
  }
  const practice = root.querySelector('form[data-practice]');
  const wrong = practice.querySelector('[data-practice-error]');
  practice.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = practice.querySelector('input').value;
    if (codenameNormalise(typed) !== codenameNormalise(codename)) {
      wrong.hidden = false;
      return;
    }
    wrong.hidden = true;
    onPractised();
  });
}

function initNew(root) {
  const codename = codenameGenerate();
  const recovery = recoveryGenerate();
  const sid = chorus.bytes.random(32);
  const { fail, busy } = ui(root);
  root.querySelector('[data-recovery]').textContent = recovery;
  codenameSteps(root, codename, () => showStep(root, 'recovery'));
  root.querySelector('[data-print]').addEventListener('click', () => window.print());

  const form = root.querySelector('form[data-create]');
  let sending = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending) return;
    const altcha = form.querySelector('input[name="altcha"]');
    if (!altcha || !altcha.value) {
      fail('The anti-spam check did not finish. Please reload the page and try again.');
      return;
    }
    sending = true;
    busy('Making your account\u2026');
    const main = codenameKeys(codename);
    const rescue = recoveryKeys(recovery);
    const { ok, data } = await post(root, window.location.pathname, {
      auth: toHex(main.auth),
      recovery_auth: toHex(rescue.auth),
      sid_wrapped: toHex(wrapSid(main.wrap, sid, SALTS.codename)),
      sid_wrapped_recovery: toHex(wrapSid(rescue.wrap, sid, SALTS.recovery)),
      altcha: altcha.value,
    });
    if (!ok) {
      sending = false;
      fail(data.message || 'Your account could not be made. Please try again.');
      return;
    }
    storeSid(sid);
    window.location.assign(data.next);
  });
}

function initSignin(root) {
  const { fail, busy } = ui(root);
  const form = root.querySelector('form[data-signin]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const codename = form.querySelector('input[name="codename"]').value;
    if (!codenameNormalise(codename)) {
      fail('Please type your codename.');
      return;
    }
    busy('Signing in\u2026');
    const keys = codenameKeys(codename);
    const { ok, data } = await post(root, window.location.pathname, { auth: toHex(keys.auth) });
    if (!ok) {
      fail(data.message || 'You could not be signed in. Please try again.');
      return;
    }
    try {
      storeSid(unwrapSid(keys.wrap, fromHex(data.sid_wrapped), SALTS.codename));
    } catch {
      fail('Your survivor id could not be unlocked. Please sign in again.');
      return;
    }
    window.location.assign(data.next);
  });
}

function initRecover(root) {
  const { fail, busy } = ui(root);
  const form = root.querySelector('form[data-recover]');
  const checkUrl = `${window.location.pathname}/check`;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const rescue = recoveryKeys(form.querySelector('input[name="recovery"]').value);
    busy('Checking your recovery code\u2026');
    const { ok, data } = await post(root, checkUrl, { recovery_auth: toHex(rescue.auth) });
    if (!ok) {
      fail(data.message || 'That recovery code could not be checked. Please try again.');
      return;
    }
    let sid;
    try {
      sid = unwrapSid(rescue.wrap, fromHex(data.sid_wrapped), SALTS.recovery);
    } catch {
      fail('Your survivor id could not be unlocked with this recovery code.');
      return;
    }
    busy('');
    const codename = codenameGenerate();
    codenameSteps(root, codename, async () => {
      busy('Saving your new codename\u2026');
      const main = codenameKeys(codename);
      const saved = await post(root, window.location.pathname, {
        recovery_auth: toHex(rescue.auth),
        auth: toHex(main.auth),
        sid_wrapped: toHex(wrapSid(main.wrap, sid, SALTS.codename)),
      });
      if (!saved.ok) {
        fail(saved.data.message || 'Your new codename could not be saved. Please try again.');
        return;
      }
      storeSid(sid);
      window.location.assign(saved.data.next);
    });
    showStep(root, 'codename');
  });
}

function start() {
  if (document.documentElement.classList.contains('chorus-exiting')) return;
  for (const form of document.querySelectorAll('form[data-chorus-signout]')) {
    form.addEventListener('submit', forgetSid);
  }
  const root = document.querySelector('[data-chorus-account]');
  if (!root) return;
  root.hidden = false;
  const init = { new: initNew, signin: initSignin, recover: initRecover }[root.dataset.chorusAccount];
  if (init) init(root);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
