'use strict';
// The viewer-request handler: /auth mints cookies, /auth/logout expires them, private paths
// (a tier's prefix) are gated, everything else passes untouched. Everything expensive (config,
// keys, verifiers, caches) is built once per container, in `createHandler`.

const { Verifier } = require('./core');
const { validateConfig, salvageTierPrefixes } = require('./config');
const { IdentityProvider } = require('./identity');
const { SigningKey } = require('./signing-key');
const { CookieMinter } = require('./minter');
const { Gate, hasSignedUrlParams } = require('./gate');
const { sealSession, openSession } = require('./session');
const { safeRedirect } = require('./redirect');
const { ambiguousPath } = require('./paths');
const { respond, wantsHtml } = require('./responses');
const { consoleLog } = require('./log');
const cookieJar = require('./cookies');

/** The tier group that every authenticated user belongs to. */
const ANY_USER = '*';

const { SESSION_COOKIE, REMINT_COOKIE, REMINT_GUARD_SECONDS } = cookieJar;
const AUTH = '/auth';
const LOGOUT = '/auth/logout';
const MAX_TOKEN_HEADER = 16 * 1024 + 16; // the core's token cap, plus `Bearer `
/** Core reasons that mean "authenticate (again)" rather than "you may not". */
const UNAUTHENTICATED = new Set(['missing', 'expired']);

/** A config error, or the key group / JWKS the core refuses, named by field. */
function buildCore(config, deps) {
  let verifier;
  try {
    verifier = new Verifier({ keys: config.keyGroup });
  } catch (error) {
    for (const [id, pem] of Object.entries(config.keyGroup)) {
      try {
        new Verifier({ keys: { [id]: pem } });
      } catch (keyError) {
        throw Object.assign(new Error(`config: keyGroup.${id} ${keyError.message}`), { field: `keyGroup.${id}` });
      }
    }
    throw Object.assign(new Error(`config: keyGroup ${error.message}`), { field: 'keyGroup' });
  }
  let identity;
  try {
    identity = new IdentityProvider(config.identityProvider, deps);
  } catch (error) {
    throw Object.assign(new Error(`config: identityProvider.jwks ${error.message}`), {
      field: 'identityProvider.jwks',
    });
  }
  const signingKey = new SigningKey(config, deps);
  return { verifier, identity, signingKey };
}

/**
 * @param {unknown} rawConfig the parsed config JSON, or an Error if it could not be read
 * @param {{now?: () => number, log?: (fields: object) => void, fetch?: typeof fetch,
 *          refetchIntervalMs?: number}} [deps] clock, logger and fetch, for tests
 * @returns {((event: object) => Promise<object>) & {state?: object}}
 */
function createHandler(rawConfig, deps = {}) {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? consoleLog;
  let app;
  try {
    if (rawConfig instanceof Error) throw rawConfig;
    const config = validateConfig(rawConfig);
    app = new EdgeAuth(config, buildCore(config, deps), { now });
  } catch (error) {
    return failClosed(rawConfig, error, { log });
  }
  const handler = async (event) => {
    const started = performance.now();
    const request = event.Records[0].cf.request;
    let decision;
    try {
      decision = await app.decide(request);
    } catch (error) {
      // Unexpected: deny rather than guess. The message is ours or the core's, never a secret.
      decision = {
        result: respond(503, { body: { error: 'unavailable', reason: 'internal-error' } }),
        log: { class: 'error', outcome: 'deny', reason: 'internal-error', error: String(error?.message ?? error) },
      };
    }
    const status = decision.result.status === undefined ? {} : { status: Number(decision.result.status) };
    log({
      ...decision.log,
      ...status,
      method: request.method,
      uri: request.uri,
      ms: round(performance.now() - started),
    });
    return decision.result;
  };
  handler.state = app;
  return handler;
}

const round = (ms) => Math.round(ms * 1000) / 1000;

class EdgeAuth {
  constructor(config, { verifier, identity, signingKey }, { now }) {
    this.config = config;
    this.now = now;
    this.identity = identity;
    this.signingKey = signingKey;
    this.minter = new CookieMinter(config, signingKey, verifier);
    this.gate = new Gate(config, verifier);
    // Tier prefixes never nest (config validation), so at most one matches a URI.
    this.tiers = config.tiers;
    this.prefixes = config.tiers.map((t) => t.pathPrefix);
  }

