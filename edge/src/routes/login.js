'use strict';
// `GET /auth/login?redirect=<path>[&prompt=login|select_account]`: starts a sign-in through
// the identity provider's own page (the site's "Sign in" link, the "another account" link of
// the no-access page), or, with a custom `signInUrl`, sends the browser there.

const { redirectTarget, targetPath } = require('../redirect');
const { refusal } = require('../decision');

/** OpenID Connect Core §3.1.2.1 prompt values a link may ask for. */
const PROMPTS = new Set(['login', 'select_account']);

class LoginRoute {
  /**
   * @param {{allowedRedirectPaths: readonly string[]}} settings
   * @param {{signIn: import('../sign-in').SignIn}} parts
   */
  constructor(settings, { signIn }) {
    this.settings = settings;
    this.signIn = signIn;
  }

  /** @param {object} request @param {string} host @returns {Promise<import('../decision').Decision>} */
  async handle(request, host) {
    const log = { class: /** @type {const} */ ('auth'), route: 'login', outcome: 'sign-in' };
    if (request.method !== 'GET') return refusal(log, 405, 'method-not-allowed', { headers: { Allow: 'GET' } });
    const redirect = redirectTarget(request, host, this.settings.allowedRedirectPaths);
    if (redirect.unsafe) return refusal(log, 400, 'unsafe-redirect');
    const prompts = new URLSearchParams(request.querystring ?? '').getAll('prompt');
    if (prompts.length > 1 || (prompts.length === 1 && !PROMPTS.has(prompts[0]))) return refusal(log, 400, 'bad-prompt');
    return this.signIn.begin(request, host, targetPath(redirect.to), { reason: 'sign-in', log, prompt: prompts[0] });
  }
}

module.exports = { LoginRoute };
