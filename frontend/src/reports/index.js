// The survivor's report pages (docs/protocols/reports.md §11.2): send a record as a report,
// read a case and write in its conversation (the list, /cases, is plain HTML).
//
// Sending: the record is opened here with the record key, the organisation's member keys come
// from GET /orgs/<slug>/keys, and the report is boxed under a fresh case key sealed to every
// member the survivor did not exclude (envelope.js). The server stores ciphertext only.
// Reading: the survivor's own copy of the case key opens under a key derived from their sid.

import * as chorus from '/static/chorus/crypto.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeRecord, recordKey, RECORD_CTX } from '../records/envelope.js';
import { CaseIntegrityError, caseCrypto, fromBase64, MAX_BODY_BYTES, reportBody, toBase64 } from './envelope.js';
import { el, fileLink, getJson, when } from '../ui/case-page.js';
import { readSid } from '../ui/survivor.js';

const SLUG = /^[a-z0-9-]{1,64}$/;
const MAX_NAME = 120;
const MAX_MESSAGE = 10000;
const cases = caseCrypto(chorus);

const MESSAGES = {
  locked: 'Your reports are locked on this tab. Sign in again with your codename to unlock them.',
  network: 'The site could not be reached. Nothing was sent. Check your connection and try again.',
  record: 'Your record could not be opened with your key. Nothing has been sent.',
  open: 'This report could not be opened with your key. Nothing has been changed.',
  integrity: 'This conversation is not complete: a message is missing or does not belong to it. Reload the page; if it stays like this, tell the organisation.',
  slug: 'Enter the organisation’s short name, for example acme-ltd. It has only small letters, numbers and dashes.',
  noOrg: 'There is no organisation with this short name. Check the spelling with the organisation.',
  noKeys: 'Nobody at this organisation can receive reports yet. Ask them to finish setting up, then try again.',
  everyone: 'You have ticked everyone. At least one person must be able to open your report.',
  name: 'Enter your name, or choose to send the report without it.',
  nameLong: `Your name can have at most ${MAX_NAME} characters.`,
  tooLarge: 'This report is too large to send. Shorten it and try again.',
  empty: 'Write a message first.',
  messageLong: 'This message is too long to send. Split it into two messages.',
  unreadable: 'This message could not be opened.',
  conflict: 'Someone else wrote at the same moment. Your message was not sent: try again.',
};

const readJson = (id) => {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
};

const csrfToken = (root) => root.querySelector('input[name="csrfmiddlewaretoken"]')?.value ?? '';


function showError(box, message, link) {
  box.replaceChildren(el('h2', 'There is a problem'), el('p', message));
  if (link) box.append(el('a', link.text, { href: link.href }));
  box.hidden = false;
  box.focus();
}

function fieldError(node, message) {
  node.textContent = message ?? '';
  node.hidden = !message;
  node.closest('.field')?.classList.toggle('field-error', Boolean(message));
}



async function postJson(url, root, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(root) },
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = { message: response.status === 413 ? MESSAGES.tooLarge : `The site answered with an error (${response.status}).` };
  }
  return { response, data };
}

function answersList(target, questions, answers) {
  target.replaceChildren();
  let any = false;
  for (const [name, label] of questions) {
    const text = typeof answers[name] === 'string' ? answers[name] : '';
    if (!text) continue;
    any = true;
    target.append(el('dt', label), el('dd', text, { 'data-answer': name }));
  }
  if (!any) target.append(el('dt', 'The report'), el('dd', '(empty)'));
}

