// The OPRF with the private key split between two key servers (spec §5).
//
// Key server i holds k_i and publishes pk_i = k_i * G; k = kA + kB mod L. The browser
// blinds once, sends the same blinded element B to both servers, checks each server's
// DLEQ proof against that server's own published key, adds the evaluations and
// finalizes: the result equals the single-key VOPRF output under k (tested).

import { ristretto255 } from '@noble/curves/ed25519.js';
import { InvalidElement } from './errors.js';
import { ELEMENT_LENGTH, MODE_VOPRF, PROOF_LENGTH } from './labels.js';
import { blind as oprfBlind, blindEvaluate, decodeElement, unblindAndHash, verifyProof } from './oprf.js';

const Point = ristretto255.Point;

/** Wire length of a key server's answer: Z_i (32) || proof_i (64). */
export const RESPONSE_LENGTH = ELEMENT_LENGTH + PROOF_LENGTH;

/** Browser, step 1: (r, B) = Blind(P) in mode 1. `options.blind` fixes r (tests). */
export function blind(input, options = {}) {
  return oprfBlind(MODE_VOPRF, input, options);
}

/** Key server i: Z_i = k_i * B and its proof, as Z_i || proof_i (96 bytes). */
export function serverEvaluate(secretKey, blinded, options = {}) {
  const { evaluated, proof } = blindEvaluate(MODE_VOPRF, secretKey, blinded, options);
  const out = new Uint8Array(RESPONSE_LENGTH);
  out.set(evaluated, 0);
  out.set(proof, ELEMENT_LENGTH);
  return out;
}

/** Splits a key server's 96-byte answer into {evaluated, proof}; InvalidElement if malformed. */
export function parseResponse(response) {
  if (!(response instanceof Uint8Array) || response.length !== RESPONSE_LENGTH)
    throw new InvalidElement(`key server response: expected ${RESPONSE_LENGTH} bytes`);
  return { evaluated: response.slice(0, ELEMENT_LENGTH), proof: response.slice(ELEMENT_LENGTH) };
}

/** pk = pkA + pkB (any number of servers); InvalidElement for a bad key or an identity sum. */
export function combinePublicKeys(publicKeys) {
  if (!Array.isArray(publicKeys) || publicKeys.length === 0) throw new RangeError('no public keys');
  const sum = publicKeys.map((pk, i) => decodeElement(pk, `public key ${i}`)).reduce((a, b) => a.add(b));
  if (sum.equals(Point.ZERO)) throw new InvalidElement('combined public key is the identity');
  return sum.toBytes();
}

/**
 * Browser, last step: verifies every server's proof against that server's public key
 * (InvalidProof names no server, the index is in the message), adds the evaluations
 * and finalizes. `evaluations` is [{pk, evaluated, proof}] or [{pk, response}].
 * Returns y, the 64-byte VOPRF output under k = sum of the servers' keys.
 */
export function combine(input, blindScalar, blinded, evaluations) {
  if (!Array.isArray(evaluations) || evaluations.length < 2)
    throw new RangeError('combine: expected an evaluation from each key server');
  decodeElement(blinded, 'blinded element');
  let Z = null;
  evaluations.forEach((ev, i) => {
    const { evaluated, proof } = ev.response !== undefined ? parseResponse(ev.response) : ev;
    try {
      verifyProof(ev.pk, [blinded], [evaluated], proof);
    } catch (err) {
      err.message = `key server ${i}: ${err.message}`;
      throw err;
    }
    const Zi = decodeElement(evaluated, 'evaluated element');
    Z = Z === null ? Zi : Z.add(Zi);
  });
  if (Z.equals(Point.ZERO)) throw new InvalidElement('combined evaluation is the identity');
  return unblindAndHash(input, blindScalar, Z.toBytes());
}
