/*! Chorus workspace.js: see frontend/src/workspace/index.js. */
