// Typed errors with the names of spec §12; the Python side raises the same names.
// Names are set from string literals (not from the class name) so that they
// survive minification.

export class ChorusCryptoError extends Error {
  constructor(name, message) {
    super(message || name);
    this.name = name;
  }
}

const typed = (name) =>
  class extends ChorusCryptoError {
    constructor(message) {
      super(name, message);
    }
  };

/** A group element that is not canonical, not in the group, or the identity. */
export const InvalidElement = typed('InvalidElement');
/** A scalar that is not 32 bytes, not canonical (>= L), or zero where zero is not allowed. */
export const InvalidScalar = typed('InvalidScalar');
/** A VOPRF proof that does not verify (or does not parse). */
export const InvalidProof = typed('InvalidProof');
/** An envelope with a wrong length, a truncated field or trailing bytes. */
export const InvalidEnvelope = typed('InvalidEnvelope');
/** An envelope whose version byte or suite is unknown. */
export const UnsupportedVersion = typed('UnsupportedVersion');
/** Authenticated decryption failed: wrong key, purpose, scope, index or a tampered envelope. */
export const DecryptionFailed = typed('DecryptionFailed');
/** Two shares with the same survivor value U. */
export const DuplicateShare = typed('DuplicateShare');
/** Fewer shares than the threshold needs. */
export const NotEnoughShares = typed('NotEnoughShares');

export const ERROR_NAMES = Object.freeze([
  'InvalidElement',
  'InvalidScalar',
  'InvalidProof',
  'InvalidEnvelope',
  'UnsupportedVersion',
  'DecryptionFailed',
  'DuplicateShare',
  'NotEnoughShares',
]);
