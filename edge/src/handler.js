'use strict';
// The viewer-request handler: a router. `/auth` mints cookies for an ID token, `/auth/login`
// and `/auth/callback` sign a browser in through the identity provider's own page,
// `/auth/logout` signs out, `/auth/session` says whether a browser is signed in, private
// paths (a tier's prefix) are gated, everything else passes untouched. Everything
// expensive (config, verifiers, caches) is built once per container, in `createHandler`, and
// each route gets only its slice of the config.

const { validateConfig } = require('./config');
const { IdentityVerifier } = require('./identity');
const { SigningSecret, SigningUnavailable } = require('./signing-secret');
const { KeyGroup } = require('./key-group');
const { CookieMinter } = require('./minter');
const { Gate } = require('./gate');
const { viewerHost } = require('./host');
const { ambiguousPath } = require('./paths');
const { respond } = require('./responses');
const { pass, refusal } = require('./decision');
const { failClosed } = require('./fail-closed');
const { consoleLog } = require('./log');
const { Deadline, BUDGET_MS } = require('./deadline');
const { OidcClient } = require('./oidc');
const { SignIn, CALLBACK_PATH, LOGIN_PATH } = require('./sign-in');
const { AuthRoute } = require('./routes/auth');
const { LoginRoute } = require('./routes/login');
const { LogoutRoute } = require('./routes/logout');
const { SessionInfoRoute } = require('./routes/session-info');
const { PrivateRoute } = require('./routes/private');

const AUTH = '/auth';
const LOGOUT = '/auth/logout';
const SESSION = '/auth/session';

/**
 * The routes and the parts they share, from a validated config.
 * @throws {Error} with `field` when a part refuses its slice (an embedded JWKS, inline keys)
 */
function buildRoutes(config, deps, now) {
  let secret;
  try {
    secret = new SigningSecret(config.signing, { now });
  } catch (error) {
    if (!(error instanceof SigningUnavailable) || !error.field) throw error;
    const field = `signing.dev.${error.field}`;
    throw Object.assign(new Error(`config: ${field} ${error.message}`), { field });
  }
  const keyGroup = new KeyGroup(config.keyGroup, secret);
  const identity = new IdentityVerifier(config.identityProvider, { ...deps, now, allowHttp: config.dev });
  const minter = new CookieMinter(config.cookies, { legacyDomain: config.domain, tiers: config.tiers }, secret, keyGroup);
  const gate = new Gate();
  const { tiers, cookies, signInUrl } = config;
  // Back to a tier's own pages is always a same-origin path, and where sign-in is begun from:
  // the tier prefixes are allowed redirect targets besides the configured ones.
  const allowedRedirectPaths = [...new Set([...config.allowedRedirectPaths, ...tiers.map((t) => t.pathPrefix)])];
  const flow = config.identityProvider.signIn;
  const oidc = flow ? new OidcClient(flow, { dev: config.dev, fetch: deps.fetch }) : null;
  const { sessionLifetimeSeconds, refreshBeforeSeconds } = cookies;
  const signIn = new SignIn(
    { signInUrl, tiers, sessionLifetimeSeconds, recheckSeconds: flow?.recheckSeconds ?? Infinity, allowedRedirectPaths },
    { oidc, identity, secret, minter, now },
  );
  return {
    parts: { secret, keyGroup, identity, minter, gate, signIn },
    auth: new AuthRoute(
      { tiers, sessionLifetimeSeconds, refreshBeforeSeconds, allowedRedirectPaths },
      { identity, secret, minter, signIn, now },
    ),
    login: new LoginRoute({ allowedRedirectPaths }, { signIn }),
    logout: new LogoutRoute({ allowedRedirectPaths }, { minter, secret, oidc, now }),
    session: new SessionInfoRoute({ secret, now }),
    private: new PrivateRoute({ tiers, refreshBeforeSeconds }, { gate, secret, keyGroup, minter, signIn, now }),
  };
}

