'use strict';
// `GET`/`POST /auth/logout`: expires every cookie /auth sets (each tier's CloudFront cookies,
// the session, the re-mint guard), then answers 200 or redirects to a safe `redirect`.

const { redirectTarget } = require('../redirect');
const { respond } = require('../responses');
const { refusal, methodNotAllowed } = require('../decision');
const cookieJar = require('../cookies');

class LogoutRoute {
  /**
   * @param {{allowedRedirectPaths: readonly string[]}} settings
   * @param {{minter: import('../minter').CookieMinter}} parts
   */
  constructor(settings, { minter }) {
    this.settings = settings;
    this.minter = minter;
  }

  /** @param {object} request @param {string} host @returns {import('../decision').Decision} */
  handle(request, host) {
    const log = { class: /** @type {const} */ ('logout') };
    if (request.method !== 'GET' && request.method !== 'POST') return methodNotAllowed(log);
    const redirect = redirectTarget(request, host, this.settings.allowedRedirectPaths);
    if (redirect.unsafe) return refusal(log, 400, 'unsafe-redirect');
    const setCookies = [
      ...this.minter.expireAll(),
      cookieJar.expireCookie(cookieJar.SESSION_COOKIE, { path: '/' }),
      cookieJar.expireCookie(cookieJar.REMINT_COOKIE, { path: '/' }),
    ];
    const result = redirect.to
      ? respond(302, { location: redirect.to, setCookies })
      : respond(200, { body: { loggedOut: true }, setCookies });
    return { result, log: { ...log, outcome: 'logout' } };
  }
}

module.exports = { LogoutRoute };
