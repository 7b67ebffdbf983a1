'use strict';
// `GET /auth/session`: whether this browser is signed in, and to which tiers, for a page's
// header ("Sign in" or "Sign out"). It reads the session cookie only; it names no user and
// returns nothing a page could not already learn by requesting a private path.

const { openSession } = require('../session');
const { respond } = require('../responses');
const { refusal } = require('../decision');
const cookieJar = require('../cookies');

class SessionInfoRoute {
  /**
   * @param {{secret: import('../signing-secret').SigningSecret, now: () => number}} parts
   */
  constructor({ secret, now }) {
    this.secret = secret;
    this.now = now;
  }

  /** @param {object} request @returns {Promise<import('../decision').Decision>} */
  async handle(request) {
    const log = { class: /** @type {const} */ ('auth'), route: 'session' };
    if (request.method !== 'GET') return refusal(log, 405, 'method-not-allowed', { headers: { Allow: 'GET' } });
    const value = cookieJar.parseCookies(cookieJar.cookieHeader(request.headers ?? {}))?.get(cookieJar.SESSION_COOKIE);
    let session = null;
    if (value !== undefined) {
      try {
        session = openSession((await this.secret.get()).sessionKeys, value, Math.floor(this.now() / 1000));
      } catch (error) {
        return refusal(log, 503, 'signing-unavailable', {
          headers: { 'Retry-After': String(this.secret.retryAfterSeconds()) },
          logReason: error.reason,
        });
      }
    }
    const body = session
      ? { signedIn: true, tiers: session.tiers, expiresAt: session.expiresAtSeconds }
      : { signedIn: false, tiers: [], expiresAt: null };
    return { result: respond(200, { body }), log: { ...log, outcome: session ? 'signed-in' : 'signed-out' } };
  }
}

module.exports = { SessionInfoRoute };
