// The organisation's cases in the member's browser (docs/protocols/reports.md §7, §11.3).
//
// Inbox (the organisation's home): the list of cases from GET …/cases; nothing to decrypt.
// Case page: the passphrase unwraps the member's private key (workspace/index.js), which opens
// the member's sealed case key and is then wiped; the case key stays in this page's memory only,
// opens the report, messages and notes, and boxes what the member writes. Status and assignment
// are plain JSON posts.

import * as chorus from '/static/chorus/crypto.js';
import { CaseIntegrityError, caseCrypto, fromBase64, toBase64 } from '../reports/envelope.js';
import { unlockPrivateKey } from './index.js';
import { el, fileLink, getJson, when } from '../ui/case-page.js';

const cases = caseCrypto(chorus);

const MAX_TEXT = 10000;

const STATUS = { received: 'Received', in_review: 'In review', action_taken: 'Action taken', closed: 'Closed' };
const MODE = { named: 'Named', anonymous: 'Anonymous', together: 'Together' };
const AUTHOR = { reporter: 'The reporter', supporter: 'The reporter’s supporter', member: 'Your organisation' };

const MESSAGES = {
  network: 'The site could not be reached. Check your connection and try again.',
  wrongPassphrase: 'The passphrase is not right. Type it again.',
  open: 'This case could not be opened with your key. Ask a colleague who can open it to give you access again.',
  integrity: 'This case is not complete: a message or note is missing or does not belong to it. Reload the page; if it stays like this, tell your organisation’s admin.',
  empty: 'Write something first.',
  tooLong: 'This is too long to send. Split it in two.',
  conflict: 'Someone else wrote at the same moment. Nothing was sent: try again.',
  unreadable: 'This entry could not be opened.',
};

const csrfToken = () => document.querySelector('input[name="csrfmiddlewaretoken"]')?.value ?? '';




async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({ message: `The site answered with an error (${response.status}).` }));
  return { response, data };
}

function fieldError(node, message) {
  node.textContent = message ?? '';
  node.hidden = !message;
  node.closest('.field')?.classList.toggle('field-error', Boolean(message));
}

/** The status in words; a closed case says when it will be erased (reports.md §9). */
function statusText(labels, c) {
  const label = labels[c.status] ?? c.status;
  if (c.status === 'closed' && typeof c.expires === 'string') {
    return `${label}. It will be erased on ${when(c.expires.slice(0, 10))} unless re-opened.`;
  }
  return label;
}

// ---------------------------------------------------------------- inbox

async function inbox(root) {
  const loading = root.querySelector('[data-inbox-loading]');
  const error = root.querySelector('[data-inbox-error]');
  loading.hidden = false;
  let answer;
  try {
    answer = await getJson(root.dataset.url);
  } catch {
    answer = { response: { ok: false }, data: {} };
  }
  loading.hidden = true;
  if (!answer.response.ok) {
    error.textContent = answer.data.message || MESSAGES.network;
    error.hidden = false;
    return;
  }
  const rows = root.querySelector('[data-inbox-rows]');
  for (const c of answer.data.cases) {
    const tr = el('tr', null, { 'data-case': c.case });
    const link = el('a', `Case ${c.case.slice(0, 8)}`, { href: `${root.dataset.caseBase}${c.case}` });
    const ref = el('td');
    ref.append(link);
    tr.append(
      el('td', when(c.day), { 'data-label': 'Received' }),
      ref,
      el('td', MODE[c.mode] ?? c.mode, { 'data-label': 'How it was sent' }),
      el('td', statusText(STATUS, c), { 'data-status': c.status, 'data-label': 'Status' }),
      el('td', c.assignee ? c.assignee.name : 'Nobody', { 'data-label': 'Assigned to' }),
      el('td', String(c.messages ?? 0), { 'data-label': 'Messages' }),
      el('td', c.exclusions ? 'Some people were excluded' : '—', { 'data-exclusions': c.exclusions ? '1' : '0', 'data-label': 'Exclusions' }),
    );
    rows.append(tr);
  }
  root.querySelector('[data-inbox-table]').hidden = answer.data.cases.length === 0;
  root.querySelector('#inbox-empty').hidden = answer.data.cases.length !== 0;
  root.dataset.ready = '1';
}

// ---------------------------------------------------------------- one case

function renderEntries(list, empty, entries, kind) {
  list.replaceChildren();
  for (const e of entries) {
    const who = kind === 'note' ? e.name : e.author === 'member' ? e.name || AUTHOR.member : (AUTHOR[e.author] ?? e.author);
    const item = el('li', null, { class: `message message-${kind === 'note' ? 'note' : e.author}`, [`data-${kind}`]: String(e.n) });
    const head = el('p', null, { class: 'message-head' });
    head.append(el('strong', who), document.createTextNode(` · ${when(e.time)}`));
    item.append(head, el('p', e.text ?? MESSAGES.unreadable, { class: e.text === null ? 'message-text message-unreadable' : 'message-text' }));
    list.append(item);
  }
  empty.hidden = entries.length !== 0;
}

