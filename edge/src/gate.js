'use strict';
// Private paths: is this request carrying valid CloudFront credentials for its URL? The core
// decides, exactly as CloudFront would (signed-URL parameters win over cookies). Verified
// cookie sets are remembered in a bounded LRU keyed by their exact values and the tier, until
// their policy expires, so a warm container checks a returning viewer with no RSA operation.

const { ExpiringLru } = require('./lru');
const { parseCookies, cloudFrontCookieHeader } = require('./cookies');
const { tierPolicy } = require('./minter');

const VERIFIED_CACHE_SIZE = 1024;
const SIGNED_URL_PARAM = /(?:^|&)(?:Expires|Policy|Signature|Key-Pair-Id)=/;
/** Whether a query string carries signed-URL parameters (which win over cookies). */
const hasSignedUrlParams = (querystring) => SIGNED_URL_PARAM.test(querystring ?? '');

/** CloudFront base64 (`-` `_` `~` for `+` `=` `/`) to text. */
const decodeCloudFrontBase64 = (value) =>
  Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString('utf8');

class Gate {
  /**
   * @param {object} config validated config
   * @param {import('./core').Verifier} verifier
   */
  constructor(config, verifier) {
    this.config = config;
    this.verifier = verifier;
    this.verified = new ExpiringLru(VERIFIED_CACHE_SIZE);
    this.stats = { verifications: 0, hits: 0 };
  }

  /**
   * @param {object} request CloudFront request
   * @param {object} tier the tier whose prefix the URI falls under
   * @param {Map<string,string>|null} cookies parsed Cookie header (null: over the size cap)
   * @param {number} nowMs
   * @returns {{ok: true, expiresAt: number, source: string, cache: string}
   *         | {ok: false, reason: string, cache: string}}
   */
  check(request, tier, cookies, nowMs) {
    if (cookies === null) return { ok: false, reason: 'malformed', cache: 'none' };
    const querystring = request.querystring ?? '';
    const signedUrl = hasSignedUrlParams(querystring);
    const cookie = cloudFrontCookieHeader(cookies);
    const key = signedUrl || cookie === '' ? null : `${tier.name}\n${cookie}`;
    if (key !== null) {
      const expiresAt = this.verified.get(key, nowMs);
      if (expiresAt !== undefined) {
        this.stats.hits += 1;
        return { ok: true, expiresAt, source: 'cookie', cache: 'hit' };
      }
    }
    this.stats.verifications += 1;
    const url = `https://${this.config.domain}${request.uri}${querystring ? `?${querystring}` : ''}`;
    const verdict = this.verifier.verify({ url, cookie, clientIp: request.clientIp || undefined, now: nowMs });
    if (!verdict.ok) return { ok: false, reason: verdict.reason, cache: 'miss' };
    // Only a policy that grants the whole tier (ours, byte for byte) is valid for every other
    // URL of the tier; a narrower one, or one with an IP or start condition, is not cached.
    const policy = cookies.get('CloudFront-Policy');
    if (key !== null && policy && decodeCloudFrontBase64(policy) === tierPolicy(tier, verdict.expiresAt / 1000)) {
      this.verified.set(key, verdict.expiresAt, verdict.expiresAt);
    }
    return { ok: true, expiresAt: verdict.expiresAt, source: verdict.source, cache: 'miss' };
  }
}

module.exports = { Gate, decodeCloudFrontBase64, hasSignedUrlParams };