  async decide(request) {
    const uri = request.uri;
    if (uri === AUTH || uri === `${AUTH}/`) return this.auth(request);
    if (uri === LOGOUT) return this.logout(request);
    if (uri.startsWith(`${AUTH}/`)) {
      return refusal({ class: 'auth' }, 404, 'not-found');
    }
    // Not canonical, and some reading of it (CloudFront's routing, the origin's) is a tier's:
    // refused rather than guessed at (see paths.js).
    if (ambiguousPath(uri, this.prefixes)) return refusal({ class: 'private' }, 400, 'ambiguous-path');
    const tier = this.tiers.find((t) => uri.startsWith(t.pathPrefix));
    if (!tier) return { result: request, log: { class: 'public', outcome: 'pass' } };
    return this.private(request, tier);
  }

  // ---- /auth ---------------------------------------------------------------------------

  async auth(request) {
    const log = { class: 'auth' };
    if (request.method !== 'GET' && request.method !== 'POST') {
      return refusal(log, 405, 'method-not-allowed', { headers: { Allow: 'GET, POST' } });
    }
    const redirect = this.redirectTarget(request);
    if (redirect.unsafe) return refusal(log, 400, 'unsafe-redirect');
    // A cold container fetches the signing key while the token is checked (and the JWKS
    // perhaps fetched), so the two round trips overlap; failures surface at the mint.
    this.signingKey.get().catch(() => {});
    const nowMs = this.now();
    const cookies = cookieJar.parseCookies(cookieJar.cookieHeader(request.headers ?? {}));
    const who = await this.authenticate(request, cookies, nowMs, redirect.to, log);
    if ('decision' in who) return who.decision;
    const { grant } = who;
    if (grant.tiers.length === 0) return refusal(log, 403, 'no-tier');

    const nowSeconds = Math.floor(nowMs / 1000);
    let minted;
    let session;
    try {
      minted = await this.minter.mint(grant.tiers, nowSeconds);
      // A token starts a session; a session re-mints without extending itself.
      const exp = grant.sessionExp ?? nowSeconds + this.config.cookies.sessionLifetimeSeconds;
      const { sessionKey } = await this.signingKey.get();
      const sealed = sealSession(sessionKey, { sub: grant.sub, tiers: grant.tiers.map((t) => t.name), exp });
      session = cookieJar.setCookie(SESSION_COOKIE, sealed, { path: '/', expires: exp });
    } catch (error) {
      return refusal(log, 503, 'signing-unavailable', {
        headers: { 'Retry-After': String(this.signingKey.retryAfterSeconds()) },
        logReason: error.reason,
        error: error.message,
      });
    }
    const setCookies = [...minted.setCookies, session];
    const tiers = grant.tiers.map((t) => t.name);
    const mintLog = {
      ...log,
      outcome: 'mint',
      source: grant.source,
      sub: grant.sub,
      tiers,
      expiresAt: minted.expiresAt,
    };
    const result = redirect.to
      ? respond(302, { location: redirect.to, setCookies })
      : respond(200, { body: { tiers, expiresAt: minted.expiresAt }, setCookies });
    return { result, log: mintLog };
  }

  /**
   * Who is asking: an ID token in `Authorization`, else the session cookie.
   * @returns {Promise<{grant: {sub: string, tiers: object[], source: string, sessionExp?: number}}
   *                 | {decision: object}>}
   */
  async authenticate(request, cookies, nowMs, redirectTo, log) {
    const authorization = request.headers?.authorization;
    if (Array.isArray(authorization) && authorization.length > 0) {
      const token = bearerToken(authorization);
      if (token === null) {
        return {
          decision: refusal(log, 401, 'malformed', {
            headers: { 'WWW-Authenticate': 'Bearer error="invalid_request"' },
          }),
        };
      }
      let verdict;
      try {
        verdict = await this.identity.verify(token, nowMs);
      } catch (error) {
        return { decision: refusal(log, 503, 'jwks-unavailable', { error: error.message }) };
      }
      if (!verdict.ok) {
        return {
          decision: refusal(log, 401, verdict.reason, {
            headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
          }),
        };
      }
      const groups = new Set(verdict.claims.groups);
      // "*" grants a tier to every signed-in user of the pool, groups or not.
      const tiers = this.config.tiers.filter((t) => t.groups.some((g) => g === ANY_USER || groups.has(g)));
      return { grant: { sub: verdict.claims.sub, tiers, source: 'token' } };
    }
    const session = await this.session(cookies, Math.floor(nowMs / 1000), log);
    if (session.error) return { decision: session.error };
    if (!session.value) {
      if (wantsHtml(request))
        return { decision: this.toSignIn(redirectTo ? new URL(redirectTo).pathname : '/', 'missing', log) };
      return { decision: refusal(log, 401, 'missing', { headers: { 'WWW-Authenticate': 'Bearer' } }) };
    }
    const names = new Set(session.value.tiers);
    const tiers = this.config.tiers.filter((t) => names.has(t.name));
    return { grant: { sub: session.value.sub, tiers, source: 'session', sessionExp: session.value.exp } };
  }

