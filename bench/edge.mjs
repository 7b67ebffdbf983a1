// Benchmarks of the Lambda@Edge handler (edge/src, warm container, fixed clock) against a
// handler written with node:crypto only (bench/peer-handler.cjs), and of its caches: a
// repeated valid cookie set is a hash lookup, a repeated mint for the same tier and window
// is no RSA operation. Events, tokens and the config come from edge/test/helpers.mjs.
// Writes bench/out/edge.json.
//
// Usage: node bench/edge.mjs   (after `make pkg`; `make bench` runs it)
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KEY_ID, NOW, config, cookieHeaderFor, cookieJar, createHandler, idToken, keys, setCookies, signIn, viewerRequest,
} from '../edge/test/helpers.mjs';
import { measureAsync, round } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { createPeerHandler } = require('./peer-handler.cjs');

const N = Number(process.env.BENCH_EDGE_N ?? 2000);
const MINT_N = Number(process.env.BENCH_MINT_N ?? 40);

const cfg = config();
const deps = { now: () => NOW, log: () => {} };
const handler = createHandler(cfg, deps);
const peer = createPeerHandler({ domain: cfg.domain, keyGroup: { [KEY_ID]: keys.cloudfront.publicPem }, tiers: cfg.tiers }, deps);

// A viewer that signed in: the tier cookies /auth minted, without the session cookie.
const token = idToken();
const minted = await signIn(handler, { token });
if (minted.status !== '200') throw new Error(`bench setup: /auth answered ${minted.status}`);
const cookie = cookieHeaderFor(cookieJar(setCookies(minted)), '/premium/', { session: false });
const privateRequest = () => viewerRequest({ uri: '/premium/movie.mp4', headers: { cookie } });

async function passes(h, what) {
  const result = await h(privateRequest());
  if (result.status !== undefined) throw new Error(`bench setup: ${what} answered ${result.status}: ${result.body}`);
}
await passes(handler, 'edge handler');
await passes(peer, 'node:crypto peer handler');

// Events are built outside the timed call, as CloudFront hands them over.
const events = Array.from({ length: 64 }, privateRequest);
let i = 0;
const next = () => events[i++ & 63];

const peerUs = await measureAsync(() => peer(next()), { iterations: N });
const hitUs = await measureAsync(() => handler(next()), { iterations: N });
const gate = handler.state.gate;
const missUs = await measureAsync(
  () => {
    gate.verified.entries.clear();
    return handler(next());
  },
  { iterations: Math.ceil(N / 4) },
);

// /auth with an ID token: the token is verified (RS256, in the core) either way; a cold mint
// signs one cookie set per tier, a cached one reuses the set of the same tier and window.
const minter = handler.state.minter;
const signsBefore = minter.stats.signs;
const mintColdUs = await measureAsync(
  () => {
    minter.cache.clear();
    return signIn(handler, { token });
  },
  { iterations: MINT_N, warmup: 3 },
);
const coldSigns = minter.stats.signs - signsBefore;
const signsBeforeCached = minter.stats.signs;
const mintCachedUs = await measureAsync(() => signIn(handler, { token }), { iterations: N / 4 });
if (minter.stats.signs !== signsBeforeCached) throw new Error('bench: a cached mint signed');

const results = {
  rows: [
    { name: 'edge handler, private path, valid cookies (warm, cache hit)', ours_us: round(hitUs), peer: 'node:crypto handler (bench/peer-handler.cjs)', peer_us: round(peerUs), ratio: round(hitUs / peerUs) },
    { name: 'edge handler, private path, valid cookies (warm, cache miss: wasm verify)', ours_us: round(missUs), peer: 'node:crypto handler (bench/peer-handler.cjs)', peer_us: round(peerUs), ratio: round(missUs / peerUs) },
    { name: '/auth mint, cold (token check + sign per tier)', ours_us: round(mintColdUs), peer: '/auth mint, cached (token check, no RSA sign)', peer_us: round(mintCachedUs), ratio: round(mintColdUs / mintCachedUs) },
  ],
  tiers_signed_per_cold_mint: round(coldSigns / (MINT_N + 3)),
};
mkdirSync(join(root, 'bench/out'), { recursive: true });
writeFileSync(join(root, 'bench/out/edge.json'), JSON.stringify(results, null, 2) + '\n');
for (const r of results.rows) console.log(`${r.name}: ${r.ours_us} us vs ${r.peer} ${r.peer_us} us (${r.ratio}x)`);
