'use strict';
// `GET`/`POST /auth`: who is asking (an ID token in `Authorization`, else the session cookie),
// then one CloudFront cookie set per tier they are granted, and a session cookie that lets
// private paths re-mint those cookies later without a new token.

const { IdentityUnavailable, MAX_TOKEN_BYTES } = require('../identity');
const { openSession, sessionCookie } = require('../session');
const { redirectTarget, targetPath } = require('../redirect');
const { respond, wantsHtml } = require('../responses');
const { refusal, methodNotAllowed } = require('../decision');
const { tiersFor } = require('../grant');
const { noAccess } = require('../sign-in');
const cookieJar = require('../cookies');
const { NO_DEADLINE } = require('../deadline');
/** `Bearer ` and a token at the identity verifier's cap (which refuses it as too long). */
const MAX_AUTHORIZATION_BYTES = MAX_TOKEN_BYTES + 16;

/** @typedef {import('../decision').Decision} Decision */
/** @typedef {{name: string, pathPrefix: string, groups: readonly string[]}} Tier */
/**
 * @typedef {{sub: string, tiers: Tier[], source: 'token' | 'session', session?: import('../session').Session,
 *            setCookies?: string[]}} Grant `setCookies`: a renewal at the provider's lines (the
 *   renewed session, the lost tiers' cookies expired)
 */

class AuthRoute {
  /**
   * @param {{tiers: readonly Tier[], sessionLifetimeSeconds: number, refreshBeforeSeconds: number,
   *          allowedRedirectPaths: readonly string[]}} settings
   * @param {{identity: import('../identity').IdentityVerifier, secret: import('../signing-secret').SigningSecret,
   *          minter: import('../minter').CookieMinter, signIn: import('../sign-in').SignIn, now: () => number}} parts
   */
  constructor(settings, { identity, secret, minter, signIn, now }) {
    this.settings = settings;
    this.identity = identity;
    this.secret = secret;
    this.minter = minter;
    this.signIn = signIn;
    this.now = now;
  }

  /**
   * @param {object} request @param {string} host
   * @param {import('../deadline').Deadline} [deadline] the request's, for the JWKS and a renewal
   * @returns {Promise<Decision>}
   */
  async handle(request, host, deadline = NO_DEADLINE) {
    const log = { class: /** @type {const} */ ('auth') };
    if (request.method !== 'GET' && request.method !== 'POST') return methodNotAllowed(log);
    const redirect = redirectTarget(request, host, this.settings.allowedRedirectPaths);
    if (redirect.unsafe) return refusal(log, 400, 'unsafe-redirect');
    // A cold container reads the secret while the token is checked (and the JWKS perhaps
    // fetched), so the two round trips overlap; failures surface at the mint.
    this.secret.get().catch(() => {});
    const nowSeconds = Math.floor(this.now() / 1000);
    const cookies = cookieJar.parseCookies(cookieJar.cookieHeader(request.headers ?? {}));
    // Where a sign-in or a renewal's pages send the viewer back to.
    const back = targetPath(redirect.to);
    const who = await this.authenticate(request, host, cookies, nowSeconds, back, log, deadline);
    if ('decision' in who) return who.decision;
    const { grant } = who;
    if (grant.tiers.length === 0) {
      // A renewal may have taken the last tier away: its Set-Cookie lines go out all the same.
      const denied = refusal(log, 403, 'no-tier', { setCookies: grant.setCookies });
      if (!wantsHtml(request)) return denied;
      return { result: noAccess(back === '/' ? "this site's private pages" : back, back, grant.setCookies), log: denied.log };
    }

    let minted;
    let sessionLines;
    try {
      // A token starts a session; a session re-mints without extending itself (a renewed
      // redirect-flow session keeps its refresh token and its new check time).
      const next = grant.session ?? {
        sub: grant.sub,
        tiers: grant.tiers.map((t) => t.name),
        expiresAtSeconds: nowSeconds + this.settings.sessionLifetimeSeconds,
        via: /** @type {const} */ ('token'),
      };
      minted = await this.minter.mint(host, grant.tiers, nowSeconds, this.signIn.notAfter(next));
      // A renewal has written the renewed session already (and expired the lost tiers' cookies).
      sessionLines = grant.setCookies ?? [sessionCookie((await this.secret.get()).sessionKeys, next).setCookie];
    } catch (error) {
      return this.signingUnavailable(log, error);
    }
    const setCookies = [...minted.setCookies, ...sessionLines];
    const tiers = grant.tiers.map((t) => t.name);
    const mintLog = { ...log, outcome: 'mint', source: grant.source, sub: grant.sub, tiers, expiresAtSeconds: minted.expiresAtSeconds };
    // The body's `expiresAt` is epoch seconds (the API that pages read).
    const result = redirect.to
      ? respond(302, { location: redirect.to, setCookies })
      : respond(200, { body: { tiers, expiresAt: minted.expiresAtSeconds }, setCookies });
    return { result, log: mintLog };
  }