class Router {
  /**
   * @param {{tiers: readonly {name: string, pathPrefix: string, groups: readonly string[]}[], domain: string | null, dev: boolean}} settings
   * @param {ReturnType<typeof buildRoutes>} routes
   */
  constructor({ tiers, domain, dev }, routes) {
    this.tiers = tiers;
    // Tier prefixes never nest (config validation), so at most one matches a URI.
    this.prefixes = tiers.map((t) => t.pathPrefix);
    this.hostRules = { domain, dev };
    this.routes = routes;
  }

  /**
   * @param {object} request @param {Deadline} deadline the request's time budget
   * @returns {Promise<import('./decision').Decision>}
   */
  async decide(request, deadline) {
    const uri = request.uri;
    if (uri === AUTH || uri === `${AUTH}/`) return this.withHost(request, { class: 'auth' }, (host) => this.routes.auth.handle(request, host, deadline));
    if (uri === LOGOUT) return this.withHost(request, { class: 'logout' }, (host) => this.routes.logout.handle(request, host, deadline));
    if (uri === LOGIN_PATH) return this.withHost(request, { class: 'auth' }, (host) => this.routes.login.handle(request, host));
    if (uri === SESSION) return this.routes.session.handle(request);
    if (uri === CALLBACK_PATH) {
      if (this.routes.parts.signIn.oidc === null) return refusal({ class: 'auth' }, 404, 'not-found');
      if (request.method !== 'GET') return refusal({ class: 'auth' }, 405, 'method-not-allowed', { headers: { Allow: 'GET' } });
      return this.withHost(request, { class: 'auth' }, (host) => this.routes.parts.signIn.callback(request, host, deadline));
    }
    if (uri.startsWith(`${AUTH}/`)) return refusal({ class: 'auth' }, 404, 'not-found');
    // Not canonical, and some reading of it (CloudFront's routing, the origin's) is a tier's:
    // refused rather than guessed at (see paths.js).
    if (ambiguousPath(uri, this.prefixes)) return refusal({ class: 'private' }, 400, 'ambiguous-path');
    const tier = this.tiers.find((t) => uri.startsWith(t.pathPrefix));
    if (!tier) return pass(request, { class: 'public' });
    return this.withHost(request, { class: 'private', tier: tier.name }, (host) => this.routes.private.handle(request, host, tier, deadline));
  }

  /** Runs `route` for the viewer's host, or refuses a request for a host we do not serve. */
  async withHost(request, log, route) {
    const host = viewerHost(request, this.hostRules);
    if (host === null) return refusal(log, 400, 'bad-host');
    return route(host);
  }
}

/**
 * @param {unknown} rawConfig the parsed config JSON, or an Error if it could not be read
 * @param {{now?: () => number, log?: (fields: object) => void, fetch?: typeof fetch,
 *          penaltyBox?: object, budgetMs?: number}} [deps] clock, logger, JWKS fetch, penalty
 *   box and each request's time budget (default BUDGET_MS, deadline.js), for tests
 * @returns {((event: object) => Promise<object>) & {state?: object, configError?: unknown}}
 */
function createHandler(rawConfig, deps = {}) {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? consoleLog;
  let router;
  let routes;
  try {
    if (rawConfig instanceof Error) throw rawConfig;
    const config = validateConfig(rawConfig);
    routes = buildRoutes(config, { fetch: deps.fetch, penaltyBox: deps.penaltyBox }, now);
    router = new Router(config, routes);
  } catch (error) {
    return failClosed(rawConfig, error, { log });
  }
  const budgetMs = deps.budgetMs ?? BUDGET_MS;
  const handler = async (event) => {
    const started = performance.now();
    // Every network step of this request shares what is left of one budget.
    const deadline = new Deadline(budgetMs);
    const request = event.Records[0].cf.request;
    let decision;
    try {
      decision = await router.decide(request, deadline);
    } catch (error) {
      // Unexpected: deny rather than guess. The message is ours or a library's, never a secret.
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
      ms: Math.round((performance.now() - started) * 1000) / 1000,
    });
    return decision.result;
  };
  return Object.assign(handler, { state: routes.parts });
}

module.exports = { createHandler };
