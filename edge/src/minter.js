'use strict';
// Minting CloudFront cookie sets, one per tier: a custom policy for `https://HOST/PREFIX*`
// signed by the core. Expiries are rounded down to a window, so every mint for the same tier
// and host inside one window produces the same policy and the set is served from cache: a
// repeated mint costs no RSA operation.
//
// The cookies are host-only (no `Domain`): they are bearer credentials, and a policy names one
// host, so on any other host they could only leak (to every sibling subdomain, on this
// distribution or not) or be overwritten by that host's own, never grant anything.

const { MINTED_COOKIES, setCookie, expireCookie } = require('./cookies');
const { SigningUnavailable } = require('./signing-secret');

/** What a tier's cookies grant on a host: every URL under its prefix. */
const tierResource = (host, tier) => `https://${host}${tier.pathPrefix}*`;

/**
 * The policy JSON CloudFront expects, byte for byte (no whitespace, this key order), with a
 * `Resource` wildcard over the tier. AWS: *Create a signed cookie using a custom policy*.
 */
function tierPolicy(resource, expiresAtSeconds) {
  return JSON.stringify({
    Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': expiresAtSeconds } } }],
  });
}

class CookieMinter {
  /**
   * @param {{lifetimeSeconds: number, windowSeconds: number}} timing the `cookies` config
   * @param {{legacyDomain: string | null, tiers: readonly {name: string, pathPrefix: string}[]}} scope
   *   the configured `domain` (earlier versions set it as the cookies' Domain, so expiring a
   *   cookie clears that one too) and every tier, for logout
   * @param {import('./signing-secret').SigningSecret} secret where the signing key comes from
   * @param {import('./key-group').KeyGroup} keyGroup what private paths verify against
   */
  constructor({ lifetimeSeconds, windowSeconds }, { legacyDomain, tiers }, secret, keyGroup) {
    this.secret = secret;
    this.keyGroup = keyGroup;
    this.lifetimeSeconds = lifetimeSeconds;
    this.windowSeconds = windowSeconds;
    this.legacyDomain = legacyDomain;
    this.tiers = tiers;
    /** @type {Map<string, {expiresAtSeconds: number, setCookies: string[]}>} (host, tier, expiry, key) -> set */
    this.cache = new Map();
    /** @type {WeakSet<object>} signers whose output has been verified against the key group */
    this.checked = new WeakSet();
    this.stats = { signs: 0, hits: 0 };
  }

  /**
   * Epoch seconds at which cookies minted at `nowSeconds` expire (the window's expiry), or
   * `notAfterSeconds` if that is sooner.
   */
  expiresAtSeconds(nowSeconds, notAfterSeconds = Infinity) {
    return Math.min(Math.floor(nowSeconds / this.windowSeconds) * this.windowSeconds + this.lifetimeSeconds, notAfterSeconds);
  }

  /**
   * One cookie set per tier, valid until the window's expiry.
   * @param {string} host the request's host
   * @param {readonly {name: string, pathPrefix: string}[]} tiers
   * @param {number} nowSeconds
   * @param {number} [notAfterSeconds] the latest expiry (a redirect-flow session's next recheck)
   * @returns {Promise<{expiresAtSeconds: number, setCookies: string[]}>}
   * @throws {SigningUnavailable} when the keys cannot be had, or (`key-mismatch`) the key
   *   does not verify under its own key group: then the secret is read again after a pause
   */
  async mint(host, tiers, nowSeconds, notAfterSeconds) {
    const keys = await this.secret.get();
    const verifier = await this.keyGroup.verifier();
    const expiresAtSeconds = this.expiresAtSeconds(nowSeconds, notAfterSeconds);
    for (const [k, entry] of this.cache) if (entry.expiresAtSeconds <= nowSeconds) this.cache.delete(k);
    try {
      const setCookies = tiers.flatMap((tier) => this.mintTier(keys, verifier, host, tier, expiresAtSeconds, nowSeconds));
      return { expiresAtSeconds, setCookies };
    } catch (error) {
      if (error instanceof SigningUnavailable) this.secret.reject(error);
      throw error;
    }
  }

  mintTier(keys, verifier, host, tier, expiresAtSeconds, nowSeconds) {
    const key = `${host}\n${tier.name}\n${expiresAtSeconds}\n${keys.keyPairId}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.stats.hits += 1;
      return cached.setCookies;
    }
    const cookies = keys.signer.getSignedCookies({ policy: tierPolicy(tierResource(host, tier), expiresAtSeconds) });
    this.stats.signs += 1;
    if (!this.checked.has(keys.signer)) this.selfCheck(keys, verifier, host, tier, cookies, nowSeconds);
    const attrs = { path: tier.pathPrefix, expires: expiresAtSeconds };
    const setCookies = MINTED_COOKIES.map((name) => setCookie(name, cookies[name], attrs));
    this.cache.set(key, { expiresAtSeconds, setCookies });
    return setCookies;
  }

  /**
   * The first set a key mints is verified against the key group private paths use (the
   * bundled one, else the secret's): a private key that does not match `keyGroup[keyPairId]`
   * would otherwise mint cookies CloudFront refuses.
   */
  selfCheck(keys, verifier, host, tier, cookies, nowSeconds) {
    const cookie = MINTED_COOKIES.map((name) => `${name}=${cookies[name]}`).join('; ');
    const verdict = verifier.verify({ url: `https://${host}${tier.pathPrefix}`, cookie, now: nowSeconds * 1000 });
    if (!verdict.ok) {
      throw new SigningUnavailable(
        'key-mismatch',
        `privateKey does not match keyGroup.${keys.keyPairId} (${verdict.reason})`,
      );
    }
    this.checked.add(keys.signer);
  }

  /**
   * Set-Cookie lines deleting every cookie minted for these tiers (default: every tier): the
   * host-only ones, and with a configured `domain` also the `Domain=<domain>` ones earlier
   * versions set (a browser keeps the two apart, and deletes each only by its own domain).
   * @param {readonly {pathPrefix: string}[]} [tiers]
   */
  expireAll(tiers = this.tiers) {
    const domains = this.legacyDomain === null ? [null] : [null, this.legacyDomain];
    return tiers.flatMap((tier) =>
      domains.flatMap((domain) => MINTED_COOKIES.map((name) => expireCookie(name, { path: tier.pathPrefix, domain }))),
    );
  }
}

module.exports = { CookieMinter, tierResource };
