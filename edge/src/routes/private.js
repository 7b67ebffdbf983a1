'use strict';
// Private paths (under a tier's prefix): valid CloudFront credentials for this URL pass the
// request on unchanged (a folder URL as its index.html); otherwise a live session re-mints the
// cookies (a redirect back to the same URL), and anything else is refused: a browser is sent
// to sign in, or told that its session lacks the tier; an API client gets 401/403 JSON.
// The key group comes from the bundled config when it carries one (no network call, even on a
// cold container), else from the secret. Without it (the secret cannot be read), the request
// passes on to CloudFront's own trusted-key-group check: CloudFront is the lock, this is the
// friendlier gate. Only a re-mint needs the secret (the signing key and session keys).
//
// A session from the redirect flow re-reads its tiers at the identity provider before a
// re-mint once `recheckSeconds` have passed (sign-in.js), so tiers follow the provider's
// groups, and a user the provider no longer knows is signed out.
//
// A refused refresh signs out only a request whose cookies no longer verify. Overlapping
// requests of one viewer (a player's playlist and segments) each refresh with the same
// refresh token when the recheck falls due; with refresh-token rotation the first wins and
// the others reuse a rotated token (`invalid_grant`). Signing those out would expire the
// cookies the winner's answer has just set. Their own cookies still verify, so they pass
// with nothing set: those cookies were minted to expire by the recheck (`notAfter`), so a
// viewer the provider really dropped still loses access within `refreshBeforeSeconds`.

const { hasSignedUrlParameters } = require('../core');
const { linkableReturnPath } = require('../redirect');
const { NO_DEADLINE } = require('../deadline');
const { openSession, sessionCookie } = require('../session');
const { respond, wantsHtml } = require('../responses');
const { pass, ERROR_NAMES } = require('../decision');
const { noAccess, refusalLog } = require('../sign-in');
const cookieJar = require('../cookies');

/** Core reasons that mean "authenticate (again)" rather than "you may not". */
const UNAUTHENTICATED = new Set(['missing', 'expired', 'session-ended']);

/** @typedef {import('../decision').Decision} Decision */
/** @typedef {{name: string, pathPrefix: string, groups: readonly string[]}} Tier */
/**
 * @typedef {{decision: Decision}
 *   | {reason: string, setCookies?: string[], refused?: import('../idp-errors').IdpRefused}} Remint
 *   `refused`: the provider refused the recheck (the caller signs out, unless cookies pass)
 */

class PrivateRoute {
  /**
   * @param {{tiers: readonly Tier[], refreshBeforeSeconds: number}} settings
   * @param {{gate: import('../gate').Gate, secret: import('../signing-secret').SigningSecret,
   *          keyGroup: import('../key-group').KeyGroup, minter: import('../minter').CookieMinter,
   *          signIn: import('../sign-in').SignIn, now: () => number}} parts
   */
  constructor(settings, { gate, secret, keyGroup, minter, signIn, now }) {
    this.settings = settings;
    this.gate = gate;
    this.secret = secret;
    this.keyGroup = keyGroup;
    this.minter = minter;
    this.signIn = signIn;
    this.now = now;
  }

  /**
   * @param {object} request @param {string} host @param {Tier} tier
   * @param {import('../deadline').Deadline} [deadline] the request's, for a renewal at the provider
   * @returns {Promise<Decision>}
   */
  async handle(request, host, tier, deadline = NO_DEADLINE) {
    const log = { class: /** @type {const} */ ('private'), tier: tier.name };
    const nowMs = this.now();
    let verifier;
    try {
      verifier = await this.keyGroup.verifier();
    } catch (error) {
      return pass(folderIndex(request), { ...log, reason: 'key-group-unavailable', cause: error.reason, error: error.message });
    }
    const cookies = cookieJar.parseCookies(cookieJar.cookieHeader(request.headers ?? {}));
    const verdict = this.gate.check(request, { host, tier, cookies, nowMs, verifier });
    const refreshAtMs = verdict.ok ? verdict.expiresAtMs - this.settings.refreshBeforeSeconds * 1000 : 0;
    if (verdict.ok && (nowMs < refreshAtMs || verdict.source === 'url')) {
      return pass(folderIndex(request), { ...log, cache: verdict.cache });
    }
    // Expired, missing, refused, or valid but close to expiry: a live session re-mints.
    const remint = await this.remint(request, host, tier, cookies, nowMs, log, deadline);
    if ('decision' in remint) return remint.decision;
    // Cookies that still verify pass whatever stopped the re-mint, a refused recheck included
    // (see the top of this file); nothing is set, so nothing a concurrent answer set is undone.
    if (verdict.ok) {
      const refused = remint.refused ? refusalLog(remint.refused) : {};
      return pass(folderIndex(request), { ...log, cache: verdict.cache, remint: remint.reason, ...refused });
    }
    const back = returnPath(request, tier);
    if (remint.refused) return this.signIn.signedOut(request, host, back, log, remint.refused);
    const lacksTier = remint.reason === 'session-lacks-tier';
    const reason = lacksTier || verdict.reason === 'resource-mismatch' ? 'wrong-tier' : verdict.reason;
    const denyLog = { ...log, outcome: 'deny', reason, cache: verdict.cache, remint: remint.reason };
    const setCookies = remint.setCookies ?? [];
    const browser = wantsHtml(request);
    if (remint.reason === 'idp-unavailable') return this.signIn.recheckUnavailable(request, back, denyLog, { tier: tier.name });
    if (browser && lacksTier) return { result: noAccess(request.uri, back, setCookies), log: denyLog };
    if (browser) return this.signIn.begin(request, host, back, { reason, log: denyLog, setCookies });
    const status = UNAUTHENTICATED.has(reason) ? 401 : 403;
    const body = { error: ERROR_NAMES[status], reason, tier: tier.name };
    return { result: respond(status, { body, setCookies }), log: denyLog };
  }

