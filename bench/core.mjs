// Benchmarks of the npm package's Node build (pkg/node: node:crypto, i.e. OpenSSL, behind the
// wasm core) against its peers, measured in the same run on the same keys: bare node:crypto
// (the floor), a node:crypto check of a cookie set (bench/peer-handler.cjs) and
// @aws-sdk/cloudfront-signer. Medians over many iterations after a warm-up, ours and the
// peer in alternating rounds. Also: ECDSA P-256 against RSA-2048 (sign time, cookie and URL
// length), and cold starts in fresh processes. Writes bench/out/core.json.
//
// Usage: node --no-liftoff bench/core.mjs   (after `make pkg`; `make bench` runs it)
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, median, round } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const core = require(join(root, 'pkg/node/cloudfront_edge_auth.js'));
const sdk = require('@aws-sdk/cloudfront-signer');
const { createCookieSetCheck } = require('./peer-handler.cjs');
const { KEY_ID, fixtures, lengths } = require('./fixtures.cjs');

const { rsa, ec, options, requestUrl, urlOptions } = fixtures();
const signer = new core.Signer({ keyPairId: KEY_ID, privateKey: rsa.privateKey });
const ecSigner = new core.Signer({ keyPairId: KEY_ID, privateKey: ec.privateKey });
const verifier = new core.Verifier({ keys: { [KEY_ID]: rsa.publicKey } });
const keyObject = createPrivateKey(rsa.privateKey);
const publicKeyObject = createPublicKey(rsa.publicKey);

const cookies = signer.getSignedCookies(options);
const cookieHeader = Object.entries(cookies).map(([n, v]) => `${n}=${v}`).join('; ');
/** CloudFront base64 (`-` `_` `~` for `+` `=` `/`) to bytes, for the node:crypto peer. */
const fromCloudFrontBase64 = (text) =>
  Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
const policyBytes = fromCloudFrontBase64(cookies['CloudFront-Policy']);
const signatureBytes = fromCloudFrontBase64(cookies['CloudFront-Signature']);
const NOW_MS = 1.8e12;
if (!verifier.verify({ url: requestUrl, cookie: cookieHeader, now: NOW_MS }).ok) throw new Error('bench setup: verify failed');
if (!verify('sha1', policyBytes, publicKeyObject, signatureBytes)) throw new Error('bench setup: node:crypto verify failed');
// The SDK and the package give the same bytes (issue 13 keeps that; tests/js checks it too).
if (JSON.stringify(core.getSignedCookies(options)) !== JSON.stringify(sdk.getSignedCookies(options))) {
  throw new Error('bench setup: getSignedCookies differs from the SDK');
}
const peerCheck = createCookieSetCheck(new Map([[KEY_ID, publicKeyObject]]));
if (peerCheck(cookieHeader, requestUrl, NOW_MS / 1000) !== null) throw new Error('bench setup: peer check failed');

const rows = [];
function row(id, name, [ours, peer], peerName) {
  rows.push({ id, name, ours_us: round(ours), peer_us: round(peer), peer: peerName, ratio: round(ours / peer) });
}

const SIGN_N = Number(process.env.BENCH_SIGN_N ?? 400);
const VERIFY_N = Number(process.env.BENCH_VERIFY_N ?? 3000);

row('get_signed_cookies', 'Node build: getSignedCookies with a PEM each call',
  compare(() => core.getSignedCookies(options), () => sdk.getSignedCookies(options), { iterations: SIGN_N / 2 }),
  '@aws-sdk/cloudfront-signer getSignedCookies');
row('sign', 'Node build: sign one policy with a parsed key (Signer)',
  compare(() => signer.getSignedCookies(options), () => sign('sha1', policyBytes, keyObject), { iterations: SIGN_N }),
  'node:crypto sign of the same bytes (KeyObject)');
// The same job on both sides: the peer also parses the Cookie header, decodes the policy and
// checks the time window and the Resource, as a node:crypto "verify one cookie set" must.
row('verify', 'Node build: verify one cookie set',
  compare(() => verifier.verify({ url: requestUrl, cookie: cookieHeader, now: NOW_MS }),
    () => peerCheck(cookieHeader, requestUrl, NOW_MS / 1000), { iterations: VERIFY_N }),
  'node:crypto check of the same cookie set (bench/peer-handler.cjs)');
