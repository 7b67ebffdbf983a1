'use strict';
// Reading the Cookie header of a CloudFront event and writing Set-Cookie lines.

const { limits } = require('./core');

/** Longest Cookie header read: the core's cap, so what is read here is what it would read. */
const MAX_COOKIE_HEADER = limits().maxCookieHeaderBytes;

/** Names of the cookies CloudFront reads, in the order the core reads them. */
const CLOUDFRONT_COOKIES = Object.freeze([
  'CloudFront-Expires',
  'CloudFront-Policy',
  'CloudFront-Signature',
  'CloudFront-Key-Pair-Id',
  'CloudFront-Hash-Algorithm',
]);
/** The cookies minted per tier (a custom policy: no Expires, SHA-1 so no Hash-Algorithm). */
const MINTED_COOKIES = Object.freeze(['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']);

/** `__Host-`: Secure, Path=/, no Domain, so no sibling host can set or read it. */
const SESSION_COOKIE = '__Host-edge-auth-session';
/** Marks a re-mint redirect for a few seconds, so a browser that drops cookies cannot loop. */
const REMINT_COOKIE = '__Host-edge-auth-remint';
const REMINT_GUARD_SECONDS = 10;
/**
 * One per sign-in in progress (`__Host-edge-auth-flow-<id>`, the id from the state), so two
 * tabs signing in at once each keep their own; sealed, five minutes.
 */
const FLOW_COOKIE_PREFIX = '__Host-edge-auth-flow-';
const FLOW_COOKIE_SECONDS = 300;

/** Names of the sign-in flow cookies a browser sent (`cookies` from parseCookies, or null). */
const flowCookieNames = (cookies) => [...(cookies?.keys() ?? [])].filter((name) => name.startsWith(FLOW_COOKIE_PREFIX));

/** The CloudFront `cookie` header entries joined as one header, or '' when absent. */
function cookieHeader(headers) {
  const entries = headers.cookie;
  if (!Array.isArray(entries)) return '';
  return entries.map((e) => String(e.value)).join('; ');
}

/**
 * Cookies by name; when a name repeats the first wins, as in the core (browsers send the
 * longest Path first: RFC 6265 §5.4). Splitting mirrors the core byte for byte: pairs are
 * trimmed of spaces and tabs, split at the first `=`, and values lose surrounding quotes.
 * @returns {Map<string, string> | null} null when the header is over the cap
 */
function parseCookies(header) {
  if (Buffer.byteLength(header) > MAX_COOKIE_HEADER) return null;
  const cookies = new Map();
  for (const piece of header.split(';')) {
    const pair = piece.replace(/^[ \t]+|[ \t]+$/g, '');
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq);
    if (!cookies.has(name)) cookies.set(name, pair.slice(eq + 1).replace(/^"+|"+$/g, ''));
  }
  return cookies;
}

/**
 * Just the CloudFront cookies, rebuilt as a Cookie header: exactly what the core is asked to
 * verify, so a cache keyed by these values can never disagree with what was verified.
 */
function cloudFrontCookieHeader(cookies) {
  return CLOUDFRONT_COOKIES.filter((n) => cookies.has(n))
    .map((n) => `${n}=${cookies.get(n)}`)
    .join('; ');
}

const httpDate = (epochSeconds) => new Date(epochSeconds * 1000).toUTCString();

/**
 * One Set-Cookie line. Values written here are CloudFront base64, key ids or our own
 * base64url session, none of which needs quoting.
 * @param {{path: string, domain?: string|null, expires?: number, maxAge?: number}} attrs
 */
function setCookie(name, value, attrs) {
  const { path, domain, expires, maxAge } = attrs;
  let line = `${name}=${value}`;
  if (domain) line += `; Domain=${domain}`;
  line += `; Path=${path}`;
  if (expires !== undefined) line += `; Expires=${httpDate(expires)}`;
  if (maxAge !== undefined) line += `; Max-Age=${maxAge}`;
  return `${line}; Secure; HttpOnly; SameSite=Lax`;
}

/**
 * A Set-Cookie line that deletes the cookie set with the same name, path and domain.
 * @param {{path: string, domain?: string|null}} attrs
 */
function expireCookie(name, attrs) {
  const { path, domain } = attrs;
  return setCookie(name, '', { path, domain, expires: 0, maxAge: 0 });
}

module.exports = {
  CLOUDFRONT_COOKIES,
  MINTED_COOKIES,
  SESSION_COOKIE,
  REMINT_COOKIE,
  REMINT_GUARD_SECONDS,
  FLOW_COOKIE_PREFIX,
  FLOW_COOKIE_SECONDS,
  MAX_COOKIE_HEADER,
  flowCookieNames,
  cookieHeader,
  parseCookies,
  cloudFrontCookieHeader,
  setCookie,
  expireCookie,
};