  /**
   * Who is asking: an ID token in `Authorization`, else the session cookie.
   * @returns {Promise<{grant: Grant} | {decision: Decision}>}
   */
  async authenticate(request, host, cookies, nowSeconds, back, log, deadline) {
    const authorization = request.headers?.authorization;
    if (Array.isArray(authorization) && authorization.length > 0) {
      const token = bearerToken(authorization);
      if (token === null) {
        const headers = { 'WWW-Authenticate': 'Bearer error="invalid_request"' };
        return { decision: refusal(log, 401, 'malformed', { headers }) };
      }
      let verdict;
      try {
        verdict = await this.identity.verify(token, deadline);
      } catch (error) {
        if (!(error instanceof IdentityUnavailable)) throw error;
        return { decision: refusal(log, 503, 'jwks-unavailable', { error: error.message }) };
      }
      if (!verdict.ok) {
        const headers = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };
        const decision = refusal(log, 401, verdict.reason, { headers });
        if (verdict.detail) decision.log.detail = verdict.detail;
        return { decision };
      }
      const tiers = tiersFor(this.settings.tiers, verdict.claims.groups);
      return { grant: { sub: verdict.claims.sub, tiers, source: 'token' } };
    }
    const value = cookies?.get(cookieJar.SESSION_COOKIE);
    let session = null;
    let keys;
    if (value !== undefined) {
      try {
        keys = await this.secret.get();
        session = openSession(keys.sessionKeys, value, nowSeconds);
      } catch (error) {
        return { decision: this.signingUnavailable(log, error) };
      }
    }
    if (!session) {
      if (wantsHtml(request)) return { decision: await this.signIn.begin(request, host, back, { reason: 'missing', log }) };
      return { decision: refusal(log, 401, 'missing', { headers: { 'WWW-Authenticate': 'Bearer' } }) };
    }
    /** @type {string[] | undefined} */
    let renewed;
    if (this.signIn.recheckDue(session, nowSeconds, this.settings.refreshBeforeSeconds)) {
      const renewal = await this.signIn.renew(session, /** @type {any} */ (keys), nowSeconds, deadline);
      if ('unavailable' in renewal) return { decision: this.signIn.recheckUnavailable(request, back, { ...log, error: renewal.unavailable.message }) };
      // /auth is asked for new cookies: a refused refresh always signs out here.
      if ('refused' in renewal) return { decision: await this.signIn.signedOut(request, host, back, log, renewal.refused) };
      ({ session, setCookies: renewed } = renewal);
    }
    const names = new Set(session.tiers);
    const tiers = this.settings.tiers.filter((t) => names.has(t.name));
    return { grant: { sub: session.sub, tiers, source: 'session', session, ...(renewed ? { setCookies: renewed } : {}) } };
  }

  /** 503 with `Retry-After`: the keys (or the session secret) cannot be had right now. */
  signingUnavailable(log, error) {
    return refusal(log, 503, 'signing-unavailable', {
      headers: { 'Retry-After': String(this.secret.retryAfterSeconds()) },
      logReason: error.reason,
      error: error.message,
    });
  }
}

/** The token of `Authorization: Bearer <token>`, or null when the header is anything else. */
function bearerToken(entries) {
  if (entries.length !== 1) return null;
  const value = String(entries[0].value);
  if (value.length > MAX_AUTHORIZATION_BYTES) return null;
  const match = /^Bearer[ ]+([A-Za-z0-9_.~+/=-]+)[ ]*$/i.exec(value);
  return match ? match[1] : null;
}

module.exports = { AuthRoute };
