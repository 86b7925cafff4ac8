// Pieces shared by the pages that show a case: the survivor's (reports/index.js) and the
// organisation member's (workspace/cases.js).

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2026-11-28" -> "28 November 2026"; "2026-11-28T17:25Z" -> "28 November 2026, 17:25 UTC". */
export function when(text) {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d:\d\d)(?::\d\d)?Z)?$/.exec(text ?? '');
  if (!m) return text ?? '';
  const day = `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
  return m[4] ? `${day}, ${m[4]} UTC` : day;
}

/** A new element with text content (never HTML) and attributes. */
export function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

// Files in a report come from its sender: only the types a record accepts are linked as what
// they claim to be, anything else downloads as plain bytes; the data must be base64.
const FILE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);
export function fileLink(a) {
  if (!a || typeof a.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(a.data)) return null;
  const type = FILE_TYPES.has(a.type) ? a.type : 'application/octet-stream';
  const name = String(a.name ?? 'file');
  return el('a', `Download ${name}`, { href: `data:${type};base64,${a.data}`, download: name });
}

/** GET a JSON document: the response, and its body ({} when it is not JSON). */
export async function getJson(url) {
  const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  const data = await response.json().catch(() => ({}));
  return { response, data };
}
