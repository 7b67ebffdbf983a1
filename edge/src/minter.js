'use strict';
// Minting CloudFront cookie sets, one per tier: a custom policy for `https://DOMAIN/PREFIX*`
// signed by the core. Expiries are rounded down to a window, so every mint for the same tier
// inside one window produces the same policy and the set is served from cache: a repeated mint
// costs no RSA operation.

const { MINTED_COOKIES, setCookie, expireCookie } = require('./cookies');
const { SigningKeyError } = require('./signing-key');

/**
 * The policy JSON CloudFront expects, byte for byte (no whitespace, this key order), with a
 * `Resource` wildcard over the tier. AWS: *Create a signed cookie using a custom policy*.
 */
function tierPolicy(tier, expiresAt) {
  return JSON.stringify({
    Statement: [{ Resource: tier.resource, Condition: { DateLessThan: { 'AWS:EpochTime': expiresAt } } }],
  });
}

class CookieMinter {
  /**
   * @param {object} config validated config
   * @param {import('./signing-key').SigningKey} signingKey
   * @param {import('./core').Verifier} verifier checks the first set minted with each key
   */
  constructor(config, signingKey, verifier) {
    this.config = config;
    this.signingKey = signingKey;
    this.verifier = verifier;
    /** @type {Map<string, {expiresAt: number, setCookies: string[]}>} (tier, expiry) -> set */
    this.cache = new Map();
    /** @type {WeakSet<object>} signers whose output has been verified against the key group */
    this.checked = new WeakSet();
    this.stats = { signs: 0, hits: 0 };
  }

  /** Epoch seconds at which cookies minted at `nowSeconds` expire (the window's expiry). */
  expiryAt(nowSeconds) {
    const { windowSeconds, lifetimeSeconds } = this.config.cookies;
    return Math.floor(nowSeconds / windowSeconds) * windowSeconds + lifetimeSeconds;
  }

  /**
   * One cookie set per tier, valid until the window's expiry.
   * @returns {Promise<{expiresAt: number, setCookies: string[]}>} expiresAt in epoch seconds
   */
  async mint(tiers, nowSeconds) {
    const expiresAt = this.expiryAt(nowSeconds);
    const setCookies = [];
    for (const tier of tiers) setCookies.push(...(await this.mintTier(tier, expiresAt, nowSeconds)));
    return { expiresAt, setCookies };
  }

  async mintTier(tier, expiresAt, nowSeconds) {
    const key = `${tier.name}\n${expiresAt}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.stats.hits += 1;
      return cached.setCookies;
    }
    const { signer } = await this.signingKey.get();
    const cookies = signer.getSignedCookies({ policy: tierPolicy(tier, expiresAt) });
    this.stats.signs += 1;
    if (!this.checked.has(signer)) this.selfCheck(signer, tier, cookies, nowSeconds);
    const attrs = { path: tier.pathPrefix, domain: this.config.cookies.domain, expires: expiresAt };
    const setCookies = MINTED_COOKIES.map((name) => setCookie(name, cookies[name], attrs));
    for (const [k, entry] of this.cache) if (entry.expiresAt <= nowSeconds) this.cache.delete(k);
    this.cache.set(key, { expiresAt, setCookies });
    return setCookies;
  }

  /**
   * The first set a key mints is verified against the configured key group: a secret that
   * does not match `keyGroup[activeKeyId]` would otherwise mint cookies CloudFront refuses.
   */
  selfCheck(signer, tier, cookies, nowSeconds) {
    const cookie = MINTED_COOKIES.map((name) => `${name}=${cookies[name]}`).join('; ');
    const verdict = this.verifier.verify({
      url: `https://${this.config.domain}${tier.pathPrefix}`,
      cookie,
      now: nowSeconds * 1000,
    });
    if (!verdict.ok) {
      const error = new SigningKeyError(
        'key-mismatch',
        `private key does not match keyGroup.${this.config.activeKeyId} (${verdict.reason})`,
      );
      this.signingKey.reject(error);
      throw error;
    }
    this.checked.add(signer);
  }

  /** Set-Cookie lines deleting every cookie minted for every tier. */
  expireAll() {
    const domain = this.config.cookies.domain;
    return this.config.tiers.flatMap((tier) =>
      MINTED_COOKIES.map((name) => expireCookie(name, { path: tier.pathPrefix, domain })),
    );
  }
}

module.exports = { CookieMinter, tierPolicy };
