// Crypto figures for the browser bundle under Node: client blind + finalize (modes 0 and 1),
// seal and open. Prints one JSON line per figure. Usage: node bench/crypto_node.mjs [seconds]
import { oprf, seal } from '../src/chorus/static/chorus/crypto.js';

const seconds = Number(process.argv[2] || 3);

function rate(fn) {
  for (let i = 0; i < 20; i++) fn();
  let n = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  for (;;) {
    for (let i = 0; i < 10; i++) fn();
    n += 10;
    const now = performance.now();
    if (now >= deadline) return (n * 1000) / (now - start);
  }
}

const emit = (figure, values) => console.log(JSON.stringify({ figure, ...values }));
const input = new TextEncoder().encode('someone@example.org');
const { secretKey, publicKey } = oprf.generateKeyPair();

for (const mode of [0, 1]) {
  // The client's work only: blind, then finalize (verifying the proof in mode 1) a server
  // answer prepared beforehand for that blind.
  const prepared = Array.from({ length: 64 }, () => {
    const b = oprf.blind(mode, input);
    return { b, ev: oprf.blindEvaluate(mode, secretKey, b.blinded) };
  });
  let i = 0;
  const client = () => {
    const { b, ev } = prepared[i++ % prepared.length];
    oprf.blind(mode, input);
    oprf.finalize(mode, input, b.blind, ev.evaluated, { pk: publicKey, blinded: b.blinded, proof: ev.proof });
  };
  emit('oprf_client_blind_finalize_node', { mode, ops_per_s: Math.round(rate(client)) });
}

const recipient = seal.generateKeyPair();
const message = new Uint8Array(256);
const ctx = new TextEncoder().encode('deployment');
const sealed = seal.seal(recipient.publicKey, 'record', ctx, message);
emit('hpke_seal_node', { bytes: 256, ops_per_s: Math.round(rate(() => seal.seal(recipient.publicKey, 'record', ctx, message))) });
emit('hpke_open_node', { bytes: 256, ops_per_s: Math.round(rate(() => seal.open(recipient.secretKey, 'record', ctx, sealed))) });
