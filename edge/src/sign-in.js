'use strict';
// Signing a browser in through the identity provider's own page (the redirect flow), in the
// three places it happens: `begin` (a refused browser, or /auth/login, sent to the provider),
// `callback` (/auth/callback: the provider's answer turned into cookies) and `recheck` (a
// renewal that reads the tiers from the provider again). The protocol is oidc.js's
// (oauth4webapi); this file keeps the per-flow values and decides what the viewer sees.
//
// State, nonce and code verifier are made in one place (OidcClient#authorizationRequest),
// kept in one place (a sealed `__Host-` cookie per flow, never a URL or a log line), and
// checked in one place (`callback`). A flow cookie is single-use: every answer of the
// callback expires it, so a replayed callback finds no flow and mints nothing.

const { createHash, timingSafeEqual } = require('node:crypto');
const { seal, unseal } = require('./seal');
const cookieJar = require('./cookies');
const { sessionCookie } = require('./session');
const { safeRedirect, waysBack } = require('./redirect');
const { page } = require('./pages');
const { respond, wantsHtml } = require('./responses');
const { toSignIn } = require('./decision');
const { tiersFor } = require('./grant');
const { IdpRefused, IdpUnavailable } = require('./idp-errors');
const { IdentityUnavailable } = require('./identity');
const { NO_DEADLINE } = require('./deadline');

const FLOW_PURPOSE = 'flow';
/**
 * The longest flow cookie value: `begin` shortens the way back until the sealed flow fits,
 * and the callback opens nothing longer.
 */
const MAX_FLOW_COOKIE = 1024;
/** The longest path a page shows (a path is also in its links, and pages must stay under 40 KB). */
const MAX_SHOWN_PATH = 200;
const MAX_CALLBACK_QUERY = 4096;
/** A browser with this many sign-ins in progress drops them when it starts another. */
const MAX_FLOWS = 4;
const CALLBACK_PATH = '/auth/callback';
const LOGIN_PATH = '/auth/login';
const RETRY_AFTER_SECONDS = 5;

/** The flow cookie for a state: its name is derived from the state, so two tabs never collide. */
const flowCookieName = (state) => cookieJar.FLOW_COOKIE_PREFIX + createHash('sha256').update(state).digest('base64url').slice(0, 16);