function renderReport(root, setup, report, data) {
  root.querySelector('[data-report-name]').textContent =
    report.mode === 'named' && typeof report.name === 'string' ? `The reporter gave their name: ${report.name}` : 'The reporter did not give their name.';
  const answers = root.querySelector('[data-case-answers]');
  answers.replaceChildren();
  for (const [name, label] of setup.questions) {
    const text = typeof report.answers[name] === 'string' ? report.answers[name] : '';
    answers.append(el('dt', label), el('dd', text || '—', { 'data-answer': name }));
  }
  const files = root.querySelector('[data-case-files]');
  files.replaceChildren();
  if (Array.isArray(report.attachments) && report.attachments.length) {
    files.append(el('h3', 'Files'));
    const list = el('ul');
    for (const a of report.attachments) {
      const item = el('li');
      const link = fileLink(a);
      if (!link) continue;
      item.append(link);
      list.append(item);
    }
    files.append(list);
  }
  const stamp = root.querySelector('[data-case-stamp]');
  if (report.record && typeof report.record.digest === 'string') {
    stamp.querySelector('[data-stamp-time]').textContent = report.record.time;
    stamp.querySelector('[data-stamp-digest]').textContent = report.record.digest;
    stamp.querySelector('[data-stamp-signature]').textContent = report.record.signature;
    stamp.hidden = false;
  }
  root.querySelector('[data-case-excluded]').textContent =
    Array.isArray(data.excluded) && data.excluded.length
      ? `The reporter chose that these people must not see this case: ${data.excluded.join(', ')}. Do not share it with them.`
      : 'The reporter excluded nobody.';
}

function renderSummary(root, setup, data) {
  const labels = Object.fromEntries(setup.statuses);
  root.querySelector('[data-case-status]').textContent = statusText(labels, data);
  root.querySelector('[data-case-assignee]').textContent = data.assignee ? data.assignee.name : 'Nobody';
  root.querySelector('#case-status').value = data.status;
}

