// The survivor's record pages (docs/protocols/records.md): write, change, open and print.
// Everything a survivor writes or attaches is sealed here, under a key derived from their
// survivor id; the server stores the envelope and signs its fingerprint and time.

import * as chorus from '/static/chorus/crypto.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { AttachmentError, check, MAX_TOTAL_BYTES, stripImage, stripPdf, TYPES } from './files.js';
import { decodeRecord, encodeRecord, fromBase64, QUESTIONS, RECORD_CTX, recordKey, toBase64 } from './envelope.js';
import { readSid } from '../ui/survivor.js';

const FORMAT = 1;

const MESSAGES = {
  locked: 'Your records are locked on this tab. Sign in again with your codename to unlock them.',
  network: 'The site could not be reached. Nothing was saved. Check your connection and try again.',
  open: 'This record could not be opened with your key. Nothing has been changed.',
  tooLarge: 'This record is too large to save. Remove an attachment and try again.',
};

function readSetup() {
  const node = document.getElementById('record-setup');
  return node ? JSON.parse(node.textContent) : null;
}

const toHex = (bytes) => chorus.bytes.toHex(bytes);
const sizeText = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`);

function showError(root, message, link) {
  const box = root.querySelector('[data-record-error]');
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

async function fetchEnvelope(setup) {
  const response = await fetch(setup.envelope_url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`envelope: ${response.status}`);
  return response.json();
}

function openEnvelope(key, data) {
  const envelope = fromBase64(data.envelope);
  if (toHex(sha256(envelope)) !== data.sha256) throw new Error('fingerprint differs');
  const plaintext = chorus.box.open(key, chorus.labels.PURPOSE_RECORD, RECORD_CTX, new Uint8Array(0), envelope);
  return decodeRecord(plaintext);
}

async function drawImage(attachment) {
  const bitmap = await createImageBitmap(new Blob([attachment.bytes], { type: attachment.type }));
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close();
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', attachment.name);
  canvas.dataset.recordImage = attachment.name;
  return canvas;
}

// --- Writing and changing ---------------------------------------------------------------

function attachmentItem(root, state, attachment) {
  const li = document.createElement('li');
  li.dataset.attachment = attachment.name;
  li.textContent = `${attachment.name} (${TYPES[attachment.type] ?? attachment.type}, ${sizeText(attachment.bytes.length)}) `;
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'button button-small';
  remove.textContent = 'Remove';
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.textContent = ` ${attachment.name}`;
  remove.append(hidden);
  remove.addEventListener('click', () => {
    state.attachments = state.attachments.filter((a) => a !== attachment);
    li.remove();
  });
  li.append(remove);
  root.querySelector('[data-record-attachments]').append(li);
}

async function addFiles(root, state, files) {
  const errorBox = root.querySelector('[data-files-error]');
  const field = errorBox.closest('.field');
  const errors = [];
  for (const file of files) {
    try {
      const total = state.attachments.reduce((n, a) => n + a.bytes.length, 0);
      const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
      check({ name: file.name, type: file.type, size: file.size, head }, total);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const clean = file.type === 'application/pdf' ? await stripPdf(bytes, file.name) : await stripImage(bytes, file.type, file.name);
      if (total + clean.bytes.length > MAX_TOTAL_BYTES) {
        throw new AttachmentError(`“${file.name}” would take this record over 25 MB in all. Save it in a second record instead.`);
      }
      const attachment = { name: file.name, type: clean.type, bytes: clean.bytes };
      state.attachments.push(attachment);
      attachmentItem(root, state, attachment);
    } catch (err) {
      if (!(err instanceof AttachmentError)) throw err;
      errors.push(err.message);
    }
  }
  errorBox.textContent = errors.join(' ');
  errorBox.hidden = errors.length === 0;
  field.classList.toggle('field-error', errors.length > 0);
}

async function save(root, setup, key, state) {
  const form = root.querySelector('[data-record-form]');
  const status = root.querySelector('[data-record-status]');
  const answers = {};
  for (const input of form.querySelectorAll('[data-answer]')) answers[input.dataset.answer] = input.value;
  const envelope = chorus.box.seal(key, chorus.labels.PURPOSE_RECORD, RECORD_CTX, new Uint8Array(0), encodeRecord({ answers, attachments: state.attachments }));
  const token = form.querySelector('input[name="csrfmiddlewaretoken"]')?.value ?? '';
  status.textContent = 'Locking and saving…';
  let response;
  try {
    response = await fetch(setup.save_url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
      body: JSON.stringify({ format: FORMAT, record: setup.record, envelope: toBase64(envelope) }),
    });
  } catch {
    status.textContent = '';
    showError(root, MESSAGES.network);
    return;
  }
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = { message: response.status === 413 ? MESSAGES.tooLarge : `The site answered with an error (${response.status}). Nothing was saved.` };
  }
  if (response.status !== 201) {
    status.textContent = '';
    showError(root, data.message || MESSAGES.network);
    return;
  }
  status.textContent = 'Saved.';
  window.location.assign(`${setup.list_url}/${data.record}?saved=1`);
}

async function startEdit(root, setup) {
  const sid = readSid();
  root.hidden = false;
  if (!sid) {
    showError(root, MESSAGES.locked, { href: setup.signin_url, text: 'Sign in' });
    return;
  }
  const key = recordKey(sid);
  const state = { attachments: [] };
  const form = root.querySelector('[data-record-form]');
  if (setup.record) {
    const loading = root.querySelector('[data-record-loading]');
    loading.hidden = false;
    try {
      const record = openEnvelope(key, await fetchEnvelope(setup));
      for (const q of QUESTIONS) {
        const input = form.querySelector(`[data-answer="${q}"]`);
        if (input) input.value = record.answers[q];
      }
      for (const attachment of record.attachments) {
        state.attachments.push(attachment);
        attachmentItem(root, state, attachment);
      }
    } catch {
      loading.hidden = true;
      showError(root, MESSAGES.open);
      return;
    }
    loading.hidden = true;
  }
  const input = root.querySelector('[data-record-files]');
  input.addEventListener('change', async () => {
    const files = [...input.files];
    input.value = '';
    // No saving while pictures are being re-drawn: the record would go without them.
    const button = root.querySelector('[data-record-submit]');
    const status = root.querySelector('[data-record-status]');
    button.disabled = true;
    status.textContent = 'Removing hidden details from your files…';
    try {
      await addFiles(root, state, files);
    } finally {
      status.textContent = '';
      button.disabled = false;
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = root.querySelector('[data-record-submit]');
    button.disabled = true;
    try {
      await save(root, setup, key, state);
    } finally {
      button.disabled = false;
    }
  });
  root.querySelector('[data-record-submit]').disabled = false;
  root.dataset.ready = '1';
}

// --- Opening and printing ---------------------------------------------------------------

async function startOpen(root, setup) {
  const loading = root.querySelector('[data-record-loading]');
  document.querySelector('[data-record-print]')?.addEventListener('click', () => window.print());
  const sid = readSid();
  if (!sid) {
    loading.hidden = true;
    showError(root, MESSAGES.locked, { href: setup.signin_url, text: 'Sign in' });
    return;
  }
  let record;
  try {
    record = openEnvelope(recordKey(sid), await fetchEnvelope(setup));
  } catch {
    loading.hidden = true;
    showError(root, MESSAGES.open);
    return;
  }
  const answers = root.querySelector('[data-record-answers]');
  for (const [name, label] of setup.questions) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.dataset.answer = name;
    dd.textContent = record.answers[name] || '—';
    answers.append(dt, dd);
  }
  const figures = root.querySelector('[data-record-figures]');
  for (const attachment of record.attachments) {
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.textContent = attachment.name;
    if (attachment.type.startsWith('image/')) {
      try {
        figure.append(await drawImage(attachment), caption);
      } catch {
        caption.textContent = `${attachment.name}: this picture could not be shown.`;
        figure.append(caption);
      }
    } else {
      const link = document.createElement('a');
      link.href = `data:application/pdf;base64,${toBase64(attachment.bytes)}`;
      link.download = attachment.name;
      link.textContent = `Download ${attachment.name} (PDF, ${sizeText(attachment.bytes.length)})`;
      link.className = 'no-print';
      caption.textContent = `${attachment.name} (PDF document, not printed here)`;
      figure.append(caption, link);
    }
    figures.append(figure);
  }
  loading.hidden = true;
  root.querySelector('[data-record-body]').hidden = false;
  root.dataset.ready = '1';
}

const setup = readSetup();
const editRoot = document.querySelector('[data-chorus-record-edit]');
const openRoot = document.querySelector('[data-chorus-record-open]');
if (setup && editRoot) startEdit(editRoot, setup);
if (setup && openRoot) startOpen(openRoot, setup);