  /** `?redirect=`: absent, one safe same-origin target, or unsafe (including repeated). */
  redirectTarget(request) {
    const targets = new URLSearchParams(request.querystring ?? '').getAll('redirect');
    if (targets.length === 0) return { to: null };
    const to = targets.length === 1 ? safeRedirect(targets[0], this.config) : null;
    return to === null ? { unsafe: true } : { to };
  }

  async logout(request) {
    const log = { class: 'logout' };
    if (request.method !== 'GET' && request.method !== 'POST') {
      return refusal(log, 405, 'method-not-allowed', { headers: { Allow: 'GET, POST' } });
    }
    const redirect = this.redirectTarget(request);
    if (redirect.unsafe) return refusal(log, 400, 'unsafe-redirect');
    const setCookies = [
      ...this.minter.expireAll(),
      cookieJar.expireCookie(SESSION_COOKIE, { path: '/' }),
      cookieJar.expireCookie(REMINT_COOKIE, { path: '/' }),
    ];
    const result = redirect.to
      ? respond(302, { location: redirect.to, setCookies })
      : respond(200, { body: { loggedOut: true }, setCookies });
    return { result, log: { ...log, outcome: 'logout' } };
  }

  // ---- private paths -------------------------------------------------------------------

  async private(request, tier) {
    const log = { class: 'private', tier: tier.name };
    const nowMs = this.now();
    const cookies = cookieJar.parseCookies(cookieJar.cookieHeader(request.headers ?? {}));
    const verdict = this.gate.check(request, tier, cookies, nowMs);
    const refreshAt = verdict.ok ? verdict.expiresAt - this.config.cookies.refreshBeforeSeconds * 1000 : 0;
    if (verdict.ok && (nowMs < refreshAt || verdict.source === 'url')) {
      return { result: request, log: { ...log, outcome: 'pass', cache: verdict.cache } };
    }
    // Expired, missing, refused, or valid but close to expiry: a live session re-mints.
    const remint = await this.remint(request, tier, cookies, nowMs, log);
    if (remint.result) return remint;
    if (verdict.ok) {
      return { result: request, log: { ...log, outcome: 'pass', cache: verdict.cache, remint: remint.reason } };
    }
    const reason = verdict.reason === 'resource-mismatch' ? 'wrong-tier' : verdict.reason;
    const denyLog = { ...log, outcome: 'deny', reason, cache: verdict.cache, remint: remint.reason };
    if (wantsHtml(request)) return this.toSignIn(returnPath(request), reason, denyLog);
    const status = UNAUTHENTICATED.has(reason) ? 401 : 403;
    return { result: respond(status, { body: { error: ERROR_NAMES[status], reason, tier: tier.name } }), log: denyLog };
  }

  /** A 302 back to the same URL with fresh cookies, when a session grants this tier. */
  async remint(request, tier, cookies, nowMs, log) {
    const value = cookies?.get(SESSION_COOKIE);
    if (value === undefined) return { reason: 'no-session' };
    if (cookies.has(REMINT_COOKIE)) return { reason: 'remint-loop' };
    // Signed-URL parameters win over cookies: redirecting back to them would change nothing.
    if (hasSignedUrlParams(request.querystring)) return { reason: 'signed-url' };
    const nowSeconds = Math.floor(nowMs / 1000);
    const session = await this.session(cookies, nowSeconds, log);
    if (!session.value) return { reason: session.error ? 'signing-unavailable' : 'session-invalid' };
    const names = new Set(session.value.tiers);
    if (!names.has(tier.name)) return { reason: 'session-lacks-tier' };
    const tiers = this.config.tiers.filter((t) => names.has(t.name));
    let minted;
    try {
      minted = await this.minter.mint(tiers, nowSeconds);
    } catch (error) {
      return { reason: error.reason ?? 'signing-unavailable' };
    }
    const guard = cookieJar.setCookie(REMINT_COOKIE, '1', { path: '/', maxAge: REMINT_GUARD_SECONDS });
    // Same URL, absolute on our own origin (a URI starting `//` must not become a host).
    const location = `https://${this.config.domain}${request.uri}${request.querystring ? `?${request.querystring}` : ''}`;
    const status = request.method === 'GET' || request.method === 'HEAD' ? 302 : 307;
    return {
      result: respond(status, { location, setCookies: [...minted.setCookies, guard] }),
      log: {
        ...log,
        outcome: 'remint',
        sub: session.value.sub,
        tiers: tiers.map((t) => t.name),
        expiresAt: minted.expiresAt,
      },
    };
  }

