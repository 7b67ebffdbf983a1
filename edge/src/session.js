'use strict';
// The session cookie: proof that a user signed in at /auth, so that their CloudFront cookies
// can be re-minted when they expire without a new ID token. It carries the subject, the tier
// names granted and an absolute expiry, and is MACed with HMAC-SHA256 under the secret's
// `sessionSecret`, which is independent of the CloudFront signing key: rotating the key pair
// signs nobody out. After a rotation of the session secret itself, sessions sealed under
// `previousSessionSecret` still open until they expire; new ones are sealed with the current.
// No RSA operation is needed to issue or check one.
//
// Format: `v1.<base64url(JSON)>.<base64url(HMAC(key, "v1." + payload))>`.

const { createHmac, timingSafeEqual } = require('node:crypto');

const VERSION = 'v1';
const MAX_SESSION_LENGTH = 4096;

/** @typedef {{current: Buffer, previous: Buffer | null}} SessionKeys */
/** @typedef {{sub: string, tiers: string[], expiresAtSeconds: number}} Session */

/**
 * @param {SessionKeys} keys sealed with `current`, always
 * @param {Session} session
 */
function sealSession(keys, { sub, tiers, expiresAtSeconds }) {
  const payload = Buffer.from(JSON.stringify({ sub, tiers, exp: expiresAtSeconds })).toString('base64url');
  const signed = `${VERSION}.${payload}`;
  return `${signed}.${mac(keys.current, signed)}`;
}

/**
 * The session in `value`, or null when it is absent, forged, malformed or expired.
 * @param {SessionKeys} keys
 * @param {string | undefined} value
 * @param {number} nowSeconds
 * @returns {Session | null}
 */
function openSession(keys, value, nowSeconds) {
  if (typeof value !== 'string' || value.length > MAX_SESSION_LENGTH) return null;
  const parts = value.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return null;
  const signed = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2]);
  // Both keys are always tried, so the time taken does not say which one (if any) matched.
  const matches = [keys.current, keys.previous].map((key) => key !== null && macEquals(key, signed, given));
  if (!matches.includes(true)) return null;
  let session;
  try {
    session = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const ok =
    typeof session?.sub === 'string' &&
    Array.isArray(session.tiers) &&
    session.tiers.every((t) => typeof t === 'string') &&
    Number.isInteger(session.exp) &&
    nowSeconds < session.exp;
  return ok ? { sub: session.sub, tiers: session.tiers, expiresAtSeconds: session.exp } : null;
}

/** Constant time: the length is public (always 43 characters), the bytes are not. */
function macEquals(key, signed, given) {
  const expected = Buffer.from(mac(key, signed));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function mac(key, text) {
  return createHmac('sha256', key).update(text).digest('base64url');
}

module.exports = { sealSession, openSession };
