#!/usr/bin/env node
// Builds the self-hosted browser bundle for Chorus.
//
//   node frontend/build.mjs                 write to src/chorus/static/chorus/
//   node frontend/build.mjs --outdir DIR    write to DIR instead
//   node frontend/build.mjs --check         rebuild in memory, compare with the
//                                           committed files, exit 1 on any difference
//
// Output is deterministic: no timestamps, no absolute paths, no source maps,
// no legal comments (a fixed banner names the bundled licences instead).

import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const require = createRequire(import.meta.url);
const defaultOut = join(repo, 'src', 'chorus', 'static', 'chorus');

function parseArgs(argv) {
  const opts = { outdir: defaultOut, check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--outdir') opts.outdir = resolve(argv[++i] ?? '');
    else if (a.startsWith('--outdir=')) opts.outdir = resolve(a.slice('--outdir='.length));
    else throw new Error(`unknown argument: ${a}`);
  }
  return opts;
}

const version = (pkg) => JSON.parse(readFileSync(join(here, 'node_modules', pkg, 'package.json'), 'utf8')).version;
const altchaVersion = version('altcha');
const nobleVersions = ['curves', 'hashes', 'ciphers', 'post-quantum'].map((n) => `@noble/${n} ${version(`@noble/${n}`)}`).join(', ');

// Hosts allowed to appear in built JS as plain strings. None of them is fetched:
// www.w3.org = XML namespace URIs (createElementNS); svelte.dev = error-message
// links inside Svelte's runtime; altcha.org = widget footer/logo links, which
// are switched off (hideFooter/hideLogo) and never rendered.
// github.com = the Producer string pdf-lib would write, which records.js turns off
// (updateMetadata: false) and then removes with the rest of the Info dictionary.
const ALLOWED_URL_HOSTS = new Set(['www.w3.org', 'svelte.dev', 'altcha.org', 'github.com']);

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  write: false,
  sourcemap: false,
  legalComments: 'none',
  charset: 'ascii',
  target: ['es2022'],
  logLevel: 'warning',
  metafile: false,
};

async function buildJs(options) {
  const result = await esbuild.build({ ...common, ...options });
  if (result.outputFiles.length !== 1) throw new Error('expected exactly one output file');
  return result.outputFiles[0].contents;
}