// Reported, not a target: against the RSA verification alone, on pre-decoded bytes.
row('verify_rsa_only', 'Node build: verify one cookie set, against the RSA verification alone',
  compare(() => verifier.verify({ url: requestUrl, cookie: cookieHeader, now: NOW_MS }),
    () => verify('sha1', policyBytes, publicKeyObject, signatureBytes), { iterations: VERIFY_N }),
  'node:crypto verify of pre-decoded bytes');
row('ecdsa_sign_node', 'Node build: sign one policy, ECDSA P-256 vs RSA-2048 (Signer)',
  compare(() => ecSigner.getSignedCookies(options), () => signer.getSignedCookies(options), { iterations: SIGN_N }),
  'the same with RSA-2048');

// The row above, broken down: where the time of a Signer's sign goes outside OpenSSL.
const parts = {
  signed_url_us: round(median(Array.from({ length: 5 }, () =>
    compare(() => signer.getSignedUrl(urlOptions), () => sign('sha1', policyBytes, keyObject), { iterations: SIGN_N / 2, rounds: 2 })[0]))),
};

// Cold start in fresh processes (bench/cold-start.cjs, without --no-liftoff, as a Lambda
// container starts): the private path is wasm load + key group, /auth adds the private key.
// node:crypto's own module load is timed apart: the edge handler and its node:crypto-only
// peer both load it whatever the core does. The peer's cold start (its module,
// createPublicKey, createPrivateKey) runs in alternation with ours, so that the two see the
// same machine.
function coldStart(runs = Number(process.env.BENCH_COLD_RUNS ?? 11)) {
  const ours = [];
  const peer = [];
  const once = (isPeer) => {
    const child = spawnSync(process.execPath, [join(root, 'bench/cold-start.cjs')],
      { env: { ...process.env, PK: rsa.privateKey, PUB: rsa.publicKey, PEER: isPeer ? '1' : '0' } });
    if (child.status !== 0) throw new Error(child.stderr.toString());
    const r = JSON.parse(child.stdout.toString());
    return { ...r, gate: r.load + r.keyGroup, auth: r.load + r.keyGroup + r.privateKey };
  };
  for (let i = 0; i < runs; i++) {
    ours.push(once(false));
    peer.push(once(true));
  }
  const med = (list, k) => round(median(list.map((r) => r[k])));
  return {
    runs,
    private_path_ms: med(ours, 'gate'),
    auth_ms: med(ours, 'auth'),
    load_ms: med(ours, 'load'),
    key_group_parse_ms: med(ours, 'keyGroup'),
    private_key_parse_ms: med(ours, 'privateKey'),
    node_crypto_load_ms: med(ours, 'nodeCrypto'),
    peer_private_path_ms: med(peer, 'gate'),
    peer_auth_ms: med(peer, 'auth'),
  };
}

const results = {
  date: new Date().toISOString(),
  node: process.version,
  key_bits: 2048,
  rows,
  parts,
  lengths: lengths(signer, ecSigner, options, urlOptions),
  cold_start: coldStart(),
};

mkdirSync(join(root, 'bench/out'), { recursive: true });
writeFileSync(join(root, 'bench/out/core.json'), JSON.stringify(results, null, 2) + '\n');

console.log('| measurement | ours (us) | peer | peer (us) | ours / peer |');
console.log('|---|---:|---|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.ours_us} | ${r.peer} | ${r.peer_us} | ${r.ratio}x |`);
const c = results.cold_start;
console.log(`\ncold start (median of ${c.runs} fresh processes): private path ${c.private_path_ms} ms (wasm load ${c.load_ms}, key group ${c.key_group_parse_ms}), /auth ${c.auth_ms} ms (+ private key ${c.private_key_parse_ms}); node:crypto-only peer ${c.peer_private_path_ms} / ${c.peer_auth_ms} ms; node:crypto load ${c.node_crypto_load_ms} ms apart`);
console.log('lengths:', JSON.stringify(results.lengths));
