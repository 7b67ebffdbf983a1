'use strict';
// `GET`/`POST /auth/logout`: expires every cookie the handler sets (each tier's CloudFront
// cookies, the session, the re-mint guard, sign-ins in progress), revokes the session's
// refresh token at the identity provider where it can (RFC 7009), and ends the provider's own
// session too: a browser is sent to its logout endpoint (OpenID RP-Initiated Logout, or
// Cognito's /logout), which sends it back to the site's home page. Without that last step the
// provider's session would sign the viewer straight back in at the next visit.
// Without a provider logout, a browser goes to the safe `redirect`, or home; an API client
// gets 200 (or the redirect).

const { openSession } = require('../session');
const { redirectTarget } = require('../redirect');
const { respond, wantsHtml } = require('../responses');
const { refusal, methodNotAllowed } = require('../decision');
const cookieJar = require('../cookies');
const { NO_DEADLINE } = require('../deadline');

class LogoutRoute {
  /**
   * @param {{allowedRedirectPaths: readonly string[]}} settings
   * @param {{minter: import('../minter').CookieMinter, secret: import('../signing-secret').SigningSecret,
   *          oidc: import('../oidc').OidcClient | null, now: () => number}} parts
   */
  constructor(settings, { minter, secret, oidc, now }) {
    this.settings = settings;
    this.minter = minter;
    this.secret = secret;
    this.oidc = oidc;
    this.now = now;
  }

  /**
   * @param {object} request @param {string} host
   * @param {import('../deadline').Deadline} [deadline] the request's, for the revocation
   * @returns {Promise<import('../decision').Decision>}
   */
  async handle(request, host, deadline = NO_DEADLINE) {
    const log = { class: /** @type {const} */ ('logout') };
    if (request.method !== 'GET' && request.method !== 'POST') return methodNotAllowed(log);
    const redirect = redirectTarget(request, host, this.settings.allowedRedirectPaths);
    if (redirect.unsafe) return refusal(log, 400, 'unsafe-redirect');
    const cookies = cookieJar.parseCookies(cookieJar.cookieHeader(request.headers ?? {})) ?? new Map();
    const flows = cookieJar.flowCookieNames(cookies);
    const setCookies = [
      ...this.minter.expireAll(),
      cookieJar.expireCookie(cookieJar.SESSION_COOKIE, { path: '/' }),
      cookieJar.expireCookie(cookieJar.REMINT_COOKIE, { path: '/' }),
      ...flows.map((name) => cookieJar.expireCookie(name, { path: '/' })),
    ];
    const revocation = await this.revoke(cookies.get(cookieJar.SESSION_COOKIE), deadline);
    const browser = request.method === 'GET' && wantsHtml(request);
    const idpLogout = browser && this.oidc !== null ? this.oidc.logoutLocation(`https://${host}/`) : null;
    // A browser following a "Sign out" link lands on a page, never on a JSON body.
    const location = idpLogout ?? redirect.to ?? (browser ? `https://${host}/` : null);
    const result = location
      ? respond(302, { location, setCookies })
      : respond(200, { body: { loggedOut: true }, setCookies });
    return { result, log: { ...log, outcome: 'logout', revocation, ...(idpLogout ? { redirect: 'identity-provider' } : {}) } };
  }

  /**
   * Revokes the session's refresh token, if it has one and the provider can revoke.
   * @param {string | undefined} value the session cookie
   * @param {import('../deadline').Deadline} deadline
   * @returns {Promise<string>} what happened, for the log
   */
  async revoke(value, deadline) {
    if (value === undefined || this.oidc === null || !this.oidc.revokes) return 'none';
    let keys;
    try {
      keys = await this.secret.get();
    } catch (error) {
      return `skipped-${error.reason ?? 'signing-unavailable'}`;
    }
    const session = openSession(keys.sessionKeys, value, Math.floor(this.now() / 1000));
    if (session?.refreshToken === undefined) return 'none';
    return this.oidc.revoke(session.refreshToken, keys.clientSecret, deadline);
  }
}

module.exports = { LogoutRoute };