  /**
   * A 302 back to the same URL with fresh cookies, when a session grants this tier; else why
   * not (and, when a renewal changed the session, the Set-Cookie lines that say so).
   * @returns {Promise<Remint>}
   */
  async remint(request, host, tier, cookies, nowMs, log, deadline) {
    const value = cookies?.get(cookieJar.SESSION_COOKIE);
    if (value === undefined) return { reason: 'no-session' };
    // Signed-URL parameters win over cookies: redirecting back to them would change nothing.
    if (hasSignedUrlParameters(request.querystring ?? '')) return { reason: 'signed-url' };
    let keys;
    try {
      keys = await this.secret.get();
    } catch (error) {
      return { reason: error.reason ?? 'signing-unavailable' };
    }
    const nowSeconds = Math.floor(nowMs / 1000);
    let session = openSession(keys.sessionKeys, value, nowSeconds);
    if (!session) return { reason: 'session-invalid' };
    let renewed = [];
    if (this.signIn.recheckDue(session, nowSeconds, this.settings.refreshBeforeSeconds)) {
      const renewal = await this.signIn.renew(session, keys, nowSeconds, deadline);
      if ('unavailable' in renewal) return { reason: 'idp-unavailable' };
      if ('refused' in renewal) return { reason: 'recheck-refused', refused: renewal.refused };
      ({ session, setCookies: renewed } = renewal);
    }
    const names = new Set(session.tiers);
    if (!names.has(tier.name)) return { reason: 'session-lacks-tier', setCookies: renewed };
    // Checked after the tier, so a viewer just re-minted for another tier still learns that
    // this one is not theirs.
    if (cookies.has(cookieJar.REMINT_COOKIE)) return { reason: 'remint-loop', setCookies: renewed };
    const tiers = this.settings.tiers.filter((t) => names.has(t.name));
    let minted;
    try {
      minted = await this.minter.mint(host, tiers, nowSeconds, this.signIn.notAfter(session));
    } catch (error) {
      return { reason: error.reason ?? 'signing-unavailable', setCookies: renewed };
    }
    const guard = cookieJar.setCookie(cookieJar.REMINT_COOKIE, '1', { path: '/', maxAge: cookieJar.REMINT_GUARD_SECONDS });
    // Same URL, absolute on the viewer's own origin (a URI starting `//` must not become a host).
    const location = `https://${host}${request.uri}${request.querystring ? `?${request.querystring}` : ''}`;
    const status = request.method === 'GET' || request.method === 'HEAD' ? 302 : 307;
    return {
      decision: {
        result: respond(status, { location, setCookies: [...minted.setCookies, ...renewed, guard] }),
        log: {
          ...log,
          outcome: 'remint',
          sub: session.sub,
          tiers: tiers.map((t) => t.name),
          expiresAtSeconds: minted.expiresAtSeconds,
          ...(renewed.length > 0 ? { recheck: 'renewed' } : {}),
        },
      },
    };
  }
}

/**
 * A folder URL (ending in `/`) as its `index.html`, which is what an S3 origin holds: S3's
 * REST endpoint has no index documents, so `/private/` would otherwise be `NoSuchKey`. The
 * tier's policy (`https://HOST/PREFIX*`) covers both forms, so CloudFront's key-group check
 * accepts the cookies whichever of the two it compares.
 */
function folderIndex(request) {
  return request.uri.endsWith('/') ? { ...request, uri: `${request.uri}index.html` } : request;
}

/**
 * Where sign-in should send the viewer back: the path, and the query unless it holds
 * credentials; shortened when too long for a `redirect` parameter (pages link to it).
 * @param {object} request @param {Tier} tier
 */
function returnPath(request, tier) {
  const qs = request.querystring ?? '';
  return linkableReturnPath(qs && !hasSignedUrlParameters(qs) ? `${request.uri}?${qs}` : request.uri, [tier.pathPrefix]);
}

module.exports = { PrivateRoute };
