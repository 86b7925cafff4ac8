// "Leave this site" (GOV.UK "Exit this page" pattern).
//
// Markup: <a href="https://www.bbc.co.uk/weather" class="chorus-exit" data-chorus-exit>
// Without JS the link simply navigates. With JS: a click on the link, or
// pressing Shift three times within one second, blanks the page at once and
// then replaces the current history entry with the link target, so Back does
// not return here. Survivor pages that come back from the back/forward cache
// (or are re-loaded by a Back/Forward traversal) in the same tab after an exit
// are blanked and replaced again.

const FLAG = 'chorus.exit'; // sessionStorage key: per tab, gone when the tab closes
const SHIFT_PRESSES = 3;
const SHIFT_WINDOW_MS = 1000;

let exitedTo = null; // survives a bfcache round trip of this document

function readFlag() {
  try {
    return window.sessionStorage.getItem(FLAG);
  } catch {
    return null;
  }
}

function writeFlag(value) {
  try {
    if (value === null) window.sessionStorage.removeItem(FLAG);
    else window.sessionStorage.setItem(FLAG, value);
  } catch {
    // Private modes may throw; the in-memory flag still covers this document.
  }
}

function blank() {
  const root = document.documentElement;
  root.classList.add('chorus-exiting');
  document.title = '';
  if (document.body) document.body.replaceChildren();
}

function leave(href) {
  exitedTo = href;
  blank();
  writeFlag(href);
  try { window.sessionStorage.removeItem('chorus.sid'); } catch { /* codename accounts: forget the unlocked survivor id */ }
  window.location.replace(href);
}

function navigationType() {
  try {
    const [entry] = performance.getEntriesByType('navigation');
    return entry ? entry.type : '';
  } catch {
    return '';
  }
}

// Returns true when the page is being left right now (nothing else should start).
export function initExit(doc = document) {
  const link = doc.querySelector('a[data-chorus-exit]');
  if (!link) return false;
  const href = link.href;

  // Came back here by Back/Forward after leaving (no bfcache): leave again.
  // Any ordinary navigation to the site clears the flag.
  const stored = readFlag();
  if (stored) {
    if (navigationType() === 'back_forward') {
      leave(stored);
      return true;
    }
    writeFlag(null);
  }

  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    const target = exitedTo || readFlag();
    if (target) leave(target);
  });

  // 'auxclick' covers the middle button, which would otherwise open a new tab
  // and leave this one showing.
  const onActivate = (event) => {
    if (event.type === 'auxclick' && event.button !== 1) return;
    const a = event.target instanceof Element ? event.target.closest('a[data-chorus-exit]') : null;
    if (!a) return;
    event.preventDefault();
    leave(a.href);
  };
  doc.addEventListener('click', onActivate, true);
  doc.addEventListener('auxclick', onActivate, true);

  let presses = [];
  doc.addEventListener(
    'keydown',
    (event) => {
      if (event.key !== 'Shift') {
        presses = [];
        return;
      }
      if (event.repeat) return;
      const now = event.timeStamp;
      presses = presses.filter((t) => now - t < SHIFT_WINDOW_MS);
      presses.push(now);
      if (presses.length >= SHIFT_PRESSES) {
        presses = [];
        leave(href);
      }
    },
    true,
  );
  return false;
}
