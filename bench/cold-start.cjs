'use strict';
// One cold start, in this fresh process, started from a file as Lambda starts a handler (not
// `node -e`, which has node:crypto loaded already). Times, in order: loading node:crypto
// (which every handler that verifies with it pays, the edge handler through session.js and
// aws-jwt-verify, the node:crypto-only peer too), requiring the Node build (read, compile
// and instantiate the wasm), parsing the key group (what a private path needs), and parsing
// the private key (what /auth adds). Prints one JSON line. Run by bench/core.mjs.
//
// Usage: PUB=<public PEM> PK=<private PEM> node bench/cold-start.cjs

const t0 = performance.now();
require('node:crypto');
const t1 = performance.now();
const core = require('../pkg/node/cloudfront_edge_auth.js');
const t2 = performance.now();
new core.Verifier({ keys: { K1: process.env.PUB } });
const t3 = performance.now();
new core.Signer({ keyPairId: 'K1', privateKey: process.env.PK });
const t4 = performance.now();
console.log(JSON.stringify({ nodeCrypto: t1 - t0, load: t2 - t1, keyGroup: t3 - t2, privateKey: t4 - t3 }));
