// "Already added" note. The thank-you page carries <div data-chorus-voice-added>;
// the add-voice page carries <p data-chorus-already hidden>. Only the fixed
// value "added" is stored: no date, no id.

const KEY = 'chorus.voice';
const VALUE = 'added';

export function initVoiceFlag(doc = document) {
  if (doc.querySelector('[data-chorus-voice-added]')) {
    try {
      window.localStorage.setItem(KEY, VALUE);
    } catch {
      // Storage disabled or private mode: nothing to remember.
    }
  }

  const notes = doc.querySelectorAll('[data-chorus-already]');
  if (notes.length === 0) return;
  let added = false;
  try {
    added = window.localStorage.getItem(KEY) === VALUE;
  } catch {
    added = false;
  }
  if (added) {
    for (const note of notes) note.removeAttribute('hidden');
  }
}
