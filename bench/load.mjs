// `make load`: the edge handler behind the local CloudFront emulator, in its own process on
// loopback, under a bounded mixed load (default 50,000 requests, 32 at a time, stopping
// itself after 60 s). Every request's right answer is decided here, independently of the
// handler (node:crypto and CloudFront's documented rules, from the exact cookies or URL
// sent), and compared with what came back. Prints throughput, p50/p99 latency, the count of
// wrong decisions (must be 0: exit 1 otherwise) and the server's RSS at start, middle, end.
//
//   node bench/load.mjs [--requests 50000] [--concurrency 32] [--seconds 60]
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { parseArgs } from 'node:util';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: process.env.LOAD_REQUESTS ?? '50000' },
    concurrency: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '60' },
  },
});
const TOTAL = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const DEADLINE_MS = Number(args.seconds) * 1000 - 3000; // leave room to report inside the bound

const KEY_ID = 'K2JCJMDEHXQW5F';
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Load';
const CLIENT_ID = 'load-client';
const rsa = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const cloudfront = rsa();
const idp = rsa();
const stranger = rsa();
const publicPem = cloudfront.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const privatePem = cloudfront.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

// The dev config (edge/README.md): the secret's fields inline under `signing.dev`; no host in
// it: the handler takes the viewer's Host header (here localhost:PORT, which `dev` allows).
const config = {
  dev: true,
  signing: {
    dev: {
      keyPairId: KEY_ID,
      privateKey: privatePem,
      keyGroup: { [KEY_ID]: publicPem },
      sessionSecret: crypto.randomBytes(32).toString('base64'),
    },
  },
  identityProvider: {
    issuer: ISSUER,
    clientIds: [CLIENT_ID],
    jwks: { keys: [{ ...idp.publicKey.export({ format: 'jwk' }), kid: 'idp-1', alg: 'RS256', use: 'sig' }] },
  },
  tiers: [
    { name: 'gold', pathPrefix: '/premium/', groups: ['gold'] },
    { name: 'silver', pathPrefix: '/videos/', groups: ['silver', 'gold'] },
  ],
  cookies: { lifetimeSeconds: 3600 },
  signInUrl: '/signin',
  allowedRedirectPaths: ['/'],
};

// ---- the server process ----------------------------------------------------------------

const server = fork(new URL('./load-server.mjs', import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const nextMessage = (type) =>
  new Promise((resolve) => {
    const on = (m) => m.type === type && (server.off('message', on), resolve(m));
    server.on('message', on);
  });
server.send({ type: 'start', config, publicPem, keyPairId: KEY_ID });
const ready = await nextMessage('ready');
const rss = async () => {
  server.send({ type: 'rss' });
  return (await nextMessage('rss')).rss;
};
const base = ready.url;
const origin = new URL(base);
const agentOptions = { keepAlive: true, maxSockets: CONCURRENCY };
const agent = ready.ca ? new https.Agent({ ...agentOptions, ca: ready.ca }) : new http.Agent(agentOptions);
const client = ready.ca ? https : http;

/** @returns {Promise<{status: number, headers: http.IncomingHttpHeaders, body: string}>} */
function request(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = client.request(`${base}${path}`, { agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// ---- credentials: signed in through /auth, like a browser ------------------------------

const b64url = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
function idToken(groups) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url({ alg: 'RS256', kid: 'idp-1' })}.${b64url({
    sub: `user-${groups.join('-')}`, 'cognito:groups': groups, iss: ISSUER, aud: CLIENT_ID,
    token_use: 'id', iat: now, exp: now + 3600,
  })}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), idp.privateKey).toString('base64url')}`;
}

/** The CloudFront cookies minted for `path`'s tier, as a Cookie header. */
async function signIn(groups, path) {
  const response = await request('/auth', { authorization: `Bearer ${idToken(groups)}`, accept: 'application/json' });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${response.body}`);
  return [].concat(response.headers['set-cookie'] ?? [])
    .filter((line) => line.includes(`Path=${path};`) && line.startsWith('CloudFront-'))
    .map((line) => line.split(';')[0])
    .join('; ');
}

const gold = await signIn(['gold'], '/premium/');
const silver = await signIn(['silver'], '/videos/');
const enc = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
const dec = (text) => Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