function orgCase(root, setup) {
  const openForm = root.querySelector('[data-case-open]');
  const status = openForm.querySelector('#open-status');
  const bar = openForm.querySelector('#open-progress');
  const button = openForm.querySelector('button[type=submit]');
  const error = root.querySelector('[data-case-error]');
  const body = root.querySelector('[data-case-body]');
  const ref = chorus.bytes.fromHex(setup.case);
  const state = { ck: null, data: null, messages: [], notes: [], grantable: [] };

  function show(data) {
    const report = cases.openReport(state.ck, setup.slug, ref, fromBase64(data.body));
    const messages = cases.openEntries('message', state.ck, setup.slug, ref, data.messages);
    const notes = cases.openEntries('note', state.ck, setup.slug, ref, data.notes);
    state.data = data;
    state.messages = messages;
    state.notes = notes;
    renderReport(root, setup, report, data);
    renderEntries(root.querySelector('[data-conversation]'), root.querySelector('[data-conversation-empty]'), messages, 'message');
    renderEntries(root.querySelector('[data-notes]'), root.querySelector('[data-notes-empty]'), notes, 'note');
    renderSummary(root, setup, data);
    const assign = root.querySelector('#case-assignee');
    assign.replaceChildren(el('option', 'Nobody', { value: '' }));
    for (const m of data.assignable ?? []) {
      const option = el('option', m.id === setup.me ? `${m.name} (you)` : m.name, { value: String(m.id) });
      if (data.assignee && data.assignee.id === m.id) option.selected = true;
      assign.append(option);
    }
  }

  // Grants (reports.md §4.5): the organisation's current keys, less those whose holders can
  // already open the case (the assignable members) and the excluded; the server checks again.
  async function showGrantable(data) {
    const form = root.querySelector('[data-case-grant]');
    const select = form.querySelector('[data-grant-key]');
    const answer = await getJson(setup.keys_url);
    const holders = new Set((data.assignable ?? []).map((m) => m.name));
    const excluded = new Set(data.excluded ?? []);
    state.grantable = (answer.response.ok ? answer.data.keys : []).filter((k) => !holders.has(k.display_name) && !excluded.has(k.display_name));
    select.replaceChildren(...state.grantable.map((k) => el('option', k.display_name, { value: String(k.id) })));
    form.hidden = state.grantable.length === 0;
    root.querySelector('[data-grant-none]').hidden = state.grantable.length !== 0;
  }

  async function reload() {
    const answer = await getJson(setup.data_url);
    if (!answer.response.ok) throw new Error(answer.data.message || MESSAGES.network);
    show(answer.data);
    await showGrantable(answer.data);
  }

  button.disabled = false;
  openForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.hidden = true;
    status.textContent = 'Unlocking your key. This takes a few seconds…';
    try {
      const answer = await getJson(setup.data_url);
      if (!answer.response.ok) throw new Error(answer.data.message || MESSAGES.network);
      const data = answer.data;
      let secretKey;
      try {
        secretKey = await unlockPrivateKey(document.getElementById('field-passphrase').value, data.wrapped_private_key, setup.key_ctx, bar);
      } catch (err) {
        throw new Error(err.name === 'DecryptionFailed' ? MESSAGES.wrongPassphrase : err.message);
      }
      try {
        state.ck = cases.openSealedCaseKey(secretKey, data.suite, setup.slug, ref, fromBase64(data.sealed));
      } catch {
        throw new Error(MESSAGES.open);
      } finally {
        secretKey.fill(0); // the case key is all this page keeps
      }
      try {
        show(data);
      } catch (err) {
        state.ck = null;
        throw new Error(err instanceof CaseIntegrityError ? MESSAGES.integrity : MESSAGES.open);
      }
      await showGrantable(data);
      document.getElementById('field-passphrase').value = '';
      bar.hidden = true;
      openForm.hidden = true;
      body.hidden = false;
      root.querySelector('#report-title').focus();
      root.dataset.ready = '1';
    } catch (err) {
      bar.hidden = true;
      status.textContent = '';
      error.replaceChildren(el('h2', 'There is a problem'), el('p', err.message));
      error.hidden = false;
      error.focus();
      button.disabled = false;
    }
  });

  for (const form of root.querySelectorAll('[data-entry-form]')) {
    const kind = form.dataset.entryForm;
    const text = form.querySelector('[data-entry-text]');
    const fieldErr = form.querySelector('[data-entry-error]');
    const formStatus = form.querySelector('[data-entry-status]');
    const url = kind === 'note' ? setup.notes_url : setup.messages_url;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = text.value.trim();
      fieldError(fieldErr, !value ? MESSAGES.empty : value.length > MAX_TEXT ? MESSAGES.tooLong : null);
      if (!value || value.length > MAX_TEXT) {
        text.focus();
        return;
      }
      const submit = form.querySelector('button[type=submit]');
      submit.disabled = true;
      formStatus.textContent = 'Locking and sending…';
      try {
        // A 409 means someone wrote in between: reload, box again under the next number.
        for (let attempt = 0; attempt < 3; attempt++) {
          const n = (kind === 'note' ? state.notes : state.messages).length + 1;
          const boxed = cases.boxEntry(kind, state.ck, setup.slug, ref, n, value);
          const answer = await postJson(url, { n, box: toBase64(boxed) });
          if (answer.response.status === 201) {
            text.value = '';
            await reload();
            formStatus.textContent = kind === 'note' ? 'Note added.' : 'Message sent.';
            return;
          }
          if (answer.response.status !== 409) {
            formStatus.textContent = '';
            fieldError(fieldErr, answer.data.message || MESSAGES.network);
            return;
          }
          await reload();
        }
        formStatus.textContent = '';
        fieldError(fieldErr, MESSAGES.conflict);
      } catch (err) {
        formStatus.textContent = '';
        const tooLong = err instanceof CaseIntegrityError && err.message === 'too long';
        fieldError(fieldErr, tooLong ? MESSAGES.tooLong : err instanceof CaseIntegrityError ? MESSAGES.integrity : err.message || MESSAGES.network);
      } finally {
        submit.disabled = false;
      }
    });
  }

  const grantForm = root.querySelector('[data-case-grant]');
  grantForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const formStatus = grantForm.querySelector('[data-grant-status]');
    const key = state.grantable.find((k) => String(k.id) === grantForm.querySelector('[data-grant-key]').value);
    if (!key) return;
    formStatus.textContent = 'Sealing the case key to their key…';
    try {
      const sealed = cases.sealCaseKey(chorus.bytes.fromHex(key.public_key), key.suite, setup.slug, ref, state.ck);
      const answer = await postJson(setup.grants_url, { key: key.id, sealed: toBase64(sealed) });
      if (answer.response.status !== 201) {
        formStatus.textContent = answer.data.message || MESSAGES.network;
        return;
      }
      await reload();
      formStatus.textContent = `${key.display_name} can now open this case.`;
    } catch {
      formStatus.textContent = MESSAGES.network;
    }
  });

  for (const form of root.querySelectorAll('[data-case-change]')) {
    const kind = form.dataset.caseChange;
    const formStatus = form.querySelector('[data-change-status]');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = form.querySelector('[data-change-value]').value;
      const payload = kind === 'status' ? { status: value } : { member: value === '' ? null : Number(value) };
      formStatus.textContent = 'Saving…';
      try {
        const answer = await postJson(kind === 'status' ? setup.status_url : setup.assign_url, payload);
        if (!answer.response.ok) {
          formStatus.textContent = answer.data.message || MESSAGES.network;
          return;
        }
        state.data = { ...state.data, ...answer.data };
        renderSummary(root, setup, state.data);
        formStatus.textContent = 'Saved.';
      } catch {
        formStatus.textContent = MESSAGES.network;
      }
    });
  }
}

const inboxRoot = document.querySelector('[data-chorus-inbox]');
if (inboxRoot) inbox(inboxRoot);
const caseRoot = document.querySelector('[data-chorus-org-case]');
if (caseRoot) orgCase(caseRoot, JSON.parse(document.getElementById('case-setup').textContent));
