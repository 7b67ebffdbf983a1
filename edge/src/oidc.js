'use strict';
// The redirect flow's protocol steps (OpenID Connect Core §3.1, authorization code; RFC 7636
// PKCE S256; RFC 9207 `iss`; RFC 7009 revocation; OpenID RP-Initiated Logout), one method per
// step. All protocol work is oauth4webapi's: the random state, nonce and code verifier, the
// code challenge, the authorization response's checks, the token, refresh and revocation
// requests and their responses. What it leaves to us: where the per-flow values are kept
// (flow.js), the ID token's signature (aws-jwt-verify, identity.js), and timeouts that keep a
// request inside Lambda@Edge's 5 s: each call's own cap, or what is left of the request's
// deadline (deadline.js) when that is less.
//
// oauth4webapi is loaded on first use: a private path's cold start never pays for it.

const { IdpRefused, IdpUnavailable } = require('./idp-errors');
const { NO_DEADLINE } = require('./deadline');

/** The token endpoint must answer well inside the 5 s viewer-request budget, mint included. */
const TOKEN_TIMEOUT_MS = 3_000;
/** Revocation is best effort at sign-out: the cookies are expired whatever it answers. */
const REVOKE_TIMEOUT_MS = 1_500;

/** @type {typeof import('oauth4webapi') | undefined} */
let oauth;
const lib = () => (oauth ??= require('oauth4webapi'));

/**
 * @typedef {{clientId: string, clientAuthentication: 'none' | 'client_secret_basic' | 'client_secret_post',
 *            scopes: string[], recheckSeconds: number, logout: 'end-session' | 'cognito' | 'local',
 *            metadata: Record<string, any>}} SignInConfig the validated identityProvider.signIn
 */

class OidcClient {
  /**
   * @param {SignInConfig} signIn
   * @param {{dev?: boolean, fetch?: typeof fetch}} [deps] `dev` allows http:// endpoints
   *   (the local provider); `fetch` is for tests
   */
  constructor(signIn, deps = {}) {
    /** @type {import('oauth4webapi').AuthorizationServer} */
    this.as = /** @type {any} */ ({ ...signIn.metadata });
    /** @type {import('oauth4webapi').Client} */
    this.client = { client_id: signIn.clientId, id_token_signed_response_alg: 'RS256' };
    this.clientAuthentication = signIn.clientAuthentication;
    this.scope = signIn.scopes.join(' ');
    this.logout = signIn.logout;
    this.dev = deps.dev === true;
    this.fetch = deps.fetch;
  }

