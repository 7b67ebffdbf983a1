'use strict';
// The key group private paths are verified against. CloudFront's trusted key group holds only
// public keys, which are not secret: when the bundled config carries them (`keyGroup`, id ->
// public key PEM, written at deploy time with the ids CloudFront assigned), a private path
// decides with no network call, even on a cold container. Without it, the key group comes
// from the Secrets Manager secret, as before (read once per container).

const { Verifier } = require('./core');

class KeyGroup {
  /**
   * @param {Readonly<Record<string, string>> | null} bundled the config's `keyGroup`
   * @param {import('./signing-secret').SigningSecret} secret
   * @throws {Error} with `field` when a bundled key is unusable (a config error at load)
   */
  constructor(bundled, secret) {
    this.secret = secret;
    /** @type {import('./core').Verifier | null} */
    this.bundled = null;
    if (bundled) {
      try {
        this.bundled = new Verifier({ keys: { ...bundled } });
      } catch (error) {
        throw Object.assign(new Error(`config: keyGroup ${error.code ?? error.name}: ${error.message}`), { field: 'keyGroup' });
      }
    }
  }

  /**
   * The verifier of the key group: the bundled one at once, else the secret's.
   * @returns {Promise<import('./core').Verifier>}
   * @throws {import('./signing-secret').SigningUnavailable} only without a bundled key group
   */
  async verifier() {
    return this.bundled ?? (await this.secret.get()).verifier;
  }
}

module.exports = { KeyGroup };
