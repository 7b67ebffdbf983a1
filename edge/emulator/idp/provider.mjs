// oidc-provider (OpenID Certified) configured as the demo's identity provider: what the edge
// meets at a real OpenID Provider or at Cognito's hosted UI. Authorization code flow with
// PKCE S256 only; refresh tokens on every code exchange; RS256 ID tokens carrying `groups`;
// revocation (RFC 7009); RP-initiated logout; `iss` in the authorization response (RFC 9207).
// Its own login form checks passwords against the user table (devInteractions, which signs
// anyone in with any password, stays off). Consent is implied: these are first-party clients.

import crypto from 'node:crypto';
import Provider, { interactionPolicy } from 'oidc-provider';
import { errorPage, loginPage, logoutPage, PAGE_HEADERS, signedOutPage } from './pages.mjs';

/** Paths of the endpoints (oidc-provider's defaults, named here so the counters can use them). */
export const ROUTES = Object.freeze({
  authorization: '/auth',
  token: '/token',
  revocation: '/token/revocation',
  end_session: '/session/end',
  jwks: '/jwks',
  userinfo: '/me',
});
/** Request path -> counter name. */
const COUNTED = new Map(
  Object.entries({ ...ROUTES, end_session_confirm: '/session/end/confirm', discovery: '/.well-known/openid-configuration' }).map(([name, path]) => [path, name]),
);

/** Zeroed request counters, one per counted endpoint (and `interaction`: the login form). */
export const emptyCounts = () => Object.fromEntries([...COUNTED.values(), 'interaction'].map((name) => [name, 0]));

/** Lifetimes, in seconds: Cognito's defaults where it has one (ID and access tokens 1 h, refresh 30 d). */
const TTL = Object.freeze({
  AccessToken: 3600,
  AuthorizationCode: 60,
  IdToken: 3600,
  RefreshToken: 30 * 24 * 3600,
  Grant: 30 * 24 * 3600,
  Interaction: 600,
  Session: 12 * 3600,
});

const FORM_LIMIT_BYTES = 4096;

/** Reads a small urlencoded form body; `null` when it is too large or not a form. */
async function readForm(req) {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) return null;
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > FORM_LIMIT_BYTES) return null;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendPage(ctx, status, html) {
  ctx.status = status;
  ctx.set(PAGE_HEADERS);
  ctx.type = 'html';
  ctx.body = html;
}

/**
 * Builds the provider.
 * @param {{issuer: string, users: import('./users.mjs').UserTable, clients: object[],
 *          rotateRefreshTokens?: boolean, state: {tokenEndpoint: 'up'|'down'|'slow', slowMs: number,
 *          counts: Record<string, number>, refreshTokensRevoked: number}, log: (line: object) => void}} options
 *   `state` is shared with the control channel: the token endpoint's mode and the counters.
 */
export function createProvider({ issuer, users, clients, rotateRefreshTokens = false, state, log }) {
  // A fresh RS256 key per run, in memory only: the edge's verifier (aws-jwt-verify) needs
  // RS256 and a `kid` to pick the key from the JWKS.
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: `demo-${crypto.randomBytes(8).toString('hex')}`, alg: 'RS256', use: 'sig' };

  const policy = interactionPolicy.base();
  // prompt=select_account (the edge passes it on from /auth/login): the login form again, as
  // for prompt=login, so a person can switch accounts. Without it the request would be refused.
  policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);
  // A live IdP session whose user has since been disabled: ask for a sign-in again (which the
  // form then refuses) rather than carry on without an account.
  policy.get('login').checks.add(
    new interactionPolicy.Check('account_unavailable', 'the signed-in account is no longer available', (ctx) =>
      ctx.oidc.session.accountId && !ctx.oidc.account ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT,
    ),
  );

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    routes: ROUTES,
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    // `groups` rides on the `openid` scope so every ID token carries it, as Cognito's
    // `cognito:groups` does; conformIdTokenClaims: false puts scope claims into the ID token
    // itself instead of only the userinfo response.
    claims: { openid: ['sub', 'groups'], email: ['email'], profile: ['preferred_username'] },
    conformIdTokenClaims: false,
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
    },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    // The edge always sends redirect_uri; refuse a request without one instead of guessing.
    allowOmittingSingleRegisteredRedirectUri: false,
    pkce: { required: () => true },
    ttl: TTL,
    // Cognito issues a refresh token on every code exchange, without offline_access.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Refresh tokens outlive the IdP's browser session (as Cognito's do), so a sign-out at the
    // IdP does not revoke them: only an RFC 7009 revocation (the edge's job) does.
    expiresWithSession: async () => false,
    rotateRefreshToken: rotateRefreshTokens,
    clientBasedCORS: () => false,
    findAccount: async (_ctx, sub) => {
      // Read at issue time, so groups and the disabled flag are the current ones; undefined
      // for a disabled user makes a refresh fail with invalid_grant.
      const user = users.activeBySub(sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        claims: async () => ({
          sub: user.sub,
          groups: [...user.groups],
          preferred_username: user.username,
          ...(user.email ? { email: user.email } : {}),
        }),
      };
    },
    // oidc-provider's documented "skip consent for first-party clients" pattern: the grant of
    // this session (or a new one) is given every requested scope.
    loadExistingGrant: (ctx) => grantFor(ctx.oidc.provider, {
      grantId: ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId),
      accountId: ctx.oidc.session.accountId,
      clientId: ctx.oidc.client.clientId,
      scope: [...ctx.oidc.requestParamOIDCScopes].join(' '),
    }),
    interactions: { policy, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        // A client may revoke only its own tokens; anything else is ignored (RFC 7009 2.1).
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => sendPage(ctx, 200, logoutPage({ form, host: ctx.host })),
        postLogoutSuccessSource: async (ctx) => sendPage(ctx, 200, signedOutPage()),
      },
      // Not used by the edge: left off so discovery lists only what is implemented here.
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      resourceIndicators: { enabled: false },
    },
    renderError: async (ctx, out) => sendPage(ctx, ctx.status >= 400 ? ctx.status : 400, errorPage(out)),
  });

  provider.on('refresh_token.destroyed', () => {
    // Revocation destroys the token; so does reuse detection when rotation is on.
    if (Provider.ctx?.oidc?.route === 'revocation') state.refreshTokensRevoked += 1;
  });
  provider.on('server_error', (_ctx, error) => log({ event: 'server_error', message: error.message }));

  provider.use(countAndLog(state, log));
  provider.use(tokenEndpointGate(state));
  provider.use(interactions(provider, users));
  return { provider, kid: signingKey.kid };
}

