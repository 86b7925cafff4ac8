// Supporters (docs/protocols/reports.md §8, §11.2): the reporter's panel on /cases/<ref>
// (invite with a link shown once, allow or stop writing, remove) and the invited person's page
// /support/<i hex> (open the link's box with the fragment's secret, re-box the case key under
// their own key, accept). The fragment never leaves this browser.

import * as chorus from '/static/chorus/crypto.js';
import { caseCrypto, fromBase64, toBase64 } from '../reports/envelope.js';
import { acceptToken, forgetSecret, inviteIdFromPath, inviteLink, makeInvite, secretMatches, takeSecret } from './link.js';
import { readSid } from '../ui/survivor.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2026-11-28" -> "28 November 2026", as the case page writes days. */
function dayText(text) {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text ?? '');
  return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` : (text ?? '');
}
const cases = caseCrypto(chorus);

const MESSAGES = {
  locked: 'Your reports are locked on this tab. Sign in again with your codename to unlock them.',
  network: 'The site could not be reached. Nothing was changed. Check your connection and try again.',
  noSecret:
    'This link is not complete: the part after the # sign is missing or damaged. Open the whole link you were sent, or ask for a new one.',
  wrongSecret: 'This link does not open the report: it may have been copied incompletely. Ask the person who sent it for a new link.',
  caseOpen: 'This report could not be opened with your key. Nothing has been changed.',
};

function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

function showError(root, message, link) {
  const box = root.querySelector('[data-support-error]');
  box.replaceChildren();
  const h = document.createElement('h2');
  h.textContent = 'There is a problem';
  const p = document.createElement('p');
  p.textContent = message;
  box.append(h, p);
  if (link) {
    const a = document.createElement('a');
    a.href = link.href;
    a.textContent = link.text;
    box.append(a);
  }
  box.hidden = false;
  box.focus();
}

function clearError(root) {
  const box = root.querySelector('[data-support-error]');
  box.hidden = true;
  box.replaceChildren();
}

/** fetch + JSON; {ok, status, data}; data.message is always set on failure. */
async function call(url, { method = 'GET', body, token, headers = {} } = {}) {
  const init = { method, credentials: 'same-origin', headers };
  if (body !== undefined) {
    init.headers = { 'Content-Type': 'application/json', 'X-CSRFToken': token };
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    return { ok: false, status: 0, data: { message: MESSAGES.network } };
  }
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = {};
  }
  if (!response.ok && typeof data.message !== 'string') {
    data.message = `The site answered with an error (${response.status}). Nothing was changed.`;
  }
  return { ok: response.ok, status: response.status, data };
}

const csrf = (root) => root.querySelector('input[name="csrfmiddlewaretoken"]')?.value ?? '';

// --- The invited person: /support/<i hex> ---------------------------------------------------

async function startAccept(root) {
  const setup = readJson('support-setup');
  const inviteHex = inviteIdFromPath(window.location.pathname) ?? setup.invite;
  // First, before anything can fail: the secret out of the address bar.
  const secret = takeSecret(window, inviteHex);
  // The link pasted again into this tab changes only the fragment: start again with it.
  window.addEventListener('hashchange', () => window.location.reload());
  if (!setup.signed_in) return; // the page asks them to sign in or make a codename first
  const loading = root.querySelector('[data-support-loading]');
  const done = () => {
    loading.hidden = true;
  };
  const sid = readSid();
  if (!sid) {
    done();
    showError(root, MESSAGES.locked, { href: setup.signin_url, text: 'Sign in' });
    return;
  }
  if (!secret) {
    done();
    showError(root, MESSAGES.noSecret);
    return;
  }
  if (!secretMatches(secret, inviteHex)) {
    done();
    showError(root, MESSAGES.wrongSecret);
    return;
  }
  // The token proves this browser holds the link's secret; the path alone reads nothing.
  const invite = await call(setup.invite_url, { headers: { 'X-Chorus-Token': toBase64(acceptToken(secret)) } });
  if (!invite.ok) {
    done();
    showError(root, invite.data.message);
    return;
  }
  const { case: caseHex, org, box } = invite.data;
  const caseRef = chorus.bytes.fromHex(caseHex);
  let ck;
  try {
    ck = cases.openCaseKeyBox(cases.supportKey(secret), org.slug, caseRef, fromBase64(box));
  } catch {
    done();
    showError(root, MESSAGES.wrongSecret);
    return;
  }
  done();
  root.querySelector('[data-support-org]').textContent = org.name;
  const form = root.querySelector('[data-support-accept-form]');
  form.hidden = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError(root);
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    const mine = cases.boxCaseKey(cases.reporterKey(sid), org.slug, caseRef, ck);
    const body = { box: toBase64(mine), token: toBase64(acceptToken(secret)) };
    const accepted = await call(setup.accept_url, { method: 'POST', body, token: csrf(root) });
    if (!accepted.ok) {
      button.disabled = false;
      const open = accepted.data.code === 'already_supporter' ? { href: `${setup.cases_url}${caseHex}`, text: 'Open the report' } : undefined;
      showError(root, accepted.data.message, open);
      return;
    }
    forgetSecret(window, inviteHex);
    window.location.assign(`${setup.cases_url}${accepted.data.case}`);
  });
  root.dataset.ready = '1';
}

// --- The reporter's panel on /cases/<ref> -------------------------------------------------

function caseHexOf(root) {
  const given = root.dataset.case;
  if (given && /^[0-9a-f]{32}$/.test(given)) return given;
  const m = /\/cases\/([0-9a-f]{32})\/?$/.exec(window.location.pathname);
  return m ? m[1] : null;
}

function supporterItem(root, state, supporter) {
  const li = document.createElement('li');
  li.className = 'support-item';
  li.dataset.supporter = String(supporter.id);
  const text = document.createElement('p');
  text.id = `supporter-${supporter.id}-status`;
  text.dataset.supporterStatus = supporter.accepted ? 'accepted' : 'invited';
  text.textContent = supporter.accepted
    ? `Supporter, invited on ${dayText(supporter.day)}; they accepted.`
    : `Invited on ${dayText(supporter.day)}; the link has not been used yet. It stops working 48 hours after it was made.`;
  li.append(text);

  const label = document.createElement('label');
  label.className = 'support-write';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = supporter.can_write;
  box.dataset.supporterWrite = '';
  // Several supporters have the same controls: each names the row it belongs to.
  box.setAttribute('aria-describedby', text.id);
  label.append(box, ' They may write messages too');
  box.addEventListener('change', async () => {
    clearError(root);
    box.disabled = true;
    const answer = await call(`${state.base}/${supporter.id}`, { method: 'POST', body: { can_write: box.checked }, token: csrf(root) });
    box.disabled = false;
    if (!answer.ok) {
      box.checked = !box.checked;
      showError(root, answer.data.message);
      return;
    }
    status(root, box.checked ? 'They may now write messages.' : 'They can now only read.');
  });

  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'button button-small button-warning';
  remove.dataset.supporterRemove = '';
  remove.textContent = supporter.accepted ? 'Remove this supporter' : 'Withdraw this invitation';
  remove.setAttribute('aria-describedby', text.id);
  // Removing takes one more, deliberate press: "Yes, remove" or "Cancel".
  const confirm = document.createElement('p');
  confirm.className = 'support-confirm';
  confirm.hidden = true;
  const question = document.createElement('span');
  question.textContent = supporter.accepted
    ? 'They will no longer be able to open this report. '
    : 'The link will stop working. ';
  const yes = document.createElement('button');
  yes.type = 'button';
  yes.className = 'button button-small button-warning';
  yes.dataset.supporterRemoveConfirm = '';
  yes.textContent = supporter.accepted ? 'Yes, remove them' : 'Yes, withdraw it';
  const no = document.createElement('button');
  no.type = 'button';
  no.className = 'button button-small support-copy';
  no.textContent = 'Cancel';
  confirm.append(question, yes, ' ', no);
  remove.addEventListener('click', () => {
    remove.hidden = true;
    confirm.hidden = false;
    yes.focus();
  });
  no.addEventListener('click', () => {
    confirm.hidden = true;
    remove.hidden = false;
    remove.focus();
  });
  yes.addEventListener('click', async () => {
    clearError(root);
    yes.disabled = true;
    const answer = await call(`${state.base}/${supporter.id}`, { method: 'POST', body: { remove: true }, token: csrf(root) });
    if (!answer.ok) {
      yes.disabled = false;
      showError(root, answer.data.message);
      return;
    }
    li.remove();
    status(root, supporter.accepted ? 'Removed. They can no longer open this report.' : 'Withdrawn. The link no longer works.');
    refreshEmpty(root);
  });
  li.append(label, remove, confirm);
  root.querySelector('[data-support-list]').append(li);
}

function refreshEmpty(root) {
  const empty = root.querySelector('[data-support-empty]');
  empty.hidden = root.querySelectorAll('[data-supporter]').length > 0;
}

function status(root, text) {
  root.querySelector('[data-support-status]').textContent = text;
}

async function loadCase(caseUrl) {
  const answer = await call(caseUrl);
  if (!answer.ok) throw new Error(answer.data.message);
  return answer.data;
}

async function startPanel(root) {
  const caseHex = caseHexOf(root);
  if (!caseHex) return;
  const caseUrl = `/reports/cases/${caseHex}`;
  const state = { base: `${caseUrl}/supporters` };
  const sid = readSid();
  let data;
  try {
    data = await loadCase(caseUrl);
  } catch (err) {
    showError(root, err.message);
    return;
  }
  if (data.role !== 'reporter') {
    root.hidden = true; // only the person who sent the report manages supporters
    return;
  }
  root.hidden = false;
  for (const supporter of data.supporters ?? []) supporterItem(root, state, supporter);
  refreshEmpty(root);

  const form = root.querySelector('[data-support-invite-form]');
  const shown = root.querySelector('[data-support-link]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError(root);
    shown.hidden = true;
    if (!sid) {
      showError(root, MESSAGES.locked, { href: '/account/signin', text: 'Sign in' });
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    let ck;
    const caseRef = chorus.bytes.fromHex(caseHex);
    try {
      // The case as it is now (the list may have changed in another tab).
      data = await loadCase(caseUrl);
      ck = cases.openCaseKeyBox(cases.reporterKey(sid), data.org.slug, caseRef, fromBase64(data.box));
    } catch {
      button.disabled = false;
      showError(root, MESSAGES.caseOpen);
      return;
    }
    const { inviteId, secret } = makeInvite(chorus.bytes.random);
    const boxed = cases.boxCaseKey(cases.supportKey(secret), data.org.slug, caseRef, ck);
    const canWrite = form.querySelector('[data-support-can-write]').checked;
    const answer = await call(state.base, {
      method: 'POST',
      body: { invite: chorus.bytes.toHex(inviteId), box: toBase64(boxed), can_write: canWrite },
      token: csrf(root),
    });
    button.disabled = false;
    if (!answer.ok) {
      showError(root, answer.data.message);
      return;
    }
    const link = inviteLink(window.location.origin, inviteId, secret);
    const output = shown.querySelector('[data-support-link-text]');
    output.value = link;
    shown.hidden = false;
    output.focus();
    output.select();
    supporterItem(root, state, { id: answer.data.supporter, accepted: false, can_write: canWrite, day: new Date().toISOString().slice(0, 10) });
    refreshEmpty(root);
  });

  const copy = root.querySelector('[data-support-copy]');
  copy.addEventListener('click', async () => {
    const output = shown.querySelector('[data-support-link-text]');
    try {
      await navigator.clipboard.writeText(output.value);
      status(root, 'The link is copied. Paste it into a message to the person you trust.');
    } catch {
      output.focus();
      output.select();
      status(root, 'Copying was not allowed here: the link is selected, copy it with your keyboard or menu.');
    }
  });
  root.dataset.ready = '1';
}

const accept = document.querySelector('[data-chorus-support-accept]');
if (accept) startAccept(accept);
const panel = document.querySelector('[data-chorus-support-panel]');
if (panel) startPanel(panel);
