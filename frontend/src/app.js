// Chorus browser bundle. Every part keys off data-chorus-* attributes and does
// nothing on pages without them. Loaded as <script type="module">.

import { initExit } from './exit.js';
import { initVoiceFlag } from './voice-flag.js';
import { initPow } from './pow.js';

function start() {
  if (initExit()) return; // leaving the site: start nothing else
  initVoiceFlag();
  initPow();
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
