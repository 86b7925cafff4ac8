/*! Chorus account.js: see frontend/src/account/index.js. */
