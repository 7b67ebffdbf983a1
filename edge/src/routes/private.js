'use strict';
// Private paths (under a tier's prefix): valid CloudFront credentials for this URL pass the
// request on unchanged; otherwise a live session re-mints the cookies (a redirect back to the
// same URL), and anything else is refused: a browser is sent to sign in, an API client gets
// 401/403 JSON. Without the key group (the secret cannot be read), the request passes on to
// CloudFront's own trusted-key-group check: CloudFront is the lock, this is the friendlier gate.

const { hasSignedUrlParameters } = require('../core');
const { openSession } = require('../session');
const { respond, wantsHtml } = require('../responses');
const { pass, toSignIn, ERROR_NAMES } = require('../decision');
const cookieJar = require('../cookies');

/** Core reasons that mean "authenticate (again)" rather than "you may not". */
const UNAUTHENTICATED = new Set(['missing', 'expired']);

/** @typedef {import('../decision').Decision} Decision */
/** @typedef {{name: string, pathPrefix: string}} Tier */

class PrivateRoute {
  /**
   * @param {{tiers: readonly Tier[], refreshBeforeSeconds: number, signInUrl: string}} settings
   * @param {{gate: import('../gate').Gate, secret: import('../signing-secret').SigningSecret,
   *          minter: import('../minter').CookieMinter, now: () => number}} parts
   */
  constructor(settings, { gate, secret, minter, now }) {
    this.settings = settings;
    this.gate = gate;
    this.secret = secret;
    this.minter = minter;
    this.now = now;
  }

  /** @param {object} request @param {string} host @param {Tier} tier @returns {Promise<Decision>} */
  async handle(request, host, tier) {
    const log = { class: /** @type {const} */ ('private'), tier: tier.name };
    const nowMs = this.now();
    let keys;
    try {
      keys = await this.secret.get();
    } catch (error) {
      return pass(request, { ...log, reason: 'key-group-unavailable', cause: error.reason, error: error.message });
    }
    const cookies = cookieJar.parseCookies(cookieJar.cookieHeader(request.headers ?? {}));
    const verdict = this.gate.check(request, { host, tier, cookies, nowMs, verifier: keys.verifier });
    const refreshAtMs = verdict.ok ? verdict.expiresAtMs - this.settings.refreshBeforeSeconds * 1000 : 0;
    if (verdict.ok && (nowMs < refreshAtMs || verdict.source === 'url')) {
      return pass(request, { ...log, cache: verdict.cache });
    }
    // Expired, missing, refused, or valid but close to expiry: a live session re-mints.
    const remint = await this.remint(request, host, tier, cookies, nowMs, keys.sessionKeys, log);
    if ('decision' in remint) return remint.decision;
    if (verdict.ok) return pass(request, { ...log, cache: verdict.cache, remint: remint.reason });
    const reason = verdict.reason === 'resource-mismatch' ? 'wrong-tier' : verdict.reason;
    const denyLog = { ...log, outcome: 'deny', reason, cache: verdict.cache, remint: remint.reason };
    if (wantsHtml(request)) return toSignIn(this.settings.signInUrl, returnPath(request), reason, denyLog);
    const status = UNAUTHENTICATED.has(reason) ? 401 : 403;
    const body = { error: ERROR_NAMES[status], reason, tier: tier.name };
    return { result: respond(status, { body }), log: denyLog };
  }

  /**
   * A 302 back to the same URL with fresh cookies, when a session grants this tier; else why not.
   * @returns {Promise<{decision: Decision} | {reason: string}>}
   */
  async remint(request, host, tier, cookies, nowMs, sessionKeys, log) {
    const value = cookies?.get(cookieJar.SESSION_COOKIE);
    if (value === undefined) return { reason: 'no-session' };
    if (cookies.has(cookieJar.REMINT_COOKIE)) return { reason: 'remint-loop' };
    // Signed-URL parameters win over cookies: redirecting back to them would change nothing.
    if (hasSignedUrlParameters(request.querystring ?? '')) return { reason: 'signed-url' };
    const nowSeconds = Math.floor(nowMs / 1000);
    const session = openSession(sessionKeys, value, nowSeconds);
    if (!session) return { reason: 'session-invalid' };
    const names = new Set(session.tiers);
    if (!names.has(tier.name)) return { reason: 'session-lacks-tier' };
    const tiers = this.settings.tiers.filter((t) => names.has(t.name));
    let minted;
    try {
      minted = await this.minter.mint(host, tiers, nowSeconds);
    } catch (error) {
      return { reason: error.reason ?? 'signing-unavailable' };
    }
    const guard = cookieJar.setCookie(cookieJar.REMINT_COOKIE, '1', { path: '/', maxAge: cookieJar.REMINT_GUARD_SECONDS });
    // Same URL, absolute on the viewer's own origin (a URI starting `//` must not become a host).
    const location = `https://${host}${request.uri}${request.querystring ? `?${request.querystring}` : ''}`;
    const status = request.method === 'GET' || request.method === 'HEAD' ? 302 : 307;
    return {
      decision: {
        result: respond(status, { location, setCookies: [...minted.setCookies, guard] }),
        log: {
          ...log,
          outcome: 'remint',
          sub: session.sub,
          tiers: tiers.map((t) => t.name),
          expiresAtSeconds: minted.expiresAtSeconds,
        },
      },
    };
  }
}

/** Where sign-in should send the viewer back: the path, and the query unless it holds credentials. */
function returnPath(request) {
  const qs = request.querystring ?? '';
  return qs && !hasSignedUrlParameters(qs) ? `${request.uri}?${qs}` : request.uri;
}

module.exports = { PrivateRoute };
