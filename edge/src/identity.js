'use strict';
// ID-token verification for /auth: the core's JwtVerifier over the JWKS embedded in the config
// and, when `jwksUrl` is set, over the identity provider's published JWKS, fetched on first
// need and kept for the container's life. A token naming a kid we do not know triggers one
// refetch (key rotation), at most once per penalty interval, so a stream of forged kids cannot
// turn into a stream of fetches.

const { JwtVerifier } = require('./core');

const JWKS_TIMEOUT_MS = 1_500;
const MAX_JWKS_BYTES = 64 * 1024;
const REFETCH_INTERVAL_MS = 60_000;

class IdentityError extends Error {
  constructor(message) {
    super(message);
    this.name = 'IdentityError';
    this.reason = 'jwks-unavailable';
  }
}

class IdentityProvider {
  /**
   * @param {object} idp validated `identityProvider` config
   * @param {{fetch?: typeof fetch, now?: () => number, refetchIntervalMs?: number}} [deps]
   */
  constructor(idp, deps = {}) {
    this.idp = idp;
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.now = deps.now ?? Date.now;
    this.refetchIntervalMs = deps.refetchIntervalMs ?? REFETCH_INTERVAL_MS;
    /** Throws at construction (config load) on a bad embedded JWKS. */
    this.embedded = idp.jwks ? this.verifierFor(idp.jwks) : null;
    this.fetched = null;
    this.lastFetchAt = -Infinity;
    this.inflight = null;
    this.stats = { fetches: 0 };
  }

  verifierFor(jwks) {
    return new JwtVerifier({
      jwks,
      issuer: this.idp.issuer,
      audience: this.idp.clientIds,
      tokenUse: this.idp.tokenUse,
      leewaySeconds: this.idp.leewaySeconds,
    });
  }

  /**
   * @returns {Promise<import('../../pkg/node/cloudfront_edge_auth').JwtVerdict>}
   * @throws {IdentityError} when there is no key set at all to verify against
   */
  async verify(token, nowMs) {
    let verdict = null;
    for (const verifier of [this.embedded, this.fetched]) {
      if (!verifier) continue;
      verdict = verifier.verify(token, nowMs);
      if (verdict.ok || verdict.reason !== 'unknown-kid') return verdict;
    }
    if (!this.idp.jwksUrl) {
      if (verdict === null) throw new IdentityError('no JWKS configured');
      return verdict;
    }
    // Unknown kid everywhere, or nothing fetched yet: refetch, unless we did so recently.
    if (!this.inflight && this.now() - this.lastFetchAt >= this.refetchIntervalMs) this.refresh();
    if (this.inflight) {
      try {
        await this.inflight;
      } catch (error) {
        if (verdict === null) throw error;
        return verdict;
      }
    }
    if (this.fetched === null) {
      if (verdict !== null) return verdict;
      throw new IdentityError('no JWKS: the last fetch failed moments ago');
    }
    return this.fetched.verify(token, nowMs);
  }

  /** Fetches the JWKS once, however many requests ask at the same time. */
  refresh() {
    this.inflight ??= this.load().finally(() => {
      this.inflight = null;
    });
    // Awaited by the callers that need it; an unobserved rejection must not crash the process.
    this.inflight.catch(() => {});
    return this.inflight;
  }

  async load() {
    this.lastFetchAt = this.now();
    this.stats.fetches += 1;
    let text;
    try {
      const response = await this.fetch(this.idp.jwksUrl, {
        signal: AbortSignal.timeout(JWKS_TIMEOUT_MS),
        headers: { accept: 'application/json' },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > MAX_JWKS_BYTES) throw new Error(`JWKS is ${declared} bytes, over ${MAX_JWKS_BYTES}`);
      text = await response.text();
    } catch (error) {
      throw new IdentityError(`fetching ${this.idp.jwksUrl}: ${error.message}`);
    }
    if (text.length > MAX_JWKS_BYTES) throw new IdentityError(`JWKS over ${MAX_JWKS_BYTES} bytes`);
    try {
      this.fetched = this.verifierFor(text);
    } catch (error) {
      throw new IdentityError(`JWKS from ${this.idp.jwksUrl}: ${error.message}`);
    }
  }
}

module.exports = { IdentityProvider, IdentityError, REFETCH_INTERVAL_MS };
