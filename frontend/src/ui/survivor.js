// What the survivor pages' scripts share: the survivor id this tab unlocked, a JSON POST with
// the page's CSRF token, and the OPRF round with the key servers (docs/protocols/escrow.md §5).

import * as chorus from '/static/chorus/crypto.js';

/** sessionStorage key of the unlocked survivor id (hex); exit.js forgets it. */
export const SID_KEY = 'chorus.sid';
const MODE_VOPRF = 1;
const { toHex, fromHex } = chorus.bytes;

/** The survivor id this tab unlocked (32 bytes), or null. */
export function readSid() {
  try {
    const hex = window.sessionStorage.getItem(SID_KEY);
    return hex && /^[0-9a-f]{64}$/.test(hex) ? fromHex(hex) : null;
  } catch {
    return null;
  }
}

/** POST `body` as JSON with the CSRF token of the form in `root`: {ok, status, data}; when the
 * site cannot be reached, status 0 and `network` as the message. */
export async function postJson(root, url, body, { network }) {
  const token = root.querySelector('input[name="csrfmiddlewaretoken"]')?.value ?? '';
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, data: { message: network } };
  }
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = { message: `The site answered with an error (${response.status}). Nothing was stored. Please try again.` };
  }
  return { ok: response.ok, status: response.status, data };
}

/** y = VOPRF(k, P) with k split over the key servers whose public keys the page printed:
 * {output} or {error, status}. `messages` gives the `network` and `keyserver` messages. */
export async function oprfOutput(root, setup, input, messages) {
  const { blind, blinded } = chorus.keyservers.blind(input);
  const answer = await postJson(root, setup.oprf_url, { blinded: [toHex(blinded)] }, messages);
  if (!answer.ok) return { error: answer.data.message || messages.network, status: answer.status };
  const servers = answer.data.servers;
  if (!Array.isArray(servers) || servers.length !== setup.keyservers.length) return { error: messages.keyserver };
  try {
    const evaluations = servers.map((server, i) => {
      if (server.public_key !== setup.keyservers[i]) throw new chorus.InvalidProof('unexpected key server');
      return { pk: fromHex(setup.keyservers[i]), evaluated: fromHex(server.evaluated[0]), proof: fromHex(server.proof) };
    });
    if (evaluations.length === 1) {
      const [{ pk, evaluated, proof }] = evaluations;
      return { output: chorus.oprf.finalize(MODE_VOPRF, input, blind, evaluated, { pk, blinded, proof }) };
    }
    return { output: chorus.keyservers.combine(input, blind, blinded, evaluations) };
  } catch {
    return { error: messages.keyserver };
  }
}
