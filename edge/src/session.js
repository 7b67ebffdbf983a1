'use strict';
// The session cookie: proof that a user signed in at /auth, so that their CloudFront cookies
// can be re-minted when they expire without a new ID token. It carries the subject, the tier
// names granted and an absolute expiry, and is MACed with HMAC-SHA256 under a key derived
// from the signing secret. No RSA operation is needed to issue or check one.
//
// Format: `v1.<base64url(JSON)>.<base64url(HMAC(key, "v1." + payload))>`.

const { createHmac, timingSafeEqual } = require('node:crypto');

const VERSION = 'v1';
const MAX_SESSION_LENGTH = 4096;

/**
 * @param {Buffer} key
 * @param {{sub: string, tiers: string[], exp: number}} session exp in epoch seconds
 */
function sealSession(key, { sub, tiers, exp }) {
  const payload = Buffer.from(JSON.stringify({ sub, tiers, exp })).toString('base64url');
  const signed = `${VERSION}.${payload}`;
  return `${signed}.${mac(key, signed)}`;
}

/**
 * The session in `value`, or null when it is absent, forged, malformed or expired.
 * @param {Buffer} key
 * @param {string | undefined} value
 * @param {number} nowSeconds
 * @returns {{sub: string, tiers: string[], exp: number} | null}
 */
function openSession(key, value, nowSeconds) {
  if (typeof value !== 'string' || value.length > MAX_SESSION_LENGTH) return null;
  const parts = value.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return null;
  const expected = Buffer.from(mac(key, `${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  // Constant time: the length is public (always 43 characters), the bytes are not.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
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
  return ok ? { sub: session.sub, tiers: session.tiers, exp: session.exp } : null;
}

function mac(key, text) {
  return createHmac('sha256', key).update(text).digest('base64url');
}

module.exports = { sealSession, openSession };