async function grantFor(provider, { grantId, accountId, clientId, scope }) {
  let grant = grantId ? await provider.Grant.find(grantId) : undefined;
  if (!grant || grant.accountId !== accountId || grant.clientId !== clientId) {
    grant = new provider.Grant({ accountId, clientId });
  }
  if (scope) grant.addOIDCScope(scope);
  await grant.save();
  return grant;
}

/** Counts requests per endpoint and logs method, path and status: never a query or body. */
function countAndLog(state, log) {
  return async (ctx, next) => {
    const name = ctx.path.startsWith('/interaction/') ? 'interaction' : COUNTED.get(ctx.path);
    if (name) state.counts[name] = (state.counts[name] ?? 0) + 1;
    const started = performance.now();
    try {
      await next();
    } finally {
      log({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) });
    }
  };
}

/** The token endpoint's test modes: `down` answers 503, `slow` answers after a delay. */
function tokenEndpointGate(state) {
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== ROUTES.token || state.tokenEndpoint === 'up') return next();
    if (state.tokenEndpoint === 'down') {
      ctx.status = 503;
      ctx.set({ 'cache-control': 'no-store', 'retry-after': '5' });
      ctx.body = { error: 'temporarily_unavailable', error_description: 'the token endpoint is down (demo IdP control: tokenEndpoint down)' };
      return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, state.slowMs));
    return next();
  };
}

/**
 * GET and POST `/interaction/:uid`: the login form, and consent given on the user's behalf.
 * `prompt=login` and a session whose user was disabled land here with prompt `login`,
 * `prompt=select_account` with prompt `select_account`: both get the form.
 */
function interactions(provider, users) {
  return async (ctx, next) => {
    const match = /^\/interaction\/([\w-]{1,64})$/.exec(ctx.path);
    if (!match) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'POST') {
      ctx.set('allow', 'GET, POST');
      return sendPage(ctx, 405, errorPage({ error: 'invalid_request', error_description: 'method not allowed' }));
    }
    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      // No interaction cookie, or an expired or finished interaction (a reload after sign-in).
      return sendPage(ctx, 400, errorPage({ error: 'invalid_request', error_description: 'this sign-in page has expired or was already used' }));
    }
    if (details.uid !== match[1]) {
      return sendPage(ctx, 400, errorPage({ error: 'invalid_request', error_description: 'this sign-in page does not belong to this browser session' }));
    }
    const finish = async (result) => {
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
      ctx.status = 303;
      ctx.set('cache-control', 'no-store');
      ctx.redirect(returnTo);
    };
    const { prompt, params } = details;
    if (prompt.name === 'consent') {
      // prompt=consent, or scopes the session's grant lacks: granted, as for any first-party client.
      const grant = await grantFor(provider, { grantId: details.grantId, accountId: details.session.accountId, clientId: params.client_id, scope: params.scope });
      return finish({ consent: { grantId: grant.jti } });
    }
    if (prompt.name !== 'login' && prompt.name !== 'select_account') {
      return sendPage(ctx, 400, errorPage({ error: 'invalid_request', error_description: `unsupported prompt ${prompt.name}` }));
    }
    const client = await provider.Client.find(params.client_id);
    const page = { action: ctx.path, clientName: client?.clientName ?? params.client_id };
    if (ctx.method === 'GET') {
      return sendPage(ctx, 200, loginPage({ ...page, username: typeof params.login_hint === 'string' ? params.login_hint : '' }));
    }
    const form = await readForm(ctx.req);
    if (!form) return sendPage(ctx, 400, errorPage({ error: 'invalid_request', error_description: 'expected a small urlencoded form' }));
    const user = users.authenticate(form.get('username'), form.get('password'));
    if (!user) return sendPage(ctx, 200, loginPage({ ...page, username: form.get('username') ?? '', failed: true }));
    return finish({ login: { accountId: user.sub }, ...(prompt.name === 'select_account' ? { select_account: {} } : {}) });
  };
}