  /**
   * The session cookie's content, if valid. `error` is a ready 503 when the key needed to
   * check it cannot be had.
   */
  async session(cookies, nowSeconds, log) {
    const value = cookies?.get(SESSION_COOKIE);
    if (value === undefined) return { value: null };
    let key;
    try {
      ({ sessionKey: key } = await this.signingKey.get());
    } catch (error) {
      const decision = refusal(log, 503, 'signing-unavailable', {
        headers: { 'Retry-After': String(this.signingKey.retryAfterSeconds()) },
        logReason: error.reason,
        error: error.message,
      });
      return { value: null, error: decision };
    }
    return { value: openSession(key, value, nowSeconds) };
  }

  toSignIn(path, reason, log) {
    const signIn = this.config.signInUrl;
    const location = `${signIn}${signIn.includes('?') ? '&' : '?'}redirect=${encodeURIComponent(path)}&reason=${encodeURIComponent(reason)}`;
    return {
      result: respond(302, { location }),
      log: { ...log, outcome: log.outcome ?? 'deny', reason, redirect: 'sign-in' },
    };
  }
}

/** The token of `Authorization: Bearer <token>`, or null when the header is anything else. */
function bearerToken(entries) {
  if (entries.length !== 1) return null;
  const value = String(entries[0].value);
  if (value.length > MAX_TOKEN_HEADER) return null;
  const match = /^Bearer[ ]+([A-Za-z0-9_.~+/=-]+)[ ]*$/i.exec(value);
  return match ? match[1] : null;
}

/** Where sign-in should send the viewer back: the path, and the query unless it holds credentials. */
function returnPath(request) {
  const qs = request.querystring ?? '';
  return qs && !hasSignedUrlParams(qs) ? `${request.uri}?${qs}` : request.uri;
}

const ERROR_NAMES = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  503: 'unavailable',
};

/**
 * A JSON refusal `{error, reason}` and its log line. `logReason` is a finer reason for the
 * log only (the viewer sees `reason`); `error` is a message for the log only.
 */
/**
 * @param {object} log @param {number} status @param {string} reason
 * @param {{headers?: Record<string, string>, logReason?: string, error?: string}} [details]
 */
function refusal(log, status, reason, { headers, logReason, error } = {}) {
  return {
    result: respond(status, { body: { error: ERROR_NAMES[status], reason }, headers }),
    log: { ...log, outcome: 'deny', reason: logReason ?? reason, ...(error ? { error } : {}) },
  };
}

/**
 * The handler for a config that did not load: /auth answers 503, private paths are denied,
 * public paths pass only if the tier prefixes could still be read. Every decision logs why.
 */
function failClosed(rawConfig, error, { log }) {
  const why = String(error?.message ?? error);
  const prefixes = rawConfig instanceof Error ? null : salvageTierPrefixes(rawConfig);
  log({ class: 'config', outcome: 'error', reason: 'config-invalid', error: why });
  const handler = async (event) => {
    const request = event.Records[0].cf.request;
    const uri = request.uri;
    const base = { reason: 'config-invalid', error: why, method: request.method, uri };
    if (uri === AUTH || uri.startsWith(`${AUTH}/`)) {
      log({ ...base, class: 'auth', outcome: 'deny', status: 503 });
      return respond(503, { body: { error: 'unavailable', reason: 'config-invalid' } });
    }
    if (prefixes !== null && !prefixes.some((p) => uri.startsWith(p)) && !ambiguousPath(uri, prefixes)) {
      log({ ...base, class: 'public', outcome: 'pass' });
      return request;
    }
    log({ ...base, class: 'private', outcome: 'deny', status: 403 });
    return respond(403, { body: { error: 'forbidden', reason: 'config-invalid' } });
  };
  handler.configError = error;
  return handler;
}

module.exports = { createHandler };