/** Tampered sets, each different, so no cache can serve them. */
function tampered(i) {
  const parts = Object.fromEntries(gold.split('; ').map((c) => c.split(/=(.*)/s).slice(0, 2)));
  const kind = i % 4;
  if (kind === 0) {
    const sig = parts['CloudFront-Signature'];
    const at = 8 + (i % (sig.length - 16));
    parts['CloudFront-Signature'] = sig.slice(0, at) + (sig[at] === 'A' ? 'B' : 'A') + sig.slice(at + 1);
  } else if (kind === 1) {
    const policy = JSON.parse(dec(parts['CloudFront-Policy']).toString());
    policy.Statement[0].Condition.DateLessThan['AWS:EpochTime'] += 86400 + i;
    parts['CloudFront-Policy'] = enc(Buffer.from(JSON.stringify(policy)));
  } else if (kind === 2) {
    const policy = JSON.stringify({ Statement: [{ Resource: `${base}/*`, Condition: { DateLessThan: { 'AWS:EpochTime': 2000000000 + i } } }] });
    parts['CloudFront-Policy'] = enc(Buffer.from(policy));
    parts['CloudFront-Signature'] = enc(crypto.sign('sha1', Buffer.from(policy), stranger.privateKey));
  } else {
    parts['CloudFront-Key-Pair-Id'] = `KTAMPERED${String(i).padStart(5, '0')}`;
  }
  return Object.entries(parts).map(([k, v]) => `${k}=${v}`).join('; ');
}

const signedQuery = (path, offsetMs) =>
  getSignedUrl({
    url: `${base}${path}`,
    keyPairId: KEY_ID,
    privateKey: privatePem,
    dateLessThan: new Date(Date.now() + offsetMs).toISOString(),
  }).split('?')[1];

// ---- ground truth, decided here from CloudFront's documented rules ---------------------

const publicKeys = { [KEY_ID]: cloudfront.publicKey };
const truthCache = new Map();

/** Whether CloudFront would serve `path` (+ query) to a viewer presenting `cookie`. */
function groundTruth(path, query, cookie) {
  const tier = config.tiers.find((t) => path.startsWith(t.pathPrefix));
  if (!tier) return true;
  const key = `${path}?${query}\n${cookie}`;
  if (truthCache.has(key)) return truthCache.get(key);
  const nowSeconds = Date.now() / 1000;
  let verdict = false;
  const params = new URLSearchParams(query);
  if (['Expires', 'Policy', 'Signature', 'Key-Pair-Id'].some((p) => params.has(p))) {
    // Canned signed URL: the policy is rebuilt from the URL without its signing parameters.
    const expires = Number(params.get('Expires'));
    const policy = `{"Statement":[{"Resource":"${base}${path}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
    const pem = publicKeys[params.get('Key-Pair-Id') ?? ''];
    verdict = Boolean(pem) && crypto.verify('sha1', Buffer.from(policy), pem, dec(params.get('Signature') ?? '')) && nowSeconds < expires;
  } else if (cookie) {
    const jar = new Map();
    for (const pair of cookie.split('; ')) {
      const [name, value] = pair.split(/=(.*)/s);
      if (!jar.has(name)) jar.set(name, value);
    }
    const pem = publicKeys[jar.get('CloudFront-Key-Pair-Id') ?? ''];
    const policyBytes = dec(jar.get('CloudFront-Policy') ?? '');
    if (pem && crypto.verify('sha1', policyBytes, pem, dec(jar.get('CloudFront-Signature') ?? ''))) {
      const { Resource, Condition } = JSON.parse(policyBytes.toString()).Statement[0];
      const pattern = new RegExp(`^${Resource.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      verdict = pattern.test(`${base}${path}${query ? `?${query}` : ''}`) && nowSeconds < Condition.DateLessThan['AWS:EpochTime'];
    }
  }
  truthCache.set(key, verdict);
  return verdict;
}

// ---- the mix ---------------------------------------------------------------------------

const file = (i) => `${String(i % 64).padStart(2, '0')}.ts`;
const validPremiumUrls = Array.from({ length: 16 }, (_, i) => [`/premium/signed/${file(i)}`, signedQuery(`/premium/signed/${file(i)}`, 600_000)]);
const expiredPremiumUrls = Array.from({ length: 16 }, (_, i) => [`/premium/signed/${file(i)}`, signedQuery(`/premium/signed/${file(i)}`, -1000)]);

