'use strict';
// One cold start, in this fresh process, started from a file as Lambda starts a handler (not
// `node -e`, which has node:crypto loaded already). Times, in order: loading node:crypto
// (which every handler that verifies with it pays, the edge handler through session.js and
// aws-jwt-verify, the node:crypto-only peer too), requiring the Node build (read, compile
// and instantiate the wasm), parsing the key group (what a private path needs), and parsing
// the private key (what /auth adds). Prints one JSON line. Run by bench/core.mjs.
//
// With PEER=1 the same steps are timed for the node:crypto-only peer (bench/peer-handler.cjs):
// its module instead of the wasm, `createPublicKey` for the key group (inside
// createPeerHandler) and `createPrivateKey` for the private key. Absolute cold starts move
// with the machine (about 1.4x between two machines this bench has run on), so the peer,
// timed in the same run, is what makes them comparable.
//
// Usage: PUB=<public PEM> PK=<private PEM> [PEER=1] node bench/cold-start.cjs

const t0 = performance.now();
const crypto = require('node:crypto');
const t1 = performance.now();
let t2;
let t3;
if (process.env.PEER === '1') {
  const { createPeerHandler } = require('./peer-handler.cjs');
  t2 = performance.now();
  createPeerHandler({ keyGroup: { K1: process.env.PUB }, tiers: [] });
  t3 = performance.now();
  crypto.createPrivateKey(process.env.PK);
} else {
  const core = require('../pkg/node/cloudfront_edge_auth.js');
  t2 = performance.now();
  new core.Verifier({ keys: { K1: process.env.PUB } });
  t3 = performance.now();
  new core.Signer({ keyPairId: 'K1', privateKey: process.env.PK });
}
const t4 = performance.now();
console.log(JSON.stringify({ nodeCrypto: t1 - t0, load: t2 - t1, keyGroup: t3 - t2, privateKey: t4 - t3 }));
