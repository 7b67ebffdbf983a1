// Benchmarks of the Lambda@Edge handler (edge/src, warm container, fixed clock) against a
// handler written with node:crypto only (bench/peer-handler.cjs): the private path with its
// verified-cookie cache hit and missed, ours and the peer timed in alternating rounds. Also
// checks the mint cache: a repeated /auth for the same tier and window signs nothing. The
// handler is built as the edge tests build it (edge/test/helpers.mjs: the dev config, whose
// `signing.dev` holds the key pair and session secret inline; the host is the Host header).
// Writes bench/out/edge.json.
//
// Usage: node --no-liftoff bench/edge.mjs   (after `make pkg`; `make bench` runs it)
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KEY_ID, NOW, config, cookieHeaderFor, cookieJar, createHandler, idToken, keys, setCookies, signIn, viewerRequest,
} from '../edge/test/helpers.mjs';
import { compareAllAsync, round } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { createPeerHandler } = require('./peer-handler.cjs');

const N = Number(process.env.BENCH_EDGE_N ?? 3000);
const MINT_N = Number(process.env.BENCH_MINT_N ?? 40);

const cfg = config();
const deps = { now: () => NOW, log: () => {} };
const handler = createHandler(cfg, deps);
if (handler.configError || !handler.state) throw new Error(`bench setup: config refused: ${handler.configError}`);
const peer = createPeerHandler({ keyGroup: { [KEY_ID]: keys.cloudfront.publicPem }, tiers: cfg.tiers }, deps);

// A viewer that signed in: the tier cookies /auth minted, without the session cookie.
const token = idToken();
const minted = await signIn(handler, { token });
if (minted.status !== '200') throw new Error(`bench setup: /auth answered ${minted.status}: ${minted.body}`);
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

const { gate, minter } = handler.state;
const verificationsBefore = gate.stats.verifications;
const times = await compareAllAsync(
  {
    peer: () => peer(next()),
    hit: () => handler(next()),
    miss: () => {
      gate.verified.entries.clear();
      return handler(next());
    },
  },
  { iterations: N },
);
if (gate.stats.verifications === verificationsBefore) throw new Error('bench: the cache-miss row verified nothing');

// /auth with an ID token (aws-jwt-verify, RS256, in node:crypto either way): a cold mint signs
// one cookie set per tier, a cached one reuses the set of the same tier and window.
const signsBefore = minter.stats.signs;
let coldMints = 0;
const mint = await compareAllAsync(
  {
    cold: () => {
      coldMints += 1;
      minter.cache.clear();
      return signIn(handler, { token });
    },
    cached: () => signIn(handler, { token }),
  },
  { iterations: { cold: MINT_N, cached: MINT_N * 4 }, rounds: 4 },
);
const signsPerColdMint = (minter.stats.signs - signsBefore) / coldMints;
const signsBeforeCached = minter.stats.signs;
await signIn(handler, { token });
await signIn(handler, { token });
const cachedMintSigned = minter.stats.signs !== signsBeforeCached;
if (cachedMintSigned) throw new Error('bench: a cached mint signed');

const peerName = 'node:crypto-only handler (bench/peer-handler.cjs)';
const results = {
  rows: [
    { id: 'edge_warm_miss', name: 'edge handler, private path, warm, cache miss', ours_us: round(times.miss), peer: peerName, peer_us: round(times.peer), ratio: round(times.miss / times.peer) },
    { id: 'edge_warm_hit', name: 'edge handler, private path, warm, cache hit', ours_us: round(times.hit), peer: peerName, peer_us: round(times.peer), ratio: round(times.hit / times.peer) },
  ],
  mint: {
    cold_us: round(mint.cold),
    cached_us: round(mint.cached),
    tiers_signed_per_cold_mint: round(signsPerColdMint),
    cached_mint_signs: 0,
  },
};
mkdirSync(join(root, 'bench/out'), { recursive: true });
writeFileSync(join(root, 'bench/out/edge.json'), JSON.stringify(results, null, 2) + '\n');
for (const r of results.rows) console.log(`${r.name}: ${r.ours_us} us vs ${r.peer} ${r.peer_us} us (${r.ratio}x)`);
console.log(`/auth mint: cold (${results.mint.tiers_signed_per_cold_mint} tiers signed) ${results.mint.cold_us} us, cached (no sign) ${results.mint.cached_us} us`);
