/*! Chorus escrow.js: see frontend/src/escrow/flow.js. */
