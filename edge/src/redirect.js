'use strict';
// Redirect targets for `/auth?redirect=` and `/auth/logout?redirect=`: same origin, path only,
// under a configured prefix. Anything a browser might read as another origin is refused
// outright rather than repaired: `//evil`, `/\evil`, `https:evil`, tabs or newlines (which
// browsers strip, turning `/\t/evil` into `//evil`) and, in the path, encoded slashes or
// backslashes. A query is no path: `?path=season1%2Fep2` is an ordinary value there.

const MAX_REDIRECT_LENGTH = 2048;
/** Anywhere in a target: whitespace and control characters (raw or encoded), and backslashes. */
const UNSAFE = /[\\\u0000-\u0020\u007f]|%(0[0-9a-f]|1[0-9a-f]|7f)/i;
/** In the path only: an encoded slash or backslash, which a browser or an origin may decode into a separator. */
const UNSAFE_IN_PATH = /%(2f|5c)/i;

/**
 * The absolute URL on the viewer's own origin to redirect to, or null when `target` is unsafe.
 * @param {unknown} target the decoded `redirect` query value
 * @param {string} host the request's host (host.js)
 * @param {readonly string[]} allowedPaths path prefixes a redirect may name
 */
function safeRedirect(target, host, allowedPaths) {
  if (typeof target !== 'string' || target.length === 0 || target.length > MAX_REDIRECT_LENGTH) return null;
  if (!target.startsWith('/') || target.startsWith('//') || UNSAFE.test(target)) return null;
  // The path ends where the URL parser ends it, at the first `?` or `#`.
  if (UNSAFE_IN_PATH.test(target.split(/[?#]/, 1)[0])) return null;
  const origin = `https://${host}`;
  let url;
  try {
    url = new URL(target, origin);
  } catch {
    return null;
  }
  // Belt and braces: whatever the checks above missed, the parsed URL must still be ours.
  if (url.origin !== origin) return null;
  const path = url.pathname;
  const allowed = allowedPaths.some(
    (prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`),
  );
  return allowed ? `${origin}${path}${url.search}` : null;
}

/**
 * `?redirect=` of a request: absent (`to: null`), one safe target, or unsafe (including repeated).
 * @returns {{to: string | null, unsafe?: true}}
 */
function redirectTarget(request, host, allowedPaths) {
  const targets = new URLSearchParams(request.querystring ?? '').getAll('redirect');
  if (targets.length === 0) return { to: null };
  const to = targets.length === 1 ? safeRedirect(targets[0], host, allowedPaths) : null;
  return to === null ? { to: null, unsafe: true } : { to };
}

/**
 * Ways back for a return path, longest first: as given, without its query, the prefix (of
 * `prefixes`) it lies under, home. Where a way back must fit a cap (a sealed flow cookie, a
 * link to /auth/login), the first that fits is taken, so a long deep link still gets
 * somewhere near rather than failing.
 * @param {string} returnPath a path, perhaps with a query
 * @param {readonly string[]} prefixes the tier prefixes
 * @returns {string[]}
 */
function waysBack(returnPath, prefixes) {
  const path = returnPath.split('?', 1)[0];
  const prefix = prefixes.find((p) => path.startsWith(p));
  return [...new Set([returnPath, path, ...(prefix === undefined ? [] : [prefix]), '/'])];
}

/**
 * `returnPath`, or a shorter way back (`waysBack`) when it is longer than a `redirect`
 * parameter may be: /auth/login refuses what safeRedirect refuses.
 * @param {string} returnPath @param {readonly string[]} prefixes
 */
const linkableReturnPath = (returnPath, prefixes) =>
  waysBack(returnPath, prefixes).find((p) => p.length <= MAX_REDIRECT_LENGTH) ?? '/';

/**
 * The path and query of a target `redirectTarget` returned, for a sign-in to come back to;
 * home without one.
 * @param {string | null} to
 */
const targetPath = (to) => {
  if (to === null) return '/';
  const url = new URL(to);
  return `${url.pathname}${url.search}`;
};

module.exports = { safeRedirect, redirectTarget, targetPath, waysBack, linkableReturnPath, MAX_REDIRECT_LENGTH };