const sizeText = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`);

/** The status in words; a closed case says when it will be erased (reports.md §9). */
function statusText(setup, c) {
  if (c.status === 'closed' && typeof c.expires === 'string') {
    return `Closed by the organisation. This report and its conversation will be erased on ${when(c.expires.slice(0, 10))}.`;
  }
  return setup.statuses[c.status] ?? c.status;
}

// --- Sending a record as a report --------------------------------------------------------

async function openRecord(setup, sid) {
  const response = await fetch(setup.envelope_url, { credentials: 'same-origin', cache: 'no-store' });
  if (!response.ok) throw new Error(`envelope: ${response.status}`);
  const data = await response.json();
  const envelope = fromBase64(data.envelope);
  if (chorus.bytes.toHex(sha256(envelope)) !== data.sha256) throw new Error('fingerprint differs');
  const plain = chorus.box.open(recordKey(sid), chorus.labels.PURPOSE_RECORD, RECORD_CTX, new Uint8Array(0), envelope);
  return { record: decodeRecord(plain), stamp: { digest: data.sha256, time: data.time, signature: data.signature } };
}

/** The attachments that fit in one report body; the rest stay in the record. */
function fitAttachments(attachments) {
  // base64 grows by 4/3; keep 64 KiB for the words and the JSON around them.
  let budget = ((MAX_BODY_BYTES - 64 * 1024) * 3) / 4;
  const sent = [];
  const kept = [];
  for (const a of attachments) {
    if (a.bytes.length <= budget) {
      sent.push(a);
      budget -= a.bytes.length;
    } else kept.push(a);
  }
  return { sent, kept };
}

function startNew(root, setup) {
  root.hidden = false;
  const error = root.querySelector('[data-report-error]');
  const loading = root.querySelector('[data-report-loading]');
  const form = root.querySelector('[data-report-form]');
  const preview = root.querySelector('[data-report-preview]');
  const state = { record: null, stamp: null, org: null, keys: [], draft: null };
  const sid = readSid();
  if (!sid) {
    loading.hidden = true;
    showError(error, MESSAGES.locked, { href: setup.signin_url, text: 'Sign in' });
    return;
  }

  const orgInput = form.querySelector('#report-org');
  const orgError = form.querySelector('[data-org-error]');
  const orgStatus = form.querySelector('[data-org-status]');
  const found = form.querySelector('[data-org-found]');
  const nameField = form.querySelector('[data-name-field]');
  const together = form.querySelector('[data-together]');
  const check = form.querySelector('[data-report-check]');

  const mode = () => form.querySelector('input[name="mode"]:checked')?.value ?? 'anonymous';
  const syncMode = () => {
    nameField.hidden = mode() !== 'named';
    together.hidden = mode() !== 'together';
    check.hidden = mode() === 'together';
    form.querySelector('[data-exclude-field]').hidden = mode() === 'together';
    const link = form.querySelector('[data-together-link]');
    if (state.org) link.href = `${setup.together_url}&org=${encodeURIComponent(state.org.slug)}`;
  };
  for (const radio of form.querySelectorAll('input[name="mode"]')) radio.addEventListener('change', syncMode);

  async function findOrg() {
    const slug = orgInput.value.trim().toLowerCase();
    found.hidden = true;
    state.org = null;
    if (!SLUG.test(slug)) {
      fieldError(orgError, MESSAGES.slug);
      orgInput.focus();
      return;
    }
    fieldError(orgError, null);
    orgStatus.textContent = 'Looking for the organisation…';
    let answer;
    try {
      answer = await getJson(`${setup.keys_url}${slug}/keys`);
    } catch {
      orgStatus.textContent = '';
      fieldError(orgError, MESSAGES.network);
      return;
    }
    orgStatus.textContent = '';
    if (answer.response.status === 404) {
      fieldError(orgError, MESSAGES.noOrg);
      orgInput.focus();
      return;
    }
    if (!answer.response.ok || !Array.isArray(answer.data.keys)) {
      fieldError(orgError, answer.data.message || MESSAGES.network);
      return;
    }
    if (answer.data.keys.length === 0) {
      fieldError(orgError, MESSAGES.noKeys);
      return;
    }
    state.org = answer.data.organisation;
    state.keys = answer.data.keys;
    orgInput.value = state.org.slug;
    form.querySelector('[data-org-name]').textContent = state.org.name;
    const members = form.querySelector('[data-org-members]');
    members.replaceChildren();
    for (const key of state.keys) {
      const id = `report-exclude-${key.id}`;
      const row = el('div', null, { class: 'radio' });
      const box = el('input', null, { type: 'checkbox', id, value: String(key.id), 'data-exclude': String(key.id) });
      row.append(box, el('label', key.display_name, { for: id }));
      members.append(row);
    }
    found.hidden = false;
    syncMode();
    orgStatus.textContent = `Found ${state.org.name}.`;
  }

  form.querySelector('[data-org-find]').addEventListener('click', findOrg);
  orgInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      findOrg();
    }
  });

  function draft() {
    const chosen = mode();
    let ok = true;
    const name = form.querySelector('#report-name').value.trim();
    const nameError = form.querySelector('[data-name-error]');
    fieldError(nameError, null);
    if (chosen === 'named' && !name) {
      fieldError(nameError, MESSAGES.name);
      ok = false;
    } else if (chosen === 'named' && name.length > MAX_NAME) {
      fieldError(nameError, MESSAGES.nameLong);
      ok = false;
    }
    const excluded = [...form.querySelectorAll('[data-exclude]:checked')].map((b) => Number(b.value));
    const excludeError = form.querySelector('[data-exclude-error]');
    fieldError(excludeError, excluded.length >= state.keys.length ? MESSAGES.everyone : null);
    if (excluded.length >= state.keys.length) ok = false;
    if (!ok) {
      form.querySelector('.field-error input')?.focus();
      return null;
    }
    const { sent, kept } = fitAttachments(state.record.attachments);
    const body = reportBody({ mode: chosen, answers: state.record.answers, name, attachments: sent, record: state.stamp });
    return { mode: chosen, name, excluded, body, sent, kept };
  }

  function showPreview(d) {
    const names = (list) => list.map((k) => k.display_name).join(', ');
    const out = new Set(d.excluded);
    preview.querySelector('[data-preview-org]').textContent = state.org.name;
    preview.querySelector('[data-preview-readers]').textContent = names(state.keys.filter((k) => !out.has(k.id)));
    preview.querySelector('[data-preview-excluded]').textContent = names(state.keys.filter((k) => out.has(k.id))) || 'Nobody';
    preview.querySelector('[data-preview-name]').textContent = d.mode === 'named' ? d.name : 'Not given: the report is sent without your name';
    answersList(preview.querySelector('[data-preview-answers]'), setup.questions, d.body.answers);
    const files = preview.querySelector('[data-preview-files]');
    files.replaceChildren();
    if (d.sent.length) {
      files.append(el('h3', 'Files sent with it'));
      const list = el('ul');
      for (const a of d.sent) list.append(el('li', `${a.name} (${sizeText(a.bytes.length)})`));
      files.append(list);
    }
    if (d.kept.length) {
      files.append(el('p', `Too large to send with the report, so they stay only in your record: ${d.kept.map((a) => a.name).join(', ')}.`));
    }
    preview.querySelector('[data-preview-stamp]').textContent =
      `It includes this site's signed time stamp of your record (saved ${state.stamp.time}, fingerprint ${state.stamp.digest}), so the organisation can check when you wrote it.`;
    form.hidden = true;
    preview.hidden = false;
    preview.querySelector('#report-preview-title').focus();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!state.org) {
      findOrg();
      return;
    }
    if (mode() === 'together') return;
    const d = draft();
    if (!d) return;
    state.draft = d;
    showPreview(d);
  });

  preview.querySelector('[data-report-change]').addEventListener('click', () => {
    preview.hidden = true;
    form.hidden = false;
    orgInput.focus();
  });

  const send = preview.querySelector('[data-report-send]');
  const status = preview.querySelector('[data-report-status]');
  send.addEventListener('click', async () => {
    const d = state.draft;
    send.disabled = true;
    status.textContent = 'Locking and sending your report…';
    try {
      let made;
      try {
        made = cases.makeReport({ slug: state.org.slug, keys: state.keys, excluded: d.excluded, mode: d.mode, sid, body: d.body });
      } catch (err) {
        status.textContent = '';
        showError(error, err instanceof CaseIntegrityError && err.message === 'too large' ? MESSAGES.tooLarge : MESSAGES.everyone);
        return;
      }
      let answer;
      try {
        answer = await postJson(setup.send_url, form, made.request);
      } catch {
        status.textContent = '';
        showError(error, MESSAGES.network);
        return;
      }
      made.ck.fill(0);
      if (answer.response.status !== 201) {
        status.textContent = '';
        showError(error, answer.data.message || MESSAGES.network);
        return;
      }
      status.textContent = 'Sent.';
      window.location.assign(`${setup.cases_url}/${answer.data.case}?sent=1`);
    } finally {
      send.disabled = false;
    }
  });

  (async () => {
    try {
      const opened = await openRecord(setup, sid);
      state.record = opened.record;
      state.stamp = opened.stamp;
    } catch {
      loading.hidden = true;
      showError(error, MESSAGES.record);
      return;
    }
    loading.hidden = true;
    form.hidden = false;
    syncMode();
    if (orgInput.value) await findOrg();
    root.dataset.ready = '1';
  })();
}