  /**
   * Step 1: a new authorization request. The returned state, nonce and code verifier must be
   * kept by the caller (sealed, never in a URL) for step 2.
   * @param {{redirectUri: string, prompt?: string}} request
   * @returns {Promise<{location: string, state: string, nonce: string, codeVerifier: string}>}
   */
  async authorizationRequest({ redirectUri, prompt }) {
    const o = lib();
    const codeVerifier = o.generateRandomCodeVerifier();
    const state = o.generateRandomState();
    const nonce = o.generateRandomNonce();
    const url = new URL(/** @type {string} */ (this.as.authorization_endpoint));
    const params = {
      client_id: this.client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: this.scope,
      state,
      nonce,
      code_challenge: await o.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...(prompt ? { prompt } : {}),
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return { location: url.href, state, nonce, codeVerifier };
  }

  /**
   * Step 2: the authorization response at the callback (its state, `iss` and error checked),
   * then the code exchanged at the token endpoint with the code verifier, and the response's
   * ID token claims checked against the nonce (its signature is checked by the caller).
   * @param {{parameters: URLSearchParams, expectedState: string, redirectUri: string,
   *          codeVerifier: string, expectedNonce: string, clientSecret: string | null,
   *          deadline?: import('./deadline').Deadline}} step
   * @returns {Promise<{idToken: string, refreshToken: string | null}>}
   * @throws {IdpRefused | IdpUnavailable}
   */
  async exchangeCode({ parameters, expectedState, redirectUri, codeVerifier, expectedNonce, clientSecret, deadline = NO_DEADLINE }) {
    const o = lib();
    let params;
    try {
      params = o.validateAuthResponse(this.as, this.client, parameters, expectedState);
    } catch (error) {
      if (error instanceof o.AuthorizationResponseError) {
        throw new IdpRefused('authorization-response', 'idp-error', `the provider answered ${error.error}`, error.error);
      }
      throw new IdpRefused('authorization-response', 'invalid-response', errorText(error));
    }
    const auth = this.clientAuth(clientSecret);
    const result = await this.request(
      'token-endpoint',
      TOKEN_TIMEOUT_MS,
      (options) => o.authorizationCodeGrantRequest(this.as, this.client, auth, params, redirectUri, codeVerifier, options),
      (response) => o.processAuthorizationCodeResponse(this.as, this.client, response, { expectedNonce, requireIdToken: true }),
      deadline,
    );
    return { idToken: /** @type {string} */ (result.id_token), refreshToken: result.refresh_token ?? null };
  }

  /**
   * Renewal: a refresh token exchanged for a new ID token (whose groups say the tiers now),
   * and perhaps a new refresh token (rotation).
   * @param {string} refreshToken @param {string | null} clientSecret
   * @param {import('./deadline').Deadline} [deadline]
   * @returns {Promise<{idToken: string, refreshToken: string | null}>}
   * @throws {IdpRefused | IdpUnavailable} `IdpRefused` with `invalid_grant`: revoked, expired or
   *   the user disabled
   */
  async refresh(refreshToken, clientSecret, deadline = NO_DEADLINE) {
    const o = lib();
    const auth = this.clientAuth(clientSecret);
    const result = await this.request(
      'refresh',
      TOKEN_TIMEOUT_MS,
      (options) => o.refreshTokenGrantRequest(this.as, this.client, auth, refreshToken, options),
      (response) => o.processRefreshTokenResponse(this.as, this.client, response),
      deadline,
    );
    if (typeof result.id_token !== 'string') {
      throw new IdpRefused('refresh', 'no-id-token', 'the refresh response has no ID token to read the groups from');
    }
    return { idToken: result.id_token, refreshToken: result.refresh_token ?? null };
  }

  /** Whether the provider can revoke a refresh token (RFC 7009). */
  get revokes() {
    return typeof this.as.revocation_endpoint === 'string';
  }

  /**
   * RFC 7009 revocation of a refresh token. Best effort: resolves to what happened.
   * @param {string} refreshToken @param {string | null} clientSecret
   * @param {import('./deadline').Deadline} [deadline]
   * @returns {Promise<'revoked' | 'unsupported' | string>} else the failure's reason
   */
  async revoke(refreshToken, clientSecret, deadline = NO_DEADLINE) {
    if (!this.revokes) return 'unsupported';
    const o = lib();
    try {
      const auth = this.clientAuth(clientSecret);
      await this.request(
        'revocation',
        REVOKE_TIMEOUT_MS,
        (options) => o.revocationRequest(this.as, this.client, auth, refreshToken, { ...options, additionalParameters: { token_type_hint: 'refresh_token' } }),
        (response) => o.processRevocationResponse(response),
        deadline,
      );
      return 'revoked';
    } catch (error) {
      return /** @type {any} */ (error).reason ?? 'revoke-failed';
    }
  }

  /**
   * Where a browser ends the provider's session, coming back to `returnTo` (which must be
   * registered at the provider), or null when the provider has no such endpoint.
   * @param {string} returnTo an absolute URL on the viewer's origin
   */
  logoutLocation(returnTo) {
    if (this.logout === 'end-session') {
      // OpenID RP-Initiated Logout 1.0 §2: client_id stands in for id_token_hint, which we
      // do not keep (it would not fit in the session cookie beside the refresh token).
      const url = new URL(/** @type {string} */ (this.as.end_session_endpoint));
      url.searchParams.set('client_id', this.client.client_id);
      url.searchParams.set('post_logout_redirect_uri', returnTo);
      return url.href;
    }
    if (this.logout === 'cognito') {
      // Cognito's own logout endpoint, on the managed login domain (AWS: *Logout endpoint*).
      const url = new URL('/logout', /** @type {string} */ (this.as.authorization_endpoint));
      url.searchParams.set('client_id', this.client.client_id);
      url.searchParams.set('logout_uri', returnTo);
      return url.href;
    }
    return null;
  }

  /** @param {string | null} clientSecret */
  clientAuth(clientSecret) {
    const o = lib();
    if (this.clientAuthentication === 'none') return o.None();
    if (clientSecret === null) {
      throw new IdpRefused('token-endpoint', 'client-secret-missing', `${this.clientAuthentication} needs the secret's clientSecret`);
    }
    return this.clientAuthentication === 'client_secret_basic' ? o.ClientSecretBasic(clientSecret) : o.ClientSecretPost(clientSecret);
  }

  /**
   * A request to the provider and the reading of its response, both bounded by `capMs` or
   * what is left of `deadline`, whichever is less (none left: not sent at all).
   * A network failure, a timeout or a 5xx is `IdpUnavailable` (the viewer may retry); an
   * OAuth error body, or values the library refuses to build the request from, is
   * `IdpRefused`; each names the step.
   * @template T
   * @param {string} step @param {number} capMs
   * @param {(options: object) => Promise<Response>} send
   * @param {(response: Response) => Promise<T>} read
   * @param {import('./deadline').Deadline} deadline
   * @returns {Promise<T>}
   */
  async request(step, capMs, send, read, deadline) {
    const o = lib();
    const timeoutMs = deadline.cap(capMs);
    if (timeoutMs <= 0) throw new IdpUnavailable(step, 'no time left in the request\'s budget');
    // A timer of our own rather than AbortSignal.timeout, whose timer does not keep the
    // event loop alive.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    const options = { signal: controller.signal };
    if (this.dev) options[o.allowInsecureRequests] = true;
    if (this.fetch) options[o.customFetch] = this.fetch;
    // The signal stops a fetch that honours it; this stops waiting for one that does not.
    const timedOut = new Promise((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    timedOut.catch(() => {});
    try {
      let response;
      try {
        response = await Promise.race([send(options), timedOut]);
      } catch (error) {
        // oauth4webapi checks what it is given before it sends anything: a callback with two
        // codes, or none, is a malformed answer to refuse, not a provider that is down.
        if (refusedBeforeSending(o, error)) throw new IdpRefused(step, 'invalid-response', errorText(error));
        throw new IdpUnavailable(step, errorText(error));
      }
      if (response.status >= 500) throw new IdpUnavailable(step, `status ${response.status}`);
      return await this.process(step, () => Promise.race([read(response), timedOut]));
    } finally {
      clearTimeout(timer);
    }
  }

  /** A response read by oauth4webapi, its failures typed. */
  async process(step, read) {
    const o = lib();
    try {
      return await read();
    } catch (error) {
      if (error instanceof o.ResponseBodyError) {
        throw new IdpRefused(step, error.error === 'invalid_grant' ? 'invalid-grant' : 'idp-error', `the provider answered ${error.error}`, error.error);
      }
      // A 401 with WWW-Authenticate (RFC 6750 §3): a refused client authentication.
      if (error instanceof o.WWWAuthenticateChallengeError) {
        const code = error.cause?.[0]?.parameters?.error ?? 'invalid_client';
        throw new IdpRefused(step, 'idp-error', `the provider answered ${code} (status ${error.status})`, code);
      }
      if (error?.name === 'TimeoutError' || error?.name === 'AbortError') throw new IdpUnavailable(step, errorText(error));
      throw new IdpRefused(step, 'invalid-response', errorText(error));
    }
  }
}

/**
 * Whether `error` is oauth4webapi refusing the values a request is built from (its
 * OperationProcessingError or UnsupportedOperationError, or its TypeError coded
 * `ERR_INVALID_ARG_*`), rather than the network failing: fetch's own failures are
 * untyped TypeErrors and aborts.
 * @param {typeof import('oauth4webapi')} o @param {unknown} error
 */
function refusedBeforeSending(o, error) {
  if (error instanceof o.OperationProcessingError || error instanceof o.UnsupportedOperationError) return true;
  const code = /** @type {{code?: unknown}} */ (error)?.code;
  return error instanceof TypeError && (code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE');
}

/** A library error's class and message, for the log (they never quote tokens or codes). */
function errorText(error) {
  return `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`.slice(0, 300);
}

module.exports = { OidcClient, TOKEN_TIMEOUT_MS, REVOKE_TIMEOUT_MS };
