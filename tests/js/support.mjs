// Shared fixtures of the Node suites: keys made at test time (never committed), CloudFront
// base64, a seeded PRNG, and an independent signature check with node:crypto.
import { createVerify, generateKeyPairSync } from 'node:crypto';

export const PASSPHRASE = 'correct horse battery staple';

/**
 * A fresh RSA key in every PEM form the package takes.
 * @param {number} [bits]
 */
export function makeRsaKey(bits = 2048) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKey,
    publicKey,
    pkcs1: /** @type {string} */ (privateKey.export({ type: 'pkcs1', format: 'pem' })),
    pkcs8: /** @type {string} */ (privateKey.export({ type: 'pkcs8', format: 'pem' })),
    encryptedPkcs8: /** @type {string} */ (
      privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: PASSPHRASE,
      })
    ),
    spki: /** @type {string} */ (publicKey.export({ type: 'spki', format: 'pem' })),
    pkcs1Public: /** @type {string} */ (publicKey.export({ type: 'pkcs1', format: 'pem' })),
  };
}

/** CloudFront base64 -> bytes: `-` -> `+`, `_` -> `=`, `~` -> `/`. @param {string} text */
export function decodeCloudFrontBase64(text) {
  assertCloudFrontAlphabet(text);
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

/** Bytes -> CloudFront base64. @param {Uint8Array | string} bytes */
export function encodeCloudFrontBase64(bytes) {
  return Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

/** @param {string} text */
function assertCloudFrontAlphabet(text) {
  if (!/^[A-Za-z0-9\-_~]+$/.test(text)) {
    throw new Error(`not CloudFront base64: ${JSON.stringify(text.slice(0, 40))}`);
  }
}

/**
 * Checks an RSASSA-PKCS1-v1_5 signature with node:crypto, independently of the package.
 * @param {string | Buffer} policy the exact signed bytes
 * @param {string} signature CloudFront base64
 * @param {import('node:crypto').KeyObject | string} publicKey
 * @param {'SHA1' | 'SHA256'} [algorithm]
 */
export function signatureVerifies(policy, signature, publicKey, algorithm = 'SHA1') {
  const verify = createVerify(algorithm === 'SHA256' ? 'RSA-SHA256' : 'RSA-SHA1');
  verify.update(policy);
  return verify.verify(publicKey, decodeCloudFrontBase64(signature));
}

/**
 * The canned policy CloudFront rebuilds from a request, as JSON.stringify writes it.
 * @param {string} resource
 * @param {number} expires epoch seconds
 */
export function cannedPolicy(resource, expires) {
  return JSON.stringify({
    Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }],
  });
}

/**
 * The exact policy bytes a signed URL's values or a cookie set carry (cookie names without
 * their `CloudFront-` prefix, see `unprefixed`): rebuilt for a canned policy from the URL,
 * decoded for a custom one.
 */
export function policyBytes(carrier, url) {
  return carrier.Expires !== undefined
    ? Buffer.from(cannedPolicy(url, Number(carrier.Expires)))
    : decodeCloudFrontBase64(carrier.Policy);
}

/** Cookies without their `CloudFront-` prefix, so they read like a signed URL's values. */
export const unprefixed = (cookies) =>
  Object.fromEntries(Object.entries(cookies).map(([n, v]) => [n.replace('CloudFront-', ''), v]));

/** Cookies as the browser sends them back: `name=value; name=value`. @param {object} cookies */
export function cookieHeader(cookies) {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

/**
 * Splits a signed URL into the URL that was signed and its signing parameters (which the
 * signers append last, in their own order).
 * @param {string} signedUrl
 */
export function splitSignedUrl(signedUrl) {
  const start = signedUrl.search(/[?&](Expires|Policy)=[^&]*&/);
  if (start < 0) throw new Error(`no signing parameters in ${signedUrl}`);
  const base = signedUrl.slice(0, start);
  const params = signedUrl
    .slice(start + 1)
    .split('&')
    .map((pair) => /** @type {[string, string]} */ (pair.split(/=(.*)/s, 2)));
  return { base, params, values: Object.fromEntries(params) };
}

/**
 * mulberry32: a small seeded PRNG, so a failing random case can be replayed with its seed.
 * @param {number} seed
 */
export function prng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** @param {number} lo @param {number} hi inclusive */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    /** @template T @param {readonly T[]} items @returns {T} */
    pick: (items) => items[Math.floor(next() * items.length)],
    /** @param {number} p */
    chance: (p) => next() < p,
  };
}

/** The seed of this run: TEST_SEED if set, else a random one. Printed so it can be replayed. */
export function runSeed(label) {
  const seed = process.env.TEST_SEED
    ? Number(process.env.TEST_SEED)
    : Math.floor(Math.random() * 2 ** 32);
  console.log(`# ${label}: seed ${seed} (replay with TEST_SEED=${seed})`);
  return seed;
}
