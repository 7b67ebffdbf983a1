'use strict';
// The session cookie: proof that a user signed in, so that their CloudFront cookies can be
// re-minted when they expire without a new sign-in. It carries the subject, the tier names
// granted, an absolute expiry and, for a sign-in through the identity provider's own page
// (the redirect flow), when the tiers were last read from the provider and the refresh
// token to read them again. It is sealed (AES-256-GCM, seal.js) under a key derived from the
// secret's `sessionSecret`, independent of the CloudFront signing key: rotating the key pair
// signs nobody out. Sealed, not just MACed, because the refresh token must stay unreadable
// even to the browser that holds it. No RSA operation is needed to issue or check one.
//
// Format: `v2.<sealed JSON>`. Sessions of the previous format (`v1.<payload>.<HMAC>`, no
// refresh token) still open until they expire, so an upgrade signs nobody out.

const { createHmac, timingSafeEqual } = require('node:crypto');
const { seal, unseal } = require('./seal');
const { SESSION_COOKIE, setCookie } = require('./cookies');

const VERSION = 'v2';
const PURPOSE = 'session';
/** Browsers keep cookies of up to 4096 bytes, name included. */
const MAX_SESSION_LENGTH = 4000;

/** @typedef {import('./seal').SessionKeys} SessionKeys */
/**
 * @typedef {{sub: string, tiers: string[], expiresAtSeconds: number, via: 'token' | 'code',
 *            checkedAtSeconds?: number, refreshToken?: string}} Session
 *   `via: 'code'`: signed in through the redirect flow; `checkedAtSeconds` is when the tiers
 *   were last read from the identity provider, `refreshToken` how to read them again.
 */

/**
 * @param {SessionKeys} keys sealed with `current`, always
 * @param {Session} session
 * @returns {string}
 */
function sealSession(keys, { sub, tiers, expiresAtSeconds, via, checkedAtSeconds, refreshToken }) {
  const payload = { sub, tiers, exp: expiresAtSeconds, via };
  if (via === 'code') Object.assign(payload, { chk: checkedAtSeconds, rt: refreshToken });
  return `${VERSION}.${seal(keys, PURPOSE, payload)}`;
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
  const payload = value.startsWith(`${VERSION}.`)
    ? unseal(keys, PURPOSE, value.slice(VERSION.length + 1), MAX_SESSION_LENGTH)
    : openV1(keys, value);
  return sessionOf(payload, nowSeconds);
}

/** @returns {Session | null} */
function sessionOf(p, nowSeconds) {
  const ok =
    typeof p === 'object' &&
    p !== null &&
    typeof p.sub === 'string' &&
    Array.isArray(p.tiers) &&
    p.tiers.every((t) => typeof t === 'string') &&
    Number.isInteger(p.exp) &&
    nowSeconds < p.exp;
  if (!ok) return null;
  const session = { sub: p.sub, tiers: p.tiers, expiresAtSeconds: p.exp, via: /** @type {'token' | 'code'} */ ('token') };
  if (p.via !== 'code') return session;
  if (!Number.isInteger(p.chk) || (p.rt !== undefined && typeof p.rt !== 'string')) return null;
  return { ...session, via: 'code', checkedAtSeconds: p.chk, ...(p.rt === undefined ? {} : { refreshToken: p.rt }) };
}

/** A `v1.<payload>.<HMAC-SHA256>` session (the format before sealing), or null. */
function openV1(keys, value) {
  const parts = value.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return null;
  const signed = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2]);
  // Both keys are always tried, so the time taken does not say which one (if any) matched.
  const matches = [keys.current, keys.previous].map((key) => key !== null && macEquals(key, signed, given));
  if (!matches.includes(true)) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null ? { ...payload, via: 'token' } : null;
  } catch {
    return null;
  }
}

/** Constant time: the length is public (always 43 characters), the bytes are not. */
function macEquals(key, signed, given) {
  const expected = Buffer.from(createHmac('sha256', key).update(signed).digest('base64url'));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The Set-Cookie line for `session`. A refresh token that would make the cookie too long for
 * browsers is left out (the log says so): the session then cannot be renewed at the provider
 * and ends, at the next recheck, in a new sign-in.
 * @param {SessionKeys} keys @param {Session} session
 * @returns {{setCookie: string, droppedRefreshToken: boolean}}
 */
function sessionCookie(keys, session) {
  let value = sealSession(keys, session);
  let droppedRefreshToken = false;
  if (value.length > MAX_SESSION_LENGTH - SESSION_COOKIE.length - 1) {
    value = sealSession(keys, { ...session, refreshToken: undefined });
    droppedRefreshToken = true;
  }
  return { setCookie: setCookie(SESSION_COOKIE, value, { path: '/', expires: session.expiresAtSeconds }), droppedRefreshToken };
}

module.exports = { sealSession, openSession, sessionCookie, MAX_SESSION_LENGTH };
