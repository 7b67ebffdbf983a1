// The npm package's web build (pkg/web: RustCrypto's `rsa` and `p256` compiled to wasm, for
// browsers, bundlers and Workers-like runtimes), run in Node against node:crypto on the same
// keys and bytes: reported, not a target (wasm32 has no 64x64->128 multiply, so its RSA stays
// well behind OpenSSL's). Also ECDSA P-256 against RSA-2048 in that build. Ours and the peer
// in alternating rounds, medians after a warm-up. Writes bench/out/web.json.
//
// Usage: node --no-liftoff bench/web.mjs   (after `make pkg`; `make bench` runs it)
import { createRequire } from 'node:module';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync, Signer, Verifier } from '../pkg/web/cloudfront_edge_auth.js';
import { compare, round } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { createCookieSetCheck } = require('./peer-handler.cjs');
const { KEY_ID, fixtures, lengths } = require('./fixtures.cjs');

initSync({ module: readFileSync(join(root, 'pkg/web/cloudfront_edge_auth_bg.wasm')) });

const { rsa, ec, options, requestUrl, urlOptions } = fixtures();
const signer = new Signer({ keyPairId: KEY_ID, privateKey: rsa.privateKey });
const ecSigner = new Signer({ keyPairId: KEY_ID, privateKey: ec.privateKey });
const verifier = new Verifier({ keys: { [KEY_ID]: rsa.publicKey } });
const ecVerifier = new Verifier({ keys: { [KEY_ID]: ec.publicKey } });
const keyObject = createPrivateKey(rsa.privateKey);

const header = (cookies) => Object.entries(cookies).map(([n, v]) => `${n}=${v}`).join('; ');
const cookies = signer.getSignedCookies(options);
const cookieHeader = header(cookies);
const ecCookieHeader = header(ecSigner.getSignedCookies(options));
const policyBytes = Buffer.from(cookies['CloudFront-Policy'].replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
const NOW_MS = 1.8e12;
if (!verifier.verify({ url: requestUrl, cookie: cookieHeader, now: NOW_MS }).ok) throw new Error('bench setup: web verify failed');
if (!ecVerifier.verify({ url: requestUrl, cookie: ecCookieHeader, now: NOW_MS }).ok) throw new Error('bench setup: web ECDSA verify failed');
const peerCheck = createCookieSetCheck(new Map([[KEY_ID, createPublicKey(rsa.publicKey)]]));

const SIGN_N = Number(process.env.BENCH_WEB_SIGN_N ?? 30);
const VERIFY_N = Number(process.env.BENCH_WEB_VERIFY_N ?? 300);

const rows = [];
function row(id, name, [ours, peer], peerName) {
  rows.push({ id, name, ours_us: round(ours), peer_us: round(peer), peer: peerName, ratio: round(ours / peer) });
}
row('web_sign', 'web build (rsa crate), in Node: sign one policy with a parsed key',
  compare(() => signer.getSignedCookies(options), () => sign('sha1', policyBytes, keyObject),
    { iterations: SIGN_N, peerIterations: SIGN_N * 4 }),
  'node:crypto sign of the same bytes');
row('web_verify', 'web build (rsa crate), in Node: verify one cookie set',
  compare(() => verifier.verify({ url: requestUrl, cookie: cookieHeader, now: NOW_MS }),
    () => peerCheck(cookieHeader, requestUrl, NOW_MS / 1000), { iterations: VERIFY_N }),
  'node:crypto check of the same cookie set (bench/peer-handler.cjs)');
row('ecdsa_sign_web', 'web build: sign one policy, ECDSA P-256 (p256 crate) vs RSA-2048 (rsa crate)',
  compare(() => ecSigner.getSignedCookies(options), () => signer.getSignedCookies(options),
    { iterations: SIGN_N * 2, peerIterations: SIGN_N }),
  'the same with RSA-2048');
row('ecdsa_verify_web', 'web build: verify one cookie set, ECDSA P-256 vs RSA-2048',
  compare(() => ecVerifier.verify({ url: requestUrl, cookie: ecCookieHeader, now: NOW_MS }),
    () => verifier.verify({ url: requestUrl, cookie: cookieHeader, now: NOW_MS }), { iterations: VERIFY_N / 2 }),
  'the same with RSA-2048');

const results = { rows, lengths: lengths(signer, ecSigner, options, urlOptions) };
mkdirSync(join(root, 'bench/out'), { recursive: true });
writeFileSync(join(root, 'bench/out/web.json'), JSON.stringify(results, null, 2) + '\n');
for (const r of rows) console.log(`${r.name}: ${r.ours_us} us vs ${r.peer} ${r.peer_us} us (${r.ratio}x)`);