async function buildAll() {
  const files = new Map();

  files.set(
    'app.js',
    await buildJs({
      entryPoints: ['src/app.js'],
      outfile: 'out/app.js',
      format: 'esm',
      platform: 'browser',
      banner: {
        js: `/*! Chorus frontend. Bundles altcha ${altchaVersion} (MIT, (c) Daniel Regeci, BAU Software s.r.o.) and the Svelte runtime (MIT, (c) Svelte contributors). */`,
      },
    }),
  );

  // The PBKDF2 proof-of-work worker, a classic (non-module) worker script
  // loaded by URL from app.js: new Worker('/static/chorus/altcha-pbkdf2.js').
  files.set(
    'altcha-pbkdf2.js',
    await buildJs({
      entryPoints: ['altcha/workers/pbkdf2'],
      outfile: 'out/altcha-pbkdf2.js',
      format: 'iife',
      platform: 'browser',
      banner: { js: `/*! altcha ${altchaVersion} PBKDF2 worker (MIT, (c) Daniel Regeci, BAU Software s.r.o.) */` },
    }),
  );

  // The escrow protocol's browser crypto (docs/protocols/escrow.md): an ES module
  // exporting the public API of src/crypto/index.js, imported by the pages that need it
  // and by frontend/test/interop.mjs (so the cross-implementation test runs these bytes).
  files.set(
    'crypto.js',
    await buildJs({
      entryPoints: ['src/crypto/index.js'],
      outfile: 'out/crypto.js',
      format: 'esm',
      platform: 'browser',
      banner: {
        js: `/*! Chorus crypto. Bundles ${nobleVersions} (MIT, (c) Paul Miller). */`,
      },
    }),
  );

  // Identifier normalisation for the escrow (docs/protocols/identifiers.md): an ES module with
  // the same rules as chorus.escrow.identifiers, imported by the escrow pages and by
  // frontend/test/identifiers.test.mjs (so the shared table of cases runs these bytes).
  files.set(
    'identifiers.js',
    await buildJs({
      entryPoints: ['src/escrow/identifiers.js'],
      outfile: 'out/identifiers.js',
      format: 'esm',
      platform: 'browser',
      banner: {
        js: `/*! Chorus identifiers. Bundles libphonenumber-js ${version('libphonenumber-js')} (MIT, (c) @catamphetamine) with metadata from Google's libphonenumber (Apache-2.0, (c) The Libphonenumber Authors). */`,
      },
    }),
  );

  // Page modules for codename accounts, escrow entries and the advocates' workspace. Each is
  // an ES module; they import the crypto and identifier modules above at run time by their
  // static URL (kept external here), so those bytes are loaded once and are the tested ones.
  for (const [name, entry] of [
    ['account.js', 'src/account/index.js'],
    ['escrow.js', 'src/escrow/flow.js'],
    ['workspace.js', 'src/workspace/index.js'],
    ['records.js', 'src/records/index.js'],
    ['reports.js', 'src/reports/index.js'],
    ['cases.js', 'src/workspace/cases.js'],
    ['together.js', 'src/together/index.js'],
    ['support.js', 'src/support/index.js'],
  ]) {
    files.set(
      name,
      await buildJs({
        entryPoints: [entry],
        outfile: `out/${name}`,
        format: 'esm',
        platform: 'browser',
        external: ['/static/chorus/*'],
        banner: { js: `/*! Chorus ${name}: see frontend/${entry}. */` },
      }),
    );
  }

  // The widget's stylesheet from the "external" build (already minified);
  // the page links it: <link rel="stylesheet" href="/static/chorus/altcha.css">.
  files.set('altcha.css', new Uint8Array(readFileSync(require.resolve('altcha/altcha.css'))));

  for (const [name, bytes] of files) {
    const text = Buffer.from(bytes).toString('utf8');
    if (text.includes(here) || text.includes(repo)) throw new Error(`${name}: contains an absolute path`);
    if (/\beval\s*\(|new Function\b|\bblob:|createObjectURL|\bWebAssembly\b/.test(text))
      throw new Error(`${name}: eval/Function/blob:/WebAssembly found`);
    // The crypto and identifier modules must be self-contained: no import or require of
    // anything at run time.
    const selfContained = name === 'crypto.js' || name === 'identifiers.js';
    if (selfContained && /\bimport\s*[("'{*]|\brequire\s*\(|\bimportScripts\b/.test(text))
      throw new Error(`${name}: run-time import found`);
    for (const m of text.matchAll(/https?:\/\/([a-z0-9.-]+)/gi)) {
      if (!ALLOWED_URL_HOSTS.has(m[1].toLowerCase())) throw new Error(`${name}: unexpected URL ${m[0]}`);
    }
  }
  return files;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const files = await buildAll();

  if (opts.check) {
    let ok = true;
    for (const [name, bytes] of files) {
      const path = join(opts.outdir, name);
      const committed = existsSync(path) ? readFileSync(path) : null;
      if (!committed || Buffer.compare(committed, Buffer.from(bytes)) !== 0) {
        ok = false;
        console.error(`differs: ${relative(process.cwd(), path) || path}`);
      }
    }
    if (!ok) {
      console.error('frontend build is not reproducible from the committed sources; run: make frontend');
      process.exit(1);
    }
    console.log(`frontend bundle up to date (${[...files.keys()].join(', ')})`);
    return;
  }

  mkdirSync(opts.outdir, { recursive: true });
  for (const [name, bytes] of files) {
    writeFileSync(join(opts.outdir, name), bytes);
    console.log(`${relative(process.cwd(), join(opts.outdir, name))}  ${bytes.length} bytes`);
  }
}

main().catch((err) => {
  console.error(err.message || err);
  process.exit(1);
});
