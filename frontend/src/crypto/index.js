// Public API of the Chorus browser crypto bundle (built to src/chorus/static/chorus/crypto.js).
// Protocol: docs/protocols/escrow.md. Byte strings are Uint8Array; purpose and ctx
// may also be given as strings (UTF-8).
//
//   import { oprf, keyservers, escrow, seal, box, passphrase, labels, bytes } from '/static/chorus/crypto.js';

export * as labels from './labels.js';
export * as oprf from './oprf.js';
export * as keyservers from './keyservers.js';
export * as escrow from './escrow.js';
export * as seal from './seal.js';
export * as box from './box.js';
export * as passphrase from './passphrase.js';
export {
  ChorusCryptoError,
  InvalidElement,
  InvalidScalar,
  InvalidProof,
  InvalidEnvelope,
  UnsupportedVersion,
  DecryptionFailed,
  DuplicateShare,
  NotEnoughShares,
  ERROR_NAMES,
} from './errors.js';

import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { utf8 } from './_bytes.js';

/** Small helpers the pages need around the API. */
export const bytes = Object.freeze({
  toHex: bytesToHex,
  fromHex: hexToBytes,
  utf8,
  random: randomBytes,
});