/** Constant time for equal lengths; the lengths of state and nonce are not secret. */
function sameText(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `/auth/login?redirect=...` (and `prompt`): where a page's "Sign in" link points. Home needs
 * no `redirect` (it is where a sign-in without one ends).
 */
function loginLink(returnPath, prompt) {
  const params = new URLSearchParams();
  if (returnPath !== '/') params.set('redirect', returnPath);
  if (prompt) params.set('prompt', prompt);
  const query = params.toString();
  return query ? `${LOGIN_PATH}?${query}` : LOGIN_PATH;
}

/**
 * The page for a signed-in viewer whose session grants no access here: it says so, and offers
 * another account (the provider's login form again) or signing out.
 * @param {string} what the path refused (shown) @param {string} returnPath where another account comes back to
 * @param {string[]} [setCookies]
 */
function noAccess(what, returnPath, setCookies = []) {
  return page(
    403,
    {
      title: 'You do not have access',
      kind: 'no-access',
      paragraphs: [`You are signed in, but your account does not have access to ${shownPath(what)}.`],
      links: [
        { href: loginLink(returnPath, 'login'), text: 'Sign in with another account', primary: true, id: 'another-account' },
        { href: '/auth/logout', text: 'Sign out', id: 'sign-out' },
        { href: '/', text: 'Home' },
      ],
    },
    { setCookies },
  );
}

/** A path as a page shows it: cut at MAX_SHOWN_PATH characters, with an ellipsis. */
function shownPath(path) {
  const chars = [...path];
  return chars.length > MAX_SHOWN_PATH ? `${chars.slice(0, MAX_SHOWN_PATH).join('')}…` : path;
}

/** @typedef {import('./decision').Decision} Decision */
/** @typedef {import('./session').Session} Session */
/** @typedef {{name: string, pathPrefix: string, groups: readonly string[]}} Tier */

class SignIn {
  /**
   * @param {{signInUrl: string | null, tiers: readonly Tier[], sessionLifetimeSeconds: number,
   *          recheckSeconds: number, allowedRedirectPaths: readonly string[]}} settings
   * @param {{oidc: import('./oidc').OidcClient | null, identity: import('./identity').IdentityVerifier,
   *          secret: import('./signing-secret').SigningSecret, minter: import('./minter').CookieMinter,
   *          now: () => number}} parts `oidc` is null without `identityProvider.signIn`
   */
  constructor(settings, { oidc, identity, secret, minter, now }) {
    this.settings = settings;
    this.oidc = oidc;
    this.identity = identity;
    this.secret = secret;
    this.minter = minter;
    this.now = now;
  }

  /**
   * Sends a browser to sign in: the site's own page when it has one (`signInUrl`), else the
   * identity provider's, with a new flow cookie.
   * @param {object} request @param {string} host
   * @param {string} returnPath where to come back to (validated again at the callback);
   *   shortened (redirect.js `waysBack`) when the flow cookie could not hold it
   * @param {{reason: string, log: object, prompt?: string, setCookies?: string[]}} how
   * @returns {Promise<Decision>}
   */
  async begin(request, host, returnPath, { reason, log, prompt, setCookies = [] }) {
    if (this.settings.signInUrl !== null || this.oidc === null) {
      const decision = toSignIn(/** @type {string} */ (this.settings.signInUrl), returnPath, reason, log);
      if (setCookies.length > 0) decision.result = withCookies(decision.result, setCookies);
      return decision;
    }
    let keys;
    try {
      keys = await this.secret.get();
    } catch (error) {
      return this.unavailable({ ...log, outcome: 'deny', reason: 'signing-unavailable', cause: error.reason }, returnPath, this.secret.retryAfterSeconds());
    }
    const { location, state, nonce, codeVerifier } = await this.oidc.authorizationRequest({
      redirectUri: `https://${host}${CALLBACK_PATH}`,
      prompt,
    });
    const expiresAtSeconds = Math.floor(this.now() / 1000) + cookieJar.FLOW_COOKIE_SECONDS;
    // A deep link too long for the flow cookie comes back without its query, else to its tier's
    // prefix, else home: sealing is cheap, and home always fits.
    let sealed = '';
    for (const r of waysBack(returnPath, this.settings.tiers.map((t) => t.pathPrefix))) {
      sealed = seal(keys.sessionKeys, FLOW_PURPOSE, { s: state, n: nonce, v: codeVerifier, r, e: expiresAtSeconds });
      if (sealed.length <= MAX_FLOW_COOKIE) break;
    }
    const flow = cookieJar.setCookie(flowCookieName(state), sealed, { path: '/', maxAge: cookieJar.FLOW_COOKIE_SECONDS });
    // Abandoned sign-ins expire by themselves; a browser piling them up drops the old ones.
    const pending = cookieJar.flowCookieNames(cookieJar.parseCookies(cookieJar.cookieHeader(request.headers ?? {})));
    const dropped = pending.length >= MAX_FLOWS ? pending.map((name) => cookieJar.expireCookie(name, { path: '/' })) : [];
    return {
      result: respond(302, { location, setCookies: [...setCookies, ...dropped, flow] }),
      log: { outcome: 'deny', ...log, reason, redirect: 'identity-provider' },
    };
  }

  /**
   * `GET /auth/callback`: the provider's answer. Cookies and a 302 to the path the flow began
   * on, or a page saying why not (with a way to start again).
   * @param {object} request @param {string} host
   * @param {import('./deadline').Deadline} [deadline] the request's: the token request and the
   *   JWKS get what the secret's read has left of it
   * @returns {Promise<Decision>}
   */
  async callback(request, host, deadline = NO_DEADLINE) {
    const log = { class: /** @type {const} */ ('auth'), route: 'callback' };
    const query = String(request.querystring ?? '');
    if (query.length > MAX_CALLBACK_QUERY) return this.failed(400, 'callback-too-long', log);
    const parameters = new URLSearchParams(query);
    const states = parameters.getAll('state');
    if (states.length !== 1) return this.failed(400, 'no-state', log);
    const cookies = cookieJar.parseCookies(cookieJar.cookieHeader(request.headers ?? {}));
    const name = flowCookieName(states[0]);
    const sealed = cookies?.get(name);
    // No flow cookie: already used (a replay), expired, or begun in another browser.
    if (sealed === undefined) return this.failed(400, 'no-flow', log);
    const expire = [cookieJar.expireCookie(name, { path: '/' })];
    let keys;
    try {
      keys = await this.secret.get();
    } catch (error) {
      return this.unavailable({ ...log, outcome: 'deny', reason: 'signing-unavailable', cause: error.reason }, '/', this.secret.retryAfterSeconds(), expire);
    }
    const nowSeconds = Math.floor(this.now() / 1000);
    const flow = openFlow(unseal(keys.sessionKeys, FLOW_PURPOSE, sealed, MAX_FLOW_COOKIE));
    if (flow === null) return this.failed(400, 'flow-invalid', log, expire);
    if (flow.e <= nowSeconds) return this.failed(400, 'flow-expired', log, expire, flow.r);
    if (!sameText(flow.s, states[0])) return this.failed(400, 'state-mismatch', log, expire, flow.r);

    // The key set downloads (on a cold container) while the code is exchanged.
    this.identity.prefetch();
    let tokens;
    try {
      tokens = await /** @type {import('./oidc').OidcClient} */ (this.oidc).exchangeCode({
        parameters,
        expectedState: flow.s,
        redirectUri: `https://${host}${CALLBACK_PATH}`,
        codeVerifier: flow.v,
        expectedNonce: flow.n,
        clientSecret: keys.clientSecret,
        deadline,
      });
    } catch (error) {
      return this.idpFailure(error, log, expire, flow.r);
    }
    let verdict;
    try {
      verdict = await this.identity.verify(tokens.idToken, deadline);
    } catch (error) {
      if (!(error instanceof IdentityUnavailable)) throw error;
      return this.unavailable({ ...log, outcome: 'deny', reason: 'jwks-unavailable', error: error.message }, flow.r, RETRY_AFTER_SECONDS, expire);
    }
    if (!verdict.ok) return this.failed(400, 'id-token-refused', { ...log, detail: verdict.reason }, expire, flow.r);
    // oauth4webapi has compared the nonce already; the claims aws-jwt-verify vouches for
    // must agree too.
    if (!sameText(verdict.claims.nonce ?? '', flow.n)) return this.failed(400, 'nonce-mismatch', log, expire, flow.r);

    const tiers = tiersFor(this.settings.tiers, verdict.claims.groups);
    const session = /** @type {Session} */ ({
      sub: verdict.claims.sub,
      tiers: tiers.map((t) => t.name),
      expiresAtSeconds: nowSeconds + this.settings.sessionLifetimeSeconds,
      via: 'code',
      checkedAtSeconds: nowSeconds,
      ...(tokens.refreshToken === null ? {} : { refreshToken: tokens.refreshToken }),
    });
    let minted;
    try {
      minted = await this.minter.mint(host, tiers, nowSeconds, nowSeconds + this.settings.recheckSeconds);
    } catch (error) {
      return this.unavailable({ ...log, outcome: 'deny', reason: 'signing-unavailable', cause: error.reason }, flow.r, this.secret.retryAfterSeconds(), expire);
    }
    const { setCookie, droppedRefreshToken } = sessionCookie(keys.sessionKeys, session);
    const to = safeRedirect(flow.r, host, this.settings.allowedRedirectPaths) ?? `https://${host}/`;
    return {
      result: respond(302, { location: to, setCookies: [...minted.setCookies, setCookie, ...expire] }),
      log: {
        ...log,
        outcome: 'mint',
        source: 'code',
        sub: session.sub,
        tiers: session.tiers,
        expiresAtSeconds: minted.expiresAtSeconds,
        ...(droppedRefreshToken ? { refreshToken: 'dropped-too-long' } : {}),
      },
    };
  }

  /**
   * Whether a redirect-flow session must read its tiers from the provider before its cookies
   * are re-minted: cookies never outlive `checkedAtSeconds + recheckSeconds`, so once less
   * than the refresh margin is left, a re-mint could not give them any useful life.
   * @param {Session} session @param {number} nowSeconds @param {number} refreshBeforeSeconds
   */
  recheckDue(session, nowSeconds, refreshBeforeSeconds) {
    if (session.via !== 'code' || this.oidc === null) return false;
    return nowSeconds >= /** @type {number} */ (session.checkedAtSeconds) + this.settings.recheckSeconds - refreshBeforeSeconds;
  }

  /** The latest expiry of cookies minted for `session` (its next recheck), or undefined. */
  notAfter(session) {
    return session.via === 'code' ? /** @type {number} */ (session.checkedAtSeconds) + this.settings.recheckSeconds : undefined;
  }

  /**
   * Renewal at the provider: the refresh token exchanged, the new ID token verified, the
   * groups read again. The returned session carries the tiers granted now.
   * @param {Session} session @param {{clientSecret: string | null}} keys @param {number} nowSeconds
   * @param {import('./deadline').Deadline} deadline
   * @returns {Promise<Session>}
   * @throws {IdpRefused} the provider refused (revoked, user disabled...): sign the viewer out
   * @throws {IdpUnavailable} the provider could not be reached in time: try later
   */
  async recheck(session, keys, nowSeconds, deadline) {
    if (session.refreshToken === undefined) throw new IdpRefused('refresh', 'no-refresh-token', 'the session holds no refresh token');
    const oidc = /** @type {import('./oidc').OidcClient} */ (this.oidc);
    this.identity.prefetch();
    const tokens = await oidc.refresh(session.refreshToken, keys.clientSecret, deadline);
    let verdict;
    try {
      verdict = await this.identity.verify(tokens.idToken, deadline);
    } catch (error) {
      if (error instanceof IdentityUnavailable) throw new IdpUnavailable('refresh', error.message);
      throw error;
    }
    if (!verdict.ok) throw new IdpRefused('refresh', 'id-token-refused', `the refreshed ID token was refused: ${verdict.reason}`);
    // OpenID Connect Core §12.2: a refreshed ID token names the same subject.
    if (verdict.claims.sub !== session.sub) throw new IdpRefused('refresh', 'subject-changed', 'the refreshed ID token names another subject');
    return {
      ...session,
      tiers: tiersFor(this.settings.tiers, verdict.claims.groups).map((t) => t.name),
      checkedAtSeconds: nowSeconds,
      refreshToken: tokens.refreshToken ?? session.refreshToken,
    };
  }

  /**
   * A redirect-flow session past its recheck, renewed at the provider (`recheck`), as the
   * routes need it: the renewed session with the Set-Cookie lines that say so (the session,
   * and the lost tiers' cookies expired); or `unavailable` (the provider could not be
   * reached) or `refused` (it no longer vouches for the session, or this refresh token was
   * already used): the caller decides whether cookies that still verify may pass, and else
   * answers `signedOut`.
   * @param {Session} session
   * @param {{sessionKeys: import('./seal').SessionKeys, clientSecret: string | null}} keys
   * @param {number} nowSeconds
   * @param {import('./deadline').Deadline} [deadline] the request's: the refresh and the JWKS
   *   get what is left of it
   * @returns {Promise<{session: Session, setCookies: string[]} | {unavailable: IdpUnavailable} | {refused: IdpRefused}>}
   */
  async renew(session, keys, nowSeconds, deadline = NO_DEADLINE) {
    let renewed;
    try {
      renewed = await this.recheck(session, keys, nowSeconds, deadline);
    } catch (error) {
      if (error instanceof IdpUnavailable) return { unavailable: error };
      if (!(error instanceof IdpRefused)) throw error;
      return { refused: error };
    }
    const granted = new Set(renewed.tiers);
    const setCookies = [
      sessionCookie(keys.sessionKeys, renewed).setCookie,
      ...this.minter.expireAll(this.settings.tiers.filter((t) => !granted.has(t.name))),
    ];
    return { session: renewed, setCookies };
  }

  /**
   * The provider no longer vouches for the session (refresh token revoked or expired, user
   * disabled): every cookie expired, a browser sent to sign in again, an API client told.
   * @param {object} request @param {string} host @param {string} returnPath @param {object} log
   * @param {IdpRefused} refused why, for the log
   * @returns {Promise<Decision>}
   */
  async signedOut(request, host, returnPath, log, refused) {
    const setCookies = [...this.minter.expireAll(), cookieJar.expireCookie(cookieJar.SESSION_COOKIE, { path: '/' })];
    const denyLog = { ...log, ...refusalLog(refused), outcome: 'deny', reason: 'session-ended' };
    if (wantsHtml(request)) return this.begin(request, host, returnPath, { reason: 'session-ended', log: denyLog, setCookies });
    const body = { error: 'unauthorized', reason: 'session-ended' };
    return { result: respond(401, { body, setCookies }), log: denyLog };
  }

  /**
   * 503: the provider must confirm the tiers before new cookies, and cannot be reached.
   * @param {object} request @param {string} returnPath @param {object} log @param {object} [body] extra JSON fields
   * @returns {Decision}
   */
  recheckUnavailable(request, returnPath, log, body = {}) {
    const headers = { 'Retry-After': String(RETRY_AFTER_SECONDS) };
    const result = wantsHtml(request)
      ? page(
          503,
          {
            title: 'Your access cannot be checked right now',
            kind: 'recheck-unavailable',
            paragraphs: ['The identity provider could not be reached to confirm your access. Please try again in a moment.'],
            links: [{ href: returnPath, text: 'Try again', primary: true, id: 'try-again' }],
          },
          { headers },
        )
      : respond(503, { body: { error: 'unavailable', reason: 'idp-unavailable', ...body }, headers });
    return { result, log: { ...log, outcome: 'deny', reason: 'idp-unavailable' } };
  }

  /** A provider failure at the callback, as the page the viewer sees. */
  idpFailure(error, log, expire, returnPath) {
    if (error instanceof IdpUnavailable) {
      return this.unavailable({ ...log, outcome: 'deny', reason: 'idp-unavailable', step: error.step, error: error.message }, returnPath, RETRY_AFTER_SECONDS, expire);
    }
    if (!(error instanceof IdpRefused)) throw error;
    const detail = { step: error.step, ...(error.idpError ? { idpError: error.idpError } : {}), error: error.message };
    if (error.reason === 'idp-error' && error.step === 'authorization-response') {
      return this.failed(403, 'idp-refused', { ...log, ...detail }, expire, returnPath);
    }
    return this.failed(400, error.reason, { ...log, ...detail }, expire, returnPath);
  }

  /** A sign-in that cannot complete: a page saying so, and a link (never a redirect) to retry. */
  failed(status, reason, log, setCookies = [], returnPath = '/') {
    const again = { href: loginLink(returnPath), text: 'Sign in again', primary: true, id: 'sign-in-again' };
    const home = { href: '/', text: 'Home' };
    const content =
      reason === 'idp-refused'
        ? { title: 'Sign-in was not completed', paragraphs: ['The identity provider did not sign you in (the sign-in was cancelled or refused).'] }
        : reason === 'no-flow' || reason === 'flow-expired'
          ? { title: 'This sign-in has expired', paragraphs: ['This sign-in link was already used, took too long, or was opened in another browser.'] }
          : { title: 'Sign-in could not be completed', paragraphs: ['The answer from the identity provider could not be accepted.'] };
    return {
      result: page(status, { ...content, kind: `sign-in-${reason}`, links: [again, home], hint: `Reason: ${reason}` }, { setCookies }),
      log: { ...log, outcome: 'deny', reason },
    };
  }

  /** 503 with `Retry-After`: a step could not be done in time; trying again may work. */
  unavailable(log, returnPath, retryAfterSeconds, setCookies = []) {
    const result = page(
      503,
      {
        title: 'Sign-in is unavailable right now',
        kind: 'sign-in-unavailable',
        paragraphs: ['The identity provider or our keys could not be reached in time. Please try again in a moment.'],
        links: [{ href: loginLink(returnPath), text: 'Try again', primary: true, id: 'sign-in-again' }, { href: '/', text: 'Home' }],
      },
      { setCookies, headers: { 'Retry-After': String(retryAfterSeconds) } },
    );
    return { result, log };
  }
}

/** A refused renewal, for the log: the step, our reason and the provider's `error` code. */
function refusalLog(refused) {
  return { step: refused.step, cause: refused.reason, ...(refused.idpError ? { idpError: refused.idpError } : {}) };
}

/** A flow cookie's content, or null when it is not one. */
function openFlow(flow) {
  if (typeof flow !== 'object' || flow === null) return null;
  const ok = ['s', 'n', 'v', 'r'].every((k) => typeof flow[k] === 'string' && flow[k] !== '') && Number.isInteger(flow.e);
  return ok ? /** @type {{s: string, n: string, v: string, r: string, e: number}} */ (flow) : null;
}

/** `result` with these Set-Cookie lines added (one header entry each). */
function withCookies(result, setCookies) {
  if (setCookies.length === 0) return result;
  const headers = { ...result.headers };
  headers['set-cookie'] = [...(headers['set-cookie'] ?? []), ...setCookies.map((value) => ({ key: 'Set-Cookie', value }))];
  return { ...result, headers };
}

module.exports = { SignIn, loginLink, noAccess, refusalLog, CALLBACK_PATH, LOGIN_PATH, MAX_FLOW_COOKIE };
