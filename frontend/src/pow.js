// Proof-of-work on the add-voice form, using the ALTCHA widget (v2 challenges).
//
// Markup: <form data-chorus-voice-form> ... <div data-chorus-pow
//   data-challenge-url="/pow/challenge" [data-worker-url="/static/chorus/altcha-pbkdf2.js"]>
// The widget is mounted into the div, starts solving as soon as the page loads,
// and puts its base64 payload into a hidden field named "altcha". A submit
// that happens while it is still solving is held and sent once it is done.
// If solving fails, the form is sent without the field (as with JS off).
//
// CSP: "altcha/external" injects no <style> and creates no blob:/data: workers;
// the page links /static/chorus/altcha.css and the PBKDF2 worker is a plain
// same-origin script (worker-src 'self').

import 'altcha/external';

const FIELD = 'altcha';
const ALGORITHMS = ['PBKDF2/SHA-256', 'PBKDF2/SHA-384', 'PBKDF2/SHA-512'];
const MAX_RETRIES = 2; // fresh challenges fetched for one held submit

function workerUrl(mount) {
  const explicit = mount.getAttribute('data-worker-url');
  return explicit
    ? new URL(explicit, document.baseURI)
    : new URL('./altcha-pbkdf2.js', import.meta.url);
}

function isSubmitter(el, form) {
  if (!(el instanceof HTMLButtonElement || el instanceof HTMLInputElement)) return false;
  if (el.form !== form || el.disabled) return false;
  return el.type === 'submit' || (el instanceof HTMLInputElement && el.type === 'image');
}

function mount(container, doc) {
  const challengeUrl = container.getAttribute('data-challenge-url');
  if (!challengeUrl) return;

  const widget = doc.createElement('altcha-widget');
  widget.setAttribute('challenge', challengeUrl);
  widget.setAttribute('auto', 'onload');
  widget.setAttribute('name', FIELD);
  container.append(widget);

  const form = container.closest('form');
  if (!form) return;

  let state = 'unverified';
  let pending = null; // { submitter } while a submit is held
  let retries = 0;
  let bypass = false;

  const startVerify = () => {
    if (typeof widget.verify === 'function') widget.verify();
    // Otherwise the widget has not loaded yet; auto="onload" will start it.
  };

  const send = (submitter, withoutPow) => {
    pending = null;
    form.removeAttribute('aria-busy');
    if (withoutPow) {
      // Disabled controls are neither submitted nor validated: the request
      // then looks like one from a browser without JS.
      for (const el of widget.querySelectorAll('input')) el.disabled = true;
    }
    bypass = true;
    try {
      form.requestSubmit(submitter && submitter.isConnected && submitter.form === form ? submitter : undefined);
    } finally {
      bypass = false;
    }
  };

  const hold = (submitter) => {
    if (pending) {
      pending.submitter = submitter;
      return;
    }
    pending = { submitter };
    retries = 0;
    form.setAttribute('aria-busy', 'true');
    if (state !== 'verifying') {
      retries += 1;
      startVerify();
    }
  };

  widget.addEventListener('statechange', (event) => {
    const previous = state;
    state = (event.detail && event.detail.state) || state;
    if (!pending) return;
    const { submitter } = pending;
    if (state === 'verified') {
      // Let the widget finish rendering (checkbox checked, field filled).
      setTimeout(() => send(submitter, false), 0);
    } else if (state === 'error') {
      send(submitter, true);
    } else if (state === 'expired' && previous === 'verifying') {
      // Expired by this device's clock while still solving: the solve goes on
      // and ends in 'verified'; the server judges expiry by its own clock.
    } else if (state === 'expired' || state === 'unverified') {
      if (retries < MAX_RETRIES) {
        retries += 1;
        startVerify();
      } else {
        send(submitter, true);
      }
    }
  });

  // Intercept the submit button before the browser's own validation runs
  // (the widget's checkbox is required until it is verified).
  form.addEventListener(
    'click',
    (event) => {
      if (state === 'verified' || bypass) return;
      const el = event.target instanceof Element ? event.target.closest('button, input') : null;
      if (!el || widget.contains(el) || !isSubmitter(el, form)) return;
      event.preventDefault();
      if (!form.noValidate && !el.formNoValidate) {
        for (const field of form.elements) {
          if (widget.contains(field) || typeof field.checkValidity !== 'function') continue;
          if (!field.checkValidity()) {
            field.reportValidity();
            return;
          }
        }
      }
      hold(el);
    },
    true,
  );

  // Safety net for submissions that skip validation (novalidate, scripts).
  form.addEventListener(
    'submit',
    (event) => {
      if (state === 'verified' || bypass) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      hold(event.submitter || null);
    },
    true,
  );

  // The widget resets itself when the page comes back from the bfcache;
  // start solving again (unless the page is being left).
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    setTimeout(() => {
      if (!doc.documentElement.classList.contains('chorus-exiting') && state !== 'verified') startVerify();
    }, 0);
  });
}

export function initPow(doc = document) {
  const containers = doc.querySelectorAll('[data-chorus-pow]');
  if (containers.length === 0) return;

  const altcha = globalThis.$altcha;
  const url = workerUrl(containers[0]);
  for (const algorithm of ALGORITHMS) {
    altcha.algorithms.set(algorithm, () => new Worker(url));
  }
  altcha.defaults.set({
    hideFooter: true, // no link to a third-party site
    hideLogo: true,
    humanInteractionSignature: false, // no pointer/keyboard telemetry collection
  });

  for (const container of containers) mount(container, doc);
}