// --- One case -----------------------------------------------------------------------------

const AUTHORS = { reporter: 'The person who reported', supporter: 'A supporter', member: 'The organisation' };

function authorName(message, role) {
  if (message.author === 'reporter' && role === 'reporter') return 'You';
  if (message.author === 'member') return message.name || AUTHORS.member;
  return AUTHORS[message.author] ?? message.author;
}

function renderConversation(root, setup, data, messages) {
  const list = root.querySelector('[data-conversation]');
  list.replaceChildren();
  for (const m of messages) {
    const item = el('li', null, { class: `message message-${m.author}`, 'data-message': String(m.n) });
    const head = el('p', null, { class: 'message-head' });
    head.append(el('strong', authorName(m, data.role)), document.createTextNode(` · ${when(m.time)}`));
    const text = el('p', m.text ?? MESSAGES.unreadable, { class: m.text === null ? 'message-text message-unreadable' : 'message-text' });
    item.append(head, text);
    list.append(item);
  }
  root.querySelector('[data-conversation-empty]').hidden = messages.length !== 0;
}

function renderFiles(target, attachments) {
  target.replaceChildren();
  if (!Array.isArray(attachments) || attachments.length === 0) return;
  target.append(el('h3', 'Files sent with it'));
  const list = el('ul');
  for (const a of attachments) {
    const item = el('li');
    const link = fileLink(a);
    if (!link) continue;
    item.append(link);
    list.append(item);
  }
  target.append(list);
}

