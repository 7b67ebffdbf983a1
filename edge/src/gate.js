'use strict';
// Private paths: is this request carrying valid CloudFront credentials for its URL? The core
// is the only judge: it reads the signed-URL parameters or the cookies (the URL wins, as in
// CloudFront) and returns the verified policy. Cookie sets whose verified policy grants the
// whole tier, with no other condition, are remembered in a bounded LRU keyed by the host, the
// tier and their exact values, until the policy expires; so a warm container checks a
// returning viewer with no RSA operation, and decides exactly as a cold one would: the cache
// is consulted only for requests the core would judge by those cookies alone.

const { hasSignedUrlParameters, limits } = require('./core');
const { ExpiringLru } = require('./lru');
const { cloudFrontCookieHeader } = require('./cookies');
const { tierResource } = require('./minter');

const VERIFIED_CACHE_SIZE = 1024;
const MAX_URL_BYTES = limits().maxUrlBytes;

/**
 * @typedef {{ok: true, expiresAtMs: number, source: 'url' | 'cookie', cache: 'hit' | 'miss'}
 *         | {ok: false, reason: string, cache: 'none' | 'miss'}} GateVerdict
 */

class Gate {
  constructor() {
    this.verified = new ExpiringLru(VERIFIED_CACHE_SIZE);
    this.stats = { verifications: 0, hits: 0 };
  }

  /**
   * @param {{uri: string, querystring?: string, clientIp?: string}} request CloudFront request
   * @param {{host: string, tier: {name: string, pathPrefix: string}, cookies: Map<string, string> | null,
   *          nowMs: number, verifier: import('./core').Verifier}} context
   *   the request's host, the tier whose prefix the URI falls under, the parsed Cookie header
   *   (null: over the size cap) and the key group's verifier
   * @returns {GateVerdict}
   */
  check(request, { host, tier, cookies, nowMs, verifier }) {
    if (cookies === null) return { ok: false, reason: 'malformed', cache: 'none' };
    const querystring = request.querystring ?? '';
    const url = `https://${host}${request.uri}${querystring ? `?${querystring}` : ''}`;
    const cookie = cloudFrontCookieHeader(cookies);
    // Judged by the cookies alone: no signed-URL parameter, and a URL the core reads at all.
    const byCookies = cookie !== '' && !hasSignedUrlParameters(querystring) && Buffer.byteLength(url) <= MAX_URL_BYTES;
    const key = byCookies ? `${host}\n${tier.name}\n${cookie}` : null;
    if (key !== null) {
      const expiresAtMs = this.verified.get(key, nowMs);
      if (expiresAtMs !== undefined) {
        this.stats.hits += 1;
        return { ok: true, expiresAtMs, source: 'cookie', cache: 'hit' };
      }
    }
    this.stats.verifications += 1;
    const verdict = verifier.verify({ url, cookie, clientIp: request.clientIp || undefined, now: nowMs });
    if (!verdict.ok) return { ok: false, reason: verdict.reason, cache: 'miss' };
    const { policy } = verdict;
    // Valid for every URL of the tier: exactly the tier's Resource, no start time, no IP.
    const grantsTier =
      policy.resource === tierResource(host, tier) && policy.notBeforeMs === null && policy.ipAddress === null;
    if (key !== null && verdict.source === 'cookie' && grantsTier) {
      this.verified.set(key, policy.expiresAtMs, policy.expiresAtMs);
    }
    return { ok: true, expiresAtMs: policy.expiresAtMs, source: verdict.source, cache: 'miss' };
  }
}

module.exports = { Gate };
