'use strict';
// One whole cold start of a viewer-request handler, in this fresh process, started from a
// file as Lambda starts one: from `require` of the handler to its decision on one request.
// node:crypto's own first load is paid before the clock starts (both handlers load it,
// whatever they do). Counts the handler's network calls (secret reads, JWKS fetches). Prints
// one JSON line. Run by bench/cold-handler.mjs, which serves the secret (moto) and passes
// the request and config in CASE (JSON).
//
//   KIND=ours  the edge handler (edge/src/handler.js) with the config given
//   KIND=peer  the node:crypto-only peer (bench/peer-handler.cjs): the private path check, and
//              for /auth the same work by hand (secret read, RS256 check, one signature per tier)

require('node:crypto');
const c = JSON.parse(process.env.CASE);
const t0 = performance.now();
let handler;
let counts;
if (process.env.KIND === 'peer') {
  const { createPeerHandler, createPeerMint } = require('./peer-handler.cjs');
  const gate = createPeerHandler({ keyGroup: c.keyGroup, tiers: c.config.tiers });
  const mint = createPeerMint(c.peer);
  handler = (event) => (event.Records[0].cf.request.uri === '/auth' ? mint.handle(event) : gate(event));
  counts = () => ({ secretReads: mint.stats.secretReads, jwksFetches: 0 });
} else {
  const { createHandler } = require('../edge/src/handler.js');
  handler = createHandler(c.config, { log: () => {} });
  counts = () => ({ secretReads: handler.state.secret.stats.fetches, jwksFetches: handler.state.identity.stats.fetches });
}
handler(c.event).then((result) => {
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, status: result.status ?? 'pass', ...counts() }));
}, (error) => {
  console.error(error);
  process.exit(1);
});
