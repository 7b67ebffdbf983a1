'use strict';
// One whole cold start of a viewer-request handler, in this fresh process, started from a
// file as Lambda starts one: from `require` of the handler to its decision on one request.
// node:crypto's own first load is paid before the clock starts (both handlers load it,
// whatever they do). Counts the handler's network calls (secret reads, JWKS fetches). Prints
// one JSON line. Run by bench/cold-handler.mjs, which serves the secret (moto) and passes
// the request and config in CASE (JSON).
//
//   KIND=ours  the edge handler as it ships: index.js of the Lambda zip unzipped in DIR
//              (edge/scripts/bundle.mjs, with the case's config)
//   KIND=peer  the node:crypto-only peer (bench/peer-handler.cjs): the private path check, and
//              for /auth the same work by hand (secret read, RS256 check, one signature per tier)
//   KIND=core  the private path's floor: the wasm core alone (require, a Verifier over the key
//              group, one verify of the request's cookies), no handler around it

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
} else if (process.env.KIND === 'core') {
  const { Verifier } = require('../pkg/node/cloudfront_edge_auth.js');
  const verifier = new Verifier({ keys: c.keyGroup });
  handler = async (event) => {
    const request = event.Records[0].cf.request;
    const cookie = (request.headers.cookie ?? []).map(({ value }) => value).join('; ');
    const verdict = verifier.verify({ url: `https://${request.headers.host[0].value}${request.uri}`, cookie });
    return verdict.ok ? request : { status: '403' };
  };
  counts = () => ({ secretReads: 0, jwksFetches: 0 });
} else {
  // Lambda@Edge logs each decision to CloudWatch; the bench drops the lines, not the work.
  console.log = () => {};
  handler = require(`${process.env.DIR}/index.js`).handler;
  counts = () => ({ secretReads: handler.state.secret.stats.fetches, jwksFetches: handler.state.identity.stats.fetches });
}
handler(c.event).then((result) => {
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ ms, status: result.status ?? 'pass', ...counts() })}\n`);
}, (error) => {
  console.error(error);
  process.exit(1);
});