async function startCase(root, setup) {
  const loading = root.querySelector('[data-case-loading]');
  const error = root.querySelector('[data-case-error]');
  loading.hidden = false;
  const form = root.querySelector('[data-reply-form]');
  const sid = readSid();
  if (!sid) {
    loading.hidden = true;
    showError(error, MESSAGES.locked, { href: setup.signin_url, text: 'Sign in' });
    return;
  }
  const ref = chorus.bytes.fromHex(setup.case);
  const state = { ck: null, data: null, messages: [] };

  async function load() {
    const answer = await getJson(setup.data_url);
    if (!answer.response.ok) throw Object.assign(new Error(answer.data.message || MESSAGES.network), { shown: true });
    const data = answer.data;
    if (data.case !== setup.case) throw new CaseIntegrityError('another case was sent');
    if (!state.ck) state.ck = cases.openCaseKeyBox(cases.reporterKey(sid), setup.slug, ref, fromBase64(data.box));
    const report = cases.openReport(state.ck, setup.slug, ref, fromBase64(data.body));
    state.messages = cases.openEntries('message', state.ck, setup.slug, ref, data.messages);
    state.data = data;
    root.querySelector('[data-case-status]').textContent = statusText(setup, { ...data, expires: data.expires ?? setup.expires });
    root.querySelector('[data-case-day]').textContent = when(data.day);
    root.querySelector('[data-case-mode]').textContent =
      report.mode === 'named' && typeof report.name === 'string' ? `${setup.modes.named}: ${report.name}` : (setup.modes[data.mode] ?? data.mode);
    answersList(root.querySelector('[data-case-answers]'), setup.questions, report.answers);
    renderFiles(root.querySelector('[data-case-files]'), report.attachments);
    renderConversation(root, setup, data, state.messages);
    const held = data.status === 'held';
    form.hidden = !data.can_write || held;
    root.querySelector('[data-read-only]').hidden = Boolean(data.can_write) || held;
    root.querySelector('[data-held]').hidden = !held;
    document.dispatchEvent(new CustomEvent('chorus:case-opened', { detail: { setup, data, ck: state.ck, report, reload: load } }));
  }

  try {
    await load();
  } catch (err) {
    loading.hidden = true;
    if (err.shown) showError(error, err.message);
    else showError(error, err instanceof CaseIntegrityError ? MESSAGES.integrity : MESSAGES.open);
    return;
  }
  loading.hidden = true;
  root.querySelector('[data-case-body]').hidden = false;

  const textArea = form.querySelector('[data-reply-text]');
  const replyError = form.querySelector('[data-reply-error]');
  const status = form.querySelector('[data-reply-status]');
  const button = form.querySelector('[data-reply-send]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = textArea.value.trim();
    fieldError(replyError, !text ? MESSAGES.empty : text.length > MAX_MESSAGE ? MESSAGES.messageLong : null);
    if (!text || text.length > MAX_MESSAGE) {
      textArea.focus();
      return;
    }
    button.disabled = true;
    status.textContent = 'Locking and sending…';
    try {
      // A 409 means someone wrote in between: reload, box again under the next number.
      for (let attempt = 0; attempt < 3; attempt++) {
        const n = state.messages.length + 1;
        const boxed = cases.boxEntry('message', state.ck, setup.slug, ref, n, text);
        const answer = await postJson(setup.messages_url, form, { n, box: toBase64(boxed) });
        if (answer.response.status === 201) {
          textArea.value = '';
          await load();
          status.textContent = 'Your message was sent.';
          return;
        }
        if (answer.response.status !== 409) {
          status.textContent = '';
          fieldError(replyError, answer.data.message || MESSAGES.network);
          return;
        }
        await load();
      }
      status.textContent = '';
      fieldError(replyError, MESSAGES.conflict);
    } catch (err) {
      status.textContent = '';
      const tooLong = err instanceof CaseIntegrityError && err.message === 'too long';
      fieldError(replyError, tooLong ? MESSAGES.messageLong : err instanceof CaseIntegrityError ? MESSAGES.integrity : MESSAGES.network);
    } finally {
      button.disabled = false;
    }
  });
  root.dataset.ready = '1';
}

const newRoot = document.querySelector('[data-chorus-report-new]');
const caseRoot = document.querySelector('[data-chorus-case]');
if (newRoot) startNew(newRoot, readJson('report-setup'));
if (caseRoot) startCase(caseRoot, readJson('case-setup'));