/** [share, label, build(i) -> {path, query, cookie, accept}]: 10% tampered cookies. */
const MIX = [
  [30, 'gold cookies on /premium/', (i) => ({ path: `/premium/hls/${file(i)}`, cookie: gold })],
  [10, 'tampered cookies on /premium/', (i) => ({ path: `/premium/hls/${file(i)}`, cookie: tampered(i) })],
  [10, 'silver cookies on /premium/ (wrong tier)', (i) => ({ path: `/premium/hls/${file(i)}`, cookie: silver })],
  [10, 'silver cookies on /videos/', (i) => ({ path: `/videos/${file(i)}`, cookie: silver })],
  [8, 'no cookies on /videos/', (i) => ({ path: `/videos/${file(i)}`, cookie: '', accept: 'text/html' })],
  [20, 'public pages', (i) => ({ path: `/assets/${file(i)}`, cookie: i % 2 ? gold : '' })],
  [7, 'signed URL on /premium/, with silver cookies', (i) => {
    const [path, query] = validPremiumUrls[i % 16];
    return { path, query, cookie: silver };
  }],
  [5, 'expired signed URL on /premium/, with gold cookies', (i) => {
    const [path, query] = expiredPremiumUrls[i % 16];
    return { path, query, cookie: gold };
  }],
];
const weights = MIX.reduce((sum, [share]) => sum + share, 0);
/** A deterministic spread: request i belongs to the category its position in 100 falls into. */
function category(i) {
  let slot = (i * 37) % weights;
  for (const entry of MIX) {
    if (slot < entry[0]) return entry;
    slot -= entry[0];
  }
  return MIX[0];
}

// ---- run -------------------------------------------------------------------------------

// Warm up (the verified-cookie cache, JIT, sockets), then measure.
for (let i = 0; i < 200; i += 1) {
  const { path, cookie } = category(i)[2](i);
  await request(path, cookie ? { cookie } : {});
}
const rssStart = await rss();
let rssMiddle = null;
const latencies = new Float64Array(TOTAL);
const stats = new Map(MIX.map(([, label]) => [label, { count: 0, allowed: 0, wrong: 0 }]));
const wrong = [];
let next = 0;
let done = 0;
const started = performance.now();

async function worker() {
  while (next < TOTAL && performance.now() - started < DEADLINE_MS) {
    const i = next++;
    const [, label, build] = category(i);
    const { path, query = '', cookie, accept = 'application/json' } = build(i);
    const expected = groundTruth(path, query, cookie);
    const t0 = performance.now();
    const response = await request(query ? `${path}?${query}` : path, { accept, ...(cookie ? { cookie } : {}) });
    latencies[i] = performance.now() - t0;
    const allowed = response.status === 200 && response.body.startsWith('origin ');
    const s = stats.get(label);
    s.count += 1;
    if (allowed) s.allowed += 1;
    if (allowed !== expected) {
      s.wrong += 1;
      if (wrong.length < 5) wrong.push({ label, path, query: query.slice(0, 40), status: response.status, expected });
    }
    done += 1;
    if (done === Math.floor(TOTAL / 2)) rss().then((r) => (rssMiddle = r));
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
const elapsed = (performance.now() - started) / 1000;
const rssEnd = await rss();
agent.destroy();
server.kill();

const measured = Array.from(latencies.subarray(0, done)).sort((a, b) => a - b);
const pct = (p) => measured[Math.min(measured.length - 1, Math.floor((p / 100) * measured.length))] ?? NaN;
const mb = (bytes) => (bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
const totalWrong = [...stats.values()].reduce((sum, s) => sum + s.wrong, 0);

console.log(`make load: ${done} requests (${TOTAL} asked), concurrency ${CONCURRENCY}, via ${ready.server} at ${origin.host}`);
console.log(`  ${elapsed.toFixed(1)} s, ${Math.round(done / elapsed)} requests/s, latency p50 ${pct(50).toFixed(2)} ms, p99 ${pct(99).toFixed(2)} ms`);
console.log('  category                                            requests  allowed  wrong');
for (const [label, s] of stats) {
  console.log(`  ${label.padEnd(50)} ${String(s.count).padStart(9)} ${String(s.allowed).padStart(8)} ${String(s.wrong).padStart(6)}`);
}
console.log(`  wrong decisions: ${totalWrong}`);
console.log(`  server RSS: start ${mb(rssStart)}, middle ${mb(rssMiddle)}, end ${mb(rssEnd)}`);
for (const w of wrong) console.log('  WRONG', JSON.stringify(w));
const grewMb = (rssEnd - rssStart) / 1024 / 1024;
if (grewMb > 64) console.log(`  RSS grew by ${grewMb.toFixed(1)} MB: not flat`);
if (done < TOTAL) console.log(`  stopped at the time bound after ${done} requests`);
process.exitCode = totalWrong === 0 && grewMb <= 64 ? 0 : 1;
