// Benchmarks of the WASM core against its peers, measured in the same run on the same key:
// node:crypto (the floor: native OpenSSL) and @aws-sdk/cloudfront-signer. Medians over many
// iterations after a warm-up, ours and peer in alternating rounds. Prints a table and writes bench/out/core.json.
//
// Usage: node bench/core.mjs   (after `make pkg`; `make bench` runs it)
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, round } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const core = require(join(root, 'pkg/node/cloudfront_edge_auth.js'));
const sdk = require('@aws-sdk/cloudfront-signer');
const { createCookieSetCheck } = require('./peer-handler.cjs');

const KEY_ID = 'K2JCJMDEHXQW5F';
const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

const url = 'https://d111111abcdef8.cloudfront.net/private/*';
const options = {
  url, keyPairId: KEY_ID, privateKey,
  dateLessThan: '2030-01-01T00:00:00Z', dateGreaterThan: '2020-01-01T00:00:00Z',
};
const signer = new core.Signer({ keyPairId: KEY_ID, privateKey });
const verifier = new core.Verifier({ keys: { [KEY_ID]: publicKey } });
const keyObject = createPrivateKey(privateKey);
const publicKeyObject = createPublicKey(publicKey);

const cookies = signer.getSignedCookies(options);
const cookieHeader = Object.entries(cookies).map(([n, v]) => `${n}=${v}`).join('; ');
const requestUrl = 'https://d111111abcdef8.cloudfront.net/private/movie.mp4';
/** CloudFront base64 (`-` `_` `~` for `+` `=` `/`) to bytes, for the node:crypto peer. */
const fromCloudFrontBase64 = (text) =>
  Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
const policyBytes = fromCloudFrontBase64(cookies['CloudFront-Policy']);
const signatureBytes = fromCloudFrontBase64(cookies['CloudFront-Signature']);
if (!verifier.verify({ url: requestUrl, cookie: cookieHeader }).ok) throw new Error('bench setup: verify failed');

const rows = [];
function row(name, ours, peer, peerName) {
  rows.push({ name, ours_us: round(ours), peer_us: round(peer), peer: peerName, ratio: round(ours / peer) });
}

const SIGN_N = Number(process.env.BENCH_SIGN_N ?? 60);
const VERIFY_N = Number(process.env.BENCH_VERIFY_N ?? 2000);

row('sign one policy (parsed key)',
  ...compare(() => signer.getSignedCookies(options), () => createSign('RSA-SHA1').update(policyBytes).sign(keyObject),
    { iterations: SIGN_N, peerIterations: SIGN_N * 5 }),
  'node:crypto sign (KeyObject)');
row('getSignedCookies (PEM each call)',
  ...compare(() => core.getSignedCookies(options), () => sdk.getSignedCookies(options),
    { iterations: SIGN_N / 2, peerIterations: SIGN_N * 2 }),
  '@aws-sdk/cloudfront-signer');
row('verify one cookie set',
  ...compare(() => verifier.verify({ url: requestUrl, cookie: cookieHeader, now: 1.8e12 }),
    () => createVerify('RSA-SHA1').update(policyBytes).verify(publicKeyObject, signatureBytes),
    { iterations: VERIFY_N }),
  'node:crypto verify (KeyObject)');
// The same job on both sides: the peer also parses the Cookie header, decodes the policy and
// checks the time window and the Resource (bench/peer-handler.cjs), as a node:crypto
// implementation of "verify one cookie set" must.
const peerCheck = createCookieSetCheck(new Map([[KEY_ID, publicKeyObject]]));
if (peerCheck(cookieHeader, requestUrl, 1.8e9) !== null) throw new Error('bench setup: peer check failed');
row('verify one cookie set, same checks on both sides',
  ...compare(() => verifier.verify({ url: requestUrl, cookie: cookieHeader, now: 1.8e12 }),
    () => peerCheck(cookieHeader, requestUrl, 1.8e9),
    { iterations: VERIFY_N }),
  'node:crypto cookie-set check (bench/peer-handler.cjs)');

// Cold start in a fresh process: load + instantiate the wasm, parse the private key and the
// key group, as the edge handler does at module scope.
function coldStart() {
  const script = `
    const t0 = performance.now();
    const core = require(${JSON.stringify(join(root, 'pkg/node/cloudfront_edge_auth.js'))});
    const t1 = performance.now();
    new core.Signer({ keyPairId: 'K1', privateKey: process.env.PK });
    const t2 = performance.now();
    new core.Verifier({ keys: { K1: process.env.PUB } });
    const t3 = performance.now();
    console.log(JSON.stringify({ load: t1 - t0, privateKey: t2 - t1, keyGroup: t3 - t2, total: t3 - t0 }));`;
  const runs = [];
  for (let i = 0; i < 7; i++) {
    const out = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, PK: privateKey, PUB: publicKey } });
    if (out.status !== 0) throw new Error(out.stderr.toString());
    runs.push(JSON.parse(out.stdout.toString()));
  }
  const median = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[3];
  return { load_ms: round(median('load')), private_key_parse_ms: round(median('privateKey')),
           key_group_parse_ms: round(median('keyGroup')), total_ms: round(median('total')) };
}

const wasm = readFileSync(join(root, 'pkg/node/cloudfront_edge_auth_bg.wasm'));
const results = {
  date: new Date().toISOString(),
  node: process.version,
  key_bits: 2048,
  rows,
  cold_start: coldStart(),
  wasm_bytes: wasm.length,
  wasm_gzip_bytes: gzipSync(wasm, { level: 9 }).length,
};

mkdirSync(join(root, 'bench/out'), { recursive: true });
writeFileSync(join(root, 'bench/out/core.json'), JSON.stringify(results, null, 2) + '\n');

console.log('| measurement | ours (us) | peer | peer (us) | ours / peer |');
console.log('|---|---:|---|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.ours_us} | ${r.peer} | ${r.peer_us} | ${r.ratio}x |`);
const c = results.cold_start;
console.log(`\ncold start (median of 7 fresh processes): wasm load ${c.load_ms} ms, private key parse ${c.private_key_parse_ms} ms, key group parse ${c.key_group_parse_ms} ms, total ${c.total_ms} ms`);
console.log(`wasm: ${results.wasm_bytes} bytes raw, ${results.wasm_gzip_bytes} bytes gzip`);
